"""`/modelcard audit [NAME] [--since YYYY-MM-DD]`: checked here, written by the worker
(`bot/worker/audit_export.py`)."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient

from bot.domain.dates import parse_since
from bot.domain.names import validate_name
from bot.domain.status import Action
from bot.errors import CardNotFound, InputError
from bot.jobs import Job, JobKind
from bot.slack.command_line import CommandLine
from handlers.commands.base import say
from handlers.common import WebDeps, enqueue

USAGE = "/modelcard audit [NAME] [--since YYYY-MM-DD]"


def audit_command(
    d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient
) -> dict[str, Any]:
    user = body["user_id"]
    if len(line.args) > 1:
        raise InputError(f"`/modelcard audit` takes at most one card name: `{USAGE}`")
    name = validate_name(line.args[0]) if line.args else ""
    d.authorize(user, Action.AUDIT, name)
    since = line.options.get("since", "")
    if since:
        parse_since(since)
    # A deleted card keeps its audit trail: it may still be exported.
    if name and d.edge.snapshot(name) is None and not d.audit.for_card(name, count=1):
        raise CardNotFound(name)
    what = f"the audit trail of `{name}`" if name else "the audit trail"
    if not d.gov.export_s3_uri:
        return say(
            f"Exporting {what} is not configured for this workspace: a modelcard-bot admin "
            "must set `export_s3_uri: s3://BUCKET/PREFIX` in the governance file."
            + (f" Meanwhile `/modelcard history {name}` shows it." if name else "")
        )
    job = Job(
        kind=JobKind.AUDIT,
        user=user,
        card=name,
        args={"since": since} if since else {},
        reply_to=body.get("response_url", ""),
        channel=body.get("channel_id", ""),
    )
    if not enqueue(d, job, f"audit:{name or '*'}:{user}", ttl=900):
        return say(f"Your export of {what} is still running; I'll send the link when it's ready.")
    scope = f" since {since}" if since else ""
    return say(f":hourglass_flowing_sand: Exporting {what}{scope} as CSV… I'll send you a link.")
