"""The bot on a real 3-node Redis-protocol cluster (bot/local/redis_cluster.py): the client is
chosen by `INFO cluster` or REDIS_CLUSTER, `rediss://` speaks TLS, every key shares one slot,
and the store, outbox, review-timer, story, dead-letter, reconciler, replay-cache,
key-migration and decision-in-progress tests of the single-node suite run unchanged on the
cluster (imported below; this module overrides the `redis_server` / `redis_client` fixtures
they use)."""

from __future__ import annotations

import contextlib
import inspect
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pydantic import ValidationError
from redis.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import MovedError

from bot.app import build_core
from bot.errors import ConfigError
from bot.local.redis_cluster import RedisClusterServer
from bot.local.redis_server import RedisServer
from bot.settings import Settings
from bot.store import Keys
from bot.store.connect import connect, redacted

# The single-node tests that run again here, on the cluster (pytest collects imported tests).
from tests.test_doctor import (  # noqa: F401 - its fixtures
    Setup,
    line_of,
    setup,
    setup_with,
    slack,
)
from tests.test_list_index import (  # noqa: F401
    test_a_page_is_read_from_the_index,
    test_cards_written_before_the_index_are_listed_then_indexed,
    test_indexing_keeps_a_newer_row_and_skips_a_card_gone_since,
    test_put_and_remove_keep_the_index,
)
from tests.test_migrate_keys import (  # noqa: F401
    test_an_existing_new_key_is_never_overwritten,
    test_legacy_keys_move_under_the_hash_tag,
    test_the_command,
)
from tests.test_outbox import (  # noqa: F401
    test_a_silent_consumers_job_is_taken_over_and_a_live_ones_is_not,
    test_one_intent_one_job,
)
from tests.test_reconciler import (  # noqa: F401
    test_failing_job_is_dead_lettered_reported_and_retried,
    test_first_pass_is_a_silent_baseline_then_new_cards_are_announced,
)
from tests.test_review_timers import (  # noqa: F401
    test_a_new_round_replaces_the_old_and_stop_ends_it,
    test_many_claimers_at_once_share_out_timers_exactly_once,
)
from tests.test_security import (  # noqa: F401
    test_exact_replay_is_refused,
    test_no_token_or_secret_is_stored,
)
from tests.test_slack_features import (  # noqa: F401
    test_a_click_while_the_worker_settles_the_decision_is_a_duplicate,
)
from tests.test_slack_story import test_seed_story_from_slack_requests  # noqa: F401
from tests.test_store import (  # noqa: F401
    test_approvals_are_distinct_per_round,
    test_audit_is_append_only_and_per_card,
    test_claims_are_exclusive_until_released,
    test_paging_by_name,
    test_remove_and_people,
    test_snapshot_round_trip_and_status_index,
)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisClusterServer]:
    """Overrides conftest's single node for every test of this module."""
    cluster = RedisClusterServer().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def redis_client(redis_server: RedisClusterServer) -> Iterator[RedisCluster]:
    redis_server.flushall()
    client = redis_server.client()
    yield client
    client.close()


@pytest.fixture(scope="module")
def single_node() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


# ------------------------------------------------------------------- choosing the client
def test_cluster_mode_is_detected(
    redis_server: RedisClusterServer, single_node: RedisServer
) -> None:
    assert isinstance(connect(redis_server.url), RedisCluster)
    plain = connect(single_node.url)
    assert type(plain) is redis.Redis
    assert plain.ping()


def test_redis_cluster_setting_forces_the_client(
    redis_server: RedisClusterServer, single_node: RedisServer
) -> None:
    forced = connect(redis_server.url, cluster=False)
    assert type(forced) is redis.Redis
    # A plain client on a cluster node gets redirected for a key of another node's slots.
    other = next(
        f"k{i}" for i in range(100) if redis_server.node_of(f"k{i}") is not redis_server.seed
    )
    with pytest.raises(MovedError):
        forced.set(other, "1")
    assert isinstance(connect(redis_server.url, cluster=True), RedisCluster)
    with pytest.raises(ConfigError, match="REDIS_CLUSTER=false") as err:
        connect(single_node.url, cluster=True)
    assert str(err.value).startswith("REDIS_URL: ")


def test_redis_cluster_env_var(
    monkeypatch: pytest.MonkeyPatch, redis_server: RedisClusterServer, tmp_path: Path
) -> None:
    monkeypatch.delenv("REDIS_CLUSTER", raising=False)
    assert Settings().redis_cluster is None
    for value, expected in [("true", True), ("false", False), ("TRUE", True), ("0", False)]:
        monkeypatch.setenv("REDIS_CLUSTER", value)
        assert Settings().redis_cluster is expected
    monkeypatch.setenv("REDIS_CLUSTER", "sometimes")
    with pytest.raises(ValidationError, match="redis_cluster"):
        Settings()
    monkeypatch.setenv("REDIS_CLUSTER", "false")
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    from tests.conftest import EXAMPLE_CONFIG

    monkeypatch.setenv("MODELCARD_CONFIG", str(EXAMPLE_CONFIG))
    assert type(build_core(Settings()).redis) is redis.Redis
    monkeypatch.delenv("REDIS_CLUSTER")
    assert isinstance(build_core(Settings()).redis, RedisCluster)


