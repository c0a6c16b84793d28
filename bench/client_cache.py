"""redis-py's client-side caching (RESP3 CLIENT TRACKING, `cache_config`) for the ack's card
reads, against the round trip the edge makes without it.

    .venv/bin/python bench/client_cache.py [--samples 5000]

What an ack reads of a card is its snapshot hash and its authors set; the first round trip
of every ack also carries the replay-cache SET, which no cache can answer. So the cached
path is "SET on the wire + HGETALL and SMEMBERS from the cache" against "SET + HGETALL +
SMEMBERS in one round trip" (bot/store/wire.py). Prints the client CPU (median, µs) of each
and checks invalidation: a change made by another client (the worker) is seen by the next
cached read.

redis-py only enables the cache against a server that calls itself Redis 7.4 or later; the
Redis-protocol server here (valkey, as on ElastiCache's Valkey engine) implements the same
CLIENT TRACKING, so this experiment skips that name check. Writes
bench/results/client_cache.json.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
import redis.connection
from bot.local.redis_server import RedisServer
from bot.store.wire import Wire
from redis.cache import CacheConfig

from bench._stack import write_results


def median_us(fn: Callable[[], object], samples: int) -> float:
    spent = []
    for _ in range(samples):
        before = time.process_time()
        fn()
        spent.append(time.process_time() - before)
    return round(statistics.median(spent) * 1e6, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5000)
    args = parser.parse_args()

    # Experiment only: skip redis-py's "Redis >= 7.4 by name" check (see the docstring).
    proxy = redis.connection.CacheProxyConnection
    proxy.connect = lambda self: self._conn.connect()  # type: ignore[method-assign]
    server = RedisServer().start()
    try:
        plain = redis.Redis.from_url(server.url, decode_responses=True)
        cached = redis.Redis.from_url(
            server.url, decode_responses=True, protocol=3, cache_config=CacheConfig()
        )
        snapshot = {f"field{i}": "v" * 20 for i in range(13)}
        plain.hset("mcb:card:c", mapping=snapshot)
        plain.sadd("mcb:card:c:people", "U0LEAD", "U0DS")
        wire = Wire(plain)
        n = itertools.count()

        def one_round_trip() -> None:
            wire.send(
                [
                    ("SET", f"mcb:seen:{next(n)}", "1", "NX", "EX", 600),
                    ("HGETALL", "mcb:card:c"),
                    ("SMEMBERS", "mcb:card:c:people"),
                ]
            )

        def set_only() -> None:
            wire.send([("SET", f"mcb:seen:{next(n)}", "1", "NX", "EX", 600)])

        def cached_reads() -> None:
            cached.hgetall("mcb:card:c")
            cached.smembers("mcb:card:c:people")

        cached_reads()
        rows = []
        for _ in range(3):
            wire_us = median_us(one_round_trip, args.samples)
            set_us = median_us(set_only, args.samples)
            cache_us = median_us(cached_reads, args.samples)
            rows.append(
                {"one_round_trip_us": wire_us, "set_us": set_us, "cached_reads_us": cache_us}
            )
            print(
                f"SET+HGETALL+SMEMBERS, one round trip: {wire_us:6.1f} µs | SET alone "
                f"{set_us:6.1f} + cached HGETALL+SMEMBERS {cache_us:6.1f} = "
                f"{set_us + cache_us:6.1f} µs"
            )
        plain.hset("mcb:card:c", "field0", "changed by the worker")
        time.sleep(0.05)
        seen = cached.hgetall("mcb:card:c")["field0"]
        invalidated = seen == "changed by the worker"
        print(f"invalidation: the next cached read sees the change: {invalidated}")
        plain.close()
        cached.close()
    finally:
        server.stop()
    path = write_results("client_cache", {"rows": rows, "invalidated": invalidated})
    print(f"wrote {path}")
    return 0 if invalidated else 1


if __name__ == "__main__":
    raise SystemExit(main())
