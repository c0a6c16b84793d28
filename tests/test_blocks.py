"""Block Kit builders: Slack's limits hold and user text never pings or links, whatever it is."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.domain.content import RISK_RATINGS, content_problems
from bot.domain.review import parse_review_value
from bot.domain.status import CardStatus
from bot.errors import InputError
from bot.slack import home, ids
from bot.slack.block_kit import (
    MAX_BLOCKS,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_MESSAGE_TEXT,
    MAX_MODAL_TITLE,
    MAX_PLAIN_TEXT_INPUT,
    MAX_PRIVATE_METADATA,
    MAX_SECTION_TEXT,
    text_size,
)
from bot.slack.forms.create import create_modal, create_values
from bot.slack.forms.edit import EVALUATION_NOTES_KEY, apply_edit, edit_modal, edit_updates
from bot.slack.forms.fields import parse_metadata
from bot.slack.forms.reject import reject_modal, reject_reason
from bot.slack.messages.approvals import approval_decided_blocks, approval_request_blocks
from bot.slack.messages.cards import (
    card_blocks,
    card_list_blocks,
    history_blocks,
    list_page_value,
    parse_list_page,
    shares_blocks,
)
from bot.slack.messages.help import help_blocks, help_text
from bot.slack.messages.stage_moves import StageMove, notification_text, stage_notification_blocks
from bot.slack.text import clip, console_url, escape, mention, safe
from bot.store.audit import AuditEvent
from bot.store.cards import CardSnapshot

REGION = "us-east-1"
EVIL = "<!channel> <@U123> <https://evil.example|click> & <!here> ünïcödé 模型 🚀 *bold* `x`"
NAME63 = "a" + "-b" * 31  # 63 characters, a valid card name
LEGIT_USERS = ("U0LEAD", "U0DS", "U0APPR")


def fill(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


def evil_card(i: int = 0, *, name: str | None = None, status: CardStatus = CardStatus.DRAFT):
    return CardSnapshot(
        name=name or f"{NAME63[:-3]}{i:03d}",
        arn="arn:aws:sagemaker:us-east-1:111111111111:model-card/x",
        status=status,
        version=7,
        owner=fill(EVIL, 1024),
        problem_type=fill(EVIL, 2048),
        description=fill(EVIL + "\n", 1024),
        risk=EVIL,
        created_by="<@U123>",
        submitted_by=EVIL,
        updated_by="U0DS",
        updated_at=1_700_000_000.5,
    )


def evil_event(i: int = 0) -> AuditEvent:
    return AuditEvent(
        actor=EVIL if i % 2 else "U0APPR",
        action=EVIL,
        card=EVIL if i % 3 else NAME63,
        source=EVIL,
        target="Approved",
        result="ok" if i % 2 else EVIL,
        detail=fill(EVIL, 2048),
        at=1_700_000_000 + i,
    )


# ---------------------------------------------------------------------------- checkers

_ALLOWED = (
    re.compile(
        r"<https://us-east-1\.console\.aws\.amazon\.com/sagemaker/home\?region=us-east-1"
        r"#/model-cards/[A-Za-z0-9%._~-]*\|[^<>]*>"
    ),
    re.compile(r"<@U0(?:LEAD|DS|APPR)>"),
    re.compile(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]*>"),
)


def assert_mrkdwn_safe(text: str) -> None:
    """No link, mention or broadcast unless it is one of ours; every `&` is an entity."""
    assert "<!channel>" not in text
    assert "<!here>" not in text
    assert "<@U123>" not in text
    assert "<https://evil" not in text
    stripped = text
    for pattern in _ALLOWED:
        stripped = pattern.sub("", stripped)
    assert "<" not in stripped, text
    assert ">" not in stripped, text
    assert not re.search(r"&(?!amp;|lt;|gt;)", stripped), text


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def check_plain(obj: Mapping[str, Any], limit: int) -> None:
    assert obj["type"] == "plain_text"
    assert 0 < len(obj["text"]) <= limit, obj


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int = MAX_BLOCKS) -> None:
    json.dumps(blocks)
    assert 0 < len(blocks) <= max_blocks
    for block in blocks:
        kind = block["type"]
        assert kind in {"section", "context", "header", "divider", "actions", "input"}
        if kind == "section":
            assert "text" in block or block.get("fields")
            if "text" in block:
                assert block["text"]["type"] == "mrkdwn"
                assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
            for field in block.get("fields", []):
                assert 0 < len(field["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10
            for element in block["elements"]:
                assert 0 < len(element["text"]) <= MAX_SECTION_TEXT
        elif kind == "header":
            check_plain(block["text"], 150)
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= 25
        elif kind == "input":
            check_plain(block["label"], 2000)
            if "hint" in block:
                check_plain(block["hint"], 2000)
            assert block["block_id"] == block["element"]["action_id"]
            assert len(block["block_id"]) <= 255
    for node in walk(blocks):
        if node.get("type") == "mrkdwn":
            assert_mrkdwn_safe(node["text"])
        if node.get("type") == "button":
            check_plain(node["text"], MAX_BUTTON_TEXT)
            assert len(node.get("value", "")) <= MAX_BUTTON_VALUE
            assert len(node["action_id"]) <= 255
            if "confirm" in node:
                check_plain(node["confirm"]["title"], 100)
                check_plain(node["confirm"]["text"], 300)
                check_plain(node["confirm"]["confirm"], 30)
                check_plain(node["confirm"]["deny"], 30)
        if node.get("type") == "plain_text_input":
            assert node["max_length"] <= MAX_PLAIN_TEXT_INPUT
            assert len(node.get("initial_value", "")) <= node["max_length"]
        if node.get("type") == "static_select":
            assert len(node["options"]) <= 100
            for option in node["options"]:
                check_plain(option["text"], 75)
                assert len(option["value"]) <= 150
            if "initial_option" in node:
                assert node["initial_option"] in node["options"]


def check_modal(view: dict[str, Any]) -> None:
    json.dumps(view)
    assert view["type"] == "modal"
    check_plain(view["title"], MAX_MODAL_TITLE)
    check_plain(view["submit"], 24)
    check_plain(view["close"], 24)
    assert len(view.get("private_metadata", "")) <= MAX_PRIVATE_METADATA
    check_blocks(view["blocks"])


def texts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(
        str(node["text"]) for node in walk(blocks) if node.get("type") in {"mrkdwn", "plain_text"}
    )


def actions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [block for block in blocks if block["type"] == "actions"]


# ---------------------------------------------------------------------------- text helpers


def test_escape_makes_mentions_and_links_literal():
    assert escape("<!channel> & <@U1|x>") == "&lt;!channel&gt; &amp; &lt;@U1|x&gt;"
    assert escape("plain ünï") == "plain ünï"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "ab…"),
        ("abcd", 1, "…"),
        ("abcd", 0, ""),
        ("", 5, ""),
    ],
)
def test_clip(text, limit, expected):
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= max(limit, 0)


def test_safe_never_cuts_an_entity_in_half():
    for limit in range(1, 40):
        out = safe("&&&&&&&&<<<<>>>>", limit)
        assert len(out) <= limit
        assert not re.search(r"&[a-z]*…", out)


def test_console_url_quotes_the_name():
    assert console_url("eu-west-1", "churn-v1") == (
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1"
        "#/model-cards/churn-v1"
    )
    assert "|" not in console_url(REGION, "a|b>c d")
    assert ">" not in console_url(REGION, "a|b>c d")


def test_mention_only_for_real_user_ids():
    assert mention("U0LEAD") == "<@U0LEAD>"
    assert mention("W0ENTERPRISE1") == "<@W0ENTERPRISE1>"
    assert mention("<@U123>") == "&lt;@U123&gt;"
    assert mention("u0lead") == "u0lead"
    assert mention("outside Slack (console/SDK)") == "outside Slack (console/SDK)"
    assert mention("U123|x") == "U123|x"


# ---------------------------------------------------------------------------- help


SUBCOMMANDS = [
    "create",
    "--owner",
    "--problem-type",
    "--description",
    "--risk",
    "edit",
    "submit",
    "approve",
    "reject <name> <reason>",
    "archive",
    "show",
    "list [status]",
    "history",
    "shares",
    "export",
    "admin delete",
    "admin retry",
    "help",
]


def test_help_lists_every_subcommand_with_an_example():
    blocks = help_blocks()
    check_blocks(blocks)
    rendered = texts(blocks).replace("&lt;", "<").replace("&gt;", ">")
    plain = help_text().replace("&lt;", "<").replace("&gt;", ">")
    for word in SUBCOMMANDS:
        assert f"{word}" in rendered
        assert f"{word}" in plain
    assert rendered.count("e.g.") >= 14
    assert_mrkdwn_safe(help_text())


# ---------------------------------------------------------------------------- show / list


def test_card_blocks_summary_and_shares():
    card = CardSnapshot(
        name="customer-churn-v1",
        arn="arn",
        status=CardStatus.PENDING_REVIEW,
        version=3,
        owner="Jane",
        problem_type="binary",
        description="Predicts churn",
        risk="Low",
        created_by="U0LEAD",
        submitted_by="U0DS",
        updated_by="U0DS",
        updated_at=1_700_000_000,
    )
    blocks = card_blocks(
        card,
        region=REGION,
        shares=[("dev", "222222222222", "read-write"), ("test", "333333333333", "read-write")],
    )
    check_blocks(blocks)
    text = texts(blocks)
    assert console_url(REGION, "customer-churn-v1") in text
    for expected in (
        "PendingReview",
        "version 3",
        "Jane",
        "binary",
        "Predicts churn",
        "Low",
        "<@U0LEAD>",
        "<@U0DS>",
        "<!date^1700000000^",
        "222222222222",
        "333333333333",
        "read-write",
        "dev",
        "test",
    ):
        assert expected in text
    assert not actions(blocks)


def test_card_blocks_adversarial():
    shares = [(EVIL, EVIL, EVIL)] * 30
    for name in (NAME63, EVIL, "模型-" * 30):
        blocks = card_blocks(evil_card(name=name), region=REGION, shares=shares)
        check_blocks(blocks)
        assert "&lt;!channel&gt;" in texts(blocks)


def test_card_list_page_of_40_long_cards_fits():
    """40 long cards hold more text than one Slack message takes (12,000 characters): the
    page shows those that fit and Next page continues after the last one shown."""
    cards = [evil_card(i) for i in range(40)]
    blocks = card_list_blocks(
        cards, status="Draft", total=1234, next_cursor=cards[-1].name, region=REGION
    )
    check_blocks(blocks)
    assert text_size(blocks) <= MAX_MESSAGE_TEXT
    text = texts(blocks)
    shown = [card for card in cards if console_url(REGION, card.name) in text]
    assert 20 < len(shown) < 40
    assert shown == cards[: len(shown)]
    assert f"and {40 - len(shown)} more on this page not shown" in text
    assert "1234" in text
    [row] = actions(blocks)
    [button] = row["elements"]
    assert button["action_id"] == ids.LIST_NEXT_ACTION
    assert json.loads(button["value"]) == {"s": "Draft", "a": shown[-1].name}
    assert parse_list_page(button["value"]) == ("Draft", shown[-1].name)
    short = [evil_card(i, name=f"c{i}") for i in range(20)]
    page = card_list_blocks(short, status=None, total=40, next_cursor="c19", region=REGION)
    assert parse_list_page(actions(page)[0]["elements"][0]["value"]) == (None, "c19")


def test_card_list_never_exceeds_50_blocks():
    cards = [evil_card(i, name=fill(EVIL, 500)) for i in range(1000)]
    blocks = card_list_blocks(cards, status=None, total=5000, next_cursor="x", region=REGION)
    check_blocks(blocks)
    assert "more on this page not shown" in texts(blocks)


def test_card_list_last_page_has_no_button_and_status_none_round_trips():
    cards = [evil_card(1)]
    blocks = card_list_blocks(cards, status=None, total=1, next_cursor=None, region=REGION)
    check_blocks(blocks)
    assert not actions(blocks)
    assert parse_list_page(list_page_value(None, "abc")) == (None, "abc")


@pytest.mark.parametrize("value", ["", "{", "[]", '{"s": 1, "a": "x"}', '{"s": null}', "x" * 3000])
def test_parse_list_page_rejects_garbage(value):
    with pytest.raises(InputError):
        parse_list_page(value)


def test_card_list_empty():
    none = card_list_blocks([], status=None, total=0, next_cursor=None, region=REGION)
    assert texts(none) == "No model cards yet. Create one with `/modelcard create`."
    pending = card_list_blocks([], status="PendingReview", total=0, next_cursor=None, region=REGION)
    assert texts(pending) == "No cards are PendingReview."
    evil = card_list_blocks([], status=EVIL, total=0, next_cursor=None, region=REGION)
    check_blocks(evil)


# ---------------------------------------------------------------------------- approvals


def test_approval_request_has_exactly_approve_and_reject():
    card = evil_card(status=CardStatus.PENDING_REVIEW, name=NAME63)
    blocks = approval_request_blocks(card, requested_by="U0DS", region=REGION)
    check_blocks(blocks)
    [row] = actions(blocks)
    approve, reject = row["elements"]
    assert [e["type"] for e in row["elements"]] == ["button", "button"]
    assert approve["text"] == {"type": "plain_text", "text": "Approve", "emoji": True}
    assert reject["text"] == {"type": "plain_text", "text": "Reject", "emoji": True}
    # The buttons carry the version shown (card@vN), parsed strictly on a click.
    assert (approve["style"], approve["action_id"], approve["value"]) == (
        "primary",
        ids.APPROVE_ACTION,
        f"{NAME63}@v{card.version}",
    )
    assert (reject["style"], reject["action_id"], reject["value"]) == (
        "danger",
        ids.REJECT_ACTION,
        f"{NAME63}@v{card.version}",
    )
    assert parse_review_value(approve["value"]) == (NAME63, card.version)
    assert "Review requested by <@U0DS>." in texts(blocks)
    assert f"Version under review: *v{card.version}*" in texts(blocks)
    assert "Approvals" not in texts(blocks)


def test_approval_request_for_an_edited_version_shows_it_and_the_note():
    card = evil_card(status=CardStatus.PENDING_REVIEW)
    blocks = approval_request_blocks(
        card, requested_by="U0DS", region=REGION, version=3, notes=["edited: v2 → *v3*"]
    )
    check_blocks(blocks)
    assert "Version under review: *v3*" in texts(blocks)
    assert "edited: v2 → *v3*" in texts(blocks)
    assert {e["value"] for e in actions(blocks)[0]["elements"]} == {f"{card.name}@v3"}


def test_approval_request_shows_approvals_when_more_are_needed():
    blocks = approval_request_blocks(
        evil_card(), requested_by=EVIL, region=REGION, needed=2, approvals=["U0APPR"]
    )
    check_blocks(blocks)
    assert "1 of 2" in texts(blocks)
    assert "<@U0APPR>" in texts(blocks)
    assert len(actions(blocks)[0]["elements"]) == 2


def decided_text(card: CardSnapshot, decision: str, **more: Any) -> str:
    """The decided approval message's text, once it passed the Block Kit checks with no
    buttons left."""
    kwargs: dict[str, Any] = {"decided_by": "U0APPR", "decided_at": 1_700_000_000, **more}
    blocks = approval_decided_blocks(card, decision=decision, region=REGION, **kwargs)
    check_blocks(blocks)
    assert not actions(blocks)
    return texts(blocks)


def test_approval_decided_has_no_buttons():
    card = evil_card(status=CardStatus.APPROVED)
    approved = decided_text(card, "Approved")
    assert "Approved by <@U0APPR> on <!date^1700000000^" in approved
    with_version = approval_decided_blocks(
        card,
        decision="Approved",
        decided_by="U0APPR",
        decided_at=1_700_000_000,
        region=REGION,
        version=2,
        notes=[":warning: v2 approved, now v3."],
    )
    check_blocks(with_version)
    assert "Approved v2 by <@U0APPR>" in texts(with_version)
    assert "v2 approved, now v3." in texts(with_version)

    rejected = decided_text(card, "Rejected", reason=fill(EVIL, 5000))
    assert "Rejected by <@U0APPR> on <!date^1700000000^" in rejected
    assert "&lt;!channel&gt;" in rejected

    outside = decided_text(card, "approve", decided_by="outside Slack (console/SDK)", decided_at=0)
    assert "Approved outside Slack (console/SDK)" in outside


# ---------------------------------------------------------------------------- stage notifications


def notify(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "card": "customer-churn-v1",
        "source": "Draft",
        "target": "PendingReview",
        "stage": "test",
        "account": "333333333333",
        "access": "read-write",
        "actor": "U0DS",
        "at": 1_700_000_000,
        "region": REGION,
    }
    kwargs.update(overrides)
    return kwargs


def test_stage_notification_says_card_move_share_who_when():
    blocks = stage_notification_blocks(StageMove(**notify()))
    check_blocks(blocks)
    text = texts(blocks)
    assert console_url(REGION, "customer-churn-v1") in text
    assert "`Draft` → " in text
    assert "`PendingReview`" in text
    assert "Shared with account 333333333333 (stage test), read-write" in text
    assert "<@U0DS>" in text
    assert "<!date^1700000000^" in text
    fallback = notification_text(StageMove(**notify()))
    assert "customer-churn-v1" in fallback
    assert "Draft → PendingReview" in fallback
    assert "333333333333" in fallback
    assert_mrkdwn_safe(fallback)


def test_stage_notification_archived_lists_revoked_shares():
    kwargs = notify(
        source="Approved",
        target="Archived",
        revoked=["dev", "test", "prod"],
        actor="outside Slack (console/SDK)",
    )
    blocks = stage_notification_blocks(StageMove(**kwargs))
    check_blocks(blocks)
    assert "Shares revoked: dev, test, prod" in texts(blocks)
    assert "outside Slack (console/SDK)" in texts(blocks)
    assert "Shares revoked: dev, test, prod" in notification_text(StageMove(**kwargs))


def test_stage_notification_adversarial():
    kwargs = notify(
        card=EVIL,
        source=EVIL,
        target=EVIL,
        stage=EVIL,
        account=EVIL,
        access=EVIL,
        actor=EVIL,
        reason=fill(EVIL, 5000),
        revoked=[EVIL] * 50,
    )
    check_blocks(stage_notification_blocks(StageMove(**kwargs)))
    text = notification_text(StageMove(**kwargs))
    assert len(text) <= 3000
    assert_mrkdwn_safe(text)
    archived = {**kwargs, "target": "Archived"}
    check_blocks(stage_notification_blocks(StageMove(**archived)))
    assert_mrkdwn_safe(notification_text(StageMove(**archived)))
    new = notify(source=None, target="Draft", stage="dev", account="222222222222")
    assert "new" in texts(stage_notification_blocks(StageMove(**new)))


# ---------------------------------------------------------------------------- create modal


def state_from(view: dict[str, Any], changes: Mapping[str, str | None] = {}) -> dict[str, Any]:
    """The view.state.values Slack would send: initial values, then what the person changed."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        key = element["action_id"]
        if element["type"] == "plain_text_input":
            value = changes[key] if key in changes else element.get("initial_value")
            state = {"type": "plain_text_input", "value": value or None}
        else:
            chosen = element.get("initial_option")
            if key in changes:
                chosen = next((o for o in element["options"] if o["value"] == changes[key]), None)
            state = {"type": "static_select", "selected_option": chosen}
        values[block["block_id"]] = {key: state}
    return values


