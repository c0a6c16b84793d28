"""Gates through the Slack surface: refused at the edge with nothing queued, refused again by
the worker when the edge could not see the content, and approvals needed by risk."""

from __future__ import annotations

import json

import pytest

from bot.domain.status import Action
from bot.local import moto_ext
from bot.slack.ids import APPROVE_ACTION
from tests.aws_fixtures import AwsWorld
from tests.gov_override import governed
from tests.slack_helpers import (
    APPR,
    DS,
    LEAD,
    Quiet,
    answer_text,
    click_button,
    create_card,
    submit_card,
)
from tests.slack_stack import Stack

REQUIRED = ["intended_uses.intended_uses", "intended_uses.risk_rating"]


@pytest.fixture
def aws(aws: AwsWorld) -> AwsWorld:
    return governed(
        aws,
        {
            "gates": {
                "PendingReview": {"require": REQUIRED},
                "Approved": {
                    "require": ["model_overview.model_description"],
                    "min_approvals_by_risk": {"High": 2},
                },
            },
            "users": {**aws.gov.users, "U0APPR2": ["approver"]},
        },
    )


def test_submit_refused_at_the_edge_names_every_missing_field(stack: Stack) -> None:
    create_card(stack, "gated")
    quiet = Quiet(stack)
    text = answer_text(stack.command("submit gated", DS))
    assert "Model card `gated` cannot be submitted for review (PendingReview) yet" in text
    assert "`intended_uses.intended_uses`: `/modelcard edit gated`, section *Intended uses*" in text
    assert "`intended_uses.risk_rating`: `/modelcard edit gated`, section *Intended uses*" in text
    quiet.check()  # nothing queued, no AWS call
    assert stack.card_status("gated") == "Draft"


def test_the_worker_checks_again_against_aws(stack: Stack) -> None:
    create_card(stack, "unseen", extra="--risk Low")
    # The edge has no cached content (e.g. Redis lost it): it queues, the worker refuses.
    stack.core.redis.delete(stack.core.keys.card_content("unseen"))
    assert "Submitting" in answer_text(stack.command("submit unseen", DS))
    moto_ext.clear_calls()
    stack.drain()
    assert stack.card_status("unseen") == "Draft"
    [refusal] = [t for t in stack.ephemeral_texts(DS) if "cannot be submitted" in t]
    assert "`intended_uses.intended_uses`" in refusal
    assert "risk_rating" not in refusal
    updates = [c for c in moto_ext.calls() if c["action"] == "UpdateModelCard"]
    assert updates == []


def fill(stack: Stack, card: str, risk: str, description: str = "Predicts churn") -> None:
    """A card holding what the gates ask for (the intended uses set through the API)."""
    create_card(stack, card)
    overview = {"model_owner": "o", "problem_type": "p"}
    if description:
        overview["model_description"] = description
    content = {
        "model_overview": overview,
        "intended_uses": {"intended_uses": "Retention campaigns", "risk_rating": risk},
    }
    stack.aws.cards.update_content(stack.aws.actor(LEAD, Action.EDIT), card, content)
    stack.core.state.put_content(card, json.dumps(content))


def test_approve_refused_when_the_approved_gate_is_not_met(stack: Stack) -> None:
    fill(stack, "undescribed", "Low", description="")
    request = submit_card(stack, "undescribed")
    quiet = Quiet(stack)
    assert click_button(stack, APPROVE_ACTION, APPR, request).status == 200
    quiet.check(replies=1)  # the refusal is posted privately by the worker, nothing else
    [text] = [t for t in stack.ephemeral_texts(APPR) if "cannot be approved" in t]
    assert "Model card `undescribed` cannot be approved (Approved) yet" in text
    where = "`/modelcard edit undescribed`, section *Overview*"
    assert f"`model_overview.model_description`: {where}" in text
    assert stack.card_status("undescribed") == "PendingReview"


def test_high_risk_needs_two_approvers_low_risk_one(stack: Stack) -> None:
    fill(stack, "risky", "High")
    request = submit_card(stack, "risky")
    assert "Approvals: 0 of 2 needed" in json.dumps(request)
    click_button(stack, APPROVE_ACTION, APPR, request)
    stack.drain()
    assert stack.card_status("risky") == "PendingReview"
    assert any("recorded (1 of 2)" in t for t in stack.ephemeral_texts(APPR))
    click_button(stack, APPROVE_ACTION, "U0APPR2", request)
    stack.drain()
    assert stack.card_status("risky") == "Approved"

    fill(stack, "calm", "Low")
    request = submit_card(stack, "calm")
    click_button(stack, APPROVE_ACTION, APPR, request)
    stack.drain()
    assert stack.card_status("calm") == "Approved"
