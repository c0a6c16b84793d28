"""A redis-py connection that counts round trips to the real server, for tests.

A round trip is one write of commands to the socket before their answers are read: a
single command, a whole pipeline, or one script call (EVALSHA) each count once. The names of
the commands sent in each round trip are kept, so a failing test shows what was sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import redis
from redis.connection import Connection


class RoundTrips:
    """Round trips recorded across every connection of a pool (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.trips: list[list[str]] = []
        self.measured: list[list[str]] | None = None
        self._queued: list[str] = []

    def queue(self, names: Iterable[str]) -> None:
        with self._lock:
            self._queued.extend(names)

    def sent(self) -> None:
        with self._lock:
            self.trips.append(self._queued)
            self._queued = []

    def clear(self) -> None:
        with self._lock:
            self.trips = []
            self._queued = []
            self.measured = None

    @property
    def count(self) -> int:
        """Round trips of the last `measure()` block (all since `clear()` inside one)."""
        return len(self.measured if self.measured is not None else self.trips)

    @contextmanager
    def measure(self) -> Iterator[RoundTrips]:
        """Only the round trips made inside the block count (kept in `measured`)."""
        self.clear()
        yield self
        with self._lock:
            self.measured = list(self.trips)


def _name(args: Sequence[Any]) -> str:
    first = args[0]
    name = first.decode() if isinstance(first, bytes) else str(first)
    return name.split(" ", 1)[0].upper()


class CountingConnection(Connection):
    """A plain TCP connection whose every socket write counts as a round trip."""

    trips: RoundTrips

    def send_command(self, *args: Any, **kwargs: Any) -> None:
        self.trips.queue([_name(args)])
        super().send_command(*args, **kwargs)

    def pack_commands(self, commands: Iterable[Iterable[Any]]) -> list[bytes | memoryview]:
        commands = [list(c) for c in commands]
        self.trips.queue(_name(c) for c in commands)
        # Pipelines pack here and then send once (send_packed_command).
        return super().pack_commands(commands)

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        self.trips.sent()
        super().send_packed_command(command, check_health)


def counting_client(url: str, trips: RoundTrips, **kwargs: Any) -> redis.Redis:
    """A redis.Redis on `url` whose connections record into `trips`."""
    connection_class = type("Counting", (CountingConnection,), {"trips": trips})
    pool = redis.ConnectionPool.from_url(
        url, connection_class=connection_class, decode_responses=True, **kwargs
    )
    return redis.Redis(connection_pool=pool)