def test_create_modal_shape():
    view = create_modal()
    check_modal(view)
    assert view["callback_id"] == ids.CREATE_VIEW
    assert view["title"]["text"] == "New model card"
    assert view["submit"]["text"] == "Create"
    inputs = {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}
    assert list(inputs) == ["name", "owner", "problem_type", "description", "risk"]
    assert inputs["name"]["element"]["max_length"] == 63
    assert "hint" in inputs["name"]
    assert inputs["description"]["optional"]
    assert inputs["risk"]["optional"]
    assert inputs["description"]["element"]["multiline"]
    assert inputs["description"]["element"]["max_length"] == 1024
    options = [o["value"] for o in inputs["risk"]["element"]["options"]]
    assert options == list(RISK_RATINGS)


def test_create_values():
    view = create_modal()
    state = state_from(
        view, {"name": " churn-v1 ", "owner": EVIL, "problem_type": "binary", "risk": "Medium"}
    )
    assert create_values(state) == {
        "name": "churn-v1",
        "owner": EVIL.strip(),
        "problem_type": "binary",
        "description": "",
        "risk": "Medium",
    }
    assert create_values({}) == dict.fromkeys(
        ("name", "owner", "problem_type", "description", "risk"), ""
    )
    assert create_values({"name": {"name": "garbage"}, "risk": []})["name"] == ""


