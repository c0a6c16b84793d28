"""`python -m bot migrate-keys`: keys of a bot from before the hash tag move under `{mcb}:`."""

from __future__ import annotations

import pytest
import redis

from bot.cli import main
from bot.outbox import GROUP
from bot.store import CardState, Keys
from bot.store.migrate import migrate_legacy_keys
from bot.store.migrate_timers import TimerMigration, migrate_review_timers
from bot.store.reviews import Reviews
from bot.store.timers import ReviewTimers


def legacy_world(client: redis.Redis) -> None:
    """What an earlier version left: one key of each type, a TTL, a stream with its group."""
    client.hset("mcb:card:a", mapping={"name": "a", "arn": "arn:x", "status": "Draft"})
    client.zadd("mcb:cards", {"a": 0})
    client.sadd("mcb:card:a:people", "U0LEAD")
    client.rpush("mcb:card:a:versions", "1|Draft|1.0|U0LEAD")
    client.set("mcb:claim:approve:a:1", "job-1", ex=3600)
    client.xadd("mcb:jobs", {"job": "{}"})
    client.xgroup_create("mcb:jobs", GROUP, id="0")
    client.xreadgroup(GROUP, "w1", {"mcb:jobs": ">"}, count=1)
    client.set("other-app:key", "left alone")


def test_legacy_keys_move_under_the_hash_tag(redis_client: redis.Redis) -> None:
    legacy_world(redis_client)
    keys = Keys()
    result = migrate_legacy_keys(redis_client)
    assert result.moved == 6
    assert result.kept == []
    assert list(redis_client.scan_iter(match="mcb:*")) == []
    snapshot = CardState(redis_client).get("a")
    assert snapshot is not None
    assert snapshot.status == "Draft"
    assert CardState(redis_client).people("a") == {"U0LEAD"}
    assert CardState(redis_client).names() == ["a"]
    assert 3500 < redis_client.ttl(keys.claim("approve:a:1")) <= 3600
    assert redis_client.xpending(keys.jobs, GROUP)["pending"] == 1  # the group came along
    assert redis_client.get("other-app:key") == "left alone"
    assert migrate_legacy_keys(redis_client).moved == 0  # a second run changes nothing


def test_an_existing_new_key_is_never_overwritten(redis_client: redis.Redis) -> None:
    redis_client.set("mcb:reconcile:baseline", "old")
    redis_client.set(Keys().reconcile_baseline, "new")
    result = migrate_legacy_keys(redis_client)
    assert result.moved == 0
    assert result.kept == ["mcb:reconcile:baseline"]
    assert redis_client.get(Keys().reconcile_baseline) == "new"
    assert redis_client.get("mcb:reconcile:baseline") == "old"


def test_the_command(
    redis_client: redis.Redis,
    redis_server: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    legacy_world(redis_client)
    monkeypatch.setenv("REDIS_URL", redis_server.url)  # type: ignore[attr-defined]
    monkeypatch.delenv("REDIS_CLUSTER", raising=False)
    assert main(["migrate-keys"]) == 0
    out = capsys.readouterr().out
    assert "moved 6 key(s) from mcb:* to {mcb}:*" in out
    assert "review timers: 0 open review(s) keep their timers" in out
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["migrate-keys"]) == 1
    assert "cannot reach" in capsys.readouterr().err


def test_reviews_open_at_the_upgrade_keep_their_timers(redis_client: redis.Redis) -> None:
    """Timers of the version before they lived in the review round's hash: an open review's
    carry over (its scheduled timers count on and stop with it), an ended review's go."""
    keys = Keys()
    old = "{mcb}:timers:round:"
    redis_client.hset(keys.review("open"), mapping={"version": "1", "decision": ""})
    redis_client.hset(
        old + "open",
        mapping={"round": "100.0", "version": "1", "started_at": "100.0", "remind_at": "150.0"},
    )
    for kind, due in (("escalate", 400.0), ("expire", 900.0)):
        redis_client.zadd(keys.review_timers, {f"open|{kind}|100.0": due})
    redis_client.hset(keys.review("done"), mapping={"version": "2", "decision": "Approved"})
    redis_client.hset(old + "done", mapping={"round": "5.0", "version": "2", "started_at": "5"})
    result = migrate_review_timers(redis_client)
    assert (result.carried, result.dropped) == (1, 1)
    assert list(redis_client.scan_iter(match=old + "*")) == []
    round_ = Reviews(redis_client).current("open")
    assert round_ is not None
    assert (round_.timers_round, round_.timers_from, round_.reminded_at) == ("100.0", 100.0, 150.0)
    done = Reviews(redis_client).current("done")
    assert done is not None
    assert done.timers_round == ""
    # The timers in the sorted set belong to the round again: the review's end stops them.
    timers = ReviewTimers(redis_client)
    assert len(timers.scheduled("open")) == 2
    assert timers.stop("open")
    assert timers.scheduled("open") == {}
    assert migrate_review_timers(redis_client) == TimerMigration()  # a second run: nothing
