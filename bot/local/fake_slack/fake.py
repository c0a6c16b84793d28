"""FakeSlack: the Web API server's front: lifecycle and URLs, what tests inspect, failure
injection, and the dispatch of Web API calls and response_url POSTs."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from bot.local.fake_slack.server import SlackHandler
from bot.local.fake_slack.web_api import METHODS, WebApiMethods
from bot.local.fake_slack.workspace import (
    BOT_USER_ID,
    MAX_RESPONSE_URL_USES,
    RESPONSE_URL_METHOD,
    ApiError,
    Call,
    Failure,
    ResponseTarget,
    dm_channel,
    fail,
)


class FakeSlack(WebApiMethods):
    """The fake Slack Web API server. Thread-safe; start()/stop() or use as a context manager."""

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        fake = self

        class Handler(SlackHandler):
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
                self._targets[name] = ResponseTarget(channel, user, message_ts)
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
            stored = self._messages.get(dm_channel(channel), {})
            found = [
                copy.deepcopy(m) for m in stored.values() if m.get("thread_ts") in (None, m["ts"])
            ]
        return sorted(found, key=lambda m: float(m["ts"]))

    def replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Thread replies under a message, oldest first."""
        with self._cond:
            stored = self._messages.get(dm_channel(channel), {})
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

    def set_group_members(self, group: str, users: list[str]) -> None:
        """Define a user group (id S…) and its members, as usergroups.users.list returns them."""
        with self._cond:
            self._usergroups[group] = list(users)

    def fail_next(
        self, method: str, count: int, error: str = "ratelimited", retry_after: int = 1
    ) -> None:
        """Make the next ``count`` calls to ``method`` (or ``"response_url"``) fail like Slack:
        ``ratelimited`` -> HTTP 429 + ``Retry-After``; ``internal_error`` -> HTTP 500;
        anything else -> HTTP 200 ``{"ok": false, "error": error}``."""
        with self._cond:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(error, retry_after) for _ in range(count))

    def remove_bot_from(self, channel: str) -> None:
        """The bot is no longer in `channel` (someone removed it): chat.postMessage there is
        `not_in_channel`, and conversations.info says `is_member: false`."""
        with self._cond:
            self._left.add(channel)

    def rejoin(self, channel: str) -> None:
        """The bot is back in `channel`."""
        with self._cond:
            self._left.discard(channel)

    def stall_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Hold the next `count` calls to `method` for `seconds` before Slack "receives"
        them; a caller that disconnects meanwhile (a killed worker) leaves no trace."""
        with self._cond:
            self._stalls.setdefault(method, deque()).extend([seconds] * count)

    def _take_stall(self, method: str) -> float:
        with self._cond:
            queue = self._stalls.get(method)
            return queue.popleft() if queue else 0.0

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if queue:
            return queue.popleft()
        return None

    # ------------------------------------------------------------------ request handling

    def handle_api(
        self, method: str, params: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one Web API call: (HTTP status, extra headers, JSON body)."""
        headers: dict[str, str] = {}
        status = 200
        with self._cond:
            handler = METHODS.get(method)
            failure = self._take_failure(method) if handler is not None else None
            try:
                if handler is None:
                    raise fail("unknown_method")
                if failure is not None:
                    if failure.error == "ratelimited":
                        status = 429
                        headers["Retry-After"] = str(failure.retry_after)
                    elif failure.error == "internal_error":
                        status = 500
                    raise fail(failure.error)
                self._check_token(token)
                body = handler(self, params)
                body = {"ok": True, **body}
            except ApiError as exc:
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
            raise fail("not_authed")
        if not token.startswith("xoxb-"):
            raise fail("invalid_auth")

    def handle_response_url(
        self, name: str, payload: Any
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        headers: dict[str, str] = {}
        with self._cond:
            target = self._targets.setdefault(name, ResponseTarget(None, None, None))
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
                except ApiError as exc:
                    status, body = 400, {"ok": False, "error": exc.error}
                    if exc.messages:
                        body["response_metadata"] = {"messages": exc.messages}
            params = copy.deepcopy(payload) if isinstance(payload, dict) else {"_raw": payload}
            self._record(
                Call(RESPONSE_URL_METHOD, params, None, time.time(), status, dict(body), name)
            )
        return status, headers, body

    def _apply_response(self, target: ResponseTarget, payload: dict[str, Any]) -> None:
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