# ---------------------------------------------------------------------------- edit modal


FULL_CONTENT: dict[str, Any] = {
    "model_overview": {
        "model_description": "Predicts churn",
        "model_owner": "Jane <!channel> & co",
        "problem_type": "Binary classification",
        "algorithm_type": "XGBoost",
        "model_artifact": ["s3://bucket/model.tar.gz"],
        "model_creator": "ML platform",
    },
    "intended_uses": {
        "purpose_of_model": "Retention",
        "intended_uses": "Weekly scoring",
        "factors_affecting_model_efficiency": "Seasonality",
        "risk_rating": "Medium",
        "explanations_for_risk_rating": "Affects offers",
    },
    "business_details": {
        "business_problem": "Churn",
        "business_stakeholders": "CRM team",
        "line_of_business": "Retail",
    },
    "training_details": {
        "training_observations": "Converged",
        "training_job_details": {"training_arn": "arn:aws:sagemaker:us-east-1:1:training-job/x"},
    },
    "evaluation_details": [
        {"name": "holdout", "evaluation_observation": "AUC 0.91"},
        {
            "name": "Slack notes",
            "evaluation_observation": "Looks fine ünï 🚀",
            "datasets": ["s3://bucket/eval.csv"],
        },
    ],
    "additional_information": {
        "ethical_considerations": "No PII",
        "caveats_and_recommendations": "Retrain monthly",
        "custom_details": {"team": "growth"},
    },
}


