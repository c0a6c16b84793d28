"""Helpers shared by the listeners: dependencies, enqueueing, private answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext

from bot.authz import Authorizer
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.outbox import Outbox
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardState


@dataclass(frozen=True)
class WebDeps:
    """What the web process needs: governance and Redis only, never AWS."""

    gov: Governance
    state: CardState
    audit: AuditLog
    outbox: Outbox
    authz: Authorizer


def deps(context: BoltContext) -> WebDeps:
    found: WebDeps = context["deps"]
    return found


def enqueue(d: WebDeps, job: Job, key: str = "", ttl: int = 86400) -> bool:
    """Queue the job under an idempotency key (kept in the job so a failure releases it)."""
    if key:
        job = Job(**{**job.__dict__, "args": {**job.args, "idem": key}})
    added = d.outbox.enqueue(job, key, ttl_seconds=ttl)
    d.audit.record(
        AuditEvent(
            actor=job.user,
            action=f"request:{job.kind}",
            card=job.card,
            result="queued" if added else "duplicate",
        )
    )
    return added


def reply_later(
    d: WebDeps,
    user: str,
    text: str,
    *,
    response_url: str = "",
    channel: str = "",
    blocks: list[dict[str, Any]] | None = None,
    replace: bool = False,
) -> None:
    """A private answer posted by the worker (keeps Slack calls out of the ack path)."""
    args = {"text": text}
    if blocks:
        args["blocks"] = json.dumps(blocks)
    if replace:
        args["replace"] = "1"
    d.outbox.enqueue(
        Job(kind=JobKind.REPLY, user=user, args=args, reply_to=response_url, channel=channel)
    )


def decision_key(d: WebDeps, card: str) -> str:
    """One decision per review round: approve and reject of the same round share a key."""
    snapshot = d.state.get(card)
    round_id = snapshot.updated_at if snapshot else 0
    return f"decide:{card}:{round_id}"


def transition_key(d: WebDeps, kind: JobKind, card: str, user: str = "") -> str:
    if kind is JobKind.APPROVE and d.gov.may_need_several_approvals:
        return f"{decision_key(d, card)}:{user}"  # each approver counts once
    if kind in (JobKind.APPROVE, JobKind.REJECT):
        return decision_key(d, card)
    snapshot = d.state.get(card)
    return f"{kind}:{card}:{snapshot.updated_at if snapshot else 0}"


def with_channel(view: dict[str, Any], channel: str) -> dict[str, Any]:
    """Remember where the modal was opened, so the worker can answer there privately."""
    raw = view.get("private_metadata") or "{}"
    meta = json.loads(raw) if raw.startswith("{") else {}
    meta["channel"] = channel
    return {**view, "private_metadata": json.dumps(meta, separators=(",", ":"))}
