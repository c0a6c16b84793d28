"""Real processes on loopback: the bot's web app (gunicorn) and workers (`python -m bot
worker`), the moto server extended by bot.local.moto_ext, a Redis-protocol server and the fake
Slack Web API (in this process). Nothing else differs from production: the processes read the
contract's env vars, pointed at these endpoints.

The one harness for the process tests (tests/process_stack.py), the benchmarks
(bench/_stack.py) and the demo (bot/demo/stack.py); each starts the parts it needs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.local.fake_slack import FakeSlack
from bot.local.redis_cluster import RedisClusterServer
from bot.local.redis_server import RedisServer
from bot.local.slack_requests import SIGNING_SECRET
from bot.outbox import GROUP
from bot.store.connect import connect
from bot.store.keys import Keys

REGION = "us-east-1"
BOT_TOKEN = "xoxb-local-token"  # the fake Slack accepts any xoxb- token
# gunicorn as the Procfile's web line runs it, bound to loopback.
WEB_FLAGS = ("--workers", "2", "--threads", "8", "--timeout", "30")
_OURS = ("AWS_", "MOTO_", "SLACK_", "MODELCARD_", "REDIS_URL", "PORT")


class StackError(Exception):
    """A part of the stack did not start or died: `reason` for people, `log` tells more."""

    def __init__(self, reason: str, log: Path | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.log = log


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll(
    check: Callable[[], Any],
    what: str,
    timeout: float = 30.0,
    *,
    guard: Callable[[], None] | None = None,
    error: Callable[[str], Exception] = StackError,
) -> Any:
    """Call `check` until it returns something truthy, and return that; an exception from
    `check` counts as not yet. `guard` runs first each time and may raise (a process died);
    after `timeout` seconds, raise `error`."""
    deadline = time.monotonic() + timeout
    while True:
        if guard is not None:
            guard()
        try:
            value = check()
        except Exception:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise error(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


def governance_file(path: Path) -> Path:
    """Write the local world's governance file (bot/local/governance.yml) to `path`."""
    path.write_bytes(resources.files("bot.local").joinpath("governance.yml").read_bytes())
    return path


def tail(path: Path | None, lines: int = 25) -> str:
    if path is None or not path.is_file():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def check_alive(self, doing: str) -> None:
        code = self.popen.poll()
        if code is not None:
            raise StackError(f"the {self.name} process exited (code {code}) {doing}", self.log)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=5)