def edit_inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def test_full_content_is_valid():
    assert content_problems(FULL_CONTENT) == []


def test_edit_modal_prefills_every_covered_field():
    view = edit_modal("customer-churn-v1", FULL_CONTENT)
    check_modal(view)
    assert view["callback_id"] == ids.EDIT_VIEW
    assert view["title"]["text"] == "Edit model card"
    assert parse_metadata(view["private_metadata"]) == {"card": "customer-churn-v1"}
    assert view["blocks"][0]["type"] == "header"
    assert "customer-churn-v1" in view["blocks"][0]["text"]["text"]
    inputs = edit_inputs(view)
    initial = {k: v["element"].get("initial_value") for k, v in inputs.items()}
    assert initial["overview"] == "Predicts churn"
    assert initial["owner"] == "Jane <!channel> & co"
    assert initial["problem_type"] == "Binary classification"
    assert initial["algorithm"] == "XGBoost"
    assert initial["purpose"] == "Retention"
    assert initial["intended_uses"] == "Weekly scoring"
    assert initial["factors"] == "Seasonality"
    assert initial["risk_explanation"] == "Affects offers"
    assert initial["business_problem"] == "Churn"
    assert initial["business_stakeholders"] == "CRM team"
    assert initial["line_of_business"] == "Retail"
    assert initial["training_observations"] == "Converged"
    assert initial["evaluation_notes"] == "Looks fine ünï 🚀"
    assert initial["ethical_considerations"] == "No PII"
    assert initial["caveats_and_recommendations"] == "Retrain monthly"
    assert inputs["risk_rating"]["element"]["initial_option"]["value"] == "Medium"
    assert all(block["optional"] for block in inputs.values())
    limits = {k: v["element"].get("max_length") for k, v in inputs.items()}
    assert limits["overview"] == limits["training_observations"] == 1024
    assert limits["purpose"] == limits["business_problem"] == limits["caveats_and_recommendations"]
    assert limits["purpose"] == 2048
    assert limits["evaluation_notes"] == 2096


