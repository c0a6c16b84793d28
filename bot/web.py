"""The HTTP edge in front of Bolt: a body size limit, Slack's signature check (slack_sdk's
SignatureVerifier: v0 HMAC, timestamps older than 5 minutes refused), a replay cache of
seen signatures in Redis; a signed but malformed payload (Bolt fails to parse it) gets a
400, never a 500. Refused requests reach no listener: no job, no AWS call, no Slack post.

Every POST is verified here, so Bolt's own verification (the same secret and window) is off
(bot/app.py). The replay-cache SET is left pending for the request (bot/edge.py): the ack's
first Redis round trip carries it, before any side effect; a replayed signature then stops
the listener and is answered 401 here. When the listener made no Redis call, the SET is made
here after it, before the answer leaves."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import redis
from slack_sdk.signature import SignatureVerifier

from bot.edge import PENDING, ReplayCheck, Replayed
from bot.store.keys import Keys
from bot.store.wire import Wire

log = logging.getLogger("modelcard_bot.web")

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
MAX_BODY_BYTES = 1_000_000
# Longer than the 5 minutes a signature's timestamp stays acceptable.
REPLAY_WINDOW_SECONDS = 600


def _answer(start_response: Any, status: str, error: str) -> list[bytes]:
    body = json.dumps({"ok": False, "error": error}).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


class SlackGuard:
    def __init__(
        self,
        inner: WsgiApp,
        signing_secret: str,
        redis_client: Any,
        keys: Keys | None = None,
        *,
        path: str = "/slack/events",
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self._inner = inner
        self._verifier = SignatureVerifier(signing_secret)
        self._wire = Wire(redis_client)
        self._keys = keys or Keys()
        self._path = path
        self._max_body = max_body

    def _signed(self, body: bytes, timestamp: str, signature: str) -> bool:
        if not timestamp.isdigit() or not signature:
            return False
        try:
            return bool(self._verifier.is_valid(body, timestamp, signature))
        except UnicodeDecodeError:  # Slack only sends UTF-8
            return False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self._path or environ.get("REQUEST_METHOD") != "POST":
            return self._inner(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _answer(start_response, "400 Bad Request", "bad_content_length")
        if length > self._max_body:
            return _answer(start_response, "413 Payload Too Large", "payload_too_large")
        body = environ["wsgi.input"].read(length) if length else b""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not self._signed(body, timestamp, signature):
            log.warning("refused request: bad or stale signature")
            return _answer(start_response, "401 Unauthorized", "invalid_signature")
        check = ReplayCheck(self._keys.seen_signature(signature), REPLAY_WINDOW_SECONDS)
        environ["wsgi.input"] = io.BytesIO(body)
        answered: list[Any] = []

        def hold(status: str, headers: Any, exc_info: Any = None) -> Any:
            answered[:] = [status, headers]
            return lambda data: None  # Bolt's adapter returns its body, never write()s

        token = PENDING.set(check)
        try:
            # Bolt parses the body itself; a signed but malformed payload fails there.
            result = list(self._inner(environ, hold))
        except (ValueError, TypeError, AttributeError, KeyError):
            log.warning("refused request: malformed payload")
            return _answer(start_response, "400 Bad Request", "malformed_payload")
        finally:
            PENDING.reset(token)
        if not check.done and not check.failed:
            # Recorded in `check`: a replay or an unreachable Redis is answered below.
            with contextlib.suppress(Replayed, redis.RedisError):
                check.make(self._wire)
        if check.failed:
            return _answer(start_response, "503 Service Unavailable", "state_unavailable")
        if not check.fresh:
            log.warning("refused request: replayed signature")
            return _answer(start_response, "401 Unauthorized", "replayed_request")
        start_response(*answered)
        return result
