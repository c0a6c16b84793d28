"""Gates hold for moves made outside Slack too: a card set PendingReview or Approved with the
SDK while its content lacks a field `gates.<Status>.require` names is reverted (or, for an
approval under `outside_changes.approve: hold`, held), and the approvals and ops channels are
told once which fields are missing and where to fill them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.aws.cards import CardRecord
from bot.domain.status import CardStatus
from bot.governance import parse_governance
from bot.local import moto_ext as moto_shim
from bot.worker.outside_gates import OutsideGates
from tests.gov_override import governed_aws  # noqa: F401 (the `aws` fixture, governed)
from tests.slack_stack import Stack
from tests.test_blocks import texts
from tests.test_outside_changes import (
    APPROVER_ROLE,
    DS_ROLE,
    approved_outside,
    posts,
    prod_holds,
    sagemaker_as,
    settles_quietly,
    tick,
)

pytestmark = pytest.mark.usefixtures("shared_botocore_loader")

GATES = {
    "Approved": {"require": ["intended_uses.risk_rating", "training_details.objective_function"]},
    "PendingReview": {"require": ["model_overview.model_description"]},
}


@pytest.fixture
def gov_changes(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"gates": GATES, **getattr(request, "param", {})}


@pytest.fixture(autouse=True)
def iam_identity() -> Iterator[None]:
    moto_shim.set_iam_identity(True)
    yield
    moto_shim.set_iam_identity(True)


def gate_reports(stack: Stack, channel: str, card: str) -> list[str]:
    return [texts(m["blocks"]) for m in posts(stack, channel, card) if "Gate not met" in str(m)]


def described(card: str) -> dict[str, Any]:
    return {"model_overview": {"model_owner": "o", "problem_type": "p", "model_description": card}}


def reviewable(stack: Stack, card: str) -> dict[str, Any]:
    """A card in review that meets the PendingReview gate (submitted in Slack)."""
    stack.command(f"create {card} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    sagemaker_as(DS_ROLE, "U0DS").update_model_card(
        ModelCardName=card, Content=json.dumps(described(card))
    )
    tick(stack)
    stack.command(f"submit {card}", "U0DS")
    stack.drain()
    tick(stack)
    [request] = posts(stack, "C0APPROVE", card)
    return request


def approve_as_approver(card: str) -> None:
    sagemaker_as(APPROVER_ROLE, "U0APPR").update_model_card(
        ModelCardName=card, ModelCardStatus="Approved"
    )


def test_an_approvers_outside_approval_lacking_gated_fields_is_reverted_naming_them(
    stack: Stack,
) -> None:
    card = "gated-approval"
    reviewable(stack, card)
    approve_as_approver(card)  # an approver who may approve: the gate still holds
    tick(stack)
    assert stack.card_status(card) == "PendingReview"
    assert not prod_holds(stack, card)
    assert posts(stack, "C0PROD", card) == []
    [report] = gate_reports(stack, "C0APPROVE", card)
    assert "2 required fields are missing or empty (governance `gates.Approved.require`)" in report
    assert (
        f"`intended_uses.risk_rating`: `/modelcard edit {card}`, section *Intended uses*, "
        "field “Risk rating”" in report
    )
    assert "`training_details.objective_function`: not in the edit form" in report
    assert "source identity U0APPR" in report
    assert "reverted it to PendingReview" in report
    assert f"`/modelcard approve {card}`" in report
    assert gate_reports(stack, "C0OPS", card) == [report]
    [event] = [e for e in stack.core.audit.for_card(card) if e.action == "outside-gate"]
    assert (event.result, event.source, event.target) == ("reverted", "PendingReview", "Approved")
    assert "intended_uses.risk_rating, training_details.objective_function" in event.detail
    # Not announced as an approval, and the bot's revert is not judged again.
    assert [m for m in posts(stack, "C0APPROVE", card) if "Out-of-band" in str(m)] == []
    settles_quietly(stack, card, "PendingReview")


def test_an_outside_submission_lacking_gated_fields_goes_back_to_draft(stack: Stack) -> None:
    card = "gated-submission"
    stack.command(f"create {card} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    tick(stack)
    sagemaker_as(DS_ROLE, "U0DS").update_model_card(
        ModelCardName=card, ModelCardStatus="PendingReview"
    )
    tick(stack)
    assert stack.card_status(card) == "Draft"
    assert stack.core.state.status_of(card) == "Draft"
    assert posts(stack, "C0TEST", card) == []  # no stage post for the reverted move
    [report] = gate_reports(stack, "C0APPROVE", card)
    assert [m for m in posts(stack, "C0APPROVE", card) if "Review requested" in str(m)] == []
    assert "1 required field is missing or empty (governance `gates.PendingReview.require`)" in (
        report
    )
    assert f"`/modelcard edit {card}`, section *Overview*, field “Overview”" in report
    assert "reverted it to Draft" in report
    assert f"`/modelcard submit {card}`" in report
    # Filled and submitted outside again, the same move is followed.
    client = sagemaker_as(DS_ROLE, "U0DS")
    client.update_model_card(ModelCardName=card, Content=json.dumps(described(card)))
    client.update_model_card(ModelCardName=card, ModelCardStatus="PendingReview")
    tick(stack)
    assert stack.card_status(card) == "PendingReview"
    assert [m for m in posts(stack, "C0APPROVE", card) if "Review requested" in str(m)]
    assert len(gate_reports(stack, "C0APPROVE", card)) == 1


@pytest.mark.parametrize("gov_changes", [{"outside_changes": {"approve": "hold"}}], indirect=True)
def test_hold_holds_an_outside_approval_lacking_gated_fields(stack: Stack) -> None:
    card = "gated-held"
    reviewable(stack, card)
    approve_as_approver(card)
    tick(stack)
    assert stack.card_status(card) == "Approved"
    assert not prod_holds(stack, card)
    assert posts(stack, "C0PROD", card) == []
    [report] = gate_reports(stack, "C0APPROVE", card)
    assert "held it: nothing is shared" in report
    assert "`intended_uses.risk_rating`" in report
    tick(stack)
    assert len(gate_reports(stack, "C0APPROVE", card)) == 1
    [event] = [e for e in stack.core.audit.for_card(card) if e.action == "outside-gate"]
    assert event.result == "held"
    assert f"an approver can reject it (`/modelcard reject {card} REASON`)" in report
    # In Slack, the gate still refuses its approval; a rejection sends it back to Draft.
    answer = stack.command(f"approve {card}", "U0APPR")
    stack.drain()
    assert not prod_holds(stack, card)
    assert "`intended_uses.risk_rating`" in json.dumps(answer.json)
    stack.command(f"reject {card} fill the risk rating", "U0APPR")
    stack.drain()
    assert stack.card_status(card) == "Draft"
    assert posts(stack, "C0PROD", card) == []


@pytest.mark.parametrize("gov_changes", [{"outside_changes": {"approve": "trust"}}], indirect=True)
def test_trust_does_not_open_a_gate(stack: Stack) -> None:
    card = "gated-trusted"
    reviewable(stack, card)
    approved_outside(stack, card)
    assert stack.card_status(card) == "PendingReview"
    assert not prod_holds(stack, card)
    assert "reverted it to PendingReview" in gate_reports(stack, "C0APPROVE", card)[0]


def record(status: CardStatus, content: dict[str, Any]) -> CardRecord:
    return CardRecord("c", "arn:c", status, 1, content, None, None)


def test_which_outside_moves_a_gate_refuses(aws: Any) -> None:
    gates = OutsideGates(aws.gov)
    bare = {"model_overview": {"model_owner": "o"}}
    refused = gates.judge(record(CardStatus.PENDING_REVIEW, bare), CardStatus.DRAFT)
    assert refused is not None
    assert (refused.missing, refused.hold) == (["model_overview.model_description"], False)
    assert gates.judge(record(CardStatus.PENDING_REVIEW, bare), None) is not None  # a new card
    # Not a move (a baseline, or the status unchanged), a status without a gate, a full card.
    assert gates.judge(record(CardStatus.PENDING_REVIEW, bare), CardStatus.PENDING_REVIEW) is None
    assert gates.judge(record(CardStatus.DRAFT, {}), CardStatus.PENDING_REVIEW) is None
    assert gates.judge(record(CardStatus.PENDING_REVIEW, described("c")), CardStatus.DRAFT) is None
    # A hub copy of a spoke card follows the spoke's own process into review.
    data = aws.gov.model_dump(mode="json")
    data["topology"] = "hub-and-spoke"
    data["spokes"] = {
        "team-a": {"account": "555555555555", "role_arn": "arn:aws:iam::555555555555:role/r"}
    }
    hub = OutsideGates(parse_governance(data))
    details = {"source_account": "555555555555", "source_card_arn": "arn:spoke:c"}
    copy = {**bare, "additional_information": {"custom_details": details}}
    assert hub.judge(record(CardStatus.PENDING_REVIEW, copy), CardStatus.DRAFT) is None
    forged = {
        **bare,
        "additional_information": {"custom_details": {**details, "source_account": "1"}},
    }
    assert hub.judge(record(CardStatus.PENDING_REVIEW, forged), CardStatus.DRAFT) is not None
    assert hub.judge(record(CardStatus.APPROVED, copy), CardStatus.PENDING_REVIEW) is not None
