"""`rediss://` end to end: the web process's ack path and the worker's Redis calls over TLS to
a single node and to a 3-node cluster (ElastiCache Serverless is cluster mode and TLS only),
through a TLS front (tests/tls_front.py) whose certificate a throwaway CA signed. The bot finds
the mode over TLS, verifies the certificate and the host name, and every command goes through
the front; a certificate from another CA is refused with a message that says so."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.cluster import RedisCluster
from werkzeug.serving import make_server

from bot.app import build_core, create_wsgi
from bot.errors import ConfigError
from bot.local.fake_slack import FakeSlack
from bot.local.redis_cluster import RedisClusterServer
from bot.local.redis_server import RedisServer
from bot.local.slack_payloads import slash_command
from bot.local.slack_requests import FORM, SIGNING_SECRET, SlackSender, sign
from bot.settings import Settings
from bot.slack.ids import APPROVE_ACTION
from bot.store.connect import connect
from tests.conftest import EXAMPLE_CONFIG
from tests.redis_counting import RoundTrips
from tests.test_ack_round_trips import APPR, DS, PENDING, Edge, approval_message, seed, text
from tests.tls_front import TlsFront, make_ca


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_ca(tmp_path_factory.mktemp("tls"))


def tls_url(front: TlsFront, ca: Path) -> str:
    return f"rediss://127.0.0.1:{front.port}/0?ssl_ca_certs={ca}&ssl_cert_reqs=required"


def serve_over(url: str, tmp_path: Path) -> Iterator[Edge]:
    """The real WSGI app on a Core built from `url` alone (the mode detected over TLS)."""
    fake = FakeSlack().start()
    config = tmp_path / "governance.yml"
    config.write_text(EXAMPLE_CONFIG.read_text())
    settings = Settings(
        slack_bot_token="xoxb-test-token",  # type: ignore[arg-type]
        slack_signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        slack_api_url=fake.api_url,
        modelcard_config=config,
        redis_url=url,
    )
    core = build_core(settings)
    seed(core)
    server = make_server("127.0.0.1", 0, create_wsgi(core), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield Edge(fake, SlackSender(f"http://127.0.0.1:{server.server_port}"), core, RoundTrips())
    finally:
        server.shutdown()
        fake.stop()
        core.redis.close()


def acks_over_tls(edge: Edge, fronts: list[TlsFront]) -> None:
    """show, an Approve click, its double click and a replayed request, all answered from
    Redis reached through the fronts only."""
    before = sum(f.relayed for f in fronts)
    shown = edge.command(f"show {PENDING}", DS)
    assert shown.status == 200
    assert PENDING in text(shown)
    assert "PendingReview" in text(shown)

    message = approval_message(PENDING)
    assert edge.click(APPROVE_ACTION, APPR, message, "C0APPROVE").status == 200
    assert edge.click(APPROVE_ACTION, "U0DSAP", message, "C0APPROVE").status == 200
    assert [(j["kind"], j["card"]) for j in edge.jobs()] == [("approve", PENDING), ("reply", "")]
    assert "in progress" in edge.jobs()[-1]["args"]["text"]
    assert [e["result"] for e in edge.audit()] == ["queued", "duplicate"]

    body = slash_command("help", DS, response_url="https://hooks.slack.com/commands/T0/1/x")
    headers = sign(body)
    first = edge.sender.post(body, FORM, headers=headers, signed=False)
    assert first.status == 200
    replayed = edge.sender.post(body, FORM, headers=headers, signed=False)
    assert (replayed.status, replayed.json["error"]) == (401, "replayed_request")

    assert all(f.sessions >= 1 for f in fronts if f.relayed)
    assert sum(f.relayed for f in fronts) > before


# ---------------------------------------------------------------- a single node


@pytest.fixture
def single_front(
    redis_server: RedisServer, redis_client: Any, certificates: tuple[Path, Path, Path]
) -> Iterator[TlsFront]:
    _ca, cert, key = certificates
    front = TlsFront(redis_server.port, cert, key)
    yield front
    front.close()


def test_a_single_node_over_tls_serves_the_acks(
    single_front: TlsFront, certificates: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    url = tls_url(single_front, certificates[0])
    for edge in serve_over(url, tmp_path):
        assert isinstance(edge.core.redis, redis.Redis)
        pool = edge.core.redis.connection_pool
        assert pool.connection_class is redis.SSLConnection
        acks_over_tls(edge, [single_front])


def test_closing_the_front_stops_every_thread_it_started(
    redis_server: RedisServer, redis_client: Any, certificates: tuple[Path, Path, Path]
) -> None:
    """A front closed under an open connection wakes and stops its threads before the
    sockets are closed: a thread left blocked on a closed socket reads whatever socket of
    the process gets the same descriptor next (a later test's Redis replies)."""
    ca, cert, key = certificates
    before = set(threading.enumerate())
    front = TlsFront(redis_server.port, cert, key)
    client = redis.Redis.from_url(tls_url(front, ca))
    assert client.ping()  # a session relayed both ways, its two pumps now waiting in recv
    front.close()
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert left == []
    with pytest.raises(redis.ConnectionError):
        client.ping()  # the front hung up
    client.close()


def test_a_certificate_from_another_ca_is_refused(single_front: TlsFront, tmp_path: Path) -> None:
    other_ca, _cert, _key = make_ca(tmp_path / "other", "another-ca")
    url = tls_url(single_front, other_ca).replace("rediss://", "rediss://bot:hunter2@")
    with pytest.raises(ConfigError) as err:
        connect(url)
    message = str(err.value)
    assert "certificate verify failed" in message
    assert "TLS (`rediss://`)" in message
    assert "hunter2" not in message
    assert single_front.sessions == 0


def test_an_address_the_certificate_does_not_name_is_refused(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """The host name is checked, not only the CA: this certificate names localhost only,
    and the URL reaches the front by its address."""
    ca, cert, key = make_ca(tmp_path / "narrow", "narrow-ca", hosts=("localhost",))
    front = TlsFront(redis_server.port, cert, key)
    try:
        with pytest.raises(ConfigError) as err:
            connect(tls_url(front, ca))
        assert "certificate is not valid for '127.0.0.1'" in str(err.value)
        assert front.sessions == 0
        # The same certificate is accepted by the name it carries.
        client = connect(tls_url(front, ca).replace("127.0.0.1", "localhost"))
        assert isinstance(client, redis.Redis)
        assert client.ping()
        client.close()
        assert front.sessions >= 1
    finally:
        front.close()


# ---------------------------------------------------------------- a cluster


@pytest.fixture(scope="module")
def tls_cluster(
    certificates: tuple[Path, Path, Path],
) -> Iterator[tuple[RedisClusterServer, list[TlsFront]]]:
    """A 3-node cluster whose nodes announce their TLS front's port (CLUSTER SLOTS and MOVED
    name the fronts), as a TLS-only service does."""
    _ca, cert, key = certificates
    cluster = RedisClusterServer().start()
    fronts = [TlsFront(node.port, cert, key) for node in cluster.nodes]
    try:
        for node, front in zip(cluster.nodes, fronts, strict=True):
            with node.client() as client:
                client.config_set("cluster-announce-port", front.port)
        wanted = {front.port for front in fronts}
        deadline = time.monotonic() + 30
        while True:  # the announced ports travel by gossip
            seen = []
            for node in cluster.nodes:
                with node.client() as client:
                    slots = client.execute_command("CLUSTER", "SLOTS")
                seen.append({int(row[2][1]) for row in slots})
            if all(ports == wanted for ports in seen):
                break
            assert time.monotonic() < deadline, seen
            time.sleep(0.1)
        yield cluster, fronts
    finally:
        for front in fronts:
            front.close()
        cluster.stop()


def test_a_cluster_over_tls_serves_the_acks(
    tls_cluster: tuple[RedisClusterServer, list[TlsFront]],
    certificates: tuple[Path, Path, Path],
    tmp_path: Path,
) -> None:
    cluster, fronts = tls_cluster
    cluster.flushall()
    # The URL names the seed node's front, which does not serve the bot's slot: every
    # command is a redirect away, to another front, over TLS.
    url = tls_url(fronts[cluster.nodes.index(cluster.seed)], certificates[0])
    url = url.replace("/0?", "?")
    for edge in serve_over(url, tmp_path):
        assert isinstance(edge.core.redis, RedisCluster)
        ports = {node.port for node in edge.core.redis.get_nodes()}
        assert ports == {front.port for front in fronts}
        acks_over_tls(edge, fronts)
        owner = fronts[cluster.nodes.index(cluster.node_of(edge.core.keys.jobs))]
        assert owner.relayed > 0
        job = json.loads(edge.core.redis.xrange(edge.core.keys.jobs)[0][1]["job"])
        assert (job["kind"], job["card"]) == ("approve", PENDING)
