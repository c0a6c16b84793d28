"""`/modelcard audit [NAME] [--since YYYY-MM-DD]`: the audit trail as CSV in S3, written as
the person's role and answered with a presigned link (like PDF exports)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from bot.domain.dates import parse_since
from bot.domain.status import Action
from bot.jobs import Job
from bot.slack.block_kit import Blocks, context, section
from bot.slack.messages.export import download_link
from bot.store.audit import AuditEvent
from bot.worker.jobs.export import export_target
from bot.worker.outcomes import job_event, release_claim
from bot.worker.services import JobFamily

LINK_SECONDS = 3600
COLUMNS = (
    "time",
    "person",
    "governance role",
    "IAM role",
    "action",
    "card",
    "version",
    "from → to",
    "result",
    "AWS request id",
    "reason",
)


def csv_row(event: AuditEvent) -> list[str]:
    when = dt.datetime.fromtimestamp(event.at, dt.UTC).isoformat(timespec="seconds")
    move = f"{event.source or '∅'} → {event.target}" if event.target else ""
    return [
        when,
        event.actor,
        event.role,
        event.role_arn,
        event.action,
        event.card,
        event.version,
        move,
        event.result,
        event.request_id,
        event.detail,
    ]


def to_csv(events: Sequence[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(csv_row(e) for e in events)
    return out.getvalue()


class AuditExport(JobFamily):
    """`/modelcard audit`: the audit trail as CSV in the export bucket, and a link to it."""

    def run(self, job: Job) -> None:
        try:
            self._export(job)
        finally:
            release_claim(self._outbox, job)

    def _export(self, job: Job) -> None:
        actor = self._authz.actor(job.user, Action.AUDIT, job.card)
        what = f"the audit trail of `{job.card}`" if job.card else "the audit trail"
        target = export_target(self._gov, f"Exporting {what}")
        since_text = job.args.get("since", "")
        since = parse_since(since_text) if since_text else 0.0
        events = self._audit.since(job.card, since)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        uri = f"{target}/audit/{job.card or 'all-cards'}-{stamp}-{job.id[:8]}.csv"
        request_id = self._cards.put_object(
            actor, uri, to_csv(events).encode("utf-8"), "text/csv; charset=utf-8"
        )
        url = self._cards.presigned_get(actor, uri, LINK_SECONDS)
        scope = f" since {since_text}" if since_text else ""
        text = (
            f"Audit export of {what}{scope}: {len(events)} event(s). "
            f"{download_link(url, 'Download the CSV')} (valid up to {LINK_SECONDS // 60} minutes)"
        )
        self._notifier.reply(job, text, _blocks(what, scope, len(events), url))
        self._audit.record(
            job_event(job, detail=f"{len(events)} rows{scope} {uri}", request_id=request_id)
        )


def _blocks(what: str, scope: str, count: int, url: str) -> Blocks:
    return [
        section(
            f":ledger: Audit export of {what}{scope}: *{count}* event(s).\n"
            + download_link(url, "Download the CSV")
        ),
        context(f"One row per event. The link works for up to {LINK_SECONDS // 60} minutes."),
    ]
