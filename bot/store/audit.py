"""The append-only audit trail: one stream for all, one per card for `history`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.store.keys import Keys
from bot.store.records import as_strings, known_values


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to which card, and how it ended. Holds ids, never tokens or secrets."""

    actor: str
    action: str
    card: str = ""
    source: str = ""
    target: str = ""
    result: str = "ok"
    detail: str = ""
    request_id: str = ""
    # Filled when recorded (AuditLog's `enrich`): the governance role and IAM role that act
    # for `actor` in `action`, and the card version then.
    role: str = ""
    role_arn: str = ""
    version: str = ""
    at: float = field(default_factory=time.time)
    id: str = ""

    def to_fields(self) -> dict[str, str]:
        return as_strings(self, skip=frozenset({"id"}))

    @classmethod
    def from_entry(cls, entry_id: str, data: dict[str, str]) -> AuditEvent:
        values = known_values(cls, data, skip=frozenset({"id", "at"}))
        return cls(at=float(data.get("at", 0.0)), id=entry_id, **values)


Enrich = Callable[[AuditEvent], AuditEvent]


class AuditLog:
    def __init__(self, redis: Any, keys: Keys | None = None, enrich: Enrich | None = None) -> None:
        self._redis = redis
        self._keys = keys or Keys()
        self._enrich = enrich

    def record(self, event: AuditEvent) -> str:
        """Append to the global stream and, for a card, to its own; returns the entry id."""
        if self._enrich is not None:
            event = self._enrich(event)
        entry = event.to_fields()
        pipe = self._redis.pipeline(transaction=True)
        pipe.xadd(self._keys.audit, entry)
        if event.card:
            pipe.xadd(self._keys.card_audit(event.card), entry)
        return str(pipe.execute()[0])

    def for_card(self, card: str, count: int = 50) -> list[AuditEvent]:
        """The card's latest entries, oldest first."""
        rows = self._redis.xrevrange(self._keys.card_audit(card), count=count)
        return [AuditEvent.from_entry(entry_id, data) for entry_id, data in reversed(rows)]

    def since(self, card: str, since: float, count: int = 100_000) -> list[AuditEvent]:
        """Entries from `since` (epoch seconds) on, oldest first; of one card or all."""
        key = self._keys.card_audit(card) if card else self._keys.audit
        rows = self._redis.xrange(key, min=f"{int(since * 1000)}-0", max="+", count=count)
        return [AuditEvent.from_entry(entry_id, data) for entry_id, data in rows]

    def recent(self, count: int = 50) -> list[AuditEvent]:
        rows = self._redis.xrevrange(self._keys.audit, count=count)
        return [AuditEvent.from_entry(entry_id, data) for entry_id, data in reversed(rows)]
