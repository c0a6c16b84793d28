"""No message outgrows Slack: every builder ends in `bound`, which keeps a message's blocks
under 12,000 characters of text and 50 blocks and says what it left out."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.domain.diff import compare, diff_content
from bot.slack.block_kit import MAX_BLOCKS, MAX_MESSAGE_TEXT, bound, context, section, text_size
from bot.slack.messages.approvals import approval_request_blocks
from bot.slack.messages.cards import history_blocks
from bot.slack.messages.diff import DiffVersion, diff_blocks
from bot.store.audit import AuditEvent
from tests.test_blocks import EVIL, check_blocks, evil_card, fill, texts

Blocks = list[dict[str, Any]]


def assert_one_message(blocks: Blocks) -> list[str]:
    """Within Slack's limits, valid for slack_sdk's Block Kit models; returns the "more"
    lines (context blocks starting with "… ")."""
    assert text_size(blocks) <= MAX_MESSAGE_TEXT
    assert len(blocks) <= MAX_BLOCKS
    parsed = Block.parse_all(blocks)
    assert len(parsed) == len(blocks)
    for block in parsed:
        assert block is not None
        block.to_dict()  # runs slack_sdk's validation of lengths and required fields
    check_blocks(blocks)
    return [
        element["text"]
        for block in blocks
        if block["type"] == "context"
        for element in block["elements"]
        if element["text"].startswith("… ")
    ]


def test_history_of_a_long_lived_card_fits_one_message_and_keeps_the_newest() -> None:
    versions = [(v, "Draft", 1_700_000_000.0 + v, "U0DS") for v in range(1, 66)]
    events = [
        AuditEvent(
            actor="U0DS",
            action=fill("registry ", 40),
            card="churn",
            result="failed",
            detail=fill(f"entry {i} {EVIL} ", 2000),
            at=1_700_000_000 + i,
        )
        for i in range(400)
    ]
    blocks = history_blocks("churn", versions, events)
    assert text_size(blocks) > 0
    [more] = assert_one_message(blocks)
    assert "more line(s) not shown" in more
    assert "older entries are left out" in more
    shown = texts(blocks)
    assert "v65" in shown  # the newest version
    assert "entry 399" in shown  # the newest audit entry
    assert "entry 360 " not in shown  # the oldest of the last 40 did not fit
    assert "*Audit trail*" in shown


def test_diff_of_200_changed_fields_fits_one_message_with_a_more_line() -> None:
    old = {
        "additional_information": {"custom_details": {f"k{i:03}": "a" * 300 for i in range(200)}}
    }
    new = {
        "additional_information": {"custom_details": {f"k{i:03}": "b" * 300 for i in range(200)}}
    }
    sections = compare(old, new, [(2, diff_content(old, new))])
    assert len(sections[0].changes) == 200
    blocks = diff_blocks(
        "churn",
        DiffVersion(1, "Draft", 1_700_000_000.0, "U0LEAD"),
        DiffVersion(2, "Draft", None, None),
        sections,
        [DiffVersion(2, "Draft", None, None)],
    )
    [more] = assert_one_message(blocks)
    assert blocks[-1]["type"] == "context"
    assert more == blocks[-1]["elements"][0]["text"]
    count = int(more.split()[1])
    shown_lines = sum(texts([b]).count("\n") + 1 for b in blocks[2:-1])
    assert count + shown_lines == 201  # the section line and its 200 fields, all accounted for
    assert "compare fewer versions" in more


def test_a_message_that_fits_is_left_as_it_is() -> None:
    blocks = [section("a"), context("b")]
    assert bound(blocks, "never shown") == blocks
    assert assert_one_message(blocks) == []


def test_bound_keeps_the_head_and_tail_blocks_at_the_limit() -> None:
    body = [section(f"{i} " + "x" * 2990) for i in range(12)]
    buttons = {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}}
        ],
    }
    blocks = bound([section("title"), *body, buttons], "see more.", head=1, tail=1)
    [more] = assert_one_message(blocks)
    assert blocks[0] == section("title")
    assert blocks[-1] == buttons
    assert blocks[-2]["elements"][0]["text"] == more
    assert more == f"… {12 - (len(blocks) - 3)} more line(s) not shown; see more."
    many = bound([section(str(i)) for i in range(80)], "page.")
    assert len(many) == MAX_BLOCKS
    assert many[-1]["elements"][0]["text"] == "… 31 more line(s) not shown; page."
    hidden = bound([section("a")], "page.", hidden=3)
    assert hidden[-1]["elements"][0]["text"] == "… 3 more line(s) not shown; page."


def test_approval_request_keeps_its_buttons() -> None:
    blocks = approval_request_blocks(
        evil_card(), requested_by="U0DS", region="us-east-1", needed=2, approvals=["U0APPR"]
    )
    assert_one_message(blocks)
    assert blocks[-1]["type"] == "actions"
