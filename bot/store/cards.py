"""Last-seen card snapshots: the reconciler compares against them; `list`, `show` and App
Home answer from them without calling AWS."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from bot.domain.status import CardStatus
from bot.store.keys import Keys
from bot.store.records import as_strings, known_values


@dataclass(frozen=True)
class CardSnapshot:
    name: str
    arn: str
    status: CardStatus
    version: int = 1
    owner: str = ""
    problem_type: str = ""
    description: str = ""
    risk: str = ""
    created_by: str = ""
    submitted_by: str = ""
    updated_by: str = ""
    updated_at: float = field(default_factory=time.time)
    # Stages whose RAM share holds the card, comma-separated in lifecycle order.
    shared: str = ""
    # An out-of-band approval the bot holds (`outside_changes.approve: hold`): the move as
    # AWS shows it ("Approved v3 at …"), while `status` stays the settled one. Every settle
    # writes the snapshot without it: a decision in Slack or a later move ends the hold.
    held: str = ""

    @property
    def shared_stages(self) -> list[str]:
        return [s for s in self.shared.split(",") if s]

    def to_hash(self) -> dict[str, str]:
        return as_strings(self)

    @classmethod
    def from_hash(cls, data: dict[str, str]) -> CardSnapshot:
        values = known_values(cls, data)
        values["status"] = CardStatus(values["status"])
        values["version"] = int(values.get("version", 1))
        values["updated_at"] = float(values.get("updated_at", 0.0))
        return cls(**values)


class Listed(Protocol):
    """What a line of `/modelcard list` shows of a card: a CardSnapshot or a ListedCard."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> CardStatus: ...
    @property
    def owner(self) -> str: ...
    @property
    def held(self) -> str: ...


class ListedCard(NamedTuple):
    """A card as `/modelcard list` reads it (only the fields it shows): a page of 20 built as
    CardSnapshots (a frozen dataclass of 14 fields) cost ~41 µs of the ack's CPU, as
    ListedCards ~13 µs."""

    name: str
    status: CardStatus
    owner: str = ""
    held: str = ""


# A line of `/modelcard list` in the `listed` index: status, owner and held joined by the
# ASCII unit separator. A status and a held note (the bot's own words) never hold it, so an
# owner that does still parses: split once from the left and once from the right.
_SEP = "\x1f"


def listed_row(status: str, owner: str, held: str) -> str:
    return f"{status}{_SEP}{owner}{_SEP}{held}"


def parse_listed_row(row: str) -> tuple[str, str, str]:
    status, rest = row.split(_SEP, 1)
    owner, held = rest.rsplit(_SEP, 1)
    return status, owner, held


# Indexes cards written before the index existed (KEYS: the cards' hashes, then the index;
# ARGV: the cards' names, aligned with KEYS). Only a card still there and not indexed yet:
# a snapshot written since has indexed itself. Its lines are `listed_row`'s (the separator
# given as a Lua decimal escape).
_INDEX = """
local n = #ARGV
local index = KEYS[n + 1]
local copied = 0
for i = 1, n do
  if redis.call('HEXISTS', index, ARGV[i]) == 0 and redis.call('EXISTS', KEYS[i]) == 1 then
    local row = redis.call('HMGET', KEYS[i], 'status', 'owner', 'held')
    local line = table.concat({row[1] or '', row[2] or '', row[3] or ''}, SEP)
    redis.call('HSET', index, ARGV[i], line)
    copied = copied + 1
  end
end
return copied
""".replace("SEP", f"'\\{ord(_SEP)}'")


