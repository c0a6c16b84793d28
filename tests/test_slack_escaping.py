"""Every private answer escapes what a person typed: `<!channel>`, mentions, links and `&`
in a name, an option, a status, a version, a content value or a reason are shown, never
acted on (Slack reads a reply's `text` and its blocks as mrkdwn)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.jobs import Job, JobKind
from bot.local.slack_requests import Response
from bot.slack.ids import APPROVE_ACTION, REJECT_ACTION
from tests.slack_helpers import (
    APPR,
    DS,
    LEAD,
    create_card,
    submit_card,
)
from tests.slack_stack import Stack

EVIL = "<!channel> <@U123> <https://x|y> &"
RAW = ("<!channel>", "<@U123>", "<https://x|y>")
CARD = "churn-escape"


def raw(message: dict[str, Any]) -> str:
    """A reply as Slack receives it: its text and blocks, entities left as they are."""
    return str(message.get("text", "")) + json.dumps(message.get("blocks", []))


def assert_escaped(text: str, *, all_parts: bool = True) -> None:
    for part in RAW:
        assert part not in text, text
    assert "&lt;!channel&gt;" in text, text
    if all_parts:
        assert "&lt;@U123&gt;" in text, text
        assert "&lt;https://x|y&gt;" in text, text
        assert "&amp;" in text, text


def refused(answer: Response) -> str:
    assert answer.status == 200, answer.body
    assert answer.json["response_type"] == "ephemeral"
    assert answer.json["text"].startswith(":warning:"), answer.json
    return raw(answer.json)


def everything_sent(stack: Stack) -> str:
    """Every message, update, ephemeral and response_url post the fake Slack received."""
    return json.dumps([call.params for call in stack.fake.snapshot()], ensure_ascii=False)


@pytest.mark.parametrize(
    ("command", "all_parts"),
    [
        (f'show "{EVIL}"', True),
        (f'history "{EVIL}"', True),
        (f'list "{EVIL}"', True),
        (f'edit "{EVIL}"', True),
        (f'reject "{EVIL}" not good enough', True),
        (f'create {CARD} --owner o --problem-type p "--{EVIL}" v', True),
        (f'create {CARD} --owner o --problem-type p --risk "{EVIL}"', True),
        (f'create "{EVIL}" --owner o --problem-type p', True),
        (f'diff "{EVIL}"', True),
        (f'diff {CARD} "{EVIL}" 2', False),  # the version is clipped to 20 characters
    ],
    ids=[
        "show",
        "history",
        "list-status",
        "edit",
        "reject-name",
        "create-unknown-option",
        "create-content-value",
        "create-name",
        "diff-name",
        "diff-version",
    ],
)
def test_refusals_escape_what_was_typed(stack: Stack, command: str, all_parts: bool) -> None:
    assert_escaped(refused(stack.command(command, LEAD)), all_parts=all_parts)
    stack.drain()
    for part in RAW:
        assert part not in everything_sent(stack)


def test_unknown_subcommand_is_escaped(stack: Stack) -> None:
    answer = stack.command(f'"{EVIL}"', LEAD)
    assert "Unknown subcommand" in answer.json["text"]
    text = raw(answer.json)
    for part in RAW:
        assert part not in text


def test_forged_button_value_is_escaped_in_the_private_answer(stack: Stack) -> None:
    for action in (APPROVE_ACTION, REJECT_ACTION):
        url = stack.fake.response_url(f"forged-{action}", user=APPR, channel="C0APPROVE")
        answer = stack.sender.action(action, EVIL, APPR, response_url=url, channel_id="C0APPROVE")
        assert answer.status == 200
        stack.drain()
        [reply] = stack.fake.responses(f"forged-{action}")
        assert_escaped(raw(reply))


def test_a_refusal_from_the_worker_is_escaped(stack: Stack) -> None:
    """A job the edge would refuse (a forged card name) still gets an escaped answer."""
    job = Job(kind=JobKind.EDIT, user=DS, card=EVIL, args={"values": "{}"}, channel="C0GENERAL")
    stack.core.outbox.enqueue(job)
    stack.drain()
    [reply] = [e for e in stack.fake.ephemerals(user=DS) if "&lt;!channel&gt;" in raw(e)]
    assert reply["text"].startswith(":warning:")
    assert_escaped(raw(reply))


def test_reject_reason_is_shown_never_acted_on(stack: Stack) -> None:
    create_card(stack, CARD)
    submit_card(stack, CARD)
    answer = stack.command(f"reject {CARD} {EVIL}", APPR)
    assert "Rejecting" in answer.json["text"]
    stack.drain()
    assert stack.card_status(CARD) == "Draft"
    sent = everything_sent(stack)
    for part in RAW:
        assert part not in sent
    decided = [m for m in stack.fake.messages("C0APPROVE") if CARD in raw(m)]
    assert_escaped(raw(decided[-1]))
