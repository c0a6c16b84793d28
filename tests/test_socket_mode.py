"""Socket Mode (`python -m bot socket`): the HTTP app's handlers, reached over a local fake of
Slack's Socket Mode WebSocket, with Redis, moto (in-process) and the fake Web API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import redis

from bot.app import Core, build_core, build_worker
from bot.cli import main
from bot.domain.status import Action
from bot.local.redis_server import RedisServer
from bot.local.slack_payloads import slash_command
from bot.socket_mode import run_socket
from tests.aws_fixtures import AwsWorld
from tests.fake_socket_mode import FakeSocketMode, SocketFakeSlack
from tests.slack_stack import stack_settings

APP_TOKEN = "xapp-1-A0APP-1-test"
CARD = "sm-card"


@dataclass
class SocketStack:
    socket: FakeSocketMode
    fake: SocketFakeSlack
    core: Core
    aws: AwsWorld
    _n: int = 0

    def command(self, text: str, user: str, channel: str = "C0GENERAL") -> dict[str, Any]:
        """Push a `/modelcard` slash_commands envelope; return the app's ack."""
        self._n += 1
        url = self.fake.response_url(f"sock{self._n}", channel=channel, user=user)
        form = slash_command(text, user, response_url=url, channel_id=channel)
        payload = dict(parse_qsl(form.decode(), keep_blank_values=True))
        envelope_id = self.socket.send_envelope("slash_commands", payload)
        return self.socket.wait_ack(envelope_id)

    def card_status(self, name: str) -> str:
        lead = self.aws.actor("U0LEAD", Action.CREATE)
        return str(self.aws.cards.describe(lead, name).status)


@pytest.fixture
def socket_stack(
    aws: AwsWorld, redis_server: RedisServer, redis_client: redis.Redis, tmp_path: Path
) -> Iterator[SocketStack]:
    socket = FakeSocketMode().start()
    fake = SocketFakeSlack(socket)
    fake.start()
    settings = stack_settings(aws, redis_server, tmp_path, fake.api_url, slack_app_token=APP_TOKEN)
    core = build_core(settings)
    stop = threading.Event()
    thread = threading.Thread(target=run_socket, args=(core, stop), daemon=True)
    thread.start()
    try:
        socket.wait_connected()
        yield SocketStack(socket=socket, fake=fake, core=core, aws=aws)
    finally:
        stop.set()
        # The builtin client's close waits out its socket read timeout (about 3 s).
        thread.join(timeout=10)
        socket.stop()
        fake.stop()
    assert not thread.is_alive()


def test_socket_mode_story(socket_stack: SocketStack) -> None:
    stack = socket_stack
    [opened] = stack.fake.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert opened.ok

    ack = stack.command(f"create {CARD} --owner o --problem-type p", "U0LEAD")
    assert f"Creating model card `{CARD}`" in ack["payload"]["text"]
    assert stack.fake.messages("C0DEV") == []

    worker = build_worker(stack.core, consumer="socket-test-worker")
    assert worker.drain() >= 1
    assert stack.card_status(CARD) == "Draft"
    [dev] = stack.fake.messages("C0DEV")
    assert CARD in str(dev.get("blocks")) + dev.get("text", "")

    ack = stack.command(f"show {CARD}", "U0LEAD")
    shown = str(ack["payload"])
    assert CARD in shown
    assert "Draft" in shown

    ack = stack.command("create other-card --owner o --problem-type p", "U0NOBODY")
    assert "(U0NOBODY) is not mapped to a governance role" in str(ack["payload"])
    assert worker.drain() == 0


def test_socket_needs_an_app_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    assert main(["socket"]) == 1
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-not-an-app-token")
    assert main(["socket"]) == 1
    assert "xapp-" in capsys.readouterr().err