def test_edit_modal_clips_long_values_and_says_so():
    content = copy.deepcopy(FULL_CONTENT)
    content["model_overview"]["model_description"] = fill(EVIL, 5000)
    content["intended_uses"]["intended_uses"] = fill(EVIL, 9000)
    content["intended_uses"]["risk_rating"] = "Bogus"
    view = edit_modal(fill(EVIL, 63), content)
    check_modal(view)
    inputs = edit_inputs(view)
    assert len(inputs["overview"]["element"]["initial_value"]) == 1024
    assert "initial_option" not in inputs["risk_rating"]["element"]
    notes = [block for block in view["blocks"] if block["type"] == "context"]
    assert any("Shortened" in texts([block]) for block in notes)


def test_edit_modal_empty_content():
    view = edit_modal(NAME63, {})
    check_modal(view)
    assert all("initial_value" not in block["element"] for block in edit_inputs(view).values())
    assert apply_edit({}, state_from(view)) == {}


def test_edit_round_trip_keeps_everything():
    view = edit_modal("customer-churn-v1", FULL_CONTENT)
    assert apply_edit(FULL_CONTENT, state_from(view)) == FULL_CONTENT


def test_edit_changes_clears_and_keeps_uncovered_sections():
    view = edit_modal("customer-churn-v1", FULL_CONTENT)
    state = state_from(
        view,
        {
            "overview": "Predicts churn better",
            "algorithm": "",
            "business_problem": None,
            "line_of_business": None,
            "business_stakeholders": "",
            "risk_rating": "High",
            "evaluation_notes": "  Reviewed by MLE  ",
            "ethical_considerations": EVIL,
        },
    )
    result = apply_edit(FULL_CONTENT, state)
    assert result["model_overview"]["model_description"] == "Predicts churn better"
    assert "algorithm_type" not in result["model_overview"]
    assert result["model_overview"]["model_artifact"] == ["s3://bucket/model.tar.gz"]
    assert result["model_overview"]["model_creator"] == "ML platform"
    assert "business_details" not in result
    assert result["intended_uses"]["risk_rating"] == "High"
    assert result["evaluation_details"] == [
        {"name": "holdout", "evaluation_observation": "AUC 0.91"},
        {
            "name": "Slack notes",
            "evaluation_observation": "Reviewed by MLE",
            "datasets": ["s3://bucket/eval.csv"],
        },
    ]
    assert result["additional_information"]["ethical_considerations"] == EVIL
    assert result["additional_information"]["custom_details"] == {"team": "growth"}
    assert result["training_details"] == FULL_CONTENT["training_details"]
    assert content_problems(result) == []
    assert FULL_CONTENT["model_overview"]["algorithm_type"] == "XGBoost"  # input untouched


