"""Redis state: card snapshots, idempotency claims, the audit stream. Key names in `keys`."""

from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardSnapshot, CardState
from bot.store.claims import Claims
from bot.store.keys import Keys

__all__ = ["AuditEvent", "AuditLog", "CardSnapshot", "CardState", "Claims", "Keys"]
