"""Exception hierarchy: every error a person can see carries a sentence they can act on."""

# ruff: noqa: N818 - these names are part of the contract other modules are written against.

from __future__ import annotations


class ModelCardBotError(Exception):
    """Base of every error the bot raises on purpose; `str(err)` is a sentence a person can
    act on, in plain text that may quote what they typed: escape it before it becomes mrkdwn
    (`bot.slack.text.refusal`)."""


class ConfigError(ModelCardBotError):
    """The governance file or the environment is wrong; raised at start."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class InputError(ModelCardBotError):
    """Input from a person is invalid; nothing was changed."""


class InvalidCardName(InputError):
    pass


class InvalidContent(InputError):
    """Card content breaks the official schema or the size limit."""

    def __init__(self, card: str, problems: list[str]) -> None:
        self.card = card
        self.problems = problems
        super().__init__(f"Model card `{card}` content is not valid: " + " ".join(problems))


class GateClosed(InputError):
    """The card lacks fields a governance gate requires for the status it would enter."""

    def __init__(self, card: str, status: str, missing: list[str], message: str) -> None:
        self.card = card
        self.status = status
        self.missing = missing
        super().__init__(message)


class NotAllowed(ModelCardBotError):
    """The person lacks the capability, is unmapped, or four-eyes forbids the action."""


class CardNotFound(ModelCardBotError):
    def __init__(self, card: str) -> None:
        self.card = card
        super().__init__(
            f"Model card `{card}` does not exist. Check the name with `/modelcard list`."
        )


class CardAlreadyExists(ModelCardBotError):
    def __init__(self, card: str) -> None:
        self.card = card
        super().__init__(
            f"Model card `{card}` already exists. Pick another name or `/modelcard show {card}`."
        )


class WrongStatus(ModelCardBotError):
    """The card is not in a status that allows the requested move."""

    def __init__(self, card: str, current: str, wanted: str, hint: str = "") -> None:
        self.card = card
        self.current = current
        self.wanted = wanted
        message = f"Model card `{card}` is {current}, so it cannot move to {wanted}."
        super().__init__(f"{message} {hint}".strip())


class NotEditable(WrongStatus):
    """The card's status freezes its content (Approved, Archived); `wanted` is "edit"."""

    def __init__(self, card: str, current: str, hint: str = "") -> None:
        super().__init__(card, current, "edit", hint)
        message = f"Model card `{card}` is {current}, so its content cannot be edited."
        self.args = (f"{message} {hint}".strip(),)


class AwsError(ModelCardBotError):
    """An AWS call failed; `retryable` says whether a later attempt may succeed."""

    def __init__(
        self, message: str, *, code: str = "", retryable: bool = False, request_id: str = ""
    ) -> None:
        self.code = code
        self.retryable = retryable
        self.request_id = request_id
        super().__init__(message)


class ReadOnlyPermissionRefused(AwsError):
    """RAM would not create the customer-managed read-only permission for model cards, so
    nothing can be shared read-only until the operator switches `read_only_via`."""

    def __init__(self, permission: str, stage: str, code: str, request_id: str = "") -> None:
        self.permission = permission
        self.stage = stage
        super().__init__(
            f"AWS RAM refused to create the read-only permission `{permission}` for "
            f"sagemaker:ModelCard ({code}), so nothing was shared with stage `{stage}`. "
            "RAM does not support a customer-managed permission for this resource type here. "
            "An operator must set `read_only_via: managed-with-guard` in the governance file "
            "and deploy the prod guard (deploy/cloudformation/stage-account.yaml); then "
            "`python -m bot doctor` confirms it and the share follows on the next reconcile.",
            code=code,
            retryable=False,
            request_id=request_id,
        )


class RetryLater(ModelCardBotError):
    """A transient condition (rate limit, a concurrent worker holding a lock): retry the job."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class StaleReview(InputError):
    """A decision was asked on a version of the card that is no longer the one under review."""

    def __init__(self, card: str, asked: int, current: int) -> None:
        self.card = card
        self.asked = asked
        self.current = current
        super().__init__(
            f"Model card `{card}`: v{current} is under review now; look at the updated request "
            f"(you answered the one for v{asked}). Nothing was changed."
        )