def test_edit_clearing_notes_and_risk():
    view = edit_modal("customer-churn-v1", FULL_CONTENT)
    result = apply_edit(
        FULL_CONTENT, state_from(view, {"evaluation_notes": None, "risk_rating": "__unset__"})
    )
    assert "risk_rating" not in result["intended_uses"]
    assert result["evaluation_details"] == [
        {"name": "holdout", "evaluation_observation": "AUC 0.91"},
        {"name": "Slack notes", "datasets": ["s3://bucket/eval.csv"]},
    ]
    only_notes = {"evaluation_details": [{"name": "Slack notes", "evaluation_observation": "x"}]}
    view = edit_modal("c", only_notes)
    assert apply_edit(only_notes, state_from(view, {"evaluation_notes": ""})) == {}


def test_edit_adds_notes_entry_after_other_evaluations():
    content = {"evaluation_details": [{"name": "holdout"}]}
    view = edit_modal("c", content)
    result = apply_edit(content, state_from(view, {"evaluation_notes": "new"}))
    assert result == {
        "evaluation_details": [
            {"name": "holdout"},
            {"name": "Slack notes", "evaluation_observation": "new"},
        ]
    }


def test_edit_untouched_clipped_field_keeps_full_text():
    content = copy.deepcopy(FULL_CONTENT)
    long = fill("problem ", 5000)
    content["model_overview"]["problem_type"] = long
    view = edit_modal("c", content)
    assert apply_edit(content, state_from(view))["model_overview"]["problem_type"] == long
    edited = apply_edit(content, state_from(view, {"problem_type": "short"}))
    assert edited["model_overview"]["problem_type"] == "short"


