"""A move made outside Slack is judged once: a held out-of-band approval is not judged and
audited again on every reconcile pass (and `show` / `list` say it is held); each of the bot's
own reverts is known for the bot's, and nobody else's later move is taken for one; advice on
filling a gated card in review follows `edits_in_review`."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.aws.cards import CardRecord
from bot.domain.status import CardStatus
from bot.jobs import Job, JobKind
from bot.local.slack_payloads import app_home_opened
from bot.store.own_moves import OwnMoves
from tests.gov_override import governed_aws  # noqa: F401 (the `aws` fixture, governed)
from tests.slack_stack import Stack
from tests.test_blocks import texts
from tests.test_outside_changes import DS_ROLE, posts, prod_holds, sagemaker_as, tick
from tests.test_outside_gates import (  # noqa: F401 (iam_identity: autouse fixture)
    GATES,
    approve_as_approver,
    gate_reports,
    iam_identity,
    reviewable,
)
from tests.test_slack_features import section_with

pytestmark = pytest.mark.usefixtures("shared_botocore_loader")

HOLD = {"outside_changes": {"approve": "hold"}}


@pytest.fixture
def gov_changes(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(getattr(request, "param", {}))


def outside_events(stack: Stack, card: str, action: str) -> list[Any]:
    return [e for e in stack.core.audit.for_card(card) if e.action == action]


def answer_text(answer: Any) -> str:
    return json.dumps(answer.json, ensure_ascii=False)


def seen_again(stack: Stack, card: str) -> None:
    """The same move seen again: EventBridge's state-change event and the CloudTrail event
    of the call each queue an OBSERVE job, and the reconciler queues one a day later."""
    outbox = stack.core.outbox
    for event in ("state-change", "cloudtrail"):
        job = Job(kind=JobKind.OBSERVE, user="", card=card, args={"event": "1"})
        outbox.enqueue(job, f"event:{card}:{event}:{uuid.uuid4()}")
    stack.drain()
    for key in stack.core.redis.scan_iter(match=stack.core.keys.claim(f"observe:{card}:*")):
        stack.core.redis.delete(key)  # the pass's idempotency claims expired (a day later)
    tick(stack)


def jumped(stack: Stack, card: str) -> None:
    """A Draft card set Approved with the SDK by a data scientist (no review round open)."""
    stack.command(f"create {card} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    tick(stack)
    sagemaker_as(DS_ROLE, "U0DS").update_model_card(ModelCardName=card, ModelCardStatus="Approved")


# ---------------------------------------------------------------------------- held once


@pytest.mark.parametrize("gov_changes", [HOLD], indirect=True)
def test_a_held_jump_to_approved_is_judged_and_audited_once(stack: Stack) -> None:
    card = "held-jump"
    jumped(stack, card)
    tick(stack)
    seen_again(stack, card)
    assert stack.card_status(card) == "Approved"
    assert not prod_holds(stack, card)
    [event] = outside_events(stack, card, "outside-approval")
    assert event.result == "held"
    [report] = [
        texts(m["blocks"]) for m in posts(stack, "C0APPROVE", card) if "Out-of-band" in str(m)
    ]
    assert f"rejects it back to Draft (`/modelcard reject {card} REASON`)" in report
    # `show` and `list` keep the settled status and say the outside approval is held.
    shown = answer_text(stack.command(f"show {card}", "U0DS"))
    assert "`Draft` — _outside approval held_" in shown
    listed = answer_text(stack.command("list", "U0DS"))
    assert "`Draft` — _outside approval held_" in listed
    # So does the creator's App Home.
    assert stack.sender.event(app_home_opened("U0LEAD")).status == 200
    stack.drain()
    home = stack.fake.home("U0LEAD")
    assert home is not None
    assert "`Draft` — _outside approval held_" in section_with(home, "My cards")
    # A change to the card is a new move: judged (and audited) again, once.
    sagemaker_as(DS_ROLE, "U0DS").update_model_card(
        ModelCardName=card,
        Content=json.dumps({"model_overview": {"model_owner": "o", "problem_type": "q"}}),
    )
    tick(stack)
    seen_again(stack, card)
    assert [e.detail.split(" ")[0] for e in outside_events(stack, card, "outside-approval")] == [
        "v1",
        "v2",
    ]
    # A rejection in Slack ends the hold: back to Draft, and nothing says held any more.
    answer = stack.command(f"reject {card} not reviewed", "U0APPR")
    stack.drain()
    assert stack.card_status(card) == "Draft", (
        answer_text(answer),
        stack.ephemeral_texts("U0APPR"),
    )
    assert "approval held" not in answer_text(stack.command(f"show {card}", "U0DS"))
    tick(stack)
    assert len(outside_events(stack, card, "outside-approval")) == 2


@pytest.mark.parametrize("gov_changes", [{**HOLD, "gates": GATES}], indirect=True)
def test_a_held_gated_approval_is_audited_once(stack: Stack) -> None:
    card = "held-gate-once"
    reviewable(stack, card)
    approve_as_approver(card)
    tick(stack)
    seen_again(stack, card)
    assert [e.result for e in outside_events(stack, card, "outside-gate")] == ["held"]
    assert len(gate_reports(stack, "C0APPROVE", card)) == 1
    shown = answer_text(stack.command(f"show {card}", "U0DS"))
    assert "`PendingReview` — _outside approval held_" in shown


# ---------------------------------------------------------------------------- own reverts


def test_a_later_outside_move_is_not_taken_for_the_bots_revert(stack: Stack) -> None:
    """The bot reverted a jump to Draft; within the hour the card is submitted in Slack and
    taken back to Draft with the SDK (the same status and version): that move is followed."""
    card = "withdrawn"
    jumped(stack, card)
    tick(stack)
    assert stack.card_status(card) == "Draft"  # reverted by the bot
    stack.command(f"submit {card}", "U0DS")
    stack.drain()
    [request] = [m for m in posts(stack, "C0APPROVE", card) if "Version under review" in str(m)]
    assert [b for b in request["blocks"] if b["type"] == "actions"]
    sagemaker_as(DS_ROLE, "U0DS").update_model_card(ModelCardName=card, ModelCardStatus="Draft")
    tick(stack)
    assert stack.core.state.status_of(card) == "Draft"
    [request] = [m for m in posts(stack, "C0APPROVE", card) if "Out-of-band" not in str(m)]
    assert "Review closed" in texts(request["blocks"])
    assert not [b for b in request["blocks"] if b["type"] == "actions"]  # closed
    assert outside_events(stack, card, "observe")[-1].target == "Draft"


def record(status: CardStatus, version: int, second: int) -> CardRecord:
    at = datetime(2026, 12, 2, 0, 0, second, tzinfo=UTC)
    return CardRecord("c", "arn:c", status, version, {}, None, at)


def test_each_revert_of_the_bot_is_its_own_and_no_other_move(redis_client: Any) -> None:
    own = OwnMoves(redis_client)
    first = record(CardStatus.DRAFT, 1, 1)
    own.mark(first)
    assert own.is_own(first)
    second = record(CardStatus.PENDING_REVIEW, 2, 5)  # within the hour, elsewhere
    own.mark(second)
    assert own.is_own(second)
    assert not own.is_own(first)
    # The same status and version set later by someone else is not the bot's.
    assert not own.is_own(record(CardStatus.PENDING_REVIEW, 2, 9))
    unknown = CardRecord("c", "arn:c", CardStatus.PENDING_REVIEW, 2, {}, None, None)
    own.mark(unknown)
    assert not own.is_own(unknown)  # no modification time: cannot be told apart


# ---------------------------------------------------------------------------- advice


REFUSE_GATED = {"edits_in_review": "refuse", "gates": GATES}


@pytest.mark.parametrize("gov_changes", [REFUSE_GATED], indirect=True)
def test_under_refuse_a_gate_on_a_card_in_review_advises_the_way_through_draft(
    stack: Stack,
) -> None:
    card = "frozen-gate"
    reviewable(stack, card)
    advice = (
        "This workspace refuses edits in review (`edits_in_review: refuse`): an approver can "
        f"reject it (`/modelcard reject {card} REASON`) to send it back to Draft"
    )
    # In Slack: the approve refusal.
    answer = answer_text(stack.command(f"approve {card}", "U0APPR"))
    assert advice in answer
    assert "Fill them, then try again" not in answer
    # Outside: the revert back to PendingReview.
    approve_as_approver(card)
    tick(stack)
    assert stack.card_status(card) == "PendingReview"
    [report] = gate_reports(stack, "C0APPROVE", card)
    assert advice in report
    assert "then an approver can approve it" not in report
    # The edit refusal words the same way through Draft.
    assert advice in answer_text(stack.command(f"edit {card}", "U0MLE"))


@pytest.mark.parametrize("gov_changes", [{"gates": GATES}], indirect=True)
def test_where_edits_in_review_are_allowed_the_advice_is_to_fill_them(stack: Stack) -> None:
    card = "open-gate"
    reviewable(stack, card)
    answer = answer_text(stack.command(f"approve {card}", "U0APPR"))
    assert "Fill them, then try again" in answer
    assert "refuses edits in review" not in answer
