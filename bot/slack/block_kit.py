"""Block Kit primitives and Slack's limits: sections, context, headers, packing lines.

Every text here is clipped to Slack's limits, so no block outgrows them.
See https://docs.slack.dev/reference/block-kit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from bot.slack.text import clip, clip_mrkdwn

Blocks = list[dict[str, Any]]

# Slack limits (https://docs.slack.dev/reference/block-kit).
MAX_BLOCKS = 50  # per message and per modal as used here; home tabs allow 100
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MODAL_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_TEXT = 75
MAX_PLAIN_TEXT_INPUT = 3000
# Slack refuses a message whose blocks hold more text than about this (msg_blocks_too_long).
MAX_MESSAGE_TEXT = 12_000

_LINE = 1000  # one list line, before packing lines into sections
_MORE_ROOM = 400  # text kept free for the "… N more" line


def section(text: str) -> dict[str, Any]:
    text = clip_mrkdwn(text, MAX_SECTION_TEXT)
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(*texts: str) -> dict[str, Any]:
    elements = [{"type": "mrkdwn", "text": clip_mrkdwn(t, MAX_SECTION_TEXT)} for t in texts[:10]]
    return {"type": "context", "elements": elements}


def header(text: str) -> dict[str, Any]:
    plain = clip(text, MAX_HEADER_TEXT)
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def plain(text: str, limit: int = MAX_BUTTON_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def line_sections(lines: Sequence[str], max_blocks: int) -> Blocks:
    """Pack lines (each already safe) into as few sections as fit in 3000 chars each.

    At most `max_blocks` sections; lines that do not fit are dropped (see `pack_lines`).
    """
    return pack_lines(lines, max_blocks)[0]


def pack_lines(lines: Sequence[str], max_blocks: int) -> tuple[Blocks, int]:
    """(sections, how many of `lines` they hold): like `line_sections`, counting what fit."""
    texts: list[str] = []
    count = 0
    for raw in lines:
        line = clip_mrkdwn(raw, _LINE)
        if texts and len(texts[-1]) + 1 + len(line) <= MAX_SECTION_TEXT:
            texts[-1] += "\n" + line
        elif len(texts) < max_blocks:
            texts.append(line)
        else:
            break
        count += 1
    return [section(text) for text in texts], count


def text_size(node: Any) -> int:
    """Characters of text in a block or a list of blocks: every `text` string in it (fields,
    context elements and button labels too), which is what Slack counts per message."""
    if isinstance(node, dict):
        return sum(
            len(value) if key == "text" and isinstance(value, str) else text_size(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return sum(text_size(item) for item in node)
    return 0


def _line_count(block: dict[str, Any]) -> int:
    texts: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    texts.append(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(block)
    return max(1, sum(text.count("\n") + 1 for text in texts))


def bound(
    blocks: Blocks,
    hint: str,
    *,
    head: int = 0,
    tail: int = 0,
    fill: Literal["start", "end"] = "start",
    hidden: int = 0,
    max_text: int = MAX_MESSAGE_TEXT,
    max_blocks: int = MAX_BLOCKS,
) -> Blocks:
    """One message's blocks within Slack's limits (total text and block count).

    All of them when they fit. Else the first `head` and last `tail` blocks (a title, the
    buttons) are kept, the blocks between are added from their start (or, with
    fill="end", from their end: the newest) while they fit, and a context line
    "… N more line(s) not shown; {hint}" stands where the others were. `hidden` counts
    lines the builder already left out; with any, the line is there even when all fit.
    """
    if text_size(blocks) <= max_text and len(blocks) <= max_blocks and not hidden:
        return list(blocks)
    first, middle = list(blocks[:head]), list(blocks[head : len(blocks) - tail])
    last = list(blocks[len(blocks) - tail :]) if tail else []
    budget = max_text - text_size(first) - text_size(last) - _MORE_ROOM
    room = max_blocks - len(first) - len(last) - 1
    kept: Blocks = []
    for block in middle if fill == "start" else reversed(middle):
        size = text_size(block)
        if len(kept) >= room or size > budget:
            break
        kept.append(block)
        budget -= size
    left = [block for block in middle if not any(block is k for k in kept)]
    more = context(
        f"… {hidden + sum(_line_count(b) for b in left)} more line(s) not shown; "
        + clip_mrkdwn(hint, 300)
    )
    if fill == "end":
        return [*first, more, *reversed(kept), *last]
    return [*first, *kept, more, *last]
