"""One ack's Redis work in at most two round trips: the reads it needs, done once and passed
on, and the write script; the replay-cache entry of the request rides on the first of them.

The HTTP edge (bot/web.py) verifies the signature before anything runs, then leaves the
replay-cache SET pending in `PENDING` for this request. The first round trip the ack makes
carries it (the round trip's first command, or the first step of the write or list script);
when it finds the signature already seen, `Replayed` stops the listener before any side
effect and the edge answers 401. A listener that needs no Redis at all leaves it to the edge,
which makes it after the listener (nothing was changed by then). Before a side effect that
is not a Redis write (views.open), a listener calls `settle()`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.domain.status import CardStatus
from bot.jobs import Job
from bot.outbox import Outbox, Submission, Submitted, replay_first
from bot.store.cards import CardSnapshot, ListedCard, parse_listed_row
from bot.store.keys import Keys
from bot.store.reviews import ReviewRound
from bot.store.wire import Command, Wire, as_dict

# One `/modelcard list` page in one round trip: the replay-cache SET when ARGV[3] (its ttl) is
# not '0' ('replayed' and nothing else when the signature was seen), then the names after the
# cursor (KEYS[1], a sorted set; ARGV[1] the low bound, ARGV[2] how many), the set's size,
# and each name's line from the `listed` index (KEYS[2]; KEYS[3] the replay key). Returns
# {total, name, line, name, line, ...}; "" for a card not indexed.
# Public for the benchmarks' floor (bench/floor_bolt.py), which sends the same scripts.
LIST_PAGE = (
    replay_first("KEYS[3]", "ARGV[3]")
    + """
