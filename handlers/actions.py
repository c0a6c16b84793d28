"""Buttons: Approve / Reject on approval requests, list paging, admin delete.

A button's `value` only names the card (and, on approval requests, the version shown: a
click on an older version is refused); who may act is decided from governance and Redis.
Refusals are posted privately by the worker (no Slack call before the ack), except the
Reject modal, opened at once with the fresh trigger_id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.web import WebClient

from bot.domain.names import validate_name
from bot.domain.review import check_version, parse_review_value
from bot.domain.status import Action, CardStatus
from bot.errors import CardNotFound, InputError, ModelCardBotError
from bot.jobs import Job, JobKind
from bot.slack.forms.reject import reject_modal
from bot.slack.ids import ADMIN_DELETE_ACTION, APPROVE_ACTION, LIST_NEXT_ACTION, REJECT_ACTION
from bot.slack.messages.cards import parse_list_page
from bot.slack.text import refusal
from handlers.commands.decisions import queue_transition
from handlers.commands.reading import list_reply
from handlers.common import WebDeps, WebServices, enqueue, reply_job, routed, with_channel


def _action_id(body: dict[str, Any]) -> str:
    """The id bolt matched: the first block action's, else the payload's callback id."""
    if body.get("type") == "block_actions":
        return str(body["actions"][0]["action_id"])
    return str(body.get("callback_id", ""))


def _card_of(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    value = actions[0].get("value", "")
    if not isinstance(value, str):
        raise InputError("This button carries no model card name.")
    return validate_name(value)


def _review_of(body: dict[str, Any]) -> tuple[str, int]:
    """(card, version) an Approve / Reject button was shown for; only detects staleness."""
    return parse_review_value((body.get("actions") or [{}])[0].get("value"))


def _where(body: dict[str, Any]) -> dict[str, str]:
    channel = (body.get("channel") or {}).get("id", "")
    return {"response_url": body.get("response_url", ""), "channel": channel}


def _refuse(d: WebDeps, body: dict[str, Any], text: str) -> None:
    where = _where(body)
    d.edge.submit(
        reply_job(
            body["user"]["id"],
            refusal(text),
            response_url=where["response_url"],
            channel=where["channel"],
        )
    )


def handle_approve(web: WebServices, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    d = web.begin()
    try:
        card, version = _review_of(body)
        answer = queue_transition(
            d,
            JobKind.APPROVE,
            Action.APPROVE,
            body["user"]["id"],
            card,
            private=True,
            version=version,
            **_where(body),
        )
    except ModelCardBotError as err:
        answer = str(err)
    if answer:
        _refuse(d, body, answer)


def handle_reject(web: WebServices, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    d = web.begin()
    try:
        card, version = _review_of(body)
        d.edge.load(card, authors=True, review=True)  # one round trip for all of it
        d.authorize(body["user"]["id"], Action.REJECT, card)
        snapshot = d.edge.snapshot(card)
        if snapshot is None:
            raise CardNotFound(card)
        round_ = d.edge.review(card)
        if round_ is not None and round_.is_open:
            check_version(card, version, round_.version)
        if snapshot.status is not CardStatus.PENDING_REVIEW:
            raise InputError(
                f"Model card `{card}` is {snapshot.status}; "
                "only PendingReview cards can be rejected."
            )
    except ModelCardBotError as err:
        _refuse(d, body, str(err))
        return
    view = with_channel(reject_modal(card), _where(body)["channel"])
    d.edge.settle()
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_list_next(web: WebServices, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    d = web.begin()
    try:
        value = (body.get("actions") or [{}])[0].get("value", "")
        raw_status, after = parse_list_page(str(value))
        status = CardStatus.parse(raw_status) if raw_status else None
    except ModelCardBotError:
        _refuse(d, body, "This page button is out of date; run `/modelcard list` again.")
        return
    page = list_reply(d, status, after)
    where = _where(body)
    d.edge.submit(
        reply_job(
            body["user"]["id"],
            page["text"],
            blocks=page.get("blocks"),
            replace=True,
            response_url=where["response_url"],
            channel=where["channel"],
        )
    )


def handle_admin_delete(web: WebServices, ack: Ack, body: dict[str, Any]) -> None:
    ack()
    d = web.begin()
    user = body["user"]["id"]
    try:
        card = _card_of(body)
        d.authorize(user, Action.DELETE, card)
        if d.edge.snapshot(card) is None:
            raise CardNotFound(card)
    except ModelCardBotError as err:
        _refuse(d, body, str(err))
        return
    where = _where(body)
    job = Job(
        kind=JobKind.DELETE,
        user=user,
        card=card,
        reply_to=where["response_url"],
        channel=where["channel"],
    )
    busy = refusal(f"Model card `{card}` is already being deleted.")
    busy_reply = reply_job(user, busy, response_url=where["response_url"], channel=where["channel"])
    enqueue(d, job, f"delete:{card}", ttl=600, refusal=busy_reply)


def register(app: App, web: WebServices) -> None:
    listeners: dict[str, Callable[..., None]] = {
        APPROVE_ACTION: handle_approve,
        REJECT_ACTION: handle_reject,
        LIST_NEXT_ACTION: handle_list_next,
        ADMIN_DELETE_ACTION: handle_admin_delete,
    }
    pattern, listener = routed(web, listeners, _action_id)
    app.action(pattern)(listener)
