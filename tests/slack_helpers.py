"""Small helpers shared by the Slack surface tests (refusals and features).

They read what a person would see (ack answers, ephemerals, posted blocks) and, for the
"nothing happened" checks only, the outbox stream and the AWS calls moto served.
"""

from __future__ import annotations

import html
import json
from typing import Any

from bot.domain.status import Action
from bot.local import moto_ext
from bot.local.slack_requests import Response
from bot.slack.ids import APPROVE_ACTION, REJECT_ACTION
from tests.slack_stack import Stack

LEAD, DS, MLE, APPR, DSAP, ADMIN, NOBODY = (
    "U0LEAD",
    "U0DS",
    "U0MLE",
    "U0APPR",
    "U0DSAP",
    "U0ADMIN",
    "U0NOBODY",
)


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def text_of(message: dict[str, Any] | None) -> str:
    """Everything a person reads in a message or view: its blocks and its text, with
    Slack's `&lt;` `&gt;` `&amp;` escapes shown as the characters Slack displays."""
    if not message:
        return ""
    return html.unescape(json_text(message.get("blocks", [])) + str(message.get("text", "")))


def answer_text(answer: Response) -> str:
    """What the slash command's ack shows (text and blocks)."""
    assert answer.status == 200, answer.body
    assert isinstance(answer.json, dict), f"no JSON answer: {answer.body!r}"
    return text_of(answer.json)


def actions_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def button_texts(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for e in actions_of(message) if e.get("type") == "button"]


class Quiet:
    """Records the outbox length and clears moto's call log; `check` drains the worker and
    asserts that only the allowed private replies were queued and AWS was never called."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        moto_ext.clear_calls()
        self.before = stack.core.redis.xlen(stack.core.keys.jobs)

    def kinds(self) -> list[str]:
        entries = self.stack.core.redis.xrange(self.stack.core.keys.jobs)
        return [json.loads(fields["job"])["kind"] for _id, fields in entries[self.before :]]

    def check(self, replies: int = 0) -> None:
        """`replies`: private answers a button refusal posts through the worker."""
        assert self.kinds() == ["reply"] * replies
        if replies == 0:
            assert self.stack.core.redis.xlen(self.stack.core.keys.jobs) == self.before
        self.stack.drain()
        assert moto_ext.calls() == []


def create_card(stack: Stack, name: str, user: str = LEAD, extra: str = "") -> None:
    answer = stack.command(
        f'create {name} --owner model-owner --problem-type "Customer Churn Model" {extra}', user
    )
    assert f"Creating model card `{name}`" in answer_text(answer)
    stack.drain()
    assert stack.card_status(name) == "Draft"


def submit_card(stack: Stack, name: str, user: str = DS) -> dict[str, Any]:
    """Submit for review; returns the approval request message."""
    assert "Submitting" in answer_text(stack.command(f"submit {name}", user))
    stack.drain()
    assert stack.card_status(name) == "PendingReview"
    requests = [m for m in stack.fake.messages("C0APPROVE") if name in text_of(m)]
    assert len(requests) == 1
    return requests[0]


def approve_card(stack: Stack, name: str, user: str = APPR) -> None:
    assert "Approving" in answer_text(stack.command(f"approve {name}", user))
    stack.drain()
    assert stack.card_status(name) == "Approved"


def click_button(stack: Stack, action_id: str, user: str, message: dict[str, Any]) -> Response:
    """Click Approve/Reject on an approval request in the approvals channel."""
    assert action_id in (APPROVE_ACTION, REJECT_ACTION)
    return stack.click(action_id, user, message, "C0APPROVE")


def card_content(stack: Stack, name: str) -> tuple[int, dict[str, Any]]:
    """(version, content) of the card in AWS."""
    record = stack.aws.cards.describe(stack.aws.actor(LEAD, Action.CREATE), name)
    return record.version, record.content
