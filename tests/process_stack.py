"""Real processes for end-to-end and fault tests: a Redis-protocol server (append-only, so
a restart loses nothing), the moto server with tests/moto_shim.py, the fake Slack Web API,
gunicorn serving the web app, and `python -m bot worker` processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import yaml

from tests.fake_slack import FakeSlack
from tests.redis_server import RedisServer
from tests.slack_driver import SlackDriver
from tests.slack_requests import SIGNING_SECRET, SlackSender

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


def governance_for_tests(path: Path) -> Path:
    """The example file plus what a moto world needs: invitation roles in the stage accounts
    (moto has no Organization with fixed account ids) and the automation role."""
    data = yaml.safe_load((ROOT / "config" / "governance.example.yml").read_text())
    for stage in data["stages"].values():
        stage["invitation_role_arn"] = f"arn:aws:iam::{stage['account']}:role/modelcard-accept"
    data["automation_role_arn"] = "arn:aws:iam::111111111111:role/mc-automation"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


class ProcessStack(SlackDriver):
    def __init__(self, tmp: Path, *, reclaim_seconds: float = 2.0, reconcile_seconds: float = 3600):
        self.tmp = tmp
        self.redis = RedisServer(appendonly=True)
        self.fake = FakeSlack()
        self.moto_port = free_port()
        self.web_port = free_port()
        self.reclaim_seconds = reclaim_seconds
        self.reconcile_seconds = reconcile_seconds
        self._moto: subprocess.Popen[bytes] | None = None
        self._web: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []  # the live ones
        self._spawned = 0
        self.sender = SlackSender(f"http://127.0.0.1:{self.web_port}")

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
        env.update(
            {
                "SLACK_BOT_TOKEN": "xoxb-test-token",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.fake.api_url,
                "MODELCARD_CONFIG": str(governance_for_tests(self.tmp / "governance.yml")),
                "REDIS_URL": self.redis.url,
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ENDPOINT_URL": self.moto_url,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "MODELCARD_RECLAIM_SECONDS": str(self.reclaim_seconds),
                "MODELCARD_RECONCILE_SECONDS": str(self.reconcile_seconds),
                "PORT": str(self.web_port),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - lives with the process
        return subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=log, stderr=log)

    def start(self, workers: int = 2) -> ProcessStack:
        self.redis.start()
        self.fake.start()
        self._moto = self._spawn(
            [sys.executable, "-m", "tests.moto_shim", "--port", str(self.moto_port)], "moto"
        )
        wait_until(lambda: self.moto_calls() is not None, what="moto server")
        self._web = self._spawn(
            [
                sys.executable, "-m", "gunicorn", "bot.app:wsgi_from_env()",
                "--bind", f"127.0.0.1:{self.web_port}", "--workers", "2", "--threads", "8",
            ],
            "web",
        )  # fmt: skip
        wait_until(lambda: self.sender.get("/healthz").status == 200, what="web /healthz")
        for _ in range(workers):
            self.start_worker()
        return self

    def start_worker(self) -> subprocess.Popen[bytes]:
        self._spawned += 1
        proc = self._spawn(
            [sys.executable, "-m", "bot", "worker", "--consumers", "1"],
            f"worker{self._spawned}",
        )
        self.workers.append(proc)
        return proc

    def kill_worker(self, pid: int) -> None:
        """kill -9 one worker; it leaves `workers`, which lists the live ones."""
        os.kill(pid, signal.SIGKILL)
        for proc in list(self.workers):
            if proc.pid == pid:
                proc.wait(timeout=10)
                self.workers.remove(proc)

    def stop(self) -> None:
        for proc in [*self.workers, self._web, self._moto]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, self._web, self._moto]:
            if proc is not None:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.fake.stop()
        self.redis.stop()

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text()[-3000:]}" for p in self.tmp.glob("*.log"))

    # ---------------------------------------------------------------- Slack side
    def channel_posts(self, channel: str, card: str) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages(channel) if card in json.dumps(m)]

    # ---------------------------------------------------------------- AWS side
    def moto_calls(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.moto_url}/_shim/calls", timeout=5) as answer:
            calls: list[dict[str, Any]] = json.loads(answer.read())
            return calls

    def clear_moto_calls(self) -> None:
        request = urllib.request.Request(f"{self.moto_url}/_shim/calls/clear", method="POST")
        urllib.request.urlopen(request, timeout=5).close()

    def moto_fail(self, action: str, count: int, code: str = "ThrottlingException") -> None:
        body = json.dumps({"action": action, "count": count, "code": code}).encode()
        request = urllib.request.Request(f"{self.moto_url}/_shim/fail", data=body, method="POST")
        urllib.request.urlopen(request, timeout=5).close()

    def central(self, service: str) -> Any:
        """A client in the central account (as an auditor would look)."""
        sts = boto3.client(
            "sts", region_name=REGION, endpoint_url=self.moto_url,
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        creds = sts.assume_role(
            RoleArn="arn:aws:iam::111111111111:role/auditor",
            RoleSessionName="auditor",
            SourceIdentity="auditor",
        )["Credentials"]
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name=REGION,
            endpoint_url=self.moto_url,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def card_status(self, name: str) -> str | None:
        try:
            return str(
                self.central("sagemaker").describe_model_card(ModelCardName=name)["ModelCardStatus"]
            )
        except Exception:
            return None
