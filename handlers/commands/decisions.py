"""submit, approve, reject, archive: shared with the buttons and the reject form."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.web import WebClient

from bot.authz import DECISIONS
from bot.domain.review import check_version
from bot.domain.status import Action, plan_transition
from bot.errors import InputError
from bot.jobs import Job, JobKind
from bot.slack.command_line import CommandLine
from bot.slack.text import refusal
from handlers.commands.base import Reply, Subcommand, card_name, known_card, say
from handlers.common import WebDeps, enqueue, reply_job, transition_key

_TRANSITIONS = {
    "submit": (JobKind.SUBMIT, Action.SUBMIT, "Submitting `{}` for review…"),
    "approve": (JobKind.APPROVE, Action.APPROVE, "Approving `{}`…"),
    "reject": (JobKind.REJECT, Action.REJECT, "Rejecting `{}`…"),
    "archive": (JobKind.ARCHIVE, Action.ARCHIVE, "Archiving `{}`…"),
}


def queue_transition(
    d: WebDeps,
    kind: JobKind,
    action: Action,
    user: str,
    name: str,
    *,
    reason: str = "",
    response_url: str = "",
    channel: str = "",
    private: bool = False,
    version: int | None = None,
) -> str:
    """Shared by commands, buttons and the reject modal; returns the answer to show.
    `private`: the answer goes out as a private reply; a duplicate's is then queued with
    the duplicate's audit entry (one round trip) and "" is returned. A decision binds to the
    version under review: the one a button showed (refused when it is no longer under
    review), else the current one."""
    gated = bool(d.gates.required(action))
    decision = action in DECISIONS
    # Everything this request reads of the card, in one round trip.
    d.edge.load(name, authors=decision, content=gated, review=decision)
    d.authorize(user, action, name)
    snapshot = known_card(d, name)
    # A held out-of-band approval is Approved in AWS: a rejection ends it from there.
    held = bool(snapshot.held) and action is Action.REJECT
    if not held and plan_transition(name, action, snapshot.status) is None:
        return f"Model card `{name}` is already {snapshot.status}; nothing to do."
    cached = d.edge.content(name) if gated else None
    if cached is not None:  # not loaded yet: the worker checks against AWS
        d.gates.check(name, action, json.loads(cached))
    args = {"reason": reason} if reason else {}
    if decision:
        round_ = d.edge.review(name)
        if round_ is not None and round_.is_open:
            check_version(name, version, round_.version)
            version = round_.version
        if version is not None:
            args["version"] = str(version)
    job = Job(kind, user, name, args, reply_to=response_url, channel=channel)
    busy = f"Model card `{name}` already has a decision or move in progress."
    private_reply = (
        reply_job(user, refusal(busy), response_url=response_url, channel=channel)
        if private
        else None
    )
    key = transition_key(d, kind, name, user)
    if not enqueue(d, job, key, ttl=3600, refusal=private_reply) and private_reply is None:
        return busy
    return ""


def transition(sub: str) -> Subcommand:
    kind, action, busy = _TRANSITIONS[sub]

    def run(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
        usage = "/modelcard reject NAME REASON" if sub == "reject" else f"/modelcard {sub} NAME"
        name = card_name(line, usage)
        reason = " ".join(line.args[1:]).strip()
        if sub == "reject" and len(reason) < 3:
            raise InputError(f"Say why model card `{name}` is rejected: `{usage}`")
        if len(reason) > 1000:
            raise InputError(f"Keep the reason for `{name}` under 1,000 characters.")
        refusal = queue_transition(
            d,
            kind,
            action,
            body["user_id"],
            name,
            reason=reason,
            response_url=body.get("response_url", ""),
            channel=body.get("channel_id", ""),
        )
        if refusal or sub != "approve":
            return say(refusal or f":hourglass_flowing_sand: {busy.format(name)}")
        round_ = d.edge.review(name)  # read with the card already: no round trip
        which = f" v{round_.version}" if round_ is not None and round_.is_open else ""
        return say(f":hourglass_flowing_sand: Approving `{name}`{which} (under review now)…")

    return run
