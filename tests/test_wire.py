"""bot/store/wire.py against the real Redis-protocol server: one round trip, the same
replies on the pooled-connection path and on the pipeline path other clients take."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from redis.connection import HiredisRespSerializer

from bot.local.redis_server import RedisServer
from bot.store.wire import HiredisPacker, Wire, as_dict
from tests.redis_counting import RoundTrips, counting_client

SCRIPT = "return {KEYS[1], ARGV[1]}"


class NoPool:
    """A client without a plain connection pool (as a cluster client is)."""

    def __init__(self, inner: redis.Redis) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        if name == "connection_pool":
            raise AttributeError(name)
        return getattr(self._inner, name)


@pytest.fixture(params=["pooled", "pipeline"])
def wire(request: pytest.FixtureRequest, redis_client: redis.Redis) -> Wire:
    redis_client.hset("h", mapping={"a": "1", "b": "2"})
    redis_client.sadd("s", "x", "y")
    client: Any = redis_client if request.param == "pooled" else NoPool(redis_client)
    return Wire(client)


def test_replies_in_order(wire: Wire) -> None:
    got = wire.send([("SET", "k", "1", "NX", "EX", 60), ("SET", "k", "1", "NX", "EX", 60)])
    assert got[0] in ("OK", True)
    assert got[1] is None
    hash_reply, members, missing = wire.send([("HGETALL", "h"), ("SMEMBERS", "s"), ("GET", "-")])
    assert as_dict(hash_reply) == {"a": "1", "b": "2"}
    assert set(members) == {"x", "y"}
    assert missing is None


def test_script_is_loaded_when_the_server_lacks_it(wire: Wire, redis_client: redis.Redis) -> None:
    redis_client.script_flush()
    sha = redis_client.script_load(SCRIPT)
    redis_client.script_flush()
    assert wire.script(SCRIPT, sha, ["key"], ["arg"]) == ["key", "arg"]
    assert wire.script(SCRIPT, sha, ["key"], ["again"]) == ["key", "again"]


def test_an_error_reply_raises_and_the_next_round_trip_works(wire: Wire) -> None:
    with pytest.raises(redis.ResponseError):
        wire.send([("HGETALL", "s"), ("GET", "-")])  # WRONGTYPE, then an unread reply
    assert wire.send([("GET", "-")]) == [None]


def test_one_write_per_batch(redis_server: RedisServer, redis_client: redis.Redis) -> None:
    trips = RoundTrips()
    client = counting_client(redis_server.url, trips)
    wire = Wire(client)
    wire.send([("PING",)])  # the connection's handshake
    with trips.measure():
        wire.send([("SET", "a", "1"), ("GET", "a"), ("HGETALL", "h"), ("ZCARD", "z")])
    assert trips.measured == [["SET", "GET", "HGETALL", "ZCARD"]]
    client.close()


def test_as_dict_reads_both_protocols() -> None:
    assert as_dict({"a": "1"}) == {"a": "1"}
    assert as_dict(["a", "1", "b", "2"]) == {"a": "1", "b": "2"}
    assert as_dict(None) == {}


def test_a_connection_the_server_closed_is_reconnected_before_use(
    wire: Wire, redis_client: redis.Redis
) -> None:
    """As redis-py's pool checks at checkout: a connection the server closed (a restart, an
    idle timeout, CLIENT KILL) is not used for the next round trip."""
    (own_id,) = wire.send([("CLIENT", "ID")])
    redis_client.client_kill_filter(_id=own_id)
    assert wire.send([("SET", "k", "1"), ("GET", "k")])[1] == "1"


def test_hiredis_packer_packs_as_redis_py_does() -> None:
    ours, theirs = HiredisPacker(), HiredisRespSerializer()
    for command in (
        ("SET", "k", "v", "NX", "EX", 600),
        ("CLIENT SETINFO", "LIB-NAME", "redis-py"),
        (b"CONFIG GET", b"maxmemory"),
        ("SET", bytearray(b"k"), memoryview(b"v")),
        ("HSET", "h", "é", 1.5),
    ):
        assert ours.pack(*command) == theirs.pack(*command), command
    for bad in (("SET", "k", None), ("SET", "k", True)):
        with pytest.raises(redis.DataError):
            ours.pack(*bad)
        with pytest.raises(redis.DataError):
            theirs.pack(*bad)