def test_bad_redis_urls_are_refused_clearly(redis_server: RedisClusterServer) -> None:
    with pytest.raises(ConfigError, match="only database 0"):
        connect(redis_server.url.replace("/0", "/2"))
    with pytest.raises(ConfigError, match=r"cannot reach .*REDIS_CLUSTER=true\|false"):
        connect("redis://:hunter2@127.0.0.1:1/0")
    with pytest.raises(ConfigError, match=r"expected redis://HOST:PORT") as err:
        connect("http://127.0.0.1:1/0", cluster=False)
    assert "hunter2" not in str(err.value)
    assert (
        redacted("rediss://bot:hunter2@cache.example:6379/0")
        == "rediss://bot:***@cache.example:6379/0"
    )
    assert redacted("redis://cache.example:6379") == "redis://cache.example:6379"


def test_credentials_and_acl_problems_are_named(single_node: RedisServer) -> None:
    admin = single_node.client()
    admin.execute_command("ACL", "SETUSER", "no-info", "on", ">pw", "~*", "+@all", "-info")
    try:
        base = single_node.url.replace("redis://", "redis://no-info:{password}@")
        with pytest.raises(ConfigError, match=r"refused `INFO cluster`.*REDIS_CLUSTER") as err:
            connect(base.format(password="pw"))
        assert ":***@" in str(err.value)
        assert type(connect(base.format(password="pw"), cluster=False)) is redis.Redis
        with pytest.raises(ConfigError, match="credentials") as err:
            connect(base.format(password="wrong"))
        assert "wrong" not in str(err.value)
    finally:
        admin.execute_command("ACL", "DELUSER", "no-info")
        admin.close()


def test_doctor_uses_the_cluster_client(setup: Setup) -> None:  # noqa: F811 - the fixture
    code, lines = setup.run()
    assert code == 0, "\n".join(lines)
    # It also read the bot's refusal record, in the {mcb} slot, away from the URL's node.
    assert "answers PING (cluster)" in line_of(lines, "Redis")
    code, lines = setup.run(redis_cluster=False)  # forced wrong: the slot is on another node
    assert code == 1
    assert line_of(lines, "Redis").startswith("FAIL")
    assert "is a cluster node: unset REDIS_CLUSTER or set it to true" in line_of(lines, "Redis")


# ------------------------------------------------------------------- TLS
class FirstBytes:
    """A TCP listener that records the first bytes each client sends, then hangs up: a TLS
    client starts with a handshake record (0x16), a plain RESP client with `*`."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.seen: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    self.seen.append(conn.recv(5))

    def close(self) -> None:
        # Shut down, then close once the thread is out of accept: closing under a blocked
        # accept would not wake it, and the descriptor could be reused by another socket.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=10)
        self._sock.close()


@pytest.mark.parametrize("cluster", [None, True, False], ids=["detected", "cluster", "single"])
def test_rediss_urls_speak_tls_in_every_mode(cluster: bool | None) -> None:
    listener = FirstBytes()
    url = f"rediss://bot:hunter2@127.0.0.1:{listener.port}/0?ssl_cert_reqs=required"
    try:
        if cluster is False:
            client = connect(url, cluster=False)  # a single-node client connects lazily
            assert client.connection_pool.connection_class is redis.SSLConnection
            assert client.connection_pool.connection_kwargs["ssl_cert_reqs"] == "required"
            with pytest.raises(redis.ConnectionError):
                client.ping()
        else:
            with pytest.raises(ConfigError) as err:
                connect(url, cluster=cluster)
            assert "hunter2" not in str(err.value)
            assert "bot:***@" in str(err.value)
        assert listener.seen
        assert all(first[:1] == b"\x16" for first in listener.seen), listener.seen
    finally:
        listener.close()


def test_plain_urls_do_not_speak_tls() -> None:
    """The control for the test above: the same listener sees RESP from redis://."""
    listener = FirstBytes()
    try:
        with pytest.raises(ConfigError):
            connect(f"redis://127.0.0.1:{listener.port}/0")
        assert listener.seen
        assert all(first[:1] == b"*" for first in listener.seen), listener.seen
    finally:
        listener.close()


# ------------------------------------------------------------------- one slot
def every_key(keys: Keys) -> list[str]:
    """Each key name `Keys` can make (properties, and methods called with sample names)."""
    found = []
    for name, member in inspect.getmembers(type(keys)):
        if name.startswith("_"):
            continue
        if isinstance(member, property):
            found.append(getattr(keys, name))
        elif callable(member):
            params = list(inspect.signature(member).parameters)[1:]
            found.append(getattr(keys, name)(*[f"sample-{p}" for p in params]))
    return found


def test_the_bot_slot_is_not_on_the_url_node(redis_server: RedisClusterServer) -> None:
    assert redis_server.node_of(Keys().jobs) is not redis_server.seed


def test_every_key_carries_the_one_hash_tag() -> None:
    keys = every_key(Keys())
    assert len(keys) >= 18
    assert {key_slot(k.encode()) for k in keys} == {key_slot(b"{mcb}")}
    assert all(k.startswith("{mcb}:") for k in keys)
