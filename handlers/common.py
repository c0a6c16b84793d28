"""Helpers shared by the listeners: dependencies, enqueueing, private answers."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack
from slack_sdk.web import WebClient

from bot.authz import Authorizer
from bot.domain.status import Action
from bot.edge import PENDING, EdgeRequest
from bot.gatekeeper import Gatekeeper
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.outbox import Outbox, Submission
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardState
from bot.store.keys import Keys
from bot.store.wire import Wire


@dataclass(frozen=True)
class WebServices:
    """What the web process needs: governance and Redis only, never AWS. Bound into each
    listener by its module's `register(app, services)`."""

    gov: Governance
    state: CardState
    audit: AuditLog
    outbox: Outbox
    authz: Authorizer
    gates: Gatekeeper
    wire: Wire
    keys: Keys

    def begin(self) -> WebDeps:
        """A listener's first call: this request's reads and writes (bot/edge.py)."""
        groups = tuple(self.gov.usergroups)
        edge = EdgeRequest(self.wire, self.keys, self.outbox, PENDING.get(), groups)
        return WebDeps(self, edge)


class WebDeps:
    """One request: the services and what it has read so far (read once, passed on)."""

    __slots__ = ("audit", "authz", "edge", "gates", "gov", "outbox", "state")

    def __init__(self, services: WebServices, edge: EdgeRequest) -> None:
        self.gov = services.gov
        self.state = services.state
        self.audit = services.audit
        self.outbox = services.outbox
        self.authz = services.authz.for_request(edge.members)
        self.gates = services.gates
        self.edge = edge

    def authorize(self, user: str, action: Action, card: str = "") -> None:
        """Authorizer.actor with the card's authors read through this request."""
        self.authz.actor(user, action, card, authors=self.edge.authors)


def enqueue(
    d: WebDeps, job: Job, key: str = "", ttl: int = 86400, refusal: Job | None = None
) -> bool:
    """Queue the job under an idempotency key (kept in the job so a failure releases it),
    with its audit entry, or `refusal` instead when the key is taken: one round trip."""
    if key:
        job = Job(
            kind=job.kind,
            user=job.user,
            card=job.card,
            args={**job.args, "idem": key},
            reply_to=job.reply_to,
            channel=job.channel,
            id=job.id,
            requested_at=job.requested_at,
        )
    audit = AuditEvent(actor=job.user, action=f"request:{job.kind}", card=job.card)
    return d.edge.submit(Submission(job, key, ttl, audit=audit, refusal=refusal))


def reply_job(
    user: str,
    text: str,
    *,
    response_url: str = "",
    channel: str = "",
    blocks: list[dict[str, Any]] | None = None,
    replace: bool = False,
) -> Job:
    """A private answer decided at the edge, for the worker to post (queue it with
    `d.edge.submit`: that keeps Slack calls out of the ack path)."""
    args = {"text": text}
    if blocks:
        args["blocks"] = json.dumps(blocks)
    if replace:
        args["replace"] = "1"
    return Job(kind=JobKind.REPLY, user=user, args=args, reply_to=response_url, channel=channel)


def decision_key(d: WebDeps, card: str) -> str:
    """One decision per review round and version: approve and reject share a key; after an
    edit during review the new version is a new round. The key stays the same once the
    round is decided: the worker records the decision before the AWS update and writes the
    snapshot last, so a click in between is the same decision (a duplicate), not a second
    job that would settle the effects again."""
    round_ = d.edge.review(card)
    if round_ is not None:
        return f"decide:{card}:{round_.opened_at}:v{round_.version}"
    snapshot = d.edge.snapshot(card)
    return f"decide:{card}:{snapshot.updated_at if snapshot else 0}"


def transition_key(d: WebDeps, kind: JobKind, card: str, user: str = "") -> str:
    if kind is JobKind.APPROVE and d.gov.may_need_several_approvals:
        return f"{decision_key(d, card)}:{user}"  # each approver counts once
    if kind in (JobKind.APPROVE, JobKind.REJECT):
        return decision_key(d, card)
    snapshot = d.edge.snapshot(card)
    return f"{kind}:{card}:{snapshot.updated_at if snapshot else 0}"


def with_channel(view: dict[str, Any], channel: str) -> dict[str, Any]:
    """Remember where the modal was opened, so the worker can answer there privately."""
    raw = view.get("private_metadata") or "{}"
    meta = json.loads(raw) if raw.startswith("{") else {}
    meta["channel"] = channel
    return {**view, "private_metadata": json.dumps(meta, separators=(",", ":"))}


def routed(
    web: WebServices,
    table: Mapping[str, Callable[..., None]],
    route: Callable[[dict[str, Any]], str],
) -> tuple[re.Pattern[str], Callable[..., None]]:
    """One bolt listener for a table of handlers: the pattern matching exactly the table's
    ids, and a listener calling the handler `route(body)` names with `web` and the arguments
    it takes (ack, body, client). One listener instead of one per id because bolt checks
    the listeners one by one, building every listener argument for each check (~25 µs of
    CPU each, more with cold caches): a modal submission went through all the buttons'."""
    pattern = re.compile("^(?:" + "|".join(re.escape(key) for key in table) + ")$")
    takes = {key: _arguments(handle) for key, handle in table.items()}

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        key = route(body)
        given = {"ack": ack, "body": body, "client": client}
        table[key](web, **{name: given[name] for name in takes[key]})

    return pattern, listener


def _arguments(handle: Callable[..., None]) -> tuple[str, ...]:
    """What `handle` takes after `web`, by name (bolt's names: ack, body, client)."""
    names = tuple(inspect.signature(handle).parameters)[1:]
    unknown = set(names) - {"ack", "body", "client"}
    if unknown:
        raise TypeError(f"{handle.__name__} takes {sorted(unknown)}: not a bolt argument here")
    return names
