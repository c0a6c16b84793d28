"""`/modelcard export`: a PDF of the card's latest version and a link to it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.domain.status import Action, CardStatus
from bot.errors import InputError
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.slack.messages.export import ExportLink, export_blocks, export_text
from bot.slack.text import inline
from bot.worker.outcomes import job_event, release_claim
from bot.worker.services import JobFamily

log = logging.getLogger("modelcard_bot.worker")


EXPORT_LINK_SECONDS = 3600


def export_job_name(card: str, job_id: str) -> str:
    """The export job's name: the same for every attempt of one job (so a retry finds it)."""
    return f"{card[:38]}-{job_id[:24]}"


def export_target(gov: Governance, what: str) -> str:
    """Governance `export_s3_uri`, or the refusal saying `what` is not configured."""
    if not gov.export_s3_uri:
        raise InputError(
            f"{what} is not configured: an admin must set "
            "`export_s3_uri: s3://BUCKET/PREFIX` in the governance file."
        )
    return gov.export_s3_uri


class Exports(JobFamily):
    """`/modelcard export`: a PDF of the card's latest version."""

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return {JobKind.EXPORT: self.export}

    def export(self, job: Job) -> None:
        """PDF of the card's latest version: a private link, and for an Approved card the
        same link posted once (per version) in the channel of the Approved stage."""
        actor = self._authz.actor(job.user, Action.EXPORT, job.card)
        target = export_target(self._gov, f"PDF export of `{job.card}`")
        record = self._cards.describe(actor, job.card)
        export = self._cards.export_pdf(
            actor, record.name, export_job_name(record.name, job.id), target, record.version
        )
        version = export.version or record.version
        if export.status != "Completed" or not export.artifact_uri:
            reason = export.failure or f"the export job ended {export.status or 'without a file'}"
            self._audit.record(job_event(job, result="failed", detail=f"v{version}: {reason}"))
            release_claim(self._outbox, job)
            self._notifier.reply(
                job,
                f":x: The PDF export of model card `{job.card}` (v{version}) failed: "
                f"{inline(reason, 500)}. Try again with `/modelcard export {job.card}`; if it "
                "fails again, ask an admin to check the export bucket and the export job in the "
                "SageMaker console.",
            )
            return
        url = self._cards.presigned_get(actor, export.artifact_uri, EXPORT_LINK_SECONDS)
        link = ExportLink(
            card=record.name,
            version=version,
            status=str(record.status),
            url=url,
            expires_minutes=EXPORT_LINK_SECONDS // 60,
            by=job.user,
        )
        self._notifier.reply(job, export_text(link), export_blocks(link))
        posted = ""
        stage = self._gov.stage_for_status(CardStatus.APPROVED)
        if record.status is CardStatus.APPROVED and stage is not None:
            self._notifier.post_once(
                f"export:{record.name}:v{version}",
                stage[1].channel,
                export_text(link),
                export_blocks(link, for_channel=True),
            )
            posted = f"; posted to stage {stage[0]}"
        self._audit.record(job_event(job, detail=f"v{version} {export.artifact_uri}{posted}"))
        release_claim(self._outbox, job)
