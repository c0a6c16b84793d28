"""What users would see in the fake workspace (channel messages, ephemerals, modals, App
Home tabs), and the helpers the Web API methods share to read and change it."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from typing import Any

from bot.local.fake_slack.block_kit import (
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    block_errors,
    view_errors,
)
from bot.local.fake_slack.workspace import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    Failure,
    ResponseTarget,
    decode_json_param,
    dm_channel,
    fail,
)


class SlackState:
    """Messages, ephemerals, views and homes, guarded by one condition (`_cond`)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        channels: Mapping[str, str] | None = None,
    ) -> None:
        """``channels``: optional id -> name map. When given, other channel ids are
        ``channel_not_found``; by default every channel id exists."""
        self.host = host
        self.port = port
        self.channels: dict[str, str] | None = dict(channels) if channels is not None else None
        self.calls: list[Call] = []
        self._cond = threading.Condition(threading.RLock())
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._seq = itertools.count(1)
        self._reset_state()

    def _reset_state(self) -> None:
        self._messages: dict[str, dict[str, dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._homes: dict[str, dict[str, Any]] = {}
        self._used_triggers: set[str] = set()
        self._failures: dict[str, deque[Failure]] = {}
        # Channels the bot was removed from: posting there is `not_in_channel`.
        self._left: set[str] = set()
        self._targets: dict[str, ResponseTarget] = {}
        self._stalls: dict[str, deque[float]] = {}
        self._usergroups: dict[str, list[str]] = {}

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._seq) % 1_000_000:06d}"

    # ------------------------------------------------------------------ method helpers

    def _channel(self, params: dict[str, Any], key: str = "channel") -> str:
        channel = params.get(key)
        if not isinstance(channel, str) or not channel:
            raise fail("channel_not_found")
        channel = dm_channel(channel)
        if self.channels is not None and channel not in self.channels and channel[:1] != "D":
            raise fail("channel_not_found")
        return channel

    def _message_content(self, params: dict[str, Any], *, require: bool) -> dict[str, Any]:
        """text/blocks/attachments of a message call, validated like Slack."""
        blocks = decode_json_param(params, "blocks", "invalid_blocks_format")
        attachments = decode_json_param(params, "attachments", "invalid_attachments")
        text = params.get("text")
        if require and not text and not blocks and not attachments:
            raise fail("no_text")
        content: dict[str, Any] = {}
        if text is not None:
            if not isinstance(text, str):
                raise fail("invalid_arguments", "[ERROR] text must be a string")
            if len(text) > MAX_MESSAGE_TEXT:
                raise fail("msg_too_long")
            content["text"] = text
        if blocks is not None:
            errors = block_errors(blocks, max_blocks=MAX_MESSAGE_BLOCKS)
            if errors:
                raise fail("invalid_blocks", *errors)
            content["blocks"] = blocks
        if attachments is not None:
            content["attachments"] = attachments
        return content

    def _store_message(
        self, channel: str, content: dict[str, Any], *, thread_ts: Any = None
    ) -> dict[str, Any]:
        ts = self._next_ts()
        message: dict[str, Any] = {
            "user": BOT_USER_ID,
            "type": "message",
            "ts": ts,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": "",
            "team": TEAM_ID,
            **content,
        }
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
        self._messages.setdefault(channel, {})[ts] = message
        return message

    def _find_message(self, channel: str, ts: Any) -> dict[str, Any]:
        message = self._messages.get(channel, {}).get(str(ts)) if ts else None
        if message is None:
            raise fail("message_not_found")
        return message

    def _view_param(self, params: dict[str, Any], expected_type: str) -> dict[str, Any]:
        view = decode_json_param(params, "view", "invalid_arguments")
        errors = view_errors(view, expected_type=expected_type)
        if errors:
            raise fail("invalid_arguments", *errors)
        assert isinstance(view, dict)
        return view

    def _consume_trigger(self, params: dict[str, Any]) -> None:
        trigger_id = params.get("trigger_id")
        if not isinstance(trigger_id, str) or not trigger_id:
            raise fail("invalid_arguments", "[ERROR] missing required field: trigger_id")
        if trigger_id in self._used_triggers:
            raise fail("exchanged_trigger_id")
        self._used_triggers.add(trigger_id)

    def _new_view(
        self, view: dict[str, Any], *, view_id: str | None = None, root: str | None = None
    ) -> dict[str, Any]:
        view_id = view_id or f"V0FAKE{next(self._seq):05d}"
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": None,
            "root_view_id": root or view_id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        for key in ("title", "submit", "close"):
            if key in view:
                stored[key] = view[key]
        self._views[view_id] = stored
        return stored

    def _existing_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        if not view_id and not external_id:
            raise fail("invalid_arguments", "[ERROR] view_id or external_id is required")
        for stored in self._views.values():
            if (view_id and stored["id"] == view_id) or (
                external_id and stored["external_id"] == external_id
            ):
                if params.get("hash") and params["hash"] != stored["hash"]:
                    raise fail("hash_conflict")
                return stored
        raise fail("not_found")
