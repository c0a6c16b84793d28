"""The seed story driven by signed Slack requests alone, on moto and a fake Slack."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.status import Action
from bot.local.slack_payloads import plain_text_value, static_select_value
from bot.slack.ids import APPROVE_ACTION, CREATE_VIEW
from tests.slack_stack import Stack

CARD = "customer-churn-v1"


def actions_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def text_of(message: dict[str, Any]) -> str:
    return json_text(message.get("blocks", [])) + message.get("text", "")


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_seed_story_from_slack_requests(stack: Stack) -> None:
    fake = stack.fake
    # 1. The lead creates the card inline; the ack answers at once, the worker does AWS.
    answer = stack.command(
        f'create {CARD} --owner model-owner --problem-type "Customer Churn Model"', "U0LEAD"
    )
    assert answer.status == 200
    assert f"Creating model card `{CARD}`" in answer.json["text"]
    assert fake.messages("C0DEV") == []  # nothing posted before the worker ran
    assert stack.drain() >= 1
    assert stack.card_status(CARD) == "Draft"
    dev = fake.messages("C0DEV")
    assert len(dev) == 1
    assert CARD in text_of(dev[0])
    assert "222222222222" in text_of(dev[0])
    assert any(f"Created model card `{CARD}`" in t for t in stack.ephemeral_texts("U0LEAD"))

    # 2. A second card through the modal.
    answer = stack.command("create", "U0LEAD")
    assert answer.status == 200
    opened = fake.views(CREATE_VIEW)
    assert len(opened) == 1
    values = {
        "name": {"name": plain_text_value("fraud-score-v2")},
        "owner": {"owner": plain_text_value("risk-team")},
        "problem_type": {"problem_type": plain_text_value("Fraud detection")},
        "description": {"description": plain_text_value("Scores card payments")},
        "risk": {"risk": static_select_value("High")},
    }
    submitted = stack.sender.submit(CREATE_VIEW, values, "U0LEAD", view=opened[0])
    assert submitted.status == 200
    assert submitted.body == ""
    stack.drain()
    assert stack.card_status("fraud-score-v2") == "Draft"
    assert len(fake.messages("C0DEV")) == 2

    # 3. A data scientist who also approves submits it: shared to test, approval requested.
    answer = stack.command(f"submit {CARD}", "U0DSAP")
    assert "Submitting" in answer.json["text"]
    stack.drain()
    assert stack.card_status(CARD) == "PendingReview"
    test_posts = fake.messages("C0TEST")
    assert len(test_posts) == 1
    assert "333333333333" in text_of(test_posts[0])
    approvals = fake.messages("C0APPROVE")
    assert len(approvals) == 1
    buttons = actions_of(approvals[0])
    assert [b["text"]["text"] for b in buttons] == ["Approve", "Reject"]

    # 4. The submitter may not approve their own card (four-eyes), even holding `approver`.
    refused = stack.click(APPROVE_ACTION, "U0DSAP", approvals[0], "C0APPROVE")
    assert refused.status == 200
    stack.drain()
    assert stack.card_status(CARD) == "PendingReview"
    assert any("four-eyes" in t for t in stack.ephemeral_texts("U0DSAP"))
    assert fake.messages("C0PROD") == []

    # 5. An approver approves: prod share (read-only), prod notification, message updated.
    assert stack.click(APPROVE_ACTION, "U0APPR", approvals[0], "C0APPROVE").status == 200
    stack.drain()
    assert stack.card_status(CARD) == "Approved"
    prod = fake.messages("C0PROD")
    assert len(prod) == 1
    assert "444444444444" in text_of(prod[0])
    assert "read-only" in text_of(prod[0])
    decided = fake.messages("C0APPROVE")
    assert len(decided) == 1
    assert actions_of(decided[0]) == []
    assert "U0APPR" in text_of(decided[0])

    # One notification per stage for this card, one approval message, three shares.
    lead = stack.aws.actor("U0LEAD", Action.CREATE)
    arn = stack.aws.cards.describe(lead, CARD).arn
    shares = stack.aws.shares.card_shares(lead, arn)
    assert [(s.stage, str(s.access)) for s in shares] == [
        ("dev", "read-write"),
        ("test", "read-write"),
        ("prod", "read-only"),
    ]
    assert len(fake.calls_to("chat.postMessage")) == 2 + 1 + 1 + 1
