"""The bot's own status moves of a card (reverts of changes made outside Slack), as AWS left
them: status, version and LastModifiedTime. The next look at the card knows that very state
for the bot's own; any later change (another revert included) has another modification time,
so each revert is recognised and nobody else's move is ever taken for one."""

from __future__ import annotations

from typing import Any

from bot.aws.cards import CardRecord
from bot.store.keys import Keys

OWN_MOVE_SECONDS = 3600  # longer than any reconcile interval or event delay


def _state(record: CardRecord) -> str:
    at = record.modified_at.timestamp() if record.modified_at else ""
    return f"{record.status}|{record.version}|{at}"


class OwnMoves:
    def __init__(self, redis: Any, keys: Keys | None = None) -> None:
        self._redis = redis
        self._keys = keys or Keys()

    def mark(self, record: CardRecord) -> None:
        """`record` is the card as the bot's move left it; replaces the mark of any earlier one."""
        self._redis.set(self._keys.own_move(record.name), _state(record), ex=OWN_MOVE_SECONDS)

    def is_own(self, record: CardRecord) -> bool:
        """Whether `record` is the state the bot's last move left (known only with a
        modification time: without one, two moves could not be told apart)."""
        if record.modified_at is None:
            return False
        value = self._redis.get(self._keys.own_move(record.name))
        return value is not None and str(value) == _state(record)
