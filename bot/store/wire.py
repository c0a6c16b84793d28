"""One Redis round trip: a batch of commands written at once on a pooled connection, then
their replies read, with redis-py's own connection pool, protocol packer and (hiredis)
parser.

The ack path makes at most two round trips, and most of their client CPU was redis-py's
per-call machinery around them (pipeline objects, retry and event wrappers, metrics hooks,
response callbacks): measured on the ack path, a pipeline of three reads cost ~200 µs of
client CPU and EVALSHA ~150 µs, against ~110 and ~80 µs sent this way. Replies come as the
protocol gives them (RESP3 with decode_responses: a hash is a dict, a set a set or list).

A client without a single connection pool (a cluster client) gets a plain pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis

Command = Sequence[str | int | float]


class Wire:
    def __init__(self, client: Any) -> None:
        self._client = client
        pool = getattr(client, "connection_pool", None)
        # Only a plain pool of plain connections: anything else keeps redis-py's full path.
        self._pool = pool if isinstance(pool, redis.ConnectionPool) else None

    def send(self, commands: Sequence[Command]) -> list[Any]:
        """The replies of `commands`, sent in one round trip; an error reply raises its
        ResponseError (the connection is then dropped, its later replies unread)."""
        if self._pool is None:
            pipe = self._client.pipeline(transaction=False)
            for command in commands:
                pipe.execute_command(*command)
            return list(pipe.execute())
        conn: Any = self._pool.get_connection()
        try:
            conn.send_packed_command(conn.pack_commands(commands))
            return [conn.read_response() for _ in commands]
        except BaseException:
            conn.disconnect()
            raise
        finally:
            self._pool.release(conn)

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
