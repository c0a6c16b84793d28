"""`/modelcard diff NAME [V1 V2]`: the worker describes both versions (as the person's role)
and answers which sections changed, old → new, who changed them and when."""

from __future__ import annotations

import html

import pytest

from bot.local import moto_ext
from bot.slack.ids import EDIT_VIEW
from tests.slack_helpers import (
    APPR,
    DS,
    LEAD,
    MLE,
    NOBODY,
    Quiet,
    answer_text,
    card_content,
    create_card,
    text_of,
)
from tests.slack_stack import Stack
from tests.test_blocks import texts
from tests.test_slack_features import modal_values

CARD = "customer-churn-v1"


def edit(stack: Stack, user: str, **changes: str | None) -> None:
    assert stack.command(f"edit {CARD}", user).status == 200
    view = stack.fake.views(EDIT_VIEW)[-1]
    answer = stack.sender.submit(EDIT_VIEW, modal_values(view, **changes), user, view=view)
    assert answer.status == 200
    stack.drain()


def diff_replies(stack: Stack, user: str) -> list[str]:
    """The diff answers the person got, as the text Slack shows (blocks, then fallback)."""
    return [
        html.unescape(texts(e.get("blocks") or []) + "\n" + str(e.get("text", "")))
        for e in stack.fake.ephemerals(user=user)
        if "Diff of" in text_of(e)
    ]


@pytest.fixture
def edited(stack: Stack) -> Stack:
    """v1 by the lead (create), v2 by a data scientist, v3 by an ML engineer."""
    create_card(stack, CARD, extra='--description "Predicts churn" --risk Medium')
    edit(stack, DS, overview="Predicts churn from usage", business_problem="Customers leave")
    edit(stack, MLE, risk_rating="High")
    assert card_content(stack, CARD)[0] == 3
    return stack


def test_diff_between_two_versions_names_sections_fields_and_editors(edited: Stack) -> None:
    stack = edited
    moto_ext.clear_calls()
    answer = answer_text(stack.command(f"diff {CARD} 1 3", APPR))
    assert f"Comparing v1 and v3 of model card `{CARD}`" in answer
    stack.drain()
    [shown] = diff_replies(stack, APPR)
    assert f"*Diff of `{CARD}`: v1 → v3*" in shown
    assert "3 section(s) changed (model_overview, intended_uses, business_details)" in shown
    assert "*model_overview* changed in v2 (by <@U0DS>)" in shown
    assert (
        '• `model_overview.model_description`: "Predicts churn" → "Predicts churn from usage"'
        in shown
    )
    assert "*intended_uses* changed in v3 (by <@U0MLE>)" in shown
    assert '• `intended_uses.risk_rating`: "Medium" → "High"' in shown
    assert "*business_details* added in v2 (by <@U0DS>)" in shown
    assert '• `business_details.business_problem` added: "Customers leave"' in shown
    assert "• v2 by <@U0DS>, <!date^" in shown
    assert "• v3 by <@U0MLE>, <!date^" in shown
    # Read as the person's role: every version described once, nothing written.
    calls = moto_ext.calls()
    assert {c["action"] for c in calls} <= {"DescribeModelCard", "AssumeRole"}
    assert {c["source_identity"] for c in calls if c["action"] == "DescribeModelCard"} == {APPR}
    assert len([c for c in calls if c["action"] == "DescribeModelCard"]) == 3


def test_diff_defaults_to_the_last_two_versions(edited: Stack) -> None:
    stack = edited
    assert "Comparing its last two versions" in answer_text(stack.command(f"diff {CARD}", LEAD))
    stack.drain()
    [shown] = diff_replies(stack, LEAD)
    assert f"*Diff of `{CARD}`: v2 → v3*" in shown
    assert "*intended_uses* changed in v3 (by <@U0MLE>)" in shown
    assert "model_overview" not in shown
    # In order too: `diff NAME 3 2` compares v2 with v3.
    stack.command(f"diff {CARD} v3 v2", LEAD)
    stack.drain()
    assert f"*Diff of `{CARD}`: v2 → v3*" in diff_replies(stack, LEAD)[-1]


def test_diff_of_a_version_that_does_not_exist(edited: Stack) -> None:
    stack = edited
    assert "Comparing v1 and v9" in answer_text(stack.command(f"diff {CARD} 1 9", DS))
    stack.drain()
    [text] = [t for t in stack.ephemeral_texts(DS) if "versions 1 to 3" in t]
    assert f"Model card `{CARD}` has versions 1 to 3; version 9 does not exist." in text
    assert f"`/modelcard diff {CARD} 2 3`" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("1", "Give two versions of `customer-churn-v1` to compare, or none for the last two"),
        ("1 2 3", "Give two versions of `customer-churn-v1` to compare"),
        ("one two", "`one` is not a version of `customer-churn-v1`"),
        ("0 2", "`0` is not a version of `customer-churn-v1`"),
        ("2 2", "Compare two different versions of `customer-churn-v1`"),
    ],
)
def test_bad_versions_are_refused_at_once(stack: Stack, args: str, expected: str) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    assert expected in answer_text(stack.command(f"diff {CARD} {args}", DS))
    quiet.check()


def test_diff_of_a_card_with_one_version(stack: Stack) -> None:
    create_card(stack, CARD)
    stack.command(f"diff {CARD}", DS)
    stack.drain()
    assert any(
        f"Model card `{CARD}` has only version 1: nothing to compare yet." in t
        for t in stack.ephemeral_texts(DS)
    )


def test_unmapped_user_and_unknown_card(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    shown = answer_text(stack.command(f"diff {CARD}", NOBODY))
    assert f"You cannot diff `{CARD}`: your Slack user (U0NOBODY) is not mapped" in shown
    assert "Model card `nope` does not exist" in answer_text(stack.command("diff nope", DS))
    quiet.check()


def test_history_still_answers_from_redis(edited: Stack) -> None:
    stack = edited
    quiet = Quiet(stack)
    shown = answer_text(stack.command(f"history {CARD}", NOBODY))
    assert "• v3 · :pencil2: `Draft`" in shown
    assert "<@U0MLE>" in shown
    quiet.check()