def test_edit_updates_for_merge_sections():
    view = edit_modal("c", FULL_CONTENT)
    updates = edit_updates(state_from(view, {"algorithm": None, "evaluation_notes": ""}))
    assert updates["model_overview"]["algorithm_type"] is None
    assert updates["model_overview"]["model_owner"] == "Jane <!channel> & co"
    assert updates["intended_uses"]["risk_rating"] == "Medium"
    assert updates[EVALUATION_NOTES_KEY] is None
    assert edit_updates({}) == {}


# ---------------------------------------------------------------------------- reject modal


def test_reject_modal():
    view = reject_modal(NAME63)
    check_modal(view)
    assert view["callback_id"] == ids.REJECT_VIEW
    assert view["title"]["text"] == "Reject model card"
    assert view["submit"]["text"] == "Reject"
    assert parse_metadata(view["private_metadata"]) == {"card": NAME63}
    [reason] = edit_inputs(view).values()
    assert reason["block_id"] == reason["element"]["action_id"] == "reason"
    assert reason["optional"] is False
    assert reason["element"]["multiline"] is True
    assert (reason["element"]["min_length"], reason["element"]["max_length"]) == (3, 1000)
    assert reject_reason(state_from(view, {"reason": "  too weak  "})) == "too weak"
    check_modal(reject_modal(EVIL))


@pytest.mark.parametrize(
    "metadata",
    [
        "",
        "not json",
        "[]",
        '"card"',
        "null",
        '{"card": 1}',
        '{"other": "x"}',
        '{"card": ""}',
        json.dumps({"card": "x" * 3000}),
    ],
)
def test_parse_metadata_rejects_malformed(metadata):
    with pytest.raises(InputError):
        parse_metadata(metadata)


def test_modal_metadata_refuses_absurd_names():
    with pytest.raises(InputError):
        reject_modal("x" * 3000)


