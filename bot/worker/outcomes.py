"""What becomes of a job that did not complete: its audit entry, its idempotency claim
released (so the person may ask again), and who is told (the person, the ops channel)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.errors import ModelCardBotError
from bot.jobs import Job
from bot.outbox import Outbox
from bot.slack.block_kit import section
from bot.slack.notifier import SlackNotifier
from bot.slack.text import escape
from bot.store.audit import AuditEvent, AuditLog

log = logging.getLogger("modelcard_bot.worker")


def idempotency_key(job: Job) -> str:
    """The claim under which the web process enqueued the job (released on failure)."""
    return job.args.get("idem", "")


def release_claim(outbox: Outbox, job: Job) -> None:
    """Let the person ask again once this job is done (the claim only stops doubles)."""
    if idempotency_key(job):
        outbox.release(idempotency_key(job))


def job_event(
    job: Job,
    result: str = "ok",
    detail: str = "",
    request_id: str = "",
    *,
    action: str = "",
    source: str = "",
    target: str = "",
) -> AuditEvent:
    """The audit entry of what `job` did or how it ended, for the person who asked; the
    action is the job's kind unless named."""
    return AuditEvent(
        actor=job.user,
        action=action or str(job.kind),
        card=job.card,
        source=source,
        target=target,
        result=result,
        detail=detail[:500],
        request_id=request_id,
    )


class DeadLetters:
    """A job that kept failing: buried in the dead-letter stream, audited, and reported in
    the ops channel and to the person (`/modelcard admin retry` puts it back)."""

    def __init__(
        self, outbox: Outbox, audit: AuditLog, notifier: SlackNotifier, ops_channel: str | None
    ) -> None:
        self._outbox = outbox
        self._audit = audit
        self._notifier = notifier
        self._ops_channel = ops_channel

    def __call__(self, job: Job, reason: str) -> None:
        self._outbox.bury(job, reason)
        self._audit.record(job_event(job, "dead", reason))
        # The reason may quote AWS or Python error text: shown, never acted on.
        text = ":rotating_light: " + escape(
            f"Job {job.kind} for `{job.card or '-'}` by {job.user or 'the bot'} "
            f"failed: {reason[:500]}. Retry with `/modelcard admin retry`."
        )
        # Buried and audited above; telling is best effort: a Slack refusal here must neither
        # lose the job's entry nor stop the consumer that buried it.
        if self._ops_channel:
            self._tell(
                job,
                lambda: self._notifier.post_once(
                    f"dead:{job.id}", self._ops_channel or "", text, [section(text)]
                ),
            )
        if job.user:
            told = escape(
                f"Your {job.kind} of `{job.card}` could not be completed: {reason[:300]}."
            )
            self._tell(
                job, lambda: self._notifier.reply(job, f":x: {told} An admin has been told.")
            )

    def _tell(self, job: Job, send: Callable[[], object]) -> None:
        try:
            send()
        except (SlackApiError, ModelCardBotError) as err:
            log.warning("dead letter not reported to Slack: %s", err, extra={"job": job.id})
