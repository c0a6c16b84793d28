from __future__ import annotations

import redis

from bot.domain.status import CardStatus
from bot.local.redis_server import RedisServer
from bot.store import AuditEvent, AuditLog, CardSnapshot, CardState, Claims, Keys
from bot.store.reviews import Reviews


def snap(name: str, status: CardStatus = CardStatus.DRAFT, **extra: str) -> CardSnapshot:
    return CardSnapshot(
        name=name, arn=f"arn:aws:sagemaker:us-east-1:1:model-card/{name}", status=status, **extra
    )  # type: ignore[arg-type]


def test_snapshot_round_trip_and_status_index(redis_client: redis.Redis) -> None:
    state = CardState(redis_client)
    state.put(snap("a", owner="team-x", created_by="U0LEAD"))
    got = state.get("a")
    assert got is not None
    assert got.owner == "team-x"
    assert got.status is CardStatus.DRAFT
    state.put(snap("a", CardStatus.PENDING_REVIEW))
    assert state.status_of("a") is CardStatus.PENDING_REVIEW
    assert state.count(CardStatus.DRAFT) == 0
    assert state.count(CardStatus.PENDING_REVIEW) == 1
    assert state.get("missing") is None
    assert state.status_of("missing") is None


def test_paging_by_name(redis_client: redis.Redis) -> None:
    state = CardState(redis_client)
    for i in range(25):
        state.put(snap(f"card-{i:02d}", CardStatus.APPROVED if i % 5 == 0 else CardStatus.DRAFT))
    first, cursor = state.page(limit=10)
    assert [c.name for c in first] == [f"card-{i:02d}" for i in range(10)]
    assert cursor == "card-09"
    second, cursor = state.page(after=cursor, limit=10)
    assert second[0].name == "card-10"
    third, cursor = state.page(after=cursor, limit=10)
    assert len(third) == 5
    assert cursor is None
    approved, cursor = state.page(CardStatus.APPROVED, limit=10)
    assert [c.name for c in approved] == ["card-00", "card-05", "card-10", "card-15", "card-20"]
    assert cursor is None


def test_remove_and_people(redis_client: redis.Redis) -> None:
    state = CardState(redis_client)
    state.put(snap("a"))
    state.add_person("a", "U0LEAD")
    state.add_person("a", "U0DS")
    assert state.people("a") == {"U0LEAD", "U0DS"}
    state.remove("a")
    assert state.get("a") is None
    assert state.people("a") == set()
    assert state.count() == 0


def test_approvals_are_distinct_per_round(redis_client: redis.Redis) -> None:
    reviews = Reviews(redis_client)
    reviews.open("a", 1)
    assert reviews.add_approval("a", 1, "U0APPR") == ["U0APPR"]
    assert reviews.add_approval("a", 1, "U0APPR") == ["U0APPR"]
    assert reviews.add_approval("a", 1, "U0APPR2") == ["U0APPR", "U0APPR2"]
    assert redis_client.ttl(Keys().review_approvals("a", 1)) > 89 * 24 * 3600
    # An edit in review rebinds the round: approvals start again, the old version is stale.
    reviews.rebind("a", 2)
    assert reviews.add_approval("a", 1, "U0APPR") is None
    assert reviews.add_approval("a", 2, "U0APPR2") == ["U0APPR2"]


def test_claims_are_exclusive_until_released(redis_client: redis.Redis) -> None:
    claims = Claims(redis_client)
    assert claims.claim("approve:a:1", owner="job-1")
    assert not claims.claim("approve:a:1", owner="job-2")
    assert claims.holder("approve:a:1") == "job-1"
    claims.release("approve:a:1")
    assert claims.claim("approve:a:1", owner="job-2")


def test_claim_expires(redis_client: redis.Redis) -> None:
    claims = Claims(redis_client)
    assert claims.claim("k", ttl_seconds=1)
    assert redis_client.ttl(Keys().claim("k")) in (0, 1)


def test_audit_is_append_only_and_per_card(redis_client: redis.Redis) -> None:
    audit = AuditLog(redis_client)
    audit.record(AuditEvent(actor="U0LEAD", action="create", card="a", target=CardStatus.DRAFT))
    audit.record(
        AuditEvent(
            actor="U0DS",
            action="submit",
            card="a",
            source=CardStatus.DRAFT,
            target=CardStatus.PENDING_REVIEW,
            request_id="req-1",
        )
    )
    audit.record(AuditEvent(actor="U0ADMIN", action="retry"))
    history = audit.for_card("a")
    assert [(e.actor, e.action) for e in history] == [("U0LEAD", "create"), ("U0DS", "submit")]
    assert history[1].request_id == "req-1"
    assert history[1].id
    assert [e.action for e in audit.recent()] == ["create", "submit", "retry"]


def test_key_names_share_one_prefix() -> None:
    keys = Keys("x")
    assert keys.card("a") == "x:card:a"
    assert keys.cards_with_status("Draft") == "x:cards:status:Draft"
    assert keys.audit == "x:audit"
    assert keys.jobs == "x:jobs"


def test_server_restart_keeps_clients_working() -> None:
    server = RedisServer().start()
    client = server.client(retry_on_error=[redis.ConnectionError])
    assert client.ping()
    server.stop()
    server.start()
    assert client.ping()
    server.stop()
