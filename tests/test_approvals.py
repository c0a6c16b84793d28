"""`min_approvals`: distinct approvers, none of them an author, before a card is Approved."""

from __future__ import annotations

import json

import pytest

from bot.slack.ids import APPROVE_ACTION
from tests.aws_fixtures import AwsWorld
from tests.gov_override import two_approvers
from tests.slack_stack import Stack


@pytest.fixture
def aws(aws: AwsWorld) -> AwsWorld:
    return two_approvers(aws)


def approval_message(stack: Stack, card: str) -> dict:
    return next(m for m in stack.fake.messages("C0APPROVE") if card in json.dumps(m))


def under_review(stack: Stack, card: str, submitter: str) -> dict:
    """Create `card` as U0LEAD and submit it as `submitter`; its approval request."""
    stack.command(f"create {card} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    stack.command(f"submit {card}", submitter)
    stack.drain()
    return approval_message(stack, card)


def test_two_distinct_approvers_are_needed(stack: Stack) -> None:
    request = under_review(stack, "twice", "U0DS")

    stack.click(APPROVE_ACTION, "U0APPR", request, "C0APPROVE")
    stack.drain()
    assert stack.card_status("twice") == "PendingReview"
    assert any("recorded (1 of 2)" in t for t in stack.ephemeral_texts("U0APPR"))
    waiting = approval_message(stack, "twice")
    assert "Approve" in json.dumps(waiting)  # still open
    assert stack.fake.messages("C0PROD") == []

    # The same approver again does not count twice.
    stack.click(APPROVE_ACTION, "U0APPR", waiting, "C0APPROVE")
    stack.drain()
    assert stack.card_status("twice") == "PendingReview"

    stack.click(APPROVE_ACTION, "U0APPR2", waiting, "C0APPROVE")
    stack.drain()
    assert stack.card_status("twice") == "Approved"
    assert len(stack.fake.messages("C0PROD")) == 1
    decided = approval_message(stack, "twice")
    assert not [b for b in decided["blocks"] if b["type"] == "actions"]


def test_an_author_never_counts_as_an_approver(stack: Stack) -> None:
    request = under_review(stack, "authored", "U0DSAP")
    stack.click(APPROVE_ACTION, "U0DSAP", request, "C0APPROVE")
    stack.drain()
    assert any("four-eyes" in t for t in stack.ephemeral_texts("U0DSAP"))
    assert stack.card_status("authored") == "PendingReview"
