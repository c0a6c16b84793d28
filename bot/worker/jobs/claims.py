"""The idempotency claim a job was enqueued under, and letting the person ask again."""

from __future__ import annotations

from bot.jobs import Job
from bot.outbox import Outbox


def idempotency_key(job: Job) -> str:
    """The claim under which the web process enqueued the job (released on failure)."""
    return job.args.get("idem", "")


def release_claim(outbox: Outbox, job: Job) -> None:
    """Let the person ask again once this job is done (the claim only stops doubles)."""
    if idempotency_key(job):
        outbox.release(idempotency_key(job))
