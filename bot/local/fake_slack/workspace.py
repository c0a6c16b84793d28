"""The fake workspace: its identity, the calls it records, and how a Web API method refuses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Identity of the fake workspace, its app and bot user (what auth.test answers).
TEAM_ID = "T0TEAM"
TEAM_NAME = "Modelcard Test"
TEAM_DOMAIN = "modelcard-test"
APP_ID = "A0APP"
BOT_ID = "B0BOT"
BOT_USER_ID = "U0BOT"
BOT_USER_NAME = "modelcard-bot"

MAX_RESPONSE_URL_USES = 5  # "up to 5 times within 30 minutes"

RESPONSE_URL_METHOD = "response_url"


@dataclass
class Call:
    """One request the fake received: a Web API method or a ``response_url`` POST."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    url: str = ""  # the response_url name for method "response_url", else ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass
class Failure:
    error: str
    retry_after: int


@dataclass
class ResponseTarget:
    """Where a response_url points: the context Slack knows when it issues one."""

    channel: str | None
    user: str | None
    message_ts: str | None
    uses: int = 0


class ApiError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


def fail(error: str, *messages: str) -> ApiError:
    return ApiError(error, list(messages))


def decode_json_param(params: dict[str, Any], key: str, error: str) -> Any:
    """Form-encoded calls carry blocks/attachments/view as JSON strings."""
    value = params.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise fail(error, f"[ERROR] {key} is not valid JSON") from None
    return value


def dm_channel(channel: str) -> str:
    """chat.postMessage to a user id posts in the bot's DM with that user."""
    if channel[:1] in ("U", "W"):
        return "D" + channel[1:]
    return channel