class LocalStack:
    """Start parts with `start_*`; `stop()` ends what this stack started, newest first."""

    def __init__(
        self,
        workdir: Path,
        *,
        config: Path | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        """`config`: the governance file (default: the local world's, written to `workdir`);
        `env`: more variables for every process; `cwd`: where processes run (e.g. another
        checkout, with PYTHONPATH in `env`)."""
        self.workdir = workdir
        self.config = config or governance_file(workdir / "governance.yml")
        self.extra_env = dict(env or {})
        self.cwd = cwd
        self.keys = Keys()
        self.procs: dict[str, Proc] = {}
        self.redis: RedisServer | RedisClusterServer | None = None
        self.redis_url = ""
        self.fake: FakeSlack | None = None
        self.moto_port: int | None = None
        self.web_port = free_port()
        self._client: Any = None

    # ------------------------------------------------------------------ URLs and env
    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def contract_env(self) -> dict[str, str]:
        """The contract's variables (README "Environment"), pointed at the local endpoints."""
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "MODELCARD_CONFIG": str(self.config),
            "AWS_REGION": REGION,
            "PORT": str(self.web_port),
        }
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.fake is not None:
            env["SLACK_API_URL"] = self.fake.api_url
        if self.moto_port is not None:
            env["AWS_ENDPOINT_URL"] = self.moto_url
        return env

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
        env.update(self.contract_env())
        env.update(
            {
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts any; never real ones
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    @property
    def redis_client(self) -> Any:
        """A client with decoded (str) answers, which redis-py's annotations do not follow."""
        if self._client is None:
            self._client = connect(self.redis_url)  # a cluster client on a cluster
        return self._client

    # ------------------------------------------------------------------ start / stop
    def start_redis(
        self, *, appendonly: bool = False, cluster: bool = False
    ) -> RedisServer | RedisClusterServer:
        """A Redis-protocol server of our own (append-only: a restart loses nothing), or a
        3-node cluster (always append-only)."""
        self.redis = (
            RedisClusterServer().start() if cluster else RedisServer(appendonly=appendonly).start()
        )
        self.redis_url = self.redis.url
        return self.redis

    def use_redis(self, url: str) -> None:
        self.redis_url = url

    def start_fake(self) -> FakeSlack:
        self.fake = FakeSlack().start()
        return self.fake

    def start_moto(self, module: str = "bot.local.moto_ext") -> Proc:
        """The moto server (`module` runs it: `python -m module --port N`)."""
        self.moto_port = free_port()
        proc = self.spawn("moto", [sys.executable, "-m", module, "--port", str(self.moto_port)])
        self.wait(lambda: self.moto_calls() is not None, "the moto server", timeout=60)
        return proc

    def start_web(self, name: str = "web", args: Sequence[str] | None = None) -> Proc:
        """gunicorn serving the bot's app on `web_port`, or `args` (another command line)."""
        command = list(args) if args is not None else self.web_command(self.web_port)
        proc = self.spawn(name, command)
        port = self.web_port if args is None else _bound_port(command)
        self.wait(lambda: _status(f"http://127.0.0.1:{port}/healthz") == 200, f"{name} /healthz")
        return proc

    @staticmethod
    def web_command(port: int, app: str = "bot.app:wsgi_from_env()") -> list[str]:
        bind = ("--bind", f"127.0.0.1:{port}")
        return [sys.executable, "-m", "gunicorn", app, *bind, *WEB_FLAGS]

    def start_worker(self, name: str = "worker", consumers: int = 1) -> Proc:
        args = [sys.executable, "-m", "bot", "worker", "--consumers", str(consumers)]
        return self.spawn(name, args)

    def wait_worker_ready(self, name: str) -> None:
        """The worker printed that it runs (it joined the jobs stream's consumer group)."""
        log = self.procs[name].log
        self.wait(lambda: "running" in log.read_text(), f"the {name} to start", timeout=60)

    def spawn(self, name: str, args: list[str]) -> Proc:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                args,
                cwd=self.cwd or self.workdir,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the caller, which stops them in order
            )
        self.procs[name] = Proc(name, popen, log)
        return self.procs[name]

    def stop_proc(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            proc.stop()

    def stop(self) -> None:
        for proc in reversed(self.procs.values()):  # signal all first, then wait for each
            if proc.popen.poll() is None:
                proc.popen.terminate()
        for name in reversed(list(self.procs)):
            self.stop_proc(name)
        if self.fake is not None:
            self.fake.stop()
        if self.redis is not None:
            self.redis.stop()
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ waiting
    def wait(self, check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
        """`poll` that fails early when one of the processes died."""

        def alive() -> None:
            for proc in self.procs.values():
                proc.check_alive(f"while waiting for {what}")

        return poll(check, what, timeout, guard=alive)

    def idle(self) -> bool:
        """Every job handed out and acknowledged: the workers have settled all effects."""
        groups = {g["name"]: g for g in self.redis_client.xinfo_groups(self.keys.jobs)}
        group = groups.get(GROUP)
        if group is None:
            return False
        last = self.redis_client.xinfo_stream(self.keys.jobs)["last-generated-id"]
        return bool(group["pending"] == 0 and group["last-delivered-id"] == last)

    def log(self, name: str) -> Path | None:
        proc = self.procs.get(name)
        return proc.log if proc is not None else None

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{tail(p.log, 60)}" for p in self.procs.values())

    # ------------------------------------------------------------------ moto's call record
    def moto_calls(self) -> list[dict[str, Any]] | None:
        """Every AWS call the moto server served (`GET /_shim/calls`); None if it is down."""
        try:
            with urllib.request.urlopen(f"{self.moto_url}/_shim/calls", timeout=30) as answer:
                calls: list[dict[str, Any]] = json.loads(answer.read())
                return calls
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def moto_post(self, route: str, body: Mapping[str, Any] | None = None) -> Any:
        """POST to one of the moto server's own routes (`/_shim/...`)."""
        data = json.dumps(dict(body or {})).encode()
        request = urllib.request.Request(self.moto_url + route, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"{}")

    def clear_moto_calls(self) -> None:
        self.moto_post("/_shim/calls/clear")

    def moto_fail(self, action: str, count: int, code: str = "ThrottlingException") -> None:
        self.moto_post("/_shim/fail", {"action": action, "count": count, "code": code})


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return int(answer.status)


def _bound_port(args: Sequence[str]) -> int:
    for i, arg in enumerate(args):
        if arg in ("--bind", "-b"):
            return int(args[i + 1].rsplit(":", 1)[1])
        if arg.startswith("--bind="):
            return int(arg.rsplit(":", 1)[1])
    raise ValueError(f"no --bind in {list(args)}")
