"""`/modelcard list` reads a page from the `listed` index in one round trip (bot/edge.py);
cards whose snapshots were written before the index are read from their own hashes until the
worker indexes them (`CardState.index_listed`)."""

from __future__ import annotations

import pytest
import redis

from bot.domain.status import CardStatus
from bot.edge import EdgeRequest, ReplayCheck, Replayed
from bot.local.redis_server import RedisServer
from bot.outbox import Outbox
from bot.store.cards import CardSnapshot, CardState, listed_row, parse_listed_row
from bot.store.keys import Keys
from bot.store.wire import Wire
from tests.redis_counting import RoundTrips, counting_client

K = Keys()
HELD = "Approved v3 at 2026-12-01 10:00 UTC"


def snap(name: str, status: CardStatus = CardStatus.DRAFT, **more: str) -> CardSnapshot:
    return CardSnapshot(name, f"arn:aws:sagemaker:us-east-1:1:model-card/{name}", status, **more)


def edge(client: redis.Redis, check: ReplayCheck | None = None) -> EdgeRequest:
    return EdgeRequest(Wire(client), K, Outbox(client, K), check)


def written_before_the_index(client: redis.Redis, card: CardSnapshot) -> None:
    """What CardState.put wrote before the index existed: the hash and the name indexes."""
    client.hset(K.card(card.name), mapping=card.to_hash())
    client.zadd(K.cards, {card.name: 0})
    client.zadd(K.cards_with_status(card.status), {card.name: 0})


def row(client: redis.Redis, name: str) -> tuple[str, str, str] | None:
    line = client.hget(K.listed, name)
    return None if line is None else parse_listed_row(line)


def shown(cards: list[object]) -> list[tuple[object, ...]]:
    return [(c.name, c.status, c.owner, c.held) for c in cards]  # type: ignore[attr-defined]


def test_put_and_remove_keep_the_index(redis_client: redis.Redis) -> None:
    state = CardState(redis_client)
    state.put(snap("churn", CardStatus.PENDING_REVIEW, owner="churn-team", held=HELD))
    assert row(redis_client, "churn") == ("PendingReview", "churn-team", HELD)
    state.put(snap("churn", CardStatus.APPROVED, owner="risk-team"))
    assert row(redis_client, "churn") == ("Approved", "risk-team", "")
    state.remove("churn")
    assert row(redis_client, "churn") is None


def test_an_owner_holding_the_separator_is_shown_as_written(redis_client: redis.Redis) -> None:
    owner = "team\x1fa\x1f\x1fb"
    CardState(redis_client).put(snap("odd", CardStatus.APPROVED, owner=owner, held=HELD))
    assert row(redis_client, "odd") == ("Approved", owner, HELD)
    cards, _, _ = edge(redis_client).page(None, "", 20)
    assert shown(cards) == [("odd", CardStatus.APPROVED, owner, HELD)]
    assert parse_listed_row(listed_row("Draft", "", "")) == ("Draft", "", "")


def test_a_page_is_read_from_the_index(redis_client: redis.Redis) -> None:
    state = CardState(redis_client)
    state.put(snap("a-card", owner="team-a"))
    state.put(snap("b-card", CardStatus.APPROVED, owner="team-b", held=HELD))
    state.put(snap("c-card", CardStatus.APPROVED))
    cards, cursor, total = edge(redis_client).page(None, "", 2)
    assert shown(cards) == [
        ("a-card", CardStatus.DRAFT, "team-a", ""),
        ("b-card", CardStatus.APPROVED, "team-b", HELD),
    ]
    assert (cursor, total) == ("b-card", 3)
    rest, cursor, _ = edge(redis_client).page(None, "b-card", 2)
    assert ([c.name for c in rest], cursor) == (["c-card"], None)
    approved, cursor, total = edge(redis_client).page(CardStatus.APPROVED, "", 20)
    assert ([c.name for c in approved], cursor, total) == (["b-card", "c-card"], None, 2)
    empty, cursor, total = edge(redis_client).page(CardStatus.ARCHIVED, "", 20)
    assert (empty, cursor, total) == ([], None, 0)


def test_cards_written_before_the_index_are_listed_then_indexed(redis_client: redis.Redis) -> None:
    state = CardState(redis_client)
    written_before_the_index(redis_client, snap("old-card", CardStatus.APPROVED, owner="old"))
    state.put(snap("new-card", owner="new"))
    cards, _, total = edge(redis_client).page(None, "", 20)
    assert shown(cards) == [
        ("new-card", CardStatus.DRAFT, "new", ""),
        ("old-card", CardStatus.APPROVED, "old", ""),
    ]
    assert total == 2
    assert state.index_listed() == 1
    assert row(redis_client, "old-card") == ("Approved", "old", "")
    assert state.index_listed() == 0  # every card indexed: nothing to do
    assert shown(edge(redis_client).page(None, "", 20)[0]) == shown(cards)


def test_indexing_keeps_a_newer_row_and_skips_a_card_gone_since(redis_client: redis.Redis) -> None:
    state = CardState(redis_client)
    written_before_the_index(redis_client, snap("moved", owner="team"))
    written_before_the_index(redis_client, snap("gone", owner="team"))
    # A settle indexed "moved" after the check (its row is newer than its hash as read here),
    # and "gone" lost its hash after its name was listed.
    redis_client.hset(K.listed, "moved", listed_row("PendingReview", "team", ""))
    redis_client.delete(K.card("gone"))
    assert state.index_listed() == 0
    assert row(redis_client, "moved") == ("PendingReview", "team", "")
    assert row(redis_client, "gone") is None
    # A page leaves out a card whose hash is gone; the one with a row shows it.
    cards, _, _ = edge(redis_client).page(None, "", 20)
    assert [(c.name, c.status) for c in cards] == [("moved", CardStatus.PENDING_REVIEW)]


def test_a_page_is_one_round_trip_with_the_replay_set(
    redis_client: redis.Redis, redis_server: RedisServer
) -> None:
    state = CardState(redis_client)
    for i in range(25):
        state.put(snap(f"card-{i:02d}"))
    trips = RoundTrips()
    counted = counting_client(redis_server.url, trips)
    edge(counted).page(None, "", 1)  # connects and loads the script: not what is counted
    check = ReplayCheck(K.seen_signature("v0=one"), 600)
    with trips.measure():
        cards, cursor, total = edge(counted, check).page(None, "", 20)
    assert trips.measured == [["EVALSHA"]]
    assert (len(cards), cursor, total) == (20, "card-19", 25)
    assert (check.done, check.fresh) == (True, True)
    assert redis_client.ttl(K.seen_signature("v0=one")) > 0
    # The same signature again: refused in the same round trip, before anything is shown.
    again = ReplayCheck(K.seen_signature("v0=one"), 600)
    with trips.measure(), pytest.raises(Replayed):
        edge(counted, again).page(None, "", 20)
    assert trips.count == 1
    assert (again.done, again.fresh) == (True, False)
    # A card from before the index costs the page a second round trip, until it is indexed.
    written_before_the_index(redis_client, snap("card-00a"))
    with trips.measure():
        cards, _, _ = edge(counted).page(None, "", 20)
    assert trips.measured == [["EVALSHA"], ["EVALSHA"]]
    assert "card-00a" in [c.name for c in cards]
    state.index_listed()
    with trips.measure():
        edge(counted).page(None, "", 20)
    assert trips.count == 1
    counted.close()
