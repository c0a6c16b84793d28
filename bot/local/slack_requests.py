"""Signed HTTP requests to the bot's web server, as Slack sends them, and a tiny sender.

``sign`` computes the ``X-Slack-Signature`` / ``X-Slack-Request-Timestamp`` headers with
``slack_sdk.signature.SignatureVerifier`` (https://docs.slack.dev/authentication/verifying-requests-from-slack);
the bodies come from bot.local.slack_payloads.

    sender = SlackSender("http://127.0.0.1:PORT")
    resp = sender.command("create churn-v1", "U0LEAD", response_url=fake.response_url("c1"))
    assert resp.status == 200
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.local.slack_payloads import (
    block_action,
    event_callback,
    slash_command,
    url_verification,
    view_submission,
)

SIGNING_SECRET = "test-signing-secret"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
EVENTS_PATH = "/slack/events"


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds to every request (``v0=`` HMAC-SHA256 of
    ``v0:<timestamp>:<body>``), computed with slack_sdk's own ``SignatureVerifier``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


# ------------------------------------------------------------------------- sender


@dataclass
class Response:
    status: int
    body: str
    json: Any | None
    headers: dict[str, str]  # lower-cased names


class SlackSender:
    """POSTs signed requests to the bot's web server, like Slack does."""

    def __init__(
        self, base_url: str, secret: str = SIGNING_SECRET, *, timeout: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        sign_with: str | None = None,
        signed: bool = True,
        path: str = EVENTS_PATH,
    ) -> Response:
        """POST ``body`` with Slack's signature headers (made with ``sign_with`` instead of
        the sender's secret if given; none if ``signed`` is false); ``headers`` override."""
        all_headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0"}
        if signed:
            all_headers.update(sign(body, sign_with or self.secret, timestamp))
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.base_url + path, data=body, headers=all_headers, method="POST"
        )
        return self._send(request)

    def get(self, path: str) -> Response:
        return self._send(urllib.request.Request(self.base_url + path, method="GET"))

    def _send(self, request: urllib.request.Request) -> Response:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                status, raw, headers = resp.status, resp.read(), dict(resp.headers.items())
        except urllib.error.HTTPError as exc:
            status, raw, headers = exc.code, exc.read(), dict(exc.headers.items())
        text = raw.decode("utf-8", "replace")
        try:
            parsed: Any | None = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return Response(status, text, parsed, {k.lower(): v for k, v in headers.items()})

    @staticmethod
    def _split(kw: dict[str, Any]) -> dict[str, Any]:
        """Pop the post() options out of a builder's keyword arguments."""
        return {k: kw.pop(k) for k in ("headers", "timestamp", "sign_with", "signed") if k in kw}

    def command(self, text: str, user_id: str, **kw: Any) -> Response:
        opts = self._split(kw)
        return self.post(slash_command(text, user_id, **kw), FORM, **opts)

    def action(self, action_id: str, value: str, user_id: str, **kw: Any) -> Response:
        opts = self._split(kw)
        return self.post(block_action(action_id, value, user_id, **kw), FORM, **opts)

    def submit(
        self,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        user_id: str,
        **kw: Any,
    ) -> Response:
        opts = self._split(kw)
        return self.post(view_submission(callback_id, values, user_id, **kw), FORM, **opts)

    def event(self, event: dict[str, Any], **kw: Any) -> Response:
        opts = self._split(kw)
        return self.post(event_callback(event, **kw), JSON, **opts)

    def verify_url(self, challenge: str, **kw: Any) -> Response:
        return self.post(url_verification(challenge), JSON, **kw)
