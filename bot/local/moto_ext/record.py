"""The call record and fault injection: every SageMaker, RAM and STS request the extended
moto serves is recorded with the caller's assumed role and SourceIdentity; `fail_next` makes
the next calls of an action fail before moto runs them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from moto.sts.models import sts_backends

_lock = threading.Lock()
_calls: list[dict[str, Any]] = []
_failures: dict[str, list[tuple[str, int]]] = {}


def calls() -> list[dict[str, Any]]:
    """Every SageMaker, RAM and STS call served since the last :func:`clear_calls`."""
    with _lock:
        return [dict(call) for call in _calls]


def clear_calls() -> None:
    with _lock:
        _calls.clear()


# --------------------------------------------------------------------------- call record
def record(response: Any, status: int) -> None:
    account = response.current_account
    sts = sts_backends[account][response.partition]
    role = sts.get_assumed_role_from_access_key(response.access_key)
    if role is not None:
        caller_arn, source_identity, session = role.arn, role.source_identity, role.session_name
    else:
        caller_arn = sts.get_caller_identity(response.access_key, response.region)[1]
        source_identity = session = None
    entry = {
        "service": response.service_name,
        "action": response._get_action(),
        "account": account,
        "region": response.region,
        "caller_arn": caller_arn,
        "source_identity": source_identity,
        "session_name": session,
        "status": status,
    }
    with _lock:
        _calls.append(entry)


def fail_next(
    action: str, count: int, code: str = "ThrottlingException", status: int = 400
) -> None:
    """Make the next `count` SageMaker/RAM calls of `action` fail with `code` (JSON error, as
    throttling and 5xx look on the wire), before moto runs them: fault tests use it."""
    with _lock:
        _failures.setdefault(action, []).extend([(code, status)] * count)


def clear_failures() -> None:
    with _lock:
        _failures.clear()


def recording(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call_action(self: Any) -> Any:
        with _lock:
            queue = _failures.get(self._get_action()) if self.service_name != "sts" else None
            failure = queue.pop(0) if queue else None
        if failure is not None:
            code, status = failure
            body = json.dumps({"__type": code, "message": f"Injected {code}"})
            record(self, status)
            return status, {"x-amzn-ErrorType": code, "Content-Type": "application/json"}, body
        status, headers, body = original(self)
        record(self, int(status))
        return status, headers, body

    return call_action
