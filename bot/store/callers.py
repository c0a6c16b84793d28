"""Who called UpdateModelCard, from CloudTrail events forwarded to the queue: kept a few days
per card so the OBSERVE job that judges a change can name who made it."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.identity import CallRecord, Identity
from bot.store.keys import Keys

KEEP = 20  # per card: enough for a burst of edits between two reconcile passes
TTL_SECONDS = 7 * 24 * 3600
# CloudTrail's eventTime and SageMaker's LastModifiedTime of the same call differ by well
# under this; a record further away is another call.
MATCH_SECONDS = 120.0


class CallerLog:
    def __init__(self, redis: Any, keys: Keys | None = None) -> None:
        self._redis = redis
        self._keys = keys or Keys()

    def record(self, call: CallRecord) -> None:
        who = call.identity
        entry = json.dumps(
            {
                "status": call.status,
                "content": call.content,
                "at": call.at,
                "event": call.event_id,
                "arn": who.arn,
                "account": who.account,
                "role": who.role_arn,
                "source": who.source_identity,
                "principal": who.principal_id,
            },
            separators=(",", ":"),
        )
        key = self._keys.card_callers(call.card)
        pipe = self._redis.pipeline(transaction=True)
        pipe.lpush(key, entry)
        pipe.ltrim(key, 0, KEEP - 1)
        pipe.expire(key, TTL_SECONDS)
        pipe.execute()

    def find(
        self, card: str, *, status: str = "", content: bool = False, at: float
    ) -> Identity | None:
        """The caller of the update of `card` that set `status` (or changed the content) at
        about `at` (the card's LastModifiedTime); None when no such record arrived."""
        best: tuple[float, Identity] | None = None
        for raw in self._redis.lrange(self._keys.card_callers(card), 0, -1):
            row = json.loads(raw)
            if status and row["status"] != status:
                continue
            if content and not row["content"]:
                continue
            gap = abs(float(row["at"]) - at)
            if gap > MATCH_SECONDS or (best is not None and gap >= best[0]):
                continue
            best = (
                gap,
                Identity(
                    arn=row["arn"],
                    account=row["account"],
                    role_arn=row["role"],
                    source_identity=row["source"],
                    principal_id=row["principal"],
                    via="CloudTrail",
                ),
            )
        return best[1] if best else None