class CardState:
    """Card snapshots in Redis, indexed by name and by status for paged listing, and their
    listed columns by name (`Keys.listed`)."""

    def __init__(self, redis: Any, keys: Keys | None = None) -> None:
        self._redis = redis
        self._keys = keys or Keys()

    @property
    def redis(self) -> Any:
        return self._redis

    @property
    def keys(self) -> Keys:
        return self._keys

    def put(self, snapshot: CardSnapshot) -> None:
        k = self._keys
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(k.card(snapshot.name), mapping=snapshot.to_hash())
        pipe.zadd(k.cards, {snapshot.name: 0})
        for status in CardStatus:
            pipe.zrem(k.cards_with_status(status), snapshot.name)
        pipe.zadd(k.cards_with_status(snapshot.status), {snapshot.name: 0})
        row = listed_row(snapshot.status, snapshot.owner, snapshot.held)
        pipe.hset(k.listed, snapshot.name, row)
        if snapshot.created_by:
            pipe.zadd(k.user_cards(snapshot.created_by), {snapshot.name: 0})
        pipe.execute()

    def get(self, name: str) -> CardSnapshot | None:
        data = self._redis.hgetall(self._keys.card(name))
        return CardSnapshot.from_hash(data) if data else None

    def status_of(self, name: str) -> CardStatus | None:
        value = self._redis.hget(self._keys.card(name), "status")
        return CardStatus(value) if value else None

    def remove(self, name: str) -> None:
        k = self._keys
        snapshot = self.get(name)
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(
            k.card(name),
            k.card_people(name),
            k.card_versions(name),
            k.card_content(name),
            k.review(name),
            k.card_callers(name),
        )
        if snapshot and snapshot.created_by:
            pipe.zrem(k.user_cards(snapshot.created_by), name)
        pipe.zrem(k.cards, name)
        for status in CardStatus:
            pipe.zrem(k.cards_with_status(status), name)
        pipe.hdel(k.listed, name)
        pipe.execute()

    def index_listed(self, batch: int = 200) -> int:
        """Index the listed columns of cards whose snapshots were written before the index
        existed (an upgrade, a restored backup): until then `list` reads those cards' hashes
        in a second round trip. A no-op (two reads) once every card is indexed; returns how
        many cards it indexed."""
        k = self._keys
        if int(self._redis.hlen(k.listed)) >= int(self._redis.zcard(k.cards)):
            return 0
        copied = 0
        names = self.names()
        for start in range(0, len(names), batch):
            chunk = names[start : start + batch]
            keys = [*(k.card(name) for name in chunk), k.listed]
            copied += int(self._redis.eval(_INDEX, len(keys), *keys, *chunk))
        return copied

    def count(self, status: CardStatus | None = None) -> int:
        key = self._keys.cards if status is None else self._keys.cards_with_status(status)
        return int(self._redis.zcard(key))

    def page(
        self, status: CardStatus | None = None, after: str = "", limit: int = 20
    ) -> tuple[list[CardSnapshot], str | None]:
        """Cards by name after `after`; returns the page and the cursor of the next one."""
        key = self._keys.cards if status is None else self._keys.cards_with_status(status)
        return self._page(key, after, limit)

    def all_with_status(self, status: CardStatus, batch: int = 500) -> list[CardSnapshot]:
        """Every card at `status`, read in pages (the share drift check)."""
        found: list[CardSnapshot] = []
        after = ""
        while True:
            page, cursor = self.page(status, after=after, limit=batch)
            found += page
            if cursor is None:
                return found
            after = cursor

    def created_by(
        self, user_id: str, after: str = "", limit: int = 20
    ) -> tuple[list[CardSnapshot], str | None]:
        return self._page(self._keys.user_cards(user_id), after, limit)

    def _page(self, key: str, after: str, limit: int) -> tuple[list[CardSnapshot], str | None]:
        low = f"({after}" if after else "-"
        names = self._redis.zrangebylex(key, low, "+", start=0, num=limit + 1)
        more = len(names) > limit
        names = names[:limit]
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self._keys.card(name))
        snapshots = [CardSnapshot.from_hash(data) for data in pipe.execute() if data]
        return snapshots, (names[-1] if more and names else None)

    def add_person(self, name: str, user_id: str) -> None:
        """Remember that `user_id` authored the card (created, edited or submitted it)."""
        self._redis.sadd(self._keys.card_people(name), user_id)

    def people(self, name: str) -> set[str]:
        return {str(user) for user in self._redis.smembers(self._keys.card_people(name))}

    def add_version(self, name: str, version: int, status: str, at: float, user: str) -> None:
        """Record a version once (the worker may see the same one twice)."""
        entry = f"{version}|{status}|{at}|{user}"
        key = self._keys.card_versions(name)
        last = self._redis.lindex(key, -1)
        if last is None or last.split("|", 1)[0] != str(version):
            self._redis.rpush(key, entry)

    def versions(self, name: str) -> list[tuple[int, str, float, str]]:
        rows = self._redis.lrange(self._keys.card_versions(name), 0, -1)
        found: list[tuple[int, str, float, str]] = []
        for row in rows:
            version, status, at, user = row.split("|", 3)
            found.append((int(version), status, float(at), user))
        return found

    def put_content(self, name: str, content: str) -> None:
        self._redis.set(self._keys.card_content(name), content)

    def content(self, name: str) -> str | None:
        value = self._redis.get(self._keys.card_content(name))
        return None if value is None else str(value)

    def names(self) -> list[str]:
        return [str(n) for n in self._redis.zrange(self._keys.cards, 0, -1)]

    def last_seen(self, names: list[str]) -> dict[str, tuple[str, float]]:
        """Status and update time of many cards in one round trip (for the reconciler)."""
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            pipe.hmget(self._keys.card(name), "status", "updated_at")
        found: dict[str, tuple[str, float]] = {}
        for name, (status, at) in zip(names, pipe.execute(), strict=True):
            if status:
                found[name] = (str(status), float(at or 0.0))
        return found
