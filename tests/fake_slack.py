"""A local fake of the Slack Web API, served over real HTTP, that records every call.

Point a real ``slack_sdk.WebClient(token="xoxb-...", base_url=fake.api_url)`` (or the bot's
``SLACK_API_URL``) at it. It answers with Slack's documented response shapes, enforces the
Block Kit / modal limits that matter to this bot, keeps the state users would *see* (channel
messages after post/update/delete, ephemerals, open modals, App Home tabs) and can inject
failures (rate limits with ``Retry-After``, ``ok: false`` errors, HTTP 500).

It also serves Slack-like ``response_url`` endpoints (``fake.response_url(name)``) that record
the JSON posted to them, as a call with method ``"response_url"``.

Only the standard library is used (no pytest), so the demo's local stack can reuse it.

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="C0DEV", text="hi")
        assert fake.messages("C0DEV")[0]["text"] == "hi"
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import secrets
import select
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

# Identity of the fake workspace, its app and bot user (what auth.test answers).
TEAM_ID = "T0TEAM"
TEAM_NAME = "Modelcard Test"
TEAM_DOMAIN = "modelcard-test"
APP_ID = "A0APP"
BOT_ID = "B0BOT"
BOT_USER_ID = "U0BOT"
BOT_USER_NAME = "modelcard-bot"

# Limits (https://docs.slack.dev/reference/block-kit/...; chat.postMessage; views.open).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BLOCK_ID = 255
MAX_ACTION_ID = 255
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_INPUT_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_TEXT_INPUT_LENGTH = 3000
MAX_VIEW_TITLE = 24
MAX_VIEW_BUTTON_TEXT = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_RESPONSE_URL_USES = 5  # "up to 5 times within 30 minutes"

RESPONSE_URL_METHOD = "response_url"

_TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
_SELECT_TYPES = frozenset({"static_select", "multi_static_select"})
_ELEMENT_TYPES = frozenset({
    "button", "checkboxes", "channels_select", "conversations_select", "datepicker",
    "datetimepicker", "email_text_input", "external_select", "file_input", "image",
    "multi_channels_select", "multi_conversations_select", "multi_external_select",
    "multi_static_select", "multi_users_select", "number_input", "overflow", "plain_text_input",
    "radio_buttons", "rich_text_input", "static_select", "timepicker", "url_text_input",
    "users_select", "workflow_button",
})  # fmt: skip
_UNCHECKED_BLOCK_TYPES = frozenset(
    {"rich_text", "markdown", "file", "video", "context_actions", "table"}
)


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
class _Failure:
    error: str
    retry_after: int


@dataclass
class _ResponseTarget:
    """Where a response_url points: the context Slack knows when it issues one."""

    channel: str | None
    user: str | None
    message_ts: str | None
    uses: int = 0


class _ApiError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


def _fail(error: str, *messages: str) -> _ApiError:
    return _ApiError(error, list(messages))


# --------------------------------------------------------------------------- Block Kit checks


def _err(errors: list[str], pointer: str, text: str) -> None:
    errors.append(f"[ERROR] {text} [json-pointer:{pointer}]")


def _check_text_object(
    obj: Any,
    pointer: str,
    errors: list[str],
    *,
    max_len: int,
    plain_only: bool = False,
) -> None:
    if not isinstance(obj, dict):
        _err(errors, pointer, "must be a text object")
        return
    kind = obj.get("type")
    if kind not in _TEXT_TYPES or (plain_only and kind != "plain_text"):
        allowed = "plain_text" if plain_only else "plain_text or mrkdwn"
        _err(errors, f"{pointer}/type", f"must be {allowed}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        _err(errors, f"{pointer}/text", "must be more than 0 characters")
    elif len(text) > max_len:
        _err(errors, f"{pointer}/text", f"must be less than {max_len + 1} characters")


def _check_len(value: Any, pointer: str, errors: list[str], max_len: int) -> None:
    if value is not None and (not isinstance(value, str) or len(value) > max_len):
        _err(errors, pointer, f"must be a string of at most {max_len} characters")


def _check_options(options: Any, pointer: str, errors: list[str], max_count: int) -> list[str]:
    values: list[str] = []
    if not isinstance(options, list) or not options:
        _err(errors, pointer, "must be a non-empty array")
        return values
    if len(options) > max_count:
        _err(errors, pointer, f"must have at most {max_count} items")
    for i, option in enumerate(options):
        ptr = f"{pointer}/{i}"
        if not isinstance(option, dict):
            _err(errors, ptr, "must be an option object")
            continue
        _check_text_object(option.get("text"), f"{ptr}/text", errors, max_len=MAX_OPTION_TEXT)
        value = option.get("value")
        if not isinstance(value, str) or not value or len(value) > MAX_OPTION_VALUE:
            _err(errors, f"{ptr}/value", f"must be 1 to {MAX_OPTION_VALUE} characters")
        else:
            values.append(value)
    return values


def _check_element(element: Any, pointer: str, errors: list[str], action_ids: set[str]) -> None:
    if not isinstance(element, dict):
        _err(errors, pointer, "must be an element object")
        return
    kind = element.get("type")
    if kind not in _ELEMENT_TYPES:
        _err(errors, f"{pointer}/type", f"unsupported element type {kind!r}")
        return
    action_id = element.get("action_id")
    if action_id is not None:
        _check_len(action_id, f"{pointer}/action_id", errors, MAX_ACTION_ID)
        if action_id in action_ids:
            _err(errors, f"{pointer}/action_id", f"duplicate action_id {action_id!r} in block")
        action_ids.add(str(action_id))
    if "placeholder" in element:
        _check_text_object(
            element["placeholder"],
            f"{pointer}/placeholder",
            errors,
            max_len=MAX_PLACEHOLDER,
            plain_only=True,
        )
    if kind == "button":
        _check_text_object(
            element.get("text"), f"{pointer}/text", errors, max_len=MAX_BUTTON_TEXT, plain_only=True
        )
        _check_len(element.get("value"), f"{pointer}/value", errors, MAX_BUTTON_VALUE)
        _check_len(element.get("url"), f"{pointer}/url", errors, MAX_URL)
        if element.get("style") not in (None, "primary", "danger"):
            _err(errors, f"{pointer}/style", "must be primary or danger")
    elif kind in _SELECT_TYPES:
        if "option_groups" not in element:
            values = _check_options(
                element.get("options"), f"{pointer}/options", errors, MAX_OPTIONS
            )
            initial = element.get("initial_option")
            if isinstance(initial, dict) and values and initial.get("value") not in values:
                _err(errors, f"{pointer}/initial_option", "must match one of the options")
    elif kind == "overflow":
        _check_options(element.get("options"), f"{pointer}/options", errors, 5)
    elif kind in ("radio_buttons", "checkboxes"):
        _check_options(element.get("options"), f"{pointer}/options", errors, 10)
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if max_length is not None and (
            not isinstance(max_length, int) or not 0 < max_length <= MAX_TEXT_INPUT_LENGTH
        ):
            _err(errors, f"{pointer}/max_length", f"must be 1 to {MAX_TEXT_INPUT_LENGTH}")
        limit = max_length if isinstance(max_length, int) else MAX_TEXT_INPUT_LENGTH
        _check_len(element.get("initial_value"), f"{pointer}/initial_value", errors, limit)


def _check_block(block: Any, pointer: str, errors: list[str], block_ids: set[str]) -> None:
    if not isinstance(block, dict):
        _err(errors, pointer, "must be a block object")
        return
    block_id = block.get("block_id")
    if block_id is not None:
        _check_len(block_id, f"{pointer}/block_id", errors, MAX_BLOCK_ID)
        if block_id in block_ids:
            _err(errors, f"{pointer}/block_id", f"duplicate block_id {block_id!r}")
        block_ids.add(str(block_id))
    kind = block.get("type")
    action_ids: set[str] = set()
    if kind == "section":
        if "text" not in block and "fields" not in block:
            _err(errors, pointer, "must provide text or fields")
        if "text" in block:
            _check_text_object(block["text"], f"{pointer}/text", errors, max_len=MAX_SECTION_TEXT)
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not fields or len(fields) > MAX_SECTION_FIELDS:
                _err(errors, f"{pointer}/fields", f"must have 1 to {MAX_SECTION_FIELDS} items")
            else:
                for i, item in enumerate(fields):
                    _check_text_object(
                        item, f"{pointer}/fields/{i}", errors, max_len=MAX_SECTION_FIELD_TEXT
                    )
        if "accessory" in block:
            _check_element(block["accessory"], f"{pointer}/accessory", errors, action_ids)
    elif kind == "header":
        _check_text_object(
            block.get("text"), f"{pointer}/text", errors, max_len=MAX_HEADER_TEXT, plain_only=True
        )
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
            _err(errors, f"{pointer}/elements", f"must have 1 to {MAX_CONTEXT_ELEMENTS} items")
        else:
            for i, item in enumerate(elements):
                if isinstance(item, dict) and item.get("type") == "image":
                    continue
                _check_text_object(
                    item, f"{pointer}/elements/{i}", errors, max_len=MAX_SECTION_TEXT
                )
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements or len(elements) > MAX_ACTIONS_ELEMENTS:
            _err(errors, f"{pointer}/elements", f"must have 1 to {MAX_ACTIONS_ELEMENTS} items")
        else:
            for i, item in enumerate(elements):
                _check_element(item, f"{pointer}/elements/{i}", errors, action_ids)
    elif kind == "input":
        _check_text_object(
            block.get("label"), f"{pointer}/label", errors, max_len=MAX_INPUT_LABEL, plain_only=True
        )
        if "hint" in block:
            _check_text_object(
                block["hint"], f"{pointer}/hint", errors, max_len=MAX_INPUT_LABEL, plain_only=True
            )
        _check_element(block.get("element"), f"{pointer}/element", errors, action_ids)
    elif kind == "image":
        if "image_url" not in block and "slack_file" not in block:
            _err(errors, pointer, "must provide image_url or slack_file")
        _check_len(block.get("image_url"), f"{pointer}/image_url", errors, MAX_URL)
        alt = block.get("alt_text")
        if not isinstance(alt, str) or not alt or len(alt) > MAX_INPUT_LABEL:
            _err(errors, f"{pointer}/alt_text", f"must be 1 to {MAX_INPUT_LABEL} characters")
    elif kind == "divider" or kind in _UNCHECKED_BLOCK_TYPES:
        pass
    else:
        _err(errors, f"{pointer}/type", f"unsupported block type {kind!r}")


def block_errors(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Slack-style ``[ERROR] ... [json-pointer:...]`` messages for a blocks array."""
    errors: list[str] = []
    if not isinstance(blocks, list):
        _err(errors, pointer, "must be an array")
        return errors
    if len(blocks) > max_blocks:
        _err(errors, pointer, f"no more than {max_blocks} items allowed")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        _check_block(block, f"{pointer}/{i}", errors, block_ids)
    return errors


