from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from bot.aws.errors import translate
from bot.errors import AwsError, CardAlreadyExists, CardNotFound, NotAllowed


def client_error(code: str, message: str = "", status: int = 400) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"RequestId": "req-9", "HTTPStatusCode": status},
        },
        "UpdateModelCard",
    )


def test_throttling_is_retryable_and_keeps_request_id() -> None:
    err = translate(client_error("ThrottlingException", "Rate exceeded"), action="UpdateModelCard")
    assert isinstance(err, AwsError)
    assert err.retryable
    assert err.request_id == "req-9"
    assert "ThrottlingException" in str(err)


def test_server_errors_are_retryable_validation_is_not() -> None:
    assert translate(client_error("InternalFailure", status=500)).retryable  # type: ignore[attr-defined]
    err = translate(client_error("ValidationException", "bad"), card="c")
    assert isinstance(err, AwsError)
    assert not err.retryable


def test_access_denied_says_whom_to_ask() -> None:
    err = translate(client_error("AccessDeniedException", "no"), card="c", action="UpdateModelCard")
    assert isinstance(err, NotAllowed)
    assert "model card `c`" in str(err)
    assert "IAM role mapped to you" in str(err)


def test_not_found_and_conflict_name_the_card() -> None:
    assert isinstance(translate(client_error("ResourceNotFound", "x"), card="c"), CardNotFound)
    err = translate(client_error("ConflictException", "Modelcard c already exists"), card="c")
    assert isinstance(err, CardAlreadyExists)


def test_connection_errors_are_retryable() -> None:
    err = translate(EndpointConnectionError(endpoint_url="http://x"))
    assert isinstance(err, AwsError)
    assert err.retryable


def test_unexpected_errors_propagate() -> None:
    with pytest.raises(KeyError):
        translate(KeyError("boom"))
