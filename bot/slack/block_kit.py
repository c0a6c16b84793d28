"""Block Kit primitives and Slack's limits: sections, context, headers, packing lines.

Every text here is clipped to Slack's limits, so no block outgrows them.
See https://docs.slack.dev/reference/block-kit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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

_LINE = 1000  # one list line, before packing lines into sections


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
