"""create and edit: a job for the worker, or a form."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.web import WebClient

from bot.domain.content import minimal_content, validate_content
from bot.domain.names import name_problem
from bot.domain.review import check_edit_in_review
from bot.domain.status import Action, check_editable
from bot.errors import CardAlreadyExists, InputError
from bot.jobs import Job, JobKind
from bot.slack.command_line import CommandLine
from bot.slack.forms.create import create_modal
from bot.slack.forms.edit import edit_modal
from handlers.commands.base import Reply, card_name, known_card, say
from handlers.common import WebDeps, enqueue, with_channel


def create(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    # Name the card in a refusal when a valid one was typed.
    named = line.args[0] if line.args and name_problem(line.args[0]) is None else ""
    d.authorize(user, Action.CREATE, named)
    if not line.args and not line.options:
        view = with_channel(create_modal(), body.get("channel_id", ""))
        d.edge.settle()
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return {}
    name = card_name(
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
    return queue_create(d, user, name, line.options, body)


def queue_create(
    d: WebDeps, user: str, name: str, values: dict[str, str], body: dict[str, Any]
) -> Reply:
    if d.edge.snapshot(name) is not None:
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
        return say(f"Model card `{name}` is already being created; I'll report when it's done.")
    return say(f":hourglass_flowing_sand: Creating model card `{name}` as Draft…")


def edit(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    name = card_name(line, "/modelcard edit NAME")
    d.authorize(body["user_id"], Action.EDIT, name)
    d.edge.load(name, content=True)  # snapshot and content in one round trip
    snapshot = known_card(d, name)
    check_editable(name, snapshot.status)
    check_edit_in_review(name, snapshot.status, d.gov.edits_in_review)
    cached = d.edge.content(name)
    if cached is None:
        raise InputError(
            f"Model card `{name}` has not been loaded by the bot yet; try again in a minute."
        )
    view = with_channel(edit_modal(name, json.loads(cached)), body.get("channel_id", ""))
    d.edge.settle()
    client.views_open(trigger_id=body["trigger_id"], view=view)
    return {}
