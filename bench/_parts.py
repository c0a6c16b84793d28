"""Where an ack's CPU goes, for `bench/ack_inprocess.py --parts`: the thread's CPU
(`time.thread_time`) read around named calls of Bolt, slack_sdk and the bot while one app
answers. A part called inside another is counted in both (the listener is inside Bolt's
dispatch, the round trips inside the listener); each wrapper adds a few µs per call."""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Part:
    label: str
    module: str
    owner: str  # the class holding `name`, "" for a module's function
    name: str


PARTS = (
    Part("Bolt: dispatch (the listener too)", "slack_bolt.app.app", "App", "dispatch"),
    # BoltRequest calls the name it imported, so that is the one wrapped.
    Part("Bolt: parse the body (urllib, JSON)", "slack_bolt.request.request", "", "parse_body"),
    Part("signature check (slack_sdk)", "slack_sdk.signature", "SignatureVerifier", "is_valid"),
    Part(
        "the listener, round trips included",
        "slack_bolt.listener.custom_listener",
        "CustomListener",
        "run_ack_function",
    ),
    Part("Redis round trips (bot/store/wire.py)", "bot.store.wire", "Wire", "send"),
)  # fmt: skip


class PartTimer:
    """Wraps every part while inside `with`; `cpu[label]` is the seconds spent in it."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {part.label: 0.0 for part in PARTS}
        self._undo: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> PartTimer:
        for part in PARTS:
            holder: Any = importlib.import_module(part.module)
            if part.owner:
                holder = getattr(holder, part.owner)
            original = getattr(holder, part.name)
            setattr(holder, part.name, self._timed(part.label, original))
            self._undo.append((holder, part.name, original))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for holder, name, original in reversed(self._undo):
            setattr(holder, name, original)
        self._undo.clear()

    def _timed(self, label: str, call: Callable[..., Any]) -> Callable[..., Any]:
        cpu = self.cpu

        @functools.wraps(call)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return call(*args, **kwargs)
            finally:
                cpu[label] += time.thread_time() - started

        return timed