local names = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, ARGV[2])
local out = {redis.call('ZCARD', KEYS[1])}
if #names > 0 then
  local lines = redis.call('HMGET', KEYS[2], unpack(names))
  for i, name in ipairs(names) do
    out[#out + 1] = name
    out[#out + 1] = lines[i] or ''
  end
end
return out
"""
)
LIST_PAGE_SHA = hashlib.sha1(LIST_PAGE.encode(), usedforsecurity=False).hexdigest()
# The same columns read from the cards' own hashes, for cards the index does not hold yet
# (snapshots written before it; `CardState.index_listed` fills it): a flat list (status,
# owner, held, status, ...; "" for a card gone since).
LIST_ROWS = """
local out = {}
for _, key in ipairs(KEYS) do
  local row = redis.call('HMGET', key, 'status', 'owner', 'held')
  out[#out + 1] = row[1] or ''
  out[#out + 1] = row[2] or ''
  out[#out + 1] = row[3] or ''
end
return out
"""
LIST_ROWS_SHA = hashlib.sha1(LIST_ROWS.encode(), usedforsecurity=False).hexdigest()


_T = TypeVar("_T")


class Replayed(Exception):  # noqa: N818 - a signal for the edge, not an error a person sees
    """The request's signature was accepted before: stop before any side effect."""


@dataclass
class ReplayCheck:
    """The replay-cache entry still to make for one request (set by the HTTP edge)."""

    key: str
    ttl: int
    done: bool = False
    fresh: bool = True
    failed: bool = False

    def settled(self, fresh: bool) -> None:
        self.done = True
        self.fresh = fresh
        if not fresh:
            raise Replayed(self.key)

    def make(self, wire: Wire) -> None:
        """The SET on its own (one round trip); Replayed if the signature was seen."""
        try:
            fresh = wire.send([("SET", self.key, "1", "NX", "EX", self.ttl)])[0]
        except Exception:
            self.failed = True
            raise
        self.settled(bool(fresh))  # OK (or True through a pipeline); nil when seen


PENDING: ContextVar[ReplayCheck | None] = ContextVar("mcb_pending_replay", default=None)


@dataclass
class CardFacts:
    """What this request has read of one card (the flags say what was read)."""

    snapshot: CardSnapshot | None = None
    read: bool = False
    people: frozenset[str] | None = None
    content: str | None = None
    content_read: bool = False
    review: ReviewRound | None = None
    review_read: bool = False


@dataclass
class EdgeRequest:
    """Per request: card facts read once (snapshot, authors, content) and the writes."""

    wire: Wire
    keys: Keys
    outbox: Outbox
    replay: ReplayCheck | None = None
    # User groups the governance maps to roles: their cached members ride on the first round
    # trip too (the Authorizer asks for every group of a person not mapped under `users`).
    groups: tuple[str, ...] = ()
    _cards: dict[str, CardFacts] = field(default_factory=dict)
    _members: dict[str, frozenset[str] | None] | None = None

    def _pending(self) -> ReplayCheck | None:
        check = self.replay
        return check if check is not None and not check.done else None

    def _round_trip(self, commands: list[Command]) -> list[Any]:
        """One round trip; the pending replay SET goes first in it, the user groups' members
        last (the first time)."""
        groups = self.groups if self._members is None else ()
        extra: list[Command] = [("GET", self.keys.group_members(g)) for g in groups]
        check = self._pending()
        if check is None:
            results = self.wire.send([*commands, *extra])
        else:
            try:
                results = self.wire.send(
                    [("SET", check.key, "1", "NX", "EX", check.ttl), *commands, *extra]
                )
            except Exception:
                check.failed = True
                raise
            check.settled(bool(results[0]))
            results = results[1:]
        if groups:
            raw = results[len(commands) :]
            self._members = {
                g: None if r is None else frozenset(json.loads(r))
                for g, r in zip(groups, raw, strict=True)
            }
            results = results[: len(commands)]
        return results

    # ------------------------------------------------------------------ reads

    def load(
        self, name: str, *, authors: bool = False, content: bool = False, review: bool = False
    ) -> CardFacts:
        """Whatever of the card's snapshot, authors, content and review round is not read
        yet, in one round trip (none when everything asked for was read earlier)."""
        card = self._cards.get(name)
        if card is None:
            card = self._cards[name] = CardFacts()
        need_snapshot = not card.read
        need_people = authors and card.people is None
        need_content = content and not card.content_read
        need_review = review and not card.review_read
        if not (need_snapshot or need_people or need_content or need_review):
            return card
        k = self.keys
        commands: list[Command] = []
        if need_snapshot:
            commands.append(("HGETALL", k.card(name)))
        if need_people:
            commands.append(("SMEMBERS", k.card_people(name)))
        if need_content:
            commands.append(("GET", k.card_content(name)))
        if need_review:
            commands.append(("HGETALL", k.review(name)))
        results = iter(self._round_trip(commands))
        if need_snapshot:
            data = as_dict(next(results))
            card.snapshot = CardSnapshot.from_hash(data) if data else None
            card.read = True
        if need_people:
            card.people = frozenset(str(u) for u in next(results) or ())
        if need_content:
            value = next(results)
            card.content = None if value is None else str(value)
            card.content_read = True
        if need_review:
            data = as_dict(next(results))
            card.review = ReviewRound.from_hash(name, data) if data.get("version") else None
            card.review_read = True
        return card

    def members(self, group: str) -> frozenset[str] | None:
        """A user group's cached members (None: not cached), read once per request."""
        if self._members is None:
            self._round_trip([])
        assert self._members is not None
        return self._members.get(group)

    def snapshot(self, name: str) -> CardSnapshot | None:
        return self.load(name).snapshot

    def authors(self, name: str) -> frozenset[str]:
        """Who created, edited or submitted the card (four-eyes)."""
        card = self.load(name, authors=True)
        people = card.people or frozenset()
        snap = card.snapshot
        if snap is None:
            return people
        return people | ({snap.created_by, snap.submitted_by} - {""})

    def content(self, name: str) -> str | None:
        return self.load(name, content=True).content

    def review(self, name: str) -> ReviewRound | None:
        """The card's review round (bot/store/reviews.py): the version under review."""
        return self.load(name, review=True).review

    def page(
        self, status: CardStatus | None, after: str, limit: int
    ) -> tuple[list[ListedCard], str | None, int]:
        """A page of cards by name after `after` (only the fields `list` shows), the cursor
        of the next page and the total: one round trip, with the replay SET if pending (a
        second for cards the `listed` index does not hold yet)."""
        k = self.keys
        key = k.cards if status is None else k.cards_with_status(status)
        low = f"({after}" if after else "-"

        def one_page(replay: tuple[str, int] | None) -> Any:
            seen, ttl = replay or (k.seen_signature("-"), 0)
            return self.wire.script(
                LIST_PAGE, LIST_PAGE_SHA, [key, k.listed, seen], [low, limit + 1, ttl]
            )

        # A page is a list; the script's 'replayed' a string.
        flat = self._scripted(one_page, lambda answer: isinstance(answer, str | bytes))
        total, rows = int(flat[0]), flat[1:]
        more = len(rows) > 2 * limit
        names = [str(name) for name in rows[: 2 * limit : 2]]
        lines = dict(zip(names, rows[1 : 2 * limit : 2], strict=True))
        found = {name: parse_listed_row(line) for name, line in lines.items() if line}
        unindexed = [name for name in names if name not in found]
        if unindexed:
            # One script call: one reply to parse instead of one per card.
            keys = [k.card(name) for name in unindexed]
            flat = self.wire.script(LIST_ROWS, LIST_ROWS_SHA, keys, [])
            for i, name in enumerate(unindexed):
                found[name] = (flat[3 * i], flat[3 * i + 1], flat[3 * i + 2])
        cards = [
            ListedCard(name, CardStatus(found[name][0]), found[name][1], found[name][2])
            for name in names
            if found[name][0]  # "": removed since the names were read
        ]
        return cards, (names[-1] if more and names else None), total

    # ------------------------------------------------------------------ writes

    def submit(self, sub: Submission | Job) -> bool:
        """Queue the submission (a bare job: no claim, no audit; see Outbox.submit) in one
        round trip, with the replay SET if it is still pending; True if the job was added."""
        whole = sub if isinstance(sub, Submission) else Submission(sub)
        answer = self._scripted(
            lambda replay: self.outbox.submit(whole, replay),
            lambda answer: answer is Submitted.REPLAYED,
        )
        return answer is Submitted.QUEUED

    def _scripted(
        self, run: Callable[[tuple[str, int] | None], _T], replayed: Callable[[_T], bool]
    ) -> _T:
        """`run`'s answer: a script that makes the pending replay SET first when given it
        (key, ttl); the check settled by what `replayed` says of the answer."""
        check = self._pending()
        try:
            answer = run((check.key, check.ttl) if check is not None else None)
        except Exception:
            if check is not None:
                check.failed = True
            raise
        if check is not None:
            check.settled(not replayed(answer))
        return answer

    def settle(self) -> None:
        """Make the pending replay SET now (before a side effect outside Redis)."""
        check = self._pending()
        if check is not None:
            check.make(self.wire)
