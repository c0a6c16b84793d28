"""Every refusal and bad input gets a private answer that names the card, says why and what
to do; nothing is queued for the worker and AWS is never called."""

from __future__ import annotations

import pytest

from bot.governance import parse_governance
from bot.local.slack_payloads import plain_text_value, static_select_value
from bot.slack.ids import APPROVE_ACTION, CREATE_VIEW, REJECT_ACTION, REJECT_VIEW
from tests.aws_fixtures import AwsWorld
from tests.slack_helpers import (
    APPR,
    DS,
    DSAP,
    LEAD,
    MLE,
    NOBODY,
    Quiet,
    answer_text,
    approve_card,
    button_texts,
    click_button,
    create_card,
    submit_card,
)
from tests.slack_stack import Stack

CARD = "customer-churn-v1"
RULE = "letters, digits and hyphens"
LEAD_APPROVER = "U0LEADAP"  # holds lead-data-scientist and approver (see the `aws` override)


@pytest.fixture
def aws(aws: AwsWorld) -> AwsWorld:
    """The example governance plus a lead data scientist who also approves, to show that
    four-eyes stops the creator even when they hold `approver`."""
    data = aws.gov.model_dump(mode="json")
    data["users"][LEAD_APPROVER] = ["lead-data-scientist", "approver"]
    aws.gov = parse_governance(data)
    return aws


def refused(stack: Stack, text: str, user: str) -> str:
    """Run a command that must be refused; return the refusal it answers with."""
    response = stack.command(text, user)
    answer = answer_text(response)
    assert response.json["response_type"] == "ephemeral"
    assert response.json["text"].startswith(":warning:"), answer
    return answer


# ---------------------------------------------------------------------------- input


def test_unknown_subcommand_answers_with_the_command_list(stack: Stack) -> None:
    quiet = Quiet(stack)
    answer = stack.command(f"frobnicate {CARD}", LEAD)
    text = answer_text(answer)
    assert answer.json["response_type"] == "ephemeral"
    assert "Unknown subcommand `frobnicate`" in text
    for usage in ("create <name>", "submit <name>", "approve <name>", "list [status]", "help"):
        assert f"/modelcard {usage}" in text
    quiet.check()


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("show", "/modelcard show NAME"),
        ("submit", "/modelcard submit NAME"),
        ("history", "/modelcard history NAME"),
        ("admin delete", "/modelcard admin delete NAME"),
    ],
    ids=["show", "submit", "history", "admin-delete"],
)
def test_missing_name_says_which_usage(stack: Stack, text: str, usage: str) -> None:
    quiet = Quiet(stack)
    user = "U0ADMIN" if text.startswith("admin") else DS
    answer = refused(stack, text, user)
    assert "Which model card?" in answer
    assert f"Usage: `{usage}`" in answer
    quiet.check()


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("bad_name!", "contains '_' at position 4"),
        ("a" * 64, "is 64 characters long"),
        ("caf\u00e9", "(U+00E9) at position 4"),
        ("a\x07b", "(U+0007) at position 2"),
        ("-churn", "starts with a hyphen"),
    ],
    ids=["punctuation", "64-chars", "unicode", "control-char", "leading-hyphen"],
)
def test_invalid_name_is_explained(stack: Stack, name: str, why: str) -> None:
    quiet = Quiet(stack)
    answer = refused(stack, f"show {name}", NOBODY)
    assert why in answer
    assert repr(name[:40]) in answer  # the name as typed, control characters made visible
    assert RULE in answer
    answer = refused(stack, f"create {name} --owner o --problem-type p", LEAD)
    assert why in answer
    quiet.check()


def test_unknown_card(stack: Stack) -> None:
    quiet = Quiet(stack)
    for text, user in (("show no-such-card", NOBODY), ("submit no-such-card", DS)):
        answer = refused(stack, text, user)
        assert "Model card `no-such-card` does not exist" in answer
        assert "`/modelcard list`" in answer
    quiet.check()


