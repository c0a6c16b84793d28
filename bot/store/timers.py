"""Durable review timers: remind, escalate and expire a review round.

One sorted set holds every timer scored by its due time. A worker claims due timers with a
Lua script that moves their score forward by a lease, so exactly one worker holds each; it
removes the timer once fired. A worker killed mid-fire leaves the timer to come due again
when the lease ends, and another worker fires it. With AOF, a Redis restart keeps them.

Which timers a card's round has, since when they count and what fired live in the round's own
hash (`bot/store/reviews.py`), written here in the same scripts as the sorted set: a timer is
about the round, and the round says which version is under review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.store.keys import Keys

KINDS = ("remind", "escalate", "expire")

# KEYS: round hash, timers zset, owners hash. ARGV: card, timers id, from, then member/score
# pairs. Starting the same timers twice (a replayed job) changes nothing; starting new ones
# (a new submission, or the round rebound to an edited version) drops the old ones.
_START = """
local current = redis.call('HGET', KEYS[1], 'timers_round')
if current == ARGV[2] then return 0 end
if current then
  for _, kind in ipairs({'remind', 'escalate', 'expire'}) do
    local member = ARGV[1] .. '|' .. kind .. '|' .. current
    redis.call('ZREM', KEYS[2], member)
    redis.call('HDEL', KEYS[3], member)
  end
end
redis.call('HDEL', KEYS[1], 'remind_at', 'escalate_at')
redis.call('HSET', KEYS[1], 'timers_round', ARGV[2], 'timers_from', ARGV[3])
for i = 4, #ARGV, 2 do redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i]) end
return 1
"""

# KEYS: timers zset, owners hash. ARGV: now, lease end, owner, limit.
_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], ARGV[2], member)
  redis.call('HSET', KEYS[2], member, ARGV[3])
end
return due
"""

# KEYS: timers zset, owners hash, round hash. ARGV: member, round, kind, now.
_FIRED = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[3], 'timers_round') == ARGV[2] then
  redis.call('HSET', KEYS[3], ARGV[3] .. '_at', ARGV[4])
end
return 1
"""

# KEYS: round hash, timers zset, owners hash. ARGV: card.
_STOP = """
local current = redis.call('HGET', KEYS[1], 'timers_round')
if not current then return 0 end
for _, kind in ipairs({'remind', 'escalate', 'expire'}) do
  local member = ARGV[1] .. '|' .. kind .. '|' .. current
  redis.call('ZREM', KEYS[2], member)
  redis.call('HDEL', KEYS[3], member)
end
redis.call('HDEL', KEYS[1], 'timers_round', 'timers_from', 'remind_at', 'escalate_at')
return 1
"""


@dataclass(frozen=True)
class Timer:
    card: str
    kind: str
    round_id: str

    @property
    def member(self) -> str:
        return f"{self.card}|{self.kind}|{self.round_id}"

    @classmethod
    def parse(cls, member: str) -> Timer:
        card, kind, round_id = member.split("|", 2)
        return cls(card, kind, round_id)


class ReviewTimers:
    def __init__(self, redis: Any, keys: Keys | None = None) -> None:
        self._redis = redis
        self._keys = keys or Keys()
        self._start = redis.register_script(_START)
        self._claim = redis.register_script(_CLAIM)
        self._fired = redis.register_script(_FIRED)
        self._stop = redis.register_script(_STOP)

    def start(self, card: str, round_id: str, started_at: float, plan: Mapping[str, int]) -> bool:
        """Schedule `plan` (kind -> seconds after `started_at`) for the card's review round
        under `round_id`. False when these timers were started already; the round's older
        timers are dropped."""
        k = self._keys
        args: list[Any] = [card, round_id, started_at]
        for kind, after in plan.items():
            args += [Timer(card, kind, round_id).member, started_at + after]
        keys = [k.review(card), k.review_timers, k.review_timer_owners]
        return bool(self._start(keys=keys, args=args))

    def claim_due(self, now: float, lease: float, owner: str, limit: int = 10) -> list[Timer]:
        """Due timers, now held by `owner` until `now + lease` (then due again)."""
        k = self._keys
        members = self._claim(
            keys=[k.review_timers, k.review_timer_owners], args=[now, now + lease, owner, limit]
        )
        return [Timer.parse(str(m)) for m in members]

    def fired(self, timer: Timer, now: float) -> None:
        """The timer's effect is done: remove it and mark the round (reminded_at, ...)."""
        k = self._keys
        self._fired(
            keys=[k.review_timers, k.review_timer_owners, k.review(timer.card)],
            args=[timer.member, timer.round_id, timer.kind, now],
        )

    def stop(self, card: str) -> bool:
        """The review ended (decision, return to Draft, archive, expiry): drop its timers."""
        k = self._keys
        keys = [k.review(card), k.review_timers, k.review_timer_owners]
        return bool(self._stop(keys=keys, args=[card]))

    def scheduled(self, card: str = "") -> dict[str, float]:
        """Pending timers (member -> due time), optionally of one card."""
        rows = self._redis.zrange(self._keys.review_timers, 0, -1, withscores=True)
        return {str(m): float(s) for m, s in rows if not card or str(m).startswith(f"{card}|")}

    def owner(self, timer: Timer) -> str | None:
        value = self._redis.hget(self._keys.review_timer_owners, timer.member)
        return None if value is None else str(value)
