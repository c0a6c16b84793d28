"""Slack user groups in the worker: members read with usergroups.users.list into the cache
(the edge's side, which only reads it, is `bot.store.usergroups`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot.errors import RetryLater
from bot.jobs import Job
from bot.store.usergroups import GroupMembers

log = logging.getLogger("modelcard_bot.worker")


class SlackGroupSync:
    """The worker's view of user groups: reads Slack when the cache is cold or stale."""

    def __init__(self, client: WebClient, cache: GroupMembers, groups: Iterable[str]) -> None:
        self._client = client
        self._cache = cache
        self._groups = list(dict.fromkeys(groups))

    @property
    def groups(self) -> list[str]:
        return list(self._groups)

    def members(self, group: str) -> frozenset[str] | None:
        return self._cache.members(group)

    def warm(self, groups: Sequence[str]) -> bool:
        self.refresh(groups)
        return True

    def members_now(self, group: str) -> list[str]:
        """The group's members, read from Slack first when the cache is cold."""
        found = self._cache.members(group)
        if found is None:
            return self._read(group)
        return sorted(found)

    def refresh(self, groups: Sequence[str] = ()) -> dict[str, int]:
        """Read the members of `groups` (default: all configured) into the cache."""
        counts: dict[str, int] = {}
        for group in groups or self._groups:
            if group not in self._groups:
                continue  # an event about a group the governance file does not use
            counts[group] = len(self._read(group))
        return counts

    def refresh_stale(self) -> dict[str, int]:
        """Refresh groups cold or past half their TTL (the periodic pass)."""
        left = self._cache.ages(self._groups)
        stale = [g for g, ttl in left.items() if ttl < self._cache.ttl // 2]
        return self.refresh(stale) if stale else {}

    def _read(self, group: str) -> list[str]:
        try:
            answer = self._client.usergroups_users_list(usergroup=group, include_disabled=False)
        except SlackApiError as err:
            response = err.response
            if response.status_code == 429 or response.status_code >= 500:
                raise RetryLater(f"Slack could not list user group {group}") from err
            # no_such_subteam, missing_scope, ...: nobody holds roles through it until fixed.
            log.error("usergroups.users.list failed for %s: %s", group, response.get("error", "?"))
            users: list[str] = []
        else:
            users = [str(u) for u in answer.get("users") or []]
        self._cache.put(group, users)
        return users

    def run_job(self, job: Job) -> None:
        groups = [g for g in job.args.get("groups", "").split(",") if g]
        counts = self.refresh(groups)
        log.info("user groups refreshed", extra={"groups": ",".join(counts)})