def test_duplicate_card_inline(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    answer = refused(stack, f"create {CARD} --owner someone --problem-type other", LEAD)
    assert f"Model card `{CARD}` already exists" in answer
    assert "Pick another name" in answer
    quiet.check()


def test_duplicate_card_in_the_create_modal(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    assert stack.command("create", LEAD).status == 200
    [view] = stack.fake.views(CREATE_VIEW)
    values = {
        "name": {"name": plain_text_value(CARD)},
        "owner": {"owner": plain_text_value("someone")},
        "problem_type": {"problem_type": plain_text_value("Churn")},
        "description": {"description": plain_text_value(None)},
        "risk": {"risk": static_select_value(None)},
    }
    answer = stack.sender.submit(CREATE_VIEW, values, LEAD, view=view)
    assert answer.status == 200
    assert answer.json["response_action"] == "errors"
    assert set(answer.json["errors"]) == {"name"}
    assert CARD in answer.json["errors"]["name"]
    assert "already exists" in answer.json["errors"]["name"]
    assert "pick another name" in answer.json["errors"]["name"]
    quiet.check()


@pytest.mark.parametrize(
    ("changes", "block", "why"),
    [
        ({"owner": "o" * 1025}, "owner", "`model_overview.model_owner` is 1,025 characters long"),
        ({"problem_type": "   "}, "problem_type", "needs a problem type"),
        ({"name": "bad_name!"}, "name", "contains '_' at position 4"),
    ],
    ids=["long-owner", "blank-problem-type", "bad-name"],
)
def test_create_modal_shows_errors_under_the_field(
    stack: Stack, changes: dict[str, str], block: str, why: str
) -> None:
    quiet = Quiet(stack)
    assert stack.command("create", LEAD).status == 200
    [view] = stack.fake.views(CREATE_VIEW)
    typed = {"name": CARD, "owner": "someone", "problem_type": "Churn", **changes}
    values = {key: {key: plain_text_value(value)} for key, value in typed.items()}
    values["risk"] = {"risk": static_select_value("Low")}
    answer = stack.sender.submit(CREATE_VIEW, values, LEAD, view=view)
    assert answer.json["response_action"] == "errors"
    assert list(answer.json["errors"]) == [block]
    assert why in answer.json["errors"][block]
    quiet.check()


@pytest.mark.parametrize(
    ("text", "user", "role", "able"),
    [
        (f"submit {CARD}", MLE, "ml-engineer", "lead-data-scientist, data-scientist"),
        (
            "create new-card --owner o --problem-type p",
            DS,
            "data-scientist",
            "lead-data-scientist",
        ),
        (f"approve {CARD}", LEAD, "lead-data-scientist", "approver"),
    ],
    ids=["mle-submit", "ds-create", "lead-approve"],
)
def test_not_allowed_for_your_role(
    stack: Stack, text: str, user: str, role: str, able: str
) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    answer = refused(stack, text, user)
    card = text.split()[1]
    assert f"You cannot {text.split()[0]} `{card}`" in answer
    assert f"your role ({role}) does not allow it" in answer
    assert f"Roles that can: {able}." in answer
    assert "Ask one of them" in answer
    quiet.check()


# ---------------------------------------------------------------------------- people


@pytest.mark.parametrize(
    "text",
    [
        f"create {CARD} --owner o --problem-type p",
        f"submit {CARD}",
        f"approve {CARD}",
        f"edit {CARD}",
        f"archive {CARD}",
        "admin retry",
    ],
)
def test_unmapped_user_is_told_whom_to_ask(stack: Stack, text: str) -> None:
    quiet = Quiet(stack)
    answer = refused(stack, text, NOBODY)
    assert "(U0NOBODY) is not mapped to a governance role" in answer
    assert "Ask a modelcard-bot admin" in answer
    assert "governance file" in answer
    if CARD in text:
        assert f"`{CARD}`" in answer
    assert stack.fake.views() == []
    quiet.check()


def test_unmapped_user_clicking_approve(stack: Stack) -> None:
    create_card(stack, CARD)
    request = submit_card(stack, CARD)
    quiet = Quiet(stack)
    assert click_button(stack, APPROVE_ACTION, NOBODY, request).status == 200
    quiet.check(replies=1)  # the refusal is posted privately by the worker, nothing else
    [answer] = stack.ephemeral_texts(NOBODY)
    assert f"You cannot approve `{CARD}`" in answer
    assert "(U0NOBODY) is not mapped" in answer
    assert "governance file" in answer
    assert stack.card_status(CARD) == "PendingReview"
    [still] = stack.fake.messages("C0APPROVE")
    assert button_texts(still) == ["Approve", "Reject"]
    assert stack.fake.messages("C0PROD") == []


def test_unmapped_user_can_read(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    for text in ("help", "", f"show {CARD}", "list", "list Draft", f"history {CARD}"):
        answer = answer_text(stack.command(text, NOBODY))
        assert ":warning:" not in answer, text
        assert "not mapped" not in answer, text
        assert (CARD if text not in ("help", "") else "/modelcard create <name>") in answer, text
    answer = answer_text(stack.command(f"shares {CARD}", NOBODY))
    assert "dev: account `222222222222`, read-write" in answer
    quiet.check()


# ---------------------------------------------------------------------------- four-eyes


def test_four_eyes_stops_the_creator_who_also_approves(stack: Stack) -> None:
    create_card(stack, CARD, user=LEAD_APPROVER)
    request = submit_card(stack, CARD, user=DS)
    quiet = Quiet(stack)
    answer = refused(stack, f"approve {CARD}", LEAD_APPROVER)
    assert f"You cannot approve or reject `{CARD}`" in answer
    assert "four-eyes" in answer
    assert "Ask a colleague with the approver role" in answer
    quiet.check()
    quiet = Quiet(stack)
    assert click_button(stack, APPROVE_ACTION, LEAD_APPROVER, request).status == 200
    quiet.check(replies=1)
    assert any("four-eyes" in t and CARD in t for t in stack.ephemeral_texts(LEAD_APPROVER))
    assert stack.card_status(CARD) == "PendingReview"


def test_four_eyes_stops_the_submitter_rejecting(stack: Stack) -> None:
    create_card(stack, CARD)
    request = submit_card(stack, CARD, user=DSAP)
    quiet = Quiet(stack)
    assert click_button(stack, REJECT_ACTION, DSAP, request).status == 200
    assert stack.fake.views(REJECT_VIEW) == []  # no reason asked: the refusal comes first
    quiet.check(replies=1)
    answer = stack.ephemeral_texts(DSAP)[-1]
    assert f"You cannot approve or reject `{CARD}`" in answer
    assert "four-eyes" in answer
    quiet = Quiet(stack)
    answer = refused(stack, f"reject {CARD} not good enough", DSAP)
    assert "four-eyes" in answer
    quiet.check()
    assert stack.card_status(CARD) == "PendingReview"


# ---------------------------------------------------------------------------- status


def test_approving_a_draft(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    answer = refused(stack, f"approve {CARD}", APPR)
    assert f"Model card `{CARD}` is Draft, so it cannot move to Approved" in answer
    assert f"Submit it first with `/modelcard submit {CARD}`" in answer
    quiet.check()


def test_submitting_or_editing_an_approved_card(stack: Stack) -> None:
    create_card(stack, CARD)
    submit_card(stack, CARD)
    approve_card(stack, CARD)
    quiet = Quiet(stack)
    answer = refused(stack, f"submit {CARD}", DS)
    assert f"Model card `{CARD}` is Approved, so it cannot move to PendingReview" in answer
    assert f"`/modelcard archive {CARD}`" in answer
    answer = refused(stack, f"edit {CARD}", DS)
    assert f"Model card `{CARD}` is Approved, so its content cannot be edited" in answer
    assert f"`/modelcard archive {CARD}`" in answer
    assert stack.fake.views() == []
    quiet.check()


# ---------------------------------------------------------------------------- content, syntax


@pytest.mark.parametrize(
    ("options", "field", "why"),
    [
        (
            "--owner o --problem-type p --risk Extreme",
            "`intended_uses.risk_rating`",
            "must be one of High, Medium, Low, Unknown (got 'Extreme')",
        ),
        (
            f"--owner {'o' * 1025} --problem-type p",
            "`model_overview.model_owner`",
            "is 1,025 characters long; at most 1,024 are allowed",
        ),
    ],
    ids=["risk", "long-owner"],
)
def test_schema_errors_name_the_field(stack: Stack, options: str, field: str, why: str) -> None:
    quiet = Quiet(stack)
    answer = refused(stack, f"create {CARD} {options}", LEAD)
    assert f"Model card `{CARD}` content is not valid" in answer
    assert f"{field} {why}" in answer
    quiet.check()


@pytest.mark.parametrize(
    ("text", "why", "hint"),
    [
        (
            f'create {CARD} --owner o --problem-type "Customer churn',
            "unclosed quote",
            'Put multi-word values in "double quotes"',
        ),
        (
            f"create {CARD} --owner o --problem-type p --colour red",
            "Unknown option `--colour`",
            "--description, --owner, --problem-type, --risk",
        ),
        (
            f"create {CARD} --problem-type p",
            f"Model card `{CARD}` needs --owner",
            f'`/modelcard create {CARD} --owner OWNER --problem-type "PROBLEM"`',
        ),
        (
            f"create {CARD} --owner",
            "`--owner` needs a value",
            '--owner "some text"',
        ),
    ],
    ids=["unclosed-quote", "unknown-option", "missing-owner", "option-without-value"],
)
def test_command_line_mistakes(stack: Stack, text: str, why: str, hint: str) -> None:
    quiet = Quiet(stack)
    answer = refused(stack, text, LEAD)
    assert CARD in answer
    assert why in answer
    assert hint in answer
    quiet.check()