# ---------------------------------------------------------------------------- home, history, shares


def _home(**kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "user": "U0LEAD",
        "counts": {"Draft": 3, "PendingReview": 1, "Approved": 0, "Archived": 0},
        "my_cards": [],
        "waiting": [],
        "recent": [],
        "region": REGION,
        "stages": {"Draft": "dev", "PendingReview": "test", "Approved": "prod"},
        "now": 1_700_100_000.0,
    }
    view = home.home_view(**{**args, **kw})
    View(**view).to_dict()  # slack_sdk's own model accepts it
    check_blocks(view["blocks"], max_blocks=100)
    return view


def test_home_view_caps_lists():
    cards = [evil_card(i) for i in range(300)]
    view = _home(
        my_cards=cards,
        waiting=[home.Waiting(c, started_at=1_700_000_000.0, reminded=True) for c in cards],
        recent=[evil_event(i) for i in range(300)],
        page=home.Page(number=0, has_next=True),
    )
    assert view["type"] == "home"
    text = texts(view["blocks"])
    for title in ("My cards", "Waiting for my approval", "Recent moves"):
        assert title in text
    assert "waiting 1d" in text
    assert ":alarm_clock: reminded" in text
    [pager] = actions(view["blocks"])
    assert [e["value"] for e in pager["elements"]] == ["1"]


def test_home_view_pages_and_marks():
    card = evil_card(1)
    view = _home(
        waiting=[home.Waiting(card, started_at=1_700_000_000.0, version=4, escalated=True)],
        my_cards=[card],
        page=home.Page(number=2, has_next=False),
    )
    text = texts(view["blocks"])
    assert ":rotating_light: escalated" in text
    assert "v4" in text
    assert "Recent moves" not in text  # the first page only
    [pager] = actions(view["blocks"])
    assert [(e["text"]["text"], e["value"]) for e in pager["elements"]] == [("Previous", "1")]


def test_home_view_marks_held_outside_approvals():
    held = replace(evil_card(2), held="v1")
    view = _home(waiting=[home.Waiting(held)], my_cards=[held, evil_card(3)])
    waiting = [b for b in view["blocks"] if "Waiting for my approval" in str(b)]
    assert "_outside approval held_" in texts(waiting)
    mine = texts([b for b in view["blocks"] if "My cards" in str(b)])
    assert mine.count("_outside approval held_") == 1


def test_home_view_empty():
    view = _home()
    assert "<@U0LEAD>" in texts(view["blocks"])
    assert "*3*" in texts(view["blocks"])  # counts per status
    assert not actions(view["blocks"])


def test_home_recent_moves_are_readable():
    event = AuditEvent(
        actor="U0APPR",
        action="approve",
        card="churn-v1",
        source=CardStatus.PENDING_REVIEW,
        target=CardStatus.APPROVED,
        at=1_700_000_000,
    )
    view = _home(user="U0APPR", recent=[event])
    text = texts(view["blocks"])
    assert "<@U0APPR>" in text
    assert "churn-v1" in text
    assert "`PendingReview` → " in text
    assert "`Approved`" in text


def test_history_blocks():
    versions = [(i, "Draft", 1_700_000_000.0 + i) for i in range(1, 150)]
    versions += [(150, EVIL, None, EVIL), (151, "Approved", 1.0, "U0APPR")]
    blocks = history_blocks(EVIL, versions, [evil_event(i) for i in range(300)])
    check_blocks(blocks)
    text = texts(blocks)
    assert "v151" in text
    assert "<@U0APPR>" in text
    assert "older versions not shown" in text
    small = history_blocks("churn-v1", [(1, "Draft", 1_700_000_000.0)], [])
    check_blocks(small)
    assert "v1" in texts(small)
    check_blocks(history_blocks("churn-v1", [], []))


def test_shares_blocks():
    blocks = shares_blocks(
        "churn-v1",
        [
            ("dev", "222222222222", "read-write", "ASSOCIATED"),
            ("prod", "444444444444", "read-only", "ASSOCIATED"),
        ],
    )
    check_blocks(blocks)
    text = texts(blocks)
    for expected in ("222222222222", "read-only", "ASSOCIATED"):
        assert expected in text
    check_blocks(shares_blocks(EVIL, [(EVIL, EVIL, EVIL, EVIL)] * 200))
    assert "not shared" in texts(shares_blocks("churn-v1", []))
