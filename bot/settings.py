"""Process settings from the environment (names fixed by DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every field reads the upper-case env var of the same name, e.g. REDIS_URL."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    modelcard_config: Path = Path("governance.yml")
    redis_url: str = "redis://localhost:6379/0"
    # None: detect with `INFO cluster`; true/false forces the cluster or the single-node client.
    redis_cluster: bool | None = None
    aws_region: str | None = None
    aws_endpoint_url: str | None = None
    modelcard_events_queue_url: str | None = None
    modelcard_reconcile_seconds: float = Field(default=60.0, gt=0)
    # Not in DESIGN.md: seconds a job may stay unacknowledged before another worker takes it.
    modelcard_reclaim_seconds: float = Field(default=60.0, gt=0)
    port: int = Field(default=3000, ge=1, le=65535)
