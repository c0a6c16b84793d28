"""Modal submissions: create, edit, reject reason. Field errors are shown in the modal
(`response_action: errors`); accepted submissions become jobs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot.domain.content import content_problems, minimal_content
from bot.domain.names import name_problem
from bot.domain.review import check_edit_in_review
from bot.domain.status import Action
from bot.errors import InputError, ModelCardBotError
from bot.jobs import Job, JobKind
from bot.slack.forms.create import create_errors, create_values
from bot.slack.forms.edit import apply_edit, edit_errors
from bot.slack.forms.fields import parse_metadata
from bot.slack.ids import CREATE_VIEW, EDIT_VIEW, REJECT_VIEW
from bot.slack.text import refusal
from handlers.commands.decisions import queue_transition
from handlers.common import WebServices, enqueue, reply_job, routed


def _values(body: dict[str, Any]) -> dict[str, Any]:
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    if not isinstance(values, dict):
        raise InputError("The form came back malformed; open it again.")
    return values


def _channel(body: dict[str, Any]) -> str:
    try:
        return parse_metadata((body.get("view") or {}).get("private_metadata", "")).get(
            "channel", ""
        )
    except ModelCardBotError:
        return ""


def handle_create(web: WebServices, ack: Ack, body: dict[str, Any]) -> None:
    d = web.begin()
    user = body["user"]["id"]
    try:
        d.authorize(user, Action.CREATE)
        values = create_values(_values(body))
    except ModelCardBotError as err:
        ack(response_action="errors", errors={"name": str(err)[:150]})
        return
    name = values["name"]
    problem = name_problem(name)
    if problem:
        ack(response_action="errors", errors={"name": problem[:150]})
        return
    if d.edge.snapshot(name) is not None:
        ack(
            response_action="errors",
            errors={"name": f"`{name}` already exists; pick another name."},
        )
        return
    try:
        content = minimal_content(
            values["owner"],
            values["problem_type"],
            values["description"] or None,
            values["risk"] or None,
        )
    except InputError as err:  # a blank owner or problem type (spaces pass Slack's check)
        block = "owner" if not values["owner"] else "problem_type"
        ack(response_action="errors", errors={block: str(err)[:150]})
        return
    problems = content_problems(content)
    if problems:
        ack(response_action="errors", errors=create_errors(problems))
        return
    ack()
    channel = _channel(body)
    job = Job(kind=JobKind.CREATE, user=user, card=name, args=values, channel=channel)
    busy = reply_job(user, f"`{name}` is already being created.", channel=channel)
    enqueue(d, job, f"create:{name}", ttl=600, refusal=busy)


def handle_edit(web: WebServices, ack: Ack, body: dict[str, Any]) -> None:
    d = web.begin()
    user = body["user"]["id"]
    try:
        card = parse_metadata(body["view"].get("private_metadata", "")).get("card", "")
        d.edge.load(card, content=True)  # snapshot and content in one round trip
        d.authorize(user, Action.EDIT, card)
        snapshot = d.edge.snapshot(card)
        if snapshot is not None:
            check_edit_in_review(card, snapshot.status, d.gov.edits_in_review)
        cached = d.edge.content(card)
        current = json.loads(cached) if cached else {}
        values = _values(body)
        problems = content_problems(apply_edit(current, values))
    except ModelCardBotError as err:
        ack(response_action="errors", errors={"overview": str(err)[:150]})
        return
    if problems:
        ack(response_action="errors", errors=edit_errors(problems))
        return
    ack()
    job = Job(
        kind=JobKind.EDIT,
        user=user,
        card=card,
        args={"values": json.dumps(values)},
        channel=_channel(body),
    )
    enqueue(d, job)


def handle_reject_reason(web: WebServices, ack: Ack, body: dict[str, Any]) -> None:
    d = web.begin()
    user = body["user"]["id"]
    try:
        card = parse_metadata(body["view"].get("private_metadata", "")).get("card", "")
        reason = str((_values(body).get("reason", {}).get("reason", {}) or {}).get("value") or "")
        if len(reason.strip()) < 3:
            ack(response_action="errors", errors={"reason": "Say why, in a few words."})
            return
        answer = queue_transition(
            d,
            JobKind.REJECT,
            Action.REJECT,
            user,
            card,
            reason=reason.strip(),
            channel=_channel(body),
            private=True,
        )
    except ModelCardBotError as err:
        ack(response_action="errors", errors={"reason": str(err)[:150]})
        return
    ack()
    if answer:
        d.edge.submit(reply_job(user, refusal(answer), channel=_channel(body)))


def register(app: App, web: WebServices) -> None:
    listeners: dict[str, Callable[..., None]] = {
        CREATE_VIEW: handle_create,
        EDIT_VIEW: handle_edit,
        REJECT_VIEW: handle_reject_reason,
    }
    pattern, listener = routed(web, listeners, lambda body: str(body["view"]["callback_id"]))
    app.view(pattern)(listener)
