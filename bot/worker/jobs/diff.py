"""`/modelcard diff`: what changed between two versions, read as the person's first role."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.authz import not_mapped_text
from bot.aws.sessions import Actor
from bot.domain.diff import compare, diff_content
from bot.errors import InputError, NotAllowed
from bot.jobs import Job, JobKind
from bot.slack.messages.diff import DiffVersion, diff_blocks, diff_text
from bot.worker.services import JobFamily

log = logging.getLogger("modelcard_bot.worker")


# A diff names the versions that touched each section by describing every version in
# between, up to this many; beyond, it compares the two ends only.
MAX_DIFF_STEPS = 10


class Diffs(JobFamily):
    """`/modelcard diff`: the changes between two versions of a card, read as the person."""

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return {JobKind.DIFF: self.diff}

    def _reader(self, job: Job) -> Actor:
        """Reading a card's versions needs an AWS role: the person's first mapped one."""
        role = self._authz.reader_role(job.user)
        if role is None:
            raise NotAllowed(not_mapped_text(job.user, "diff", job.card))
        return Actor(user_id=job.user, role_arn=role.role_arn)

    def diff(self, job: Job) -> None:
        actor = self._reader(job)
        latest = self._cards.describe(actor, job.card)
        old_v, new_v = _diff_versions(job, latest.version)
        records = {latest.version: latest}
        stepwise = new_v - old_v <= MAX_DIFF_STEPS
        for version in range(old_v, new_v + 1) if stepwise else (old_v, new_v):
            if version not in records:
                records[version] = self._cards.describe(actor, job.card, version)
        # Which versions touched each section: the diff of each version from the one before.
        steps = [
            (v, diff_content(records[v - 1].content, records[v].content))
            for v in range(old_v + 1, new_v + 1)
            if stepwise
        ]
        sections = compare(records[old_v].content, records[new_v].content, steps)
        seen = {v: (status, at, user) for v, status, at, user in self._state.versions(job.card)}

        def row(version: int, status: str) -> DiffVersion:
            if version in seen:
                status_seen, at, user = seen[version]
                return DiffVersion(version, status or status_seen, at, user)
            return DiffVersion(version, status, None, None)

        between = [row(v, "") for v in range(old_v + 1, new_v + 1)]
        self._notifier.reply(
            job,
            diff_text(job.card, old_v, new_v, sections),
            diff_blocks(
                job.card,
                row(old_v, str(records[old_v].status)),
                row(new_v, str(records[new_v].status)),
                sections,
                between,
            ),
        )


def _diff_versions(job: Job, latest: int) -> tuple[int, int]:
    """(older, newer) versions to compare: the job's, else the last two."""
    first, second = job.args.get("v1", ""), job.args.get("v2", "")
    if not first and not second:
        if latest < 2:
            raise InputError(
                f"Model card `{job.card}` has only version 1: nothing to compare yet. "
                f"Versions are made by content edits (`/modelcard edit {job.card}`)."
            )
        return latest - 1, latest
    try:
        old_v, new_v = sorted((int(first), int(second)))
    except ValueError:
        old_v = new_v = 0
    if old_v < 1 or old_v == new_v:
        raise InputError(
            f"Compare two different versions of `{job.card}`: `/modelcard diff {job.card} 1 2`."
        )
    missing = [v for v in (old_v, new_v) if v > latest]
    if missing:
        raise InputError(
            f"Model card `{job.card}` has versions 1 to {latest}; version "
            f"{missing[-1]} does not exist. Try `/modelcard diff {job.card} "
            f"{max(latest - 1, 1)} {latest}`."
        )
    return old_v, new_v
