"""Real processes for end-to-end and fault tests, on bot.local.stack: a Redis-protocol server
(append-only, so a restart loses nothing), the extended moto server, the fake Slack Web API,
gunicorn serving the web app, and `python -m bot worker` processes (one consumer each)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.local.fake_slack import FakeSlack
from bot.local.redis_cluster import RedisClusterServer
from bot.local.redis_server import RedisServer
from bot.local.sdk_as import assumed_session
from bot.local.slack_driver import SlackDriver
from bot.local.slack_requests import SlackSender
from bot.local.stack import REGION, LocalStack, governance_file, poll


def wait_until(check: Any, timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll `check` until truthy (exceptions count as not yet); AssertionError on timeout."""
    return poll(check, what, timeout, error=AssertionError)


S = TypeVar("S", bound="ProcessStack")


@contextmanager
def running(stack: S, workers: int = 2, then: Callable[[S], None] | None = None) -> Iterator[S]:
    """Start `stack` (and run `then` on it), yield it, print its logs if anything fails, and
    stop it in every case: the body of each module's process fixture."""
    try:
        stack.start(workers=workers)
        if then is not None:
            then(stack)
        yield stack
    except Exception:
        print(stack.logs())
        raise
    finally:
        stack.stop()


def _governance(tmp: Path, extra: dict[str, Any]) -> Path:
    """The local world's governance file with `extra` keys (`users` entries added)."""
    path = governance_file(tmp / "governance.yml")
    data = yaml.safe_load(path.read_text())
    for key, value in extra.items():
        data[key] = {**data[key], **value} if key == "users" else value
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


class ProcessStack(LocalStack, SlackDriver):
    fake: FakeSlack
    redis: RedisServer | RedisClusterServer

    def __init__(
        self,
        tmp: Path,
        *,
        reclaim_seconds: float = 2.0,
        reconcile_seconds: float = 3600,
        redis_cluster: bool = False,
        governance: dict[str, Any] | None = None,
    ):
        super().__init__(
            tmp,
            config=_governance(tmp, governance) if governance else None,
            env={
                "MODELCARD_RECLAIM_SECONDS": str(reclaim_seconds),
                "MODELCARD_RECONCILE_SECONDS": str(reconcile_seconds),
            },
        )
        self.sender = SlackSender(self.web_url)
        self._redis_cluster = redis_cluster
        self._spawned = 0

    @property
    def workers(self) -> list[subprocess.Popen[bytes]]:
        """The live worker processes."""
        return [p.popen for name, p in self.procs.items() if name.startswith("worker")]

    def start(self, workers: int = 2) -> ProcessStack:
        self.start_redis(appendonly=True, cluster=self._redis_cluster)
        self.start_fake()
        self.start_moto()
        self.start_web()
        for _ in range(workers):
            self.start_worker()
        return self

    def start_worker(self, name: str = "", consumers: int = 1) -> Any:
        self._spawned += 1
        return super().start_worker(name or f"worker{self._spawned}", consumers).popen

    def kill_worker(self, pid: int) -> None:
        """kill -9 one worker; it leaves `workers`, which lists the live ones."""
        os.kill(pid, signal.SIGKILL)
        for name, proc in list(self.procs.items()):
            if proc.popen.pid == pid:
                proc.popen.wait(timeout=10)
                del self.procs[name]

    # ---------------------------------------------------------------- Slack side
    def channel_posts(self, channel: str, card: str) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages(channel) if card in json.dumps(m)]

    # ---------------------------------------------------------------- a card's story
    def create_card(self, card: str, user: str = "U0LEAD", extra: str = "") -> None:
        """`/modelcard create CARD`, waited for until the dev channel is told."""
        answer = self.command(f'create {card} --owner team --problem-type "Churn" {extra}', user)
        assert answer.status == 200, answer.body
        assert "Creating" in answer.json["text"], answer.json
        wait_until(lambda: self.channel_posts("C0DEV", card), what=f"{card} in the dev channel")

    def submitted(self, card: str, extra: str = "") -> dict[str, Any]:
        """A new card, submitted by U0DS: its approval request."""
        self.create_card(card, extra=extra)
        assert self.command(f"submit {card}", "U0DS").status == 200
        request: dict[str, Any] = wait_until(
            lambda: self.channel_posts("C0APPROVE", card)[0], what=f"approval request for {card}"
        )
        # The request is posted before the worker writes the snapshot (written last): a click
        # must find the card settled in review, or it races the submit job's last effects.
        wait_until(
            lambda: "PendingReview" in json.dumps(self.command(f"show {card}", "U0DS").json),
            what=f"{card} settled in review",
        )
        return request

    def serves_after_restart(self, card: str, fresh: str) -> None:
        """After a Redis restart: the web answers for `card` from before, a new card `fresh`
        goes through, and every worker is still running."""
        shown = wait_until(
            lambda: (a := self.command(f"show {card}", "U0DS")).status == 200 and a,
            what="web back",
        )
        assert "Draft" in str(shown.json)
        self.create_card(fresh)
        assert self.card_status(fresh) == "Draft"
        assert len(self.workers) == 2
        assert all(w.poll() is None for w in self.workers)

    # ---------------------------------------------------------------- AWS side
    def moto_calls(self) -> list[dict[str, Any]]:  # type: ignore[override]
        calls = super().moto_calls()
        assert calls is not None, "the moto server does not answer"
        return calls

    def central(self, service: str) -> Any:
        """A client in the central account (as an auditor would look)."""
        return self.client_as(service, "arn:aws:iam::111111111111:role/auditor", "auditor")

    def client_as(self, service: str, role_arn: str, person: str) -> Any:
        """A person's own SDK client (their role, SourceIdentity = their Slack id)."""
        session = assumed_session(self.moto_url, REGION, role_arn, person)
        return session.client(service, endpoint_url=self.moto_url)  # type: ignore[call-overload]

    def card_status(self, name: str) -> str | None:
        try:
            return str(
                self.central("sagemaker").describe_model_card(ModelCardName=name)["ModelCardStatus"]
            )
        except Exception:
            return None