def view_errors(view: Any, *, expected_type: str) -> list[str]:
    """Validate a modal/home view like views.open/update/push/publish do."""
    errors: list[str] = []
    if not isinstance(view, dict):
        _err(errors, "/view", "must be a view object")
        return errors
    if view.get("type") != expected_type:
        _err(errors, "/view/type", f"must be {expected_type!r}")
    blocks = view.get("blocks")
    errors += block_errors(blocks, max_blocks=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    metadata = view.get("private_metadata", "")
    if not isinstance(metadata, str) or len(metadata) > MAX_PRIVATE_METADATA:
        _err(
            errors,
            "/view/private_metadata",
            f"must be less than {MAX_PRIVATE_METADATA + 1} characters",
        )
    callback_id = view.get("callback_id")
    _check_len(callback_id, "/view/callback_id", errors, MAX_CALLBACK_ID)
    _check_len(view.get("external_id"), "/view/external_id", errors, MAX_CALLBACK_ID)
    if expected_type == "modal":
        # Slack itself does not insist on a callback_id, but this bot routes submissions by it.
        if not callback_id:
            _err(errors, "/view/callback_id", "is required (the bot routes view_submission by it)")
        _check_text_object(
            view.get("title"), "/view/title", errors, max_len=MAX_VIEW_TITLE, plain_only=True
        )
        for key in ("submit", "close"):
            if key in view:
                _check_text_object(
                    view[key], f"/view/{key}", errors, max_len=MAX_VIEW_BUTTON_TEXT, plain_only=True
                )
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            _err(errors, "/view/submit", "is required when an input block is in the blocks array")
    return errors


# --------------------------------------------------------------------------------- the server


def _decode_json_param(params: dict[str, Any], key: str, error: str) -> Any:
    """Form-encoded calls carry blocks/attachments/view as JSON strings."""
    value = params.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _fail(error, f"[ERROR] {key} is not valid JSON") from None
    return value


def _dm_channel(channel: str) -> str:
    """chat.postMessage to a user id posts in the bot's DM with that user."""
    if channel[:1] in ("U", "W"):
        return "D" + channel[1:]
    return channel


class FakeSlack:
    """The fake Slack Web API server. Thread-safe; start()/stop() or use as a context manager."""

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
        self._failures: dict[str, deque[_Failure]] = {}
        self._targets: dict[str, _ResponseTarget] = {}
        self._stalls: dict[str, deque[float]] = {}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-slack-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ URLs

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)`` / ``SLACK_API_URL``; ends with ``/api/``."""
        return f"{self.base_url}/api/"

    def response_url(
        self,
        name: str = "r",
        *,
        channel: str | None = None,
        user: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A URL on this server that records POSTs like Slack's ``response_url``.

        Optional context (what Slack knows when it issues the URL) makes the POSTs change
        what users see: ``replace_original``/``delete_original`` act on the message at
        (``channel``, ``message_ts``), ``response_type: in_channel`` posts in ``channel``, and
        anything else becomes an ephemeral for ``user`` (see :meth:`ephemerals`)."""
        with self._cond:
            target = self._targets.get(name)
            if target is None or any(v is not None for v in (channel, user, message_ts)):
                self._targets[name] = _ResponseTarget(channel, user, message_ts)
        return f"{self.base_url}/response/{name}"

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def snapshot(self) -> list[Call]:
        with self._cond:
            return list(self.calls)

    def responses(self, name: str | None = None) -> list[dict[str, Any]]:
        """JSON bodies posted to response URLs (all, or those of one name), in order."""
        return [
            copy.deepcopy(c.params)
            for c in self.calls_to(RESPONSE_URL_METHOD)
            if name is None or c.url == name
        ]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Current top-level messages of a channel, oldest first (thread replies excluded)."""
        with self._cond:
            stored = self._messages.get(_dm_channel(channel), {})
            found = [
                copy.deepcopy(m) for m in stored.values() if m.get("thread_ts") in (None, m["ts"])
            ]
        return sorted(found, key=lambda m: float(m["ts"]))

    def replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Thread replies under a message, oldest first."""
        with self._cond:
            stored = self._messages.get(_dm_channel(channel), {})
            found = [
                copy.deepcopy(m)
                for m in stored.values()
                if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
            ]
        return sorted(found, key=lambda m: float(m["ts"]))

    def ephemerals(
        self, *, user: str | None = None, channel: str | None = None
    ) -> list[dict[str, Any]]:
        """Ephemeral messages shown so far (chat.postEphemeral and ephemeral response_url
        posts): dicts with channel, user, text, blocks, message_ts, via."""
        with self._cond:
            return [
                copy.deepcopy(e)
                for e in self._ephemerals
                if (user is None or e["user"] == user)
                and (channel is None or e["channel"] == channel)
            ]

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The current state of a modal or home view by id."""
        with self._cond:
            found = self._views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def views(self, callback_id: str | None = None) -> list[dict[str, Any]]:
        """Modals opened/pushed so far (current state), oldest first."""
        with self._cond:
            return [
                copy.deepcopy(v)
                for v in self._views.values()
                if v["type"] == "modal" and (callback_id is None or v["callback_id"] == callback_id)
            ]

    def home(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for a user."""
        with self._cond:
            found = self._homes.get(user_id)
            return copy.deepcopy(found) if found is not None else None

    def clear(self) -> None:
        """Forget calls, messages, views, ephemerals, pending failures and response URLs."""
        with self._cond:
            self.calls.clear()
            self._reset_state()
            self._cond.notify_all()

    def dump(self, calls: list[Call] | None = None, width: int = 400) -> str:
        """A readable listing of the recorded calls (for assertion messages)."""
        lines = []
        for i, call in enumerate(self.snapshot() if calls is None else calls):
            params = json.dumps(call.params, default=str, ensure_ascii=False)
            if len(params) > width:
                params = params[:width] + "..."
            outcome = "ok" if call.ok else f"{call.status} {call.response.get('error')}"
            target = f" {call.url}" if call.url else ""
            lines.append(f"{i:3d} {call.method}{target} {params} -> {outcome}")
        return "\n".join(lines) or "(no calls)"

    def wait_for(
        self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0
    ) -> list[Call]:
        """Block until ``predicate(calls)`` is true; return the calls then. On timeout raise
        AssertionError listing every recorded call."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                calls = list(self.calls)
                if predicate(calls):
                    return calls
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.1))
        raise AssertionError(
            f"FakeSlack.wait_for timed out after {timeout}s; recorded calls:\n{self.dump(calls)}"
        )

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self, method: str, count: int, error: str = "ratelimited", retry_after: int = 1
    ) -> None:
        """Make the next ``count`` calls to ``method`` (or ``"response_url"``) fail like Slack:
        ``ratelimited`` -> HTTP 429 + ``Retry-After``; ``internal_error`` -> HTTP 500;
        anything else -> HTTP 200 ``{"ok": false, "error": error}``."""
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(_Failure(error, retry_after) for _ in range(count))

    def stall_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Hold the next `count` calls to `method` for `seconds` before Slack "receives"
        them; a caller that disconnects meanwhile (a killed worker) leaves no trace."""
        with self._cond:
            self._stalls.setdefault(method, deque()).extend([seconds] * count)

    def _take_stall(self, method: str) -> float:
        with self._cond:
            queue = self._stalls.get(method)
            return queue.popleft() if queue else 0.0

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if queue:
            return queue.popleft()
        return None

    # ------------------------------------------------------------------ request handling

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._seq) % 1_000_000:06d}"

    def handle_api(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one Web API call: (HTTP status, extra headers, JSON body)."""
        headers: dict[str, str] = {}
        status = 200
        with self._cond:
            handler = _METHODS.get(method)
            failure = self._take_failure(method) if handler is not None else None
            try:
                if handler is None:
                    raise _fail("unknown_method")
                if failure is not None:
                    if failure.error == "ratelimited":
                        status = 429
                        headers["Retry-After"] = str(failure.retry_after)
                    elif failure.error == "internal_error":
                        status = 500
                    raise _fail(failure.error)
                self._check_token(token)
                body = handler(self, params)
                body = {"ok": True, **body}
            except _ApiError as exc:
                body = {"ok": False, "error": exc.error}
                if exc.messages:
                    body["response_metadata"] = {"messages": exc.messages}
            self._record(
                Call(method, copy.deepcopy(params), token, time.time(), status, copy.deepcopy(body))
            )
        return status, headers, body

    @staticmethod
    def _check_token(token: str | None) -> None:
        if token is None:
            raise _fail("not_authed")
        if not token.startswith("xoxb-"):
            raise _fail("invalid_auth")

    def handle_response_url(
        self, name: str, payload: Any
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        headers: dict[str, str] = {}
        with self._cond:
            target = self._targets.setdefault(name, _ResponseTarget(None, None, None))
            failure = self._take_failure(RESPONSE_URL_METHOD)
            status = 200
            body: dict[str, Any] = {"ok": True}
            if failure is not None:
                status = {"ratelimited": 429, "internal_error": 500}.get(failure.error, 400)
                if status == 429:
                    headers["Retry-After"] = str(failure.retry_after)
                body = {"ok": False, "error": failure.error}
            elif not isinstance(payload, dict):
                status, body = 400, {"ok": False, "error": "invalid_payload"}
            elif target.uses >= MAX_RESPONSE_URL_USES:
                status, body = 404, {"ok": False, "error": "used_url"}
            else:
                try:
                    self._apply_response(target, payload)
                    target.uses += 1
                except _ApiError as exc:
                    status, body = 400, {"ok": False, "error": exc.error}
                    if exc.messages:
                        body["response_metadata"] = {"messages": exc.messages}
            params = copy.deepcopy(payload) if isinstance(payload, dict) else {"_raw": payload}
            self._record(
                Call(RESPONSE_URL_METHOD, params, None, time.time(), status, dict(body), name)
            )
        return status, headers, body

    def _apply_response(self, target: _ResponseTarget, payload: dict[str, Any]) -> None:
        if payload.get("delete_original"):
            if target.channel and target.message_ts:
                self._messages.get(target.channel, {}).pop(target.message_ts, None)
            return
        content = self._message_content(payload, require=True)
        if payload.get("replace_original") and target.channel and target.message_ts:
            existing = self._messages.get(target.channel, {}).get(target.message_ts)
            if existing is not None:  # the whole content is replaced, unlike chat.update
                for key in ("text", "blocks", "attachments"):
                    existing.pop(key, None)
                existing.update({"text": "", **content})
                existing["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
                return
        if payload.get("response_type") == "in_channel" and target.channel:
            self._store_message(target.channel, content, thread_ts=payload.get("thread_ts"))
            return
        self._ephemerals.append(
            {
                "channel": target.channel,
                "user": target.user,
                "message_ts": self._next_ts(),
                "via": RESPONSE_URL_METHOD,
                **content,
            }
        )

    # ------------------------------------------------------------------ method helpers

    def _channel(self, params: dict[str, Any], key: str = "channel") -> str:
        channel = params.get(key)
        if not isinstance(channel, str) or not channel:
            raise _fail("channel_not_found")
        channel = _dm_channel(channel)
        if self.channels is not None and channel not in self.channels and channel[:1] != "D":
            raise _fail("channel_not_found")
        return channel

    def _message_content(self, params: dict[str, Any], *, require: bool) -> dict[str, Any]:
        """text/blocks/attachments of a message call, validated like Slack."""
        blocks = _decode_json_param(params, "blocks", "invalid_blocks_format")
        attachments = _decode_json_param(params, "attachments", "invalid_attachments")
        text = params.get("text")
        if require and not text and not blocks and not attachments:
            raise _fail("no_text")
        content: dict[str, Any] = {}
        if text is not None:
            if not isinstance(text, str):
                raise _fail("invalid_arguments", "[ERROR] text must be a string")
            if len(text) > MAX_MESSAGE_TEXT:
                raise _fail("msg_too_long")
            content["text"] = text
        if blocks is not None:
            errors = block_errors(blocks, max_blocks=MAX_MESSAGE_BLOCKS)
            if errors:
                raise _fail("invalid_blocks", *errors)
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
            raise _fail("message_not_found")
        return message

    def _view_param(self, params: dict[str, Any], expected_type: str) -> dict[str, Any]:
        view = _decode_json_param(params, "view", "invalid_arguments")
        errors = view_errors(view, expected_type=expected_type)
        if errors:
            raise _fail("invalid_arguments", *errors)
        assert isinstance(view, dict)
        return view

    def _consume_trigger(self, params: dict[str, Any]) -> None:
        trigger_id = params.get("trigger_id")
        if not isinstance(trigger_id, str) or not trigger_id:
            raise _fail("invalid_arguments", "[ERROR] missing required field: trigger_id")
        if trigger_id in self._used_triggers:
            raise _fail("exchanged_trigger_id")
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
            raise _fail("invalid_arguments", "[ERROR] view_id or external_id is required")
        for stored in self._views.values():
            if (view_id and stored["id"] == view_id) or (
                external_id and stored["external_id"] == external_id
            ):
                if params.get("hash") and params["hash"] != stored["hash"]:
                    raise _fail("hash_conflict")
                return stored
        raise _fail("not_found")

    # ------------------------------------------------------------------ methods

    def _api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"args": {k: v for k, v in params.items() if k != "token"}}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_USER_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        content = self._message_content(params, require=True)
        if "metadata" in params:
            content["metadata"] = _decode_json_param(params, "metadata", "invalid_metadata_format")
        message = self._store_message(channel, content, thread_ts=params.get("thread_ts"))
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("ts"))
        content = self._message_content(params, require=True)
        message.update(content)  # omitted blocks/attachments keep their previous value
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("ts"))
        del self._messages[channel][message["ts"]]
        return {"channel": channel, "ts": message["ts"]}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        user = params.get("user")
        if not isinstance(user, str) or not user:
            raise _fail("user_not_in_channel")
        content = self._message_content(params, require=True)
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "message_ts": ts,
                "thread_ts": params.get("thread_ts"),
                "via": "chat.postEphemeral",
                **content,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("message_ts"))
        link = (
            f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"
        )
        return {"channel": channel, "permalink": link}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view_param(params, "modal")
        self._consume_trigger(params)
        return {"view": copy.deepcopy(self._new_view(view))}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._views_open(params)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._existing_view(params)
        view = self._view_param(params, stored["type"])
        updated = self._new_view(view, view_id=stored["id"], root=stored["root_view_id"])
        return {"view": copy.deepcopy(updated)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise _fail("invalid_arguments", "[ERROR] missing required field: user_id")
        view = self._view_param(params, "home")
        previous = self._homes.get(user_id)
        if previous is not None and params.get("hash") and params["hash"] != previous["hash"]:
            raise _fail("hash_conflict")
        stored = self._new_view(view, view_id=previous["id"] if previous else None)
        self._homes[user_id] = stored
        return {"view": copy.deepcopy(stored)}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        name = (self.channels or {}).get(channel, channel.lower())
        return {
            "channel": {
                "id": channel,
                "name": name,
                "name_normalized": name,
                "is_channel": channel[:1] == "C",
                "is_group": channel[:1] == "G",
                "is_im": channel[:1] == "D",
                "is_private": channel[:1] != "C",
                "is_archived": False,
                "is_general": False,
                "is_member": True,
                "created": 1_700_000_000,
                "context_team_id": TEAM_ID,
            }
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params.get("user")
        if not isinstance(user, str) or not user:
            raise _fail("user_not_found")
        name = user.lower()
        return {
            "user": {
                "id": user,
                "team_id": TEAM_ID,
                "name": name,
                "real_name": name,
                "deleted": False,
                "is_bot": user == BOT_USER_ID,
                "tz": "UTC",
                "profile": {"real_name": name, "display_name": name},
            }
        }


_MethodHandler = Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]

_METHODS: dict[str, _MethodHandler] = {
    "api.test": FakeSlack._api_test,
    "auth.test": FakeSlack._auth_test,
    "chat.postMessage": FakeSlack._chat_post_message,
    "chat.update": FakeSlack._chat_update,
    "chat.delete": FakeSlack._chat_delete,
    "chat.postEphemeral": FakeSlack._chat_post_ephemeral,
    "chat.getPermalink": FakeSlack._chat_get_permalink,
    "views.open": FakeSlack._views_open,
    "views.push": FakeSlack._views_push,
    "views.update": FakeSlack._views_update,
    "views.publish": FakeSlack._views_publish,
    "conversations.info": FakeSlack._conversations_info,
    "users.info": FakeSlack._users_info,
}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSlack
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length else b"")

    def _wait_while_connected(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                self.close_connection = True
                return False
        return True

    def _dispatch(self, raw: bytes) -> None:
        try:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            stall = self.owner._take_stall(path[5:]) if path.startswith("/api/") else 0.0
            if stall and not self._wait_while_connected(stall):
                return  # the client went away before Slack got the request
            if path.startswith("/api/"):
                params, token = self._parse(raw, parts.query)
                status, headers, body = self.owner.handle_api(path[5:], params, token)
            elif path.startswith("/response/") and self.command == "POST":
                try:
                    payload: Any = json.loads(raw.decode("utf-8") or "null")
                except ValueError:
                    payload = raw.decode("utf-8", "replace")
                status, headers, body = self.owner.handle_response_url(path[10:], payload)
            else:
                status, headers, body = 404, {}, {"ok": False, "error": "not_found"}
        except Exception as exc:  # a bug in the fake: make it loud, not a hang
            traceback.print_exc(file=sys.stderr)
            status, headers, body = 500, {}, {"ok": False, "error": f"fake_slack_bug: {exc!r}"}
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _parse(self, raw: bytes, query: str) -> tuple[dict[str, Any], str | None]:
        """Params from the query string and a form or JSON body; the token from the
        ``Authorization: Bearer`` header or a form/query ``token`` param (JSON bodies must use
        the header, as on Slack)."""
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        json_body = content_type == "application/json"
        text = raw.decode("utf-8")
        if json_body and text:
            body = json.loads(text)
            if isinstance(body, dict):
                params.update(body)
        elif text:
            params.update(parse_qsl(text, keep_blank_values=True))
        token: str | None = None
        auth = self.headers.get("Authorization") or ""
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip() or None
        if token is None and not json_body:
            value = params.get("token")
            token = value if isinstance(value, str) and value else None
        params.pop("token", None)
        return params, token


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.fake_slack [--port N]``: run the fake until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with FakeSlack(args.host, args.port) as fake:
        print(f"SLACK_API_URL={fake.api_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(fake.dump())


if __name__ == "__main__":
    main()
