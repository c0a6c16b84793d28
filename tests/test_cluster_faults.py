"""Fault tests on real processes with Redis as a 3-node cluster: the kill -9 and
twenty-clicks tests of tests/test_faults.py run unchanged (imported; `procs` is overridden
here), then the node holding the bot's slot restarts while the bot is idle."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.local.redis_cluster import RedisClusterServer
from bot.store.keys import Keys
from tests.process_stack import ProcessStack, running
from tests.test_faults import (  # noqa: F401 - pytest collects the imported tests here
    test_kill_9_mid_job_completes_once_on_the_other_worker,
    test_twenty_concurrent_approve_clicks_make_one_transition,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessStack]:
    tmp = Path(tmp_path_factory.mktemp("cluster-procs"))
    with running(ProcessStack(tmp, redis_cluster=True)) as stack:
        yield stack


def test_the_processes_use_the_cluster(procs: ProcessStack) -> None:
    cluster = procs.redis
    assert isinstance(cluster, RedisClusterServer)
    procs.create_card("on-the-cluster")
    # Every key of the bot sits on the node that serves the {mcb} slot, none elsewhere.
    home = cluster.node_of(Keys().jobs)
    for node in cluster.nodes:
        with node.client() as client:
            count = int(client.dbsize())
        assert (count > 0) is (node is home), (node.port, count)


def dump(cluster: RedisClusterServer, keys: Keys, card: str) -> dict[str, object]:
    client = cluster.client()
    try:
        return {
            "card": client.hgetall(keys.card(card)),
            "audit": client.xrange(keys.audit),
            "jobs": client.xlen(keys.jobs),
            "pending": client.xpending(keys.jobs, "workers")["pending"],
            "posted": sorted(client.scan_iter(match=f"{keys.prefix}:posted:*")),
        }
    finally:
        client.close()


def test_one_node_restart_while_idle_loses_nothing(procs: ProcessStack) -> None:
    cluster = procs.redis
    assert isinstance(cluster, RedisClusterServer)
    card = "before-node-restart"
    procs.create_card(card)
    keys = Keys()
    before = dump(cluster, keys, card)
    node = cluster.node_of(keys.jobs)  # the node with every key of the bot
    node.stop()
    time.sleep(1.0)
    node.start()  # same port, nodes.conf and append-only file: it rejoins with its slots
    cluster.wait_ok()
    assert dump(cluster, keys, card) == before
    procs.serves_after_restart(card, "after-node-restart")
