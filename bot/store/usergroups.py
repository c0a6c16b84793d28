"""Members of Slack user groups, cached in Redis with a TTL (the worker fills it with
usergroups.users.list, `bot.worker.usergroups`; the edge only reads it and, when it is cold,
queues a refresh for the worker, never calling Slack)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from bot.jobs import Job, JobKind
from bot.outbox import Outbox
from bot.store.keys import Keys

# A group's members are re-read at least this often; events refresh them sooner.
DEFAULT_TTL_SECONDS = 3600
REFRESH_CLAIM_SECONDS = 10  # one queued refresh per group at a time from the edge


class GroupDirectory(Protocol):
    """Who is in a user group, as far as the cache knows."""

    def members(self, group: str) -> frozenset[str] | None:
        """The group's members, or None when not loaded (cold)."""
        ...

    def warm(self, groups: Sequence[str]) -> bool:
        """Try to load cold `groups`; True when they are loaded now."""
        ...


class GroupMembers:
    def __init__(
        self, redis: Any, keys: Keys | None = None, ttl: int = DEFAULT_TTL_SECONDS
    ) -> None:
        self._redis = redis
        self._keys = keys or Keys()
        self._ttl = ttl

    def members(self, group: str) -> frozenset[str] | None:
        raw = self._redis.get(self._keys.group_members(group))
        return None if raw is None else frozenset(json.loads(raw))

    def warm(self, groups: Sequence[str]) -> bool:
        return False  # a plain cache reader: loading is the worker's job

    def put(self, group: str, users: Iterable[str]) -> None:
        value = json.dumps(sorted(set(users)))
        self._redis.set(self._keys.group_members(group), value, ex=self._ttl)

    def ages(self, groups: Sequence[str]) -> dict[str, int]:
        """Seconds left before each cached group goes cold (-2: not cached)."""
        pipe = self._redis.pipeline(transaction=False)
        for group in groups:
            pipe.ttl(self._keys.group_members(group))
        return {g: int(t) for g, t in zip(groups, pipe.execute(), strict=True)}

    @property
    def ttl(self) -> int:
        return self._ttl


class QueuedGroupRefresh:
    """The edge's view: the cache only; a cold group queues a refresh for the worker."""

    def __init__(self, cache: GroupMembers, outbox: Outbox) -> None:
        self._cache = cache
        self._outbox = outbox

    def members(self, group: str) -> frozenset[str] | None:
        return self._cache.members(group)

    def warm(self, groups: Sequence[str]) -> bool:
        queue_refresh(self._outbox, groups, key=f"usergroups:cold:{','.join(sorted(groups))}")
        return False


def queue_refresh(outbox: Outbox, groups: Sequence[str], key: str) -> bool:
    job = Job(kind=JobKind.REFRESH_GROUPS, user="", args={"groups": ",".join(groups)})
    return outbox.enqueue(job, key, ttl_seconds=REFRESH_CLAIM_SECONDS)
