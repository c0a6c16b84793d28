from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import botocore.loaders
import botocore.session
import pytest
import redis

from bot.local.redis_server import RedisServer

pytest_plugins = ["tests.aws_fixtures", "tests.slack_stack"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = ROOT / "config" / "governance.example.yml"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis_server.client()
    client.flushdb()
    yield client
    client.close()


@functools.cache
def _shared_loader(data_path: str = "") -> botocore.loaders.Loader:
    return botocore.loaders.create_loader(data_path)


@pytest.fixture(scope="session", autouse=True)
def shared_botocore_loader() -> Iterator[None]:
    """Every assumed-role session builds its own botocore session, which parses the large
    SageMaker and RAM service models again (about 0.3 s per person per test). The models are
    read-only data: share one loader so each is parsed once per test run."""
    original = botocore.session.create_loader
    botocore.session.create_loader = _shared_loader  # type: ignore[assignment]
    try:
        yield
    finally:
        botocore.session.create_loader = original
