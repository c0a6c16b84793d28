"""Moves the review timers of reviews open at an upgrade into their review round's hash.

Before the timers followed the version under review, a card's timers had a hash of their own
(`{mcb}:timers:round:<card>`: round, version, started_at, remind_at / escalate_at). Today the
round hash holds them (`timers_round`, `timers_from`, ...) and a timer whose round is not named
there fires nothing, so a review open at the upgrade would never be reminded, escalated or
expired. This step (part of `python -m bot migrate-keys`, after the prefix move) carries each
old hash into the round of a review still open, where the timers in the sorted set find it
again; a review decided since has nothing to carry. The old hash is deleted either way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store.keys import Keys

_OLD = "timers:round:"


@dataclass
class TimerMigration:
    carried: int = 0  # reviews open at the upgrade whose timers count on
    dropped: int = 0  # old timer hashes of reviews that had ended


def migrate_review_timers(client: Any, keys: Keys | None = None) -> TimerMigration:
    keys = keys or Keys()
    result = TimerMigration()
    prefix = f"{keys.prefix}:{_OLD}"
    for old in list(client.scan_iter(match=f"{prefix}*", count=500)):
        name = str(old)
        card = name[len(prefix) :]
        timers = client.hgetall(name)
        round_key = keys.review(card)
        review = client.hmget(round_key, "version", "decision", "timers_round")
        is_open = bool(review[0]) and not review[1]
        if is_open and not review[2] and timers.get("round"):
            fields = {"timers_round": timers["round"], "timers_from": timers.get("started_at", "")}
            fields |= {k: timers[k] for k in ("remind_at", "escalate_at") if timers.get(k)}
            client.hset(round_key, mapping=fields)
            result.carried += 1
        else:
            result.dropped += 1
        client.delete(name)
    return result
