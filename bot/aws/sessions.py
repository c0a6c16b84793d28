"""Per-person AWS credentials: every call runs as the IAM role mapped to a Slack user.

`sts:AssumeRole` sets RoleSessionName and SourceIdentity to the Slack user id, so CloudTrail
in every account shows who acted. When `bot_role_arn` is set, the bot first assumes its own
role and chains from it (the bot's base identity only needs permission to assume that role).

The worker's consumers share one RoleSessions. An STS call waits only for the other callers
of the same (person, role), which then use its session; callers of other roles go on, and a
cached session never waits for anyone's STS call. Clients are made one at a time, because a
boto3 session is not thread safe.
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
        # Guards the maps only; never held during a call to AWS.
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], _Entry] = {}
        # Per (session name, role): held by the one thread assuming that role for that person.
        self._assuming: dict[tuple[str, str], threading.Lock] = {}
        self._making = threading.Lock()

    @property
    def region(self) -> str:
        return self._region

    def client(self, actor: Actor, service: str) -> Any:
        """A boto3 client acting as `actor`; clients are reused while the credentials last."""
        entry = self._entry(actor.user_id, actor.role_arn)
        with self._lock:
            client = entry.clients.get(service)
        if client is None:
            made = self._make_client(entry.credentials, service)
            with self._lock:  # two callers may have made one: both use the first kept
                client = entry.clients.setdefault(service, made)
        return client

    def bot_client(self, service: str) -> Any:
        """A client as the bot itself (its role if configured), for its own queue only."""
        creds = self._bot_entry().credentials if self._bot_role_arn else None
        return self._make_client(creds, service)

    def _make_client(self, credentials: dict[str, str] | None, service: str) -> Any:
        # Every client comes from the one base session, so botocore loads each service
        # model once per process rather than once per person.
        with self._making:
            return self._base.client(
                service,
                region_name=self._region,
                endpoint_url=self._endpoint_url,
                config=self._config,
                **(credentials or {}),
            )

    def _fresh(self, key: tuple[str, str]) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry.expires_at - _REFRESH_MARGIN_SECONDS <= self._clock():
            return None
        return entry

    def _session(self, key: tuple[str, str], assume: Callable[[], _Entry]) -> _Entry:
        """The cached session for `key`, else the one `assume` gets, once for all callers."""
        entry = self._fresh(key)
        if entry is not None:
            return entry
        with self._lock:
            gate = self._assuming.setdefault(key, threading.Lock())
        with gate:
            entry = self._fresh(key)  # assumed by the caller this one waited for
            if entry is None:
                entry = assume()
                with self._lock:
                    self._entries[key] = entry
        return entry

    def _entry(self, user_id: str, role_arn: str) -> _Entry:
        def assume() -> _Entry:
            # A person's gate is taken before the bot role's, never the other way round.
            base = self._bot_entry().credentials if self._bot_role_arn else None
            return self._assume(base, role_arn, user_id)

        return self._session((user_id, role_arn), assume)

    def _bot_entry(self) -> _Entry:
        role_arn = self._bot_role_arn
        assert role_arn is not None
        # No SourceIdentity here: STS keeps the first one set along a role chain, and the
        # person's id must be the one CloudTrail shows.
        return self._session(
            (_BOT_SESSION_NAME, role_arn),
            lambda: self._assume(None, role_arn, _BOT_SESSION_NAME, source=None),
        )

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
