"""Per-person AWS credentials: every call runs as the IAM role mapped to a Slack user.

`sts:AssumeRole` sets RoleSessionName and SourceIdentity to the Slack user id, so CloudTrail
in every account shows who acted. When `bot_role_arn` is set, the bot first assumes its own
role and chains from it (the bot's base identity only needs permission to assume that role).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from bot.aws.errors import translate

# botocore's standard mode retries throttling and 5xx with backoff (DESIGN: reliability).
BOTO_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=5,
    read_timeout=30,
)
_REFRESH_MARGIN_SECONDS = 300.0
_SESSION_SECONDS = 3600
_BOT_SESSION_NAME = "modelcard-bot"


@dataclass(frozen=True)
class Actor:
    """A person acting through the bot: Slack user id and the IAM role mapped to them."""

    user_id: str
    role_arn: str


@dataclass
class _Entry:
    # None: the base credentials (the bot's own identity).
    credentials: dict[str, str] | None
    expires_at: float
    clients: dict[str, Any]


class RoleSessions:
    """Caches one assumed-role session per (user, role) until shortly before it expires."""

    def __init__(
        self,
        *,
        region: str,
        endpoint_url: str | None = None,
        bot_role_arn: str | None = None,
        base_session: boto3.Session | None = None,
        config: Config = BOTO_CONFIG,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._region = region
        self._endpoint_url = endpoint_url
        self._bot_role_arn = bot_role_arn
        self._base = base_session or boto3.Session(region_name=region)
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], _Entry] = {}

    @property
    def region(self) -> str:
        return self._region

    def client(self, actor: Actor, service: str) -> Any:
        """A boto3 client acting as `actor`; clients are reused while the credentials last."""
        with self._lock:
            entry = self._entry(actor.user_id, actor.role_arn)
            client = entry.clients.get(service)
            if client is None:
                client = self._make_client(entry.credentials, service)
                entry.clients[service] = client
            return client

    def bot_client(self, service: str) -> Any:
        """A client as the bot itself (its role if configured), for its own queue only."""
        with self._lock:
            creds = self._bot_entry().credentials if self._bot_role_arn else None
            return self._make_client(creds, service)

    def _make_client(self, credentials: dict[str, str] | None, service: str) -> Any:
        # Every client comes from the one base session, so botocore loads each service
        # model once per process rather than once per person.
        return self._base.client(
            service,
            region_name=self._region,
            endpoint_url=self._endpoint_url,
            config=self._config,
            **(credentials or {}),
        )

    def _entry(self, user_id: str, role_arn: str) -> _Entry:
        key = (user_id, role_arn)
        entry = self._entries.get(key)
        if entry is None or entry.expires_at - _REFRESH_MARGIN_SECONDS <= self._clock():
            if self._bot_role_arn:
                entry = self._assume(self._bot_entry().credentials, role_arn, user_id)
            else:
                entry = self._assume(None, role_arn, user_id)
            self._entries[key] = entry
        return entry

    def _bot_entry(self) -> _Entry:
        assert self._bot_role_arn is not None
        key = (_BOT_SESSION_NAME, self._bot_role_arn)
        entry = self._entries.get(key)
        if entry is None or entry.expires_at - _REFRESH_MARGIN_SECONDS <= self._clock():
            # No SourceIdentity here: STS keeps the first one set along a role chain, and
            # the person's id must be the one CloudTrail shows.
            entry = self._assume(None, self._bot_role_arn, _BOT_SESSION_NAME, source=None)
            self._entries[key] = entry
        return entry

    def _assume(
        self,
        base: dict[str, str] | None,
        role_arn: str,
        session_name: str,
        source: str | None = "",
    ) -> _Entry:
        sts = self._make_client(base, "sts")
        params: dict[str, Any] = {
            "RoleArn": role_arn,
            "RoleSessionName": session_name,
            "DurationSeconds": _SESSION_SECONDS,
        }
        if source is not None:
            params["SourceIdentity"] = source or session_name
        try:
            answer = sts.assume_role(**params)
        except Exception as err:
            raise translate(err, action=f"sts:AssumeRole on {role_arn}") from err
        creds = answer["Credentials"]
        credentials = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
        return _Entry(credentials, expires_at=creds["Expiration"].timestamp(), clients={})
