"""One Redis round trip: a batch of commands written at once on a connection, then their
replies read, with redis-py's own connections, protocol packer and (hiredis) parser.

The ack path makes at most two round trips, and most of their client CPU was redis-py's
per-call machinery around them (pipeline objects, retry and event wrappers, metrics hooks,
response callbacks): measured on the ack path, a pipeline of three reads cost ~200 µs of
client CPU and EVALSHA ~150 µs, against ~110 and ~80 µs sent this way. Replies come as the
protocol gives them (RESP3 with decode_responses: a hash is a dict, a set a set or list).

The connections are redis-py's, made by the pool's connection class with the pool's
settings (host, TLS, credentials, timeouts, health checks), but kept idle in a plain list
shared by every Wire on that pool: a checkout and release through redis-py 8's pool cost
~35 µs of client CPU per round trip here (its metrics hooks, release events and retry
wrapper), more than the round trip's own two system calls. What the pool checks at checkout
is kept: a connection with unread data, or closed by the server (a restart, an idle
timeout), is reconnected before it is used; one that failed mid-way is dropped.

Commands are packed by hiredis's `pack_command` without redis-py's serializer around it
(`HiredisPacker`, given to every connection by bot/store/connect.py): the serializer
rebuilds each command's argument tuple twice in Python first, half the packing's CPU.

A client without a single connection pool (a cluster client) gets a plain pipeline.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import hiredis
import redis

Command = Sequence[str | int | float]

# Idle connections per redis-py pool (list.append and list.pop are atomic: no lock).
_IDLE: weakref.WeakKeyDictionary[redis.ConnectionPool, list[Any]] = weakref.WeakKeyDictionary()
_IDLE_LOCK = threading.Lock()


class HiredisPacker:
    """redis-py's HiredisRespSerializer with its work done only when needed: a command name
    of several words ("CLIENT SETINFO") is split, and a bytearray or memoryview argument
    (which hiredis refuses) is copied to bytes, as redis-py does."""

    def pack(self, *args: Any) -> list[bytes]:
        first = args[0]
        if (" " in first) if isinstance(first, str) else (b" " in first):
            args = (*first.split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError:
            pass
        args = tuple(bytes(a) if isinstance(a, bytearray | memoryview) else a for a in args)
        try:
            return [hiredis.pack_command(args)]
        except TypeError as err:  # None, a bool, a dict...: redis-py's own error
            raise redis.DataError(str(err)) from None


class Wire:
    def __init__(self, client: Any) -> None:
        self._client = client
        pool = getattr(client, "connection_pool", None)
        # Only a plain pool (no client-side cache): anything else keeps redis-py's full path.
        plain = isinstance(pool, redis.ConnectionPool) and getattr(pool, "cache", None) is None
        self._pool = pool if plain else None
        self._idle: list[Any] = []
        if self._pool is not None:
            with _IDLE_LOCK:
                self._idle = _IDLE.setdefault(self._pool, [])

    def send(self, commands: Sequence[Command]) -> list[Any]:
        """The replies of `commands`, sent in one round trip; an error reply raises its
        ResponseError (the connection is then dropped, its later replies unread)."""
        if self._pool is None:
            pipe = self._client.pipeline(transaction=False)
            for command in commands:
                pipe.execute_command(*command)
            return list(pipe.execute())
        conn = self._checkout()
        try:
            conn.send_packed_command(conn.pack_commands(commands))
            replies = [conn.read_response() for _ in commands]
        except BaseException:
            conn.disconnect()
            self._idle.append(conn)  # disconnected: it reconnects when next used
            raise
        self._idle.append(conn)
        return replies

    def _checkout(self) -> Any:
        """An idle connection of this process, ready to send (as the pool's checkout)."""
        try:
            conn = self._idle.pop()
        except IndexError:
            conn = None
        if conn is None or conn.pid != os.getpid():  # none idle, or inherited over a fork
            assert self._pool is not None
            conn = self._pool.connection_class(**self._pool.connection_kwargs)
        if conn.is_connected:
            try:
                stale = conn.can_read()  # unread data, or a socket the server closed
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                stale = True
            if stale:
                conn.disconnect()
        if not conn.is_connected:
            try:
                conn.connect()
            except BaseException:
                self._idle.append(conn)
                raise
        return conn

    def script(self, source: str, sha: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """EVALSHA in one round trip (the script is loaded first if the server lacks it)."""
        command = ("EVALSHA", sha, len(keys), *keys, *args)
        try:
            return self._one(command)
        except redis.exceptions.NoScriptError:
            self._client.script_load(source)
            return self._one(command)

    def _one(self, command: Command) -> Any:
        if self._pool is None:
            return self._client.execute_command(*command)
        return self.send([command])[0]


def as_dict(reply: Any) -> dict[str, str]:
    """A hash reply: RESP3 gives a dict, RESP2 a flat list of names and values."""
    if isinstance(reply, dict):
        return reply
    items = list(reply or [])
    return dict(zip(items[::2], items[1::2], strict=True))
