"""Review rounds bound to a card version.

A round is identified by (card, version). For each card Redis keeps the version under
review, the approval request message (channel, ts), the approvals given on that version,
and the decision once made (and the version it approved). An out-of-band approval held for a
decision is marked on the card's snapshot (`bot/store/cards.py`), not here: a card can be held
with no round open (a jump from Draft). An edit during review rebinds the round to the new
version: the approvals given on the old one stop counting.

The same hash holds the round's review timers (`bot/store/timers.py` writes those fields with
its Lua scripts): which timers are scheduled, since when they count, and when a reminder or an
escalation fired. A timer is about the round it was scheduled for, so the version it speaks of
is the round's, never a copy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.store.keys import Keys

APPROVALS_TTL = 90 * 24 * 3600

# Adds an approver only while the round is open at that version, so an approval queued
# before an edit can never count for the edited version. KEYS: round hash, approvals set.
_ADD_APPROVAL = """
local round = redis.call('HMGET', KEYS[1], 'version', 'decision')
if round[1] ~= ARGV[1] or (round[2] and round[2] ~= '') then return false end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
return redis.call('SMEMBERS', KEYS[2])
"""


@dataclass(frozen=True)
class ReviewRound:
    card: str
    version: int
    opened_at: float
    channel: str = ""
    ts: str = ""
    # "Approved" / "Rejected" once decided (written before the AWS update); "" while open.
    decision: str = ""
    decided_by: str = ""
    decided_at: float = 0.0
    # The last version that was approved, kept across rounds (edits after approval).
    approved_version: int = 0
    # The effect key of the submission that opened the round (a replay does not reopen it).
    opened_for: str = ""
    # The review timers scheduled for the round (bot/store/timers.py): their id ("" when
    # none are), when they count from (the request, or the last rebind), and what fired.
    timers_round: str = ""
    timers_from: float = 0.0
    reminded_at: float | None = None
    escalated_at: float | None = None

    @property
    def is_open(self) -> bool:
        return not self.decision

    @property
    def message(self) -> tuple[str, str] | None:
        return (self.channel, self.ts) if self.ts else None

    @classmethod
    def from_hash(cls, card: str, data: dict[str, str]) -> ReviewRound:
        return cls(
            card=card,
            version=int(data.get("version") or 0),
            opened_at=float(data.get("opened_at") or 0.0),
            channel=data.get("channel", ""),
            ts=data.get("ts", ""),
            decision=data.get("decision", ""),
            decided_by=data.get("decided_by", ""),
            decided_at=float(data.get("decided_at") or 0.0),
            approved_version=int(data.get("approved_version") or 0),
            opened_for=data.get("opened_for", ""),
            timers_round=data.get("timers_round", ""),
            timers_from=float(data.get("timers_from") or 0.0),
            reminded_at=_when(data.get("remind_at")),
            escalated_at=_when(data.get("escalate_at")),
        )


def _when(value: str | None) -> float | None:
    return float(value) if value else None


class Reviews:
    def __init__(self, redis: Any, keys: Keys | None = None) -> None:
        self._redis = redis
        self._keys = keys or Keys()
        self._add: Any = None

    def current(self, card: str) -> ReviewRound | None:
        data = self._redis.hgetall(self._keys.review(card))
        return ReviewRound.from_hash(card, data) if data.get("version") else None

    def rounds(self, cards: list[str]) -> dict[str, ReviewRound]:
        """The rounds of many cards in one round trip (App Home)."""
        pipe = self._redis.pipeline(transaction=False)
        for card in cards:
            pipe.hgetall(self._keys.review(card))
        return {
            card: ReviewRound.from_hash(card, data)
            for card, data in zip(cards, pipe.execute(), strict=True)
            if data.get("version")
        }

    def open(self, card: str, version: int, key: str = "") -> ReviewRound:
        """Start a round for `version` (the submission `key`); approvals start from none."""
        k = self._keys
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(
            k.review(card),
            mapping={
                "version": str(version),
                "opened_at": str(time.time()),
                "opened_for": key,
                "channel": "",
                "ts": "",
                "decision": "",
                "decided_by": "",
            },
        )
        pipe.delete(k.review_approvals(card, version))
        pipe.execute()
        found = self.current(card)
        assert found is not None
        return found

    def set_message(self, card: str, channel: str, ts: str) -> None:
        self._redis.hset(self._keys.review(card), mapping={"channel": channel, "ts": ts})

    def rebind(self, card: str, version: int) -> ReviewRound | None:
        """The content changed during review: the open round is now for `version`, with no
        approvals. Returns the round as it was before (None when no round is open)."""
        before = self.current(card)
        if before is None or not before.is_open or before.version == version:
            return None
        k = self._keys
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(k.review(card), "version", str(version))
        pipe.delete(k.review_approvals(card, version), k.review_approvals(card, before.version))
        pipe.execute()
        return before

    def add_approval(self, card: str, version: int, user_id: str) -> list[str] | None:
        """Record a distinct approver of the round at `version`; all so far, or None when
        that version is no longer under review (nothing recorded)."""
        k = self._keys
        if self._add is None:
            self._add = self._redis.register_script(_ADD_APPROVAL)
        found = self._add(
            keys=[k.review(card), k.review_approvals(card, version)],
            args=[str(version), user_id, APPROVALS_TTL],
        )
        return None if found is None else sorted(str(user) for user in found)

    def approvals(self, card: str, version: int) -> list[str]:
        members = self._redis.smembers(self._keys.review_approvals(card, version))
        return sorted(str(user) for user in members)

    def decide(self, card: str, decision: str, version: int, by: str) -> None:
        """Record the decision on `version` before the card's status changes in AWS: a move
        into Approved backed by it is the bot's, not an out-of-band approval."""
        mapping = {
            "decision": decision,
            "decided_by": by,
            "decided_at": str(time.time()),
            "version": str(version),
        }
        self._redis.hset(self._keys.review(card), mapping=mapping)

    def undecide(self, card: str) -> None:
        """The decision's AWS update was refused: the round is open again, and no move into
        Approved is backed by it."""
        self._redis.hset(
            self._keys.review(card), mapping={"decision": "", "decided_by": "", "decided_at": ""}
        )

    def mark_approved(self, card: str, version: int) -> None:
        """The card is Approved at `version` in AWS (edits after approval compare with it)."""
        self._redis.hset(self._keys.review(card), "approved_version", str(version))

    def forget(self, card: str) -> None:
        round_ = self.current(card)
        keys = [self._keys.review(card)]
        if round_ is not None:
            keys.append(self._keys.review_approvals(card, round_.version))
        self._redis.delete(*keys)
