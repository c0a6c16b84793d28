"""What an idempotent AWS write did: the bot's writes describe first and write only when
the resource is not already as wanted, so a replayed job changes nothing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class WriteOutcome:
    """`changed` is False when the resource already was as wanted (nothing was written);
    `request_id` is AWS's id of the write, "" when there was none."""

    changed: bool
    request_id: str = ""
