"""The web app served over real HTTP, the worker in-process, the fake Slack Web API, a real
Redis-protocol server and moto (in-process) — the parts a Slack story test needs."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import yaml
from werkzeug.serving import make_server

from bot.app import Core, build_core, build_worker, create_wsgi
from bot.domain.status import Action
from bot.local.fake_slack import FakeSlack
from bot.local.redis_server import RedisServer
from bot.local.slack_driver import SlackDriver
from bot.local.slack_requests import SIGNING_SECRET, SlackSender
from bot.settings import Settings
from bot.worker.runner import Worker
from tests.aws_fixtures import REGION, AwsWorld


@dataclass
class Stack(SlackDriver):
    fake: FakeSlack
    sender: SlackSender
    worker: Worker
    core: Core
    aws: AwsWorld

    def drain(self) -> int:
        return self.worker.drain()

    def ephemeral_texts(self, user: str) -> list[str]:
        return [e["text"] for e in self.fake.ephemerals(user=user)]

    def card_status(self, name: str) -> str:
        lead = self.aws.actor("U0LEAD", Action.CREATE)
        return str(self.aws.cards.describe(lead, name).status)


def write_governance(aws: AwsWorld, path: Path) -> Path:
    path.write_text(yaml.safe_dump(json.loads(aws.gov.model_dump_json()), sort_keys=False))
    return path


def stack_settings(
    aws: AwsWorld, redis_server: RedisServer, tmp_path: Path, slack_api_url: str, **extra: str
) -> Settings:
    """Settings of a test stack: the fake Slack, the test Redis, this governance file."""
    return Settings(
        slack_bot_token="xoxb-test-token",  # type: ignore[arg-type]
        slack_signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        slack_api_url=slack_api_url,
        modelcard_config=write_governance(aws, tmp_path / "governance.yml"),
        redis_url=redis_server.url,
        aws_region=REGION,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def stack(
    aws: AwsWorld, redis_server: RedisServer, redis_client: redis.Redis, tmp_path: Path
) -> Iterator[Stack]:
    fake = FakeSlack().start()
    core = build_core(stack_settings(aws, redis_server, tmp_path, fake.api_url))
    server = make_server("127.0.0.1", 0, create_wsgi(core), threaded=True)
    # A short poll interval: shutdown() waits for the loop to notice (0.5 s by default).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    worker = build_worker(core, consumer="test-worker")
    try:
        yield Stack(
            fake=fake,
            sender=SlackSender(f"http://127.0.0.1:{server.server_port}"),
            worker=worker,
            core=core,
            aws=aws,
        )
    finally:
        server.shutdown()
        fake.stop()
