"""Turn botocore errors into the bot's exceptions, keeping the AWS request id."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from bot.errors import AwsError, CardAlreadyExists, CardNotFound, ModelCardBotError, NotAllowed

_RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServerException",
        "ServerInternalException",
        "ConcurrentModificationException",
    }
)
_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "OperationNotPermittedException",
    }
)


def translate(err: Exception, *, card: str = "", action: str = "") -> ModelCardBotError:
    """Map an AWS failure to an error a person can read; `retryable` marks transient ones."""
    if isinstance(err, ClientError):
        info = err.response.get("Error", {})
        code = str(info.get("Code", ""))
        message = str(info.get("Message", ""))
        meta = err.response.get("ResponseMetadata", {})
        request_id = str(meta.get("RequestId", ""))
        status = int(meta.get("HTTPStatusCode", 0) or 0)
        lowered = message.lower()
        if card and (code == "ResourceNotFound" or "does not exist" in lowered):
            return CardNotFound(card)
        if card and code in {"ConflictException", "ResourceInUse"} and "exist" in lowered:
            return CardAlreadyExists(card)
        if code in _DENIED_CODES:
            return NotAllowed(
                f"AWS refused {action or 'the call'}"
                + (f" on model card `{card}`" if card else "")
                + f": {message or code}. Ask an AWS admin to check the IAM role mapped to you."
            )
        retryable = code in _RETRYABLE_CODES or status >= 500
        subject = f" for model card `{card}`" if card else ""
        return AwsError(
            f"AWS {action or 'call'}{subject} failed: {code}: {message}".rstrip(": "),
            code=code,
            retryable=retryable,
            request_id=request_id,
        )
    if isinstance(err, BotoCoreError):
        # Connection and timeout errors: the next attempt may succeed.
        return AwsError(
            f"AWS {action or 'call'} failed: {err}", code=type(err).__name__, retryable=True
        )
    if isinstance(err, ModelCardBotError):
        return err
    raise err
