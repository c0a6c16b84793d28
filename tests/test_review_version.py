"""Approvals bind to the card version under review: the request shows it and its buttons
carry it; an edit during review updates the request in place and resets approvals; a click
on an older request is refused and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.review import (
    EditKind,
    EditsInReview,
    check_edit_in_review,
    edit_kind,
    needs_approval,
    parse_review_value,
    review_value,
)
from bot.domain.status import CardStatus
from bot.errors import InputError, NotEditable
from bot.slack.ids import APPROVE_ACTION, EDIT_VIEW, REJECT_ACTION
from bot.store.reviews import Reviews
from tests.aws_fixtures import AwsWorld
from tests.gov_override import two_approvers
from tests.slack_stack import Stack
from tests.test_blocks import texts
from tests.test_slack_features import modal_values

pytestmark = pytest.mark.usefixtures("shared_botocore_loader")


# ---------------------------------------------------------------------------- pure rules


def test_button_values_are_parsed_strictly() -> None:
    assert review_value("churn-v1", 3) == "churn-v1@v3"
    assert parse_review_value("churn-v1@v3") == ("churn-v1", 3)
    for bad in ["churn-v1", "churn-v1@v0", "churn-v1@3", "churn-v1@v3x", "@v3", "a b@v1", None, 7,
                "churn@v1@v2", "x" * 64 + "@v1", "churn-v1@v01"]:  # fmt: skip
        with pytest.raises(InputError, match="out of date or damaged"):
            parse_review_value(bad)


def test_which_moves_need_an_approval() -> None:
    assert needs_approval(CardStatus.PENDING_REVIEW, CardStatus.APPROVED)
    assert needs_approval(CardStatus.DRAFT, CardStatus.APPROVED)
    assert needs_approval(None, CardStatus.APPROVED)
    assert not needs_approval(CardStatus.APPROVED, CardStatus.APPROVED)
    for target in (CardStatus.DRAFT, CardStatus.PENDING_REVIEW, CardStatus.ARCHIVED):
        assert not needs_approval(CardStatus.APPROVED, target)


def test_edit_kinds_and_the_refuse_policy() -> None:
    assert edit_kind(CardStatus.PENDING_REVIEW, 3, 2, None) is EditKind.IN_REVIEW
    assert edit_kind(CardStatus.PENDING_REVIEW, 2, 2, None) is None
    assert edit_kind(CardStatus.APPROVED, 3, None, 2) is EditKind.AFTER_APPROVAL
    assert edit_kind(CardStatus.APPROVED, 2, None, 2) is None
    assert edit_kind(CardStatus.DRAFT, 5, 2, 2) is None
    check_edit_in_review("c", CardStatus.PENDING_REVIEW, EditsInReview.RESET)
    check_edit_in_review("c", CardStatus.DRAFT, EditsInReview.REFUSE)
    with pytest.raises(NotEditable, match="edits_in_review: refuse"):
        check_edit_in_review("c", CardStatus.PENDING_REVIEW, EditsInReview.REFUSE)


def test_review_rounds_count_approvals_per_version(redis_client: Any) -> None:
    reviews = Reviews(redis_client)
    assert reviews.current("c") is None
    opened = reviews.open("c", 1, "c:PendingReview:1.0")
    assert (opened.version, opened.is_open, opened.opened_for) == (1, True, "c:PendingReview:1.0")
    assert reviews.add_approval("c", 1, "U1") == ["U1"]
    assert reviews.add_approval("c", 1, "U1") == ["U1"]
    before = reviews.rebind("c", 2)
    assert before is not None
    assert before.version == 1
    assert reviews.rebind("c", 2) is None  # already at v2
    assert reviews.add_approval("c", 1, "U2") is None  # v1 is no longer under review
    assert reviews.approvals("c", 2) == []
    assert reviews.add_approval("c", 2, "U2") == ["U2"]
    reviews.decide("c", "Approved", 2, "U2")
    reviews.mark_approved("c", 2)  # once AWS says Approved
    closed = reviews.current("c")
    assert closed is not None
    assert (closed.decision, closed.approved_version) == ("Approved", 2)
    assert reviews.add_approval("c", 2, "U3") is None  # decided
    assert reviews.rebind("c", 3) is None  # nothing open
    reopened = reviews.open("c", 3, "c:PendingReview:2.0")
    assert (reopened.is_open, reopened.approved_version) == (True, 2)


# ---------------------------------------------------------------------------- through Slack


@pytest.fixture
def aws(aws: AwsWorld) -> AwsWorld:
    return two_approvers(aws)


def request_of(stack: Stack, card: str) -> dict[str, Any]:
    [message] = [m for m in stack.fake.messages("C0APPROVE") if card in json.dumps(m)]
    return message


def button(message: dict[str, Any], action_id: str) -> str:
    return next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def edit(stack: Stack, card: str, user: str, **changes: str) -> None:
    assert stack.command(f"edit {card}", user).status == 200
    view = stack.fake.views(EDIT_VIEW)[-1]
    assert (
        stack.sender.submit(EDIT_VIEW, modal_values(view, **changes), user, view=view).status == 200
    )
    stack.drain()


def submitted(stack: Stack, card: str) -> dict[str, Any]:
    stack.command(f"create {card} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    stack.command(f"submit {card}", "U0DS")
    stack.drain()
    return request_of(stack, card)


def test_an_edit_during_review_updates_the_request_and_resets_approvals(stack: Stack) -> None:
    card = "bound"
    first = submitted(stack, card)
    assert button(first, APPROVE_ACTION) == f"{card}@v1"
    assert "Version under review: *v1*" in texts(first["blocks"])

    stack.click(APPROVE_ACTION, "U0APPR", first, "C0APPROVE")
    stack.drain()
    assert any("`bound` v1 is recorded (1 of 2)" in t for t in stack.ephemeral_texts("U0APPR"))

    updates = len(stack.fake.calls_to("chat.update"))
    edit(stack, card, "U0MLE", overview="Evidence from the test account")
    assert len(stack.fake.calls_to("chat.update")) == updates + 1  # in place, not a new post
    current = request_of(stack, card)
    shown = texts(current["blocks"])
    assert button(current, APPROVE_ACTION) == f"{card}@v2"
    assert "Version under review: *v2*" in shown
    assert "v1 → *v2*" in shown
    assert "`model_overview`" in shown
    assert "Approvals given on v1 no longer count" in shown
    assert "0 of 2" in shown
    assert any("approvals given on v1 no longer count" in t for t in stack.ephemeral_texts("U0MLE"))

    # A click on the old request (v1) is refused and changes nothing.
    calls = len(stack.fake.calls_to("chat.update"))
    stack.click(APPROVE_ACTION, "U0APPR2", first, "C0APPROVE")
    stack.drain()
    assert any(
        "v2 is under review now; look at the updated request" in t
        for t in stack.ephemeral_texts("U0APPR2")
    )
    assert len(stack.fake.calls_to("chat.update")) == calls
    assert stack.core.state.status_of(card) == "PendingReview"
    stack.click(REJECT_ACTION, "U0APPR2", first, "C0APPROVE")
    stack.drain()
    assert stack.fake.views("modelcard_reject_reason") == []  # no reason asked for v1

    # U0APPR's v1 approval no longer counts: two approvals of v2 are needed.
    stack.click(APPROVE_ACTION, "U0APPR2", current, "C0APPROVE")
    stack.drain()
    assert stack.card_status(card) == "PendingReview"
    stack.click(APPROVE_ACTION, "U0APPR", request_of(stack, card), "C0APPROVE")
    stack.drain()
    assert stack.card_status(card) == "Approved"
    decided = texts(request_of(stack, card)["blocks"])
    assert "Approved v2 by <@U0APPR>" in decided
    assert any("`bound` v2 approved" in t for t in stack.ephemeral_texts("U0APPR"))
    history = stack.command(f"history {card}", "U0DS").json
    assert "v2" in json.dumps(history)


def test_the_approve_command_approves_the_version_under_review_and_says_which(
    stack: Stack,
) -> None:
    card = "by-command"
    submitted(stack, card)
    answer = stack.command(f"approve {card}", "U0APPR")
    assert "Approving `by-command` v1" in answer.json["text"]
    stack.drain()
    assert stack.core.state.status_of(card) == "PendingReview"  # 1 of 2


def test_a_decision_the_aws_update_refused_backs_nothing(stack: Stack) -> None:
    """A queued approval that finds the card rejected meanwhile records no decision, so a
    later move into Approved outside Slack is not taken for the bot's."""
    from bot.jobs import Job, JobKind

    card = "late-click"
    submitted(stack, card)
    stack.command(f"reject {card} not ready yet", "U0APPR")
    stack.drain()
    job = Job(kind=JobKind.APPROVE, user="U0APPR2", card=card, args={"version": "1"})
    stack.core.outbox.enqueue(job)
    stack.drain()
    round_ = Reviews(stack.core.redis).current(card)
    assert round_ is not None
    assert (round_.decision, round_.approved_version) == ("Rejected", 0)
    assert stack.card_status(card) == "Draft"
