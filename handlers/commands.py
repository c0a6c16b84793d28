"""`/modelcard`: parse, authorize, validate, then enqueue a job or open a modal, and ack.

Answers come in the ack (ephemeral); nothing here calls AWS, and the only Slack call is
`views.open` with the fresh trigger_id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient

from bot.domain.content import minimal_content, validate_content
from bot.domain.names import name_problem, validate_name
from bot.domain.status import Action, CardStatus, check_editable, plan_transition
from bot.errors import (
    CardAlreadyExists,
    CardNotFound,
    InputError,
    ModelCardBotError,
    NotAllowed,
)
from bot.gatekeeper import Gatekeeper
from bot.jobs import Job, JobKind
from bot.slack.block_kit import section
from bot.slack.command_line import CommandLine, parse
from bot.slack.forms.create import create_modal
from bot.slack.forms.edit import edit_modal
from bot.slack.messages.cards import card_blocks, card_list_blocks, history_blocks, shares_blocks
from bot.slack.messages.help import help_blocks, help_text
from bot.slack.text import clip, escape, not_mapped_text
from bot.store.cards import CardSnapshot
from handlers.common import WebDeps, deps, enqueue, transition_key, with_channel

ADMIN_DELETE_ACTION = "modelcard_admin_delete"
LIST_PAGE = 20

Reply = dict[str, Any]
Subcommand = Callable[[WebDeps, CommandLine, dict[str, Any], WebClient], Reply]


def _say(text: str, extra: list[dict[str, Any]] | None = None) -> Reply:
    answer: Reply = {"response_type": "ephemeral", "text": text}
    if extra is not None:
        answer["blocks"] = extra
    return answer


def _name(line: CommandLine, usage: str) -> str:
    if not line.args:
        raise InputError(f"Which model card? Usage: `{usage}`")
    return validate_name(line.args[0])


def _known(d: WebDeps, name: str) -> CardSnapshot:
    snapshot = d.state.get(name)
    if snapshot is None:
        raise CardNotFound(name)
    return snapshot


def _help(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    return _say(help_text(), help_blocks())


def _create(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    # Name the card in a refusal when a valid one was typed.
    named = line.args[0] if line.args and name_problem(line.args[0]) is None else ""
    d.authz.actor(user, Action.CREATE, named)
    if not line.args and not line.options:
        view = with_channel(create_modal(), body.get("channel_id", ""))
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return {}
    name = _name(
        line,
        '/modelcard create NAME --owner OWNER --problem-type "PROBLEM"',
    )
    if len(line.args) > 1:
        raise InputError(
            f"`/modelcard create {name}` takes one name; put multi-word values in quotes, "
            'e.g. --problem-type "Customer Churn Model".'
        )
    missing = [f"--{o}" for o in ("owner", "problem-type") if not line.options.get(o)]
    if missing:
        raise InputError(
            f"Model card `{name}` needs {' and '.join(missing)}: "
            f'`/modelcard create {name} --owner OWNER --problem-type "PROBLEM"` '
            "(or `/modelcard create` alone for a form)."
        )
    return _queue_create(d, user, name, line.options, body)


def _queue_create(
    d: WebDeps, user: str, name: str, values: dict[str, str], body: dict[str, Any]
) -> Reply:
    if d.state.get(name) is not None:
        raise CardAlreadyExists(name)
    try:
        content = minimal_content(
            values.get("owner", ""),
            values.get("problem-type", values.get("problem_type", "")),
            values.get("description") or None,
            values.get("risk") or None,
        )
    except InputError as err:
        raise InputError(f"Model card `{name}`: {err}") from None
    validate_content(name, content)
    job = Job(
        kind=JobKind.CREATE,
        user=user,
        card=name,
        args={
            "owner": values.get("owner", ""),
            "problem_type": values.get("problem-type", values.get("problem_type", "")),
            "description": values.get("description", ""),
            "risk": values.get("risk", ""),
        },
        reply_to=body.get("response_url", ""),
        channel=body.get("channel_id", ""),
    )
    if not enqueue(d, job, f"create:{name}", ttl=600):
        return _say(f"Model card `{name}` is already being created; I'll report when it's done.")
    return _say(f":hourglass_flowing_sand: Creating model card `{name}` as Draft…")


def _edit(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    name = _name(line, "/modelcard edit NAME")
    d.authz.actor(body["user_id"], Action.EDIT, name)
    snapshot = _known(d, name)
    check_editable(name, snapshot.status)
    cached = d.state.content(name)
    if cached is None:
        raise InputError(
            f"Model card `{name}` has not been loaded by the bot yet; try again in a minute."
        )
    view = with_channel(edit_modal(name, json.loads(cached)), body.get("channel_id", ""))
    client.views_open(trigger_id=body["trigger_id"], view=view)
    return {}


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
) -> str:
    """Shared by commands, buttons and the reject modal; returns the answer to show."""
    d.authz.actor(user, action, name)
    snapshot = _known(d, name)
    if plan_transition(name, action, snapshot.status) is None:
        return f"Model card `{name}` is already {snapshot.status}; nothing to do."
    gates = Gatekeeper(d.gov)
    cached = d.state.content(name) if gates.required(action) else None
    if cached is not None:  # not loaded yet: the worker checks against AWS
        gates.check(name, action, json.loads(cached))
    job = Job(
        kind=kind,
        user=user,
        card=name,
        args={"reason": reason} if reason else {},
        reply_to=response_url,
        channel=channel,
    )
    if not enqueue(d, job, transition_key(d, kind, name, user), ttl=3600):
        return f"Model card `{name}` already has a decision or move in progress."
    return ""


def _transition(sub: str) -> Subcommand:
    kind, action, busy = _TRANSITIONS[sub]

    def run(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
        usage = "/modelcard reject NAME REASON" if sub == "reject" else f"/modelcard {sub} NAME"
        name = _name(line, usage)
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
        return _say(refusal or f":hourglass_flowing_sand: {busy.format(name)}")

    return run


def _show(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    snapshot = _known(d, _name(line, "/modelcard show NAME"))
    shares = [
        (stage, d.gov.stages[stage].account, str(d.gov.stages[stage].access))
        for stage in snapshot.shared_stages
        if stage in d.gov.stages
    ]
    return _say(
        f"Model card {snapshot.name}: {snapshot.status}",
        card_blocks(snapshot, region=d.gov.region, shares=shares),
    )


def list_reply(d: WebDeps, status: CardStatus | None, after: str = "") -> Reply:
    cards, cursor = d.state.page(status, after=after, limit=LIST_PAGE)
    return _say(
        f"{d.state.count(status)} model card(s)",
        card_list_blocks(
            cards,
            status=str(status) if status else None,
            total=d.state.count(status),
            next_cursor=cursor,
            region=d.gov.region,
        ),
    )


def _list(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    if len(line.args) > 1:
        raise InputError("Usage: `/modelcard list [Draft|PendingReview|Approved|Archived]`")
    status = CardStatus.parse(line.args[0]) if line.args else None
    return list_reply(d, status)


def _history(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    name = _name(line, "/modelcard history NAME")
    _known(d, name)
    versions = [(v, s, at) for v, s, at, _user in d.state.versions(name)]
    history = history_blocks(name, versions, d.audit.for_card(name, count=30))
    return _say(f"History of model card {name}", history)


def _shares(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    snapshot = _known(d, _name(line, "/modelcard shares NAME"))
    rows = [
        (stage, d.gov.stages[stage].account, str(d.gov.stages[stage].access), "ASSOCIATED")
        for stage in snapshot.shared_stages
        if stage in d.gov.stages
    ]
    return _say(f"Shares of model card {snapshot.name}", shares_blocks(snapshot.name, rows))


def _export(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    name = _name(line, "/modelcard export NAME")
    d.authz.actor(user, Action.EXPORT, name)
    _known(d, name)
    if not d.gov.export_s3_uri:
        return _say(
            f"PDF export of `{name}` is not configured for this workspace: a modelcard-bot "
            "admin must set `export_s3_uri: s3://BUCKET/PREFIX` in the governance file "
            "(a bucket in the cards' region). Meanwhile use the SageMaker console's Export "
            "action on the card."
        )
    job = Job(
        kind=JobKind.EXPORT,
        user=user,
        card=name,
        reply_to=body.get("response_url", ""),
        channel=body.get("channel_id", ""),
    )
    # The claim only stops doubles: the worker releases it when the export is done.
    if not enqueue(d, job, f"export:{name}:{user}", ttl=900):
        return _say(
            f"Your PDF export of `{name}` is still running; I'll send the link when it's ready."
        )
    return _say(
        f":hourglass_flowing_sand: Exporting model card `{name}` as PDF… "
        "I'll send you a download link when it's ready."
    )


def _diff(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    usage = "/modelcard diff NAME [V1 V2]"
    name = _name(line, usage)
    versions = line.args[1:]
    if len(versions) not in (0, 2):
        raise InputError(
            f"Give two versions of `{name}` to compare, or none for the last two: `{usage}`, "
            f"e.g. `/modelcard diff {name} 1 3`."
        )
    numbers: list[int] = []
    for text in versions:
        number = text.lower().removeprefix("v")
        if not number.isdigit() or len(number) > 6 or int(number) < 1:
            shown = escape(clip(text, 20))
            raise InputError(
                f"`{shown}` is not a version of `{name}`: versions are numbers from 1 "
                f"(see `/modelcard history {name}`)."
            )
        numbers.append(int(number))
    if numbers and numbers[0] == numbers[1]:
        raise InputError(f"Compare two different versions of `{name}`, e.g. `{usage}`.")
    if not d.gov.is_mapped(user):
        raise NotAllowed(not_mapped_text(user, "diff", name))
    _known(d, name)
    args = {"v1": str(min(numbers)), "v2": str(max(numbers))} if numbers else {}
    d.outbox.enqueue(
        Job(
            kind=JobKind.DIFF,
            user=user,
            card=name,
            args=args,
            reply_to=body.get("response_url", ""),
            channel=body.get("channel_id", ""),
        )
    )
    which = f"v{args['v1']} and v{args['v2']}" if args else "its last two versions"
    return _say(f":hourglass_flowing_sand: Comparing {which} of model card `{name}`…")


def _admin(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    what = line.args[0].lower() if line.args else ""
    if what == "retry":
        d.authz.actor(user, Action.RETRY)
        moved = d.outbox.requeue_dead()
        return _say(f"Re-queued {moved} dead-letter job(s).")
    if what == "delete":
        rest = CommandLine(sub="delete", args=line.args[1:])
        name = _name(rest, "/modelcard admin delete NAME")
        d.authz.actor(user, Action.DELETE, name)
        _known(d, name)
        return _say(f"Delete model card {name}?", _delete_confirm(name))
    raise InputError("Usage: `/modelcard admin delete NAME` or `/modelcard admin retry`.")


def _delete_confirm(name: str) -> list[dict[str, Any]]:
    return [
        section(
            f"Delete model card `{name}` for good? Its shares are revoked first. "
            "This cannot be undone."
        ),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": ADMIN_DELETE_ACTION,
                    "text": {"type": "plain_text", "text": "Delete"},
                    "style": "danger",
                    "value": name,
                    "confirm": {
                        "title": {"type": "plain_text", "text": "Delete model card?"},
                        "text": {"type": "plain_text", "text": f"{name} will be deleted."},
                        "confirm": {"type": "plain_text", "text": "Delete"},
                        "deny": {"type": "plain_text", "text": "Cancel"},
                        "style": "danger",
                    },
                }
            ],
        },
    ]


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": _help,
    "create": _create,
    "edit": _edit,
    "submit": _transition("submit"),
    "approve": _transition("approve"),
    "reject": _transition("reject"),
    "archive": _transition("archive"),
    "show": _show,
    "list": _list,
    "history": _history,
    "diff": _diff,
    "shares": _shares,
    "export": _export,
    "admin": _admin,
}


def handle_modelcard(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    d = deps(context)
    try:
        line = parse(body.get("text", ""))
        run = SUBCOMMANDS.get(line.sub)
        if run is None:
            shown = escape(clip(line.sub, 40))
            ack(
                **_say(
                    f"Unknown subcommand `{shown}`. Here is what I can do:",
                    [section(f"Unknown subcommand `{shown}`."), *help_blocks()],
                )
            )
            return
        ack(**run(d, line, body, client))
    except ModelCardBotError as err:
        ack(**_say(f":warning: {err}"))


def register(app: App) -> None:
    app.command("/modelcard")(handle_modelcard)
