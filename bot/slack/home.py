"""The App Home tab: my cards, cards waiting for my approval, recent moves. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.block_kit import (
    MAX_HOME_BLOCKS,
    Blocks,
    context,
    divider,
    header,
    pack_lines,
    section,
)
from bot.slack.messages.cards import event_line
from bot.slack.text import card_link, inline, mention, status_label
from bot.store.audit import AuditEvent
from bot.store.cards import CardSnapshot

MAX_ITEMS = 20  # per list; the rest is summed up as "and N more"
_SECTION_BLOCKS = 8  # packed sections per list, far below the 100-block home limit


def _more(hidden: int, hint: str) -> Blocks:
    return [context(f"and {hidden} more: {hint}")] if hidden > 0 else []


def _listing(title: str, lines: Sequence[str], total: int, empty: str, hint: str) -> Blocks:
    if not lines:
        return [section(f"*{title}*\n_{empty}_")]
    body, shown = pack_lines([f"*{title}*", *lines], _SECTION_BLOCKS)
    return body + _more(total - max(shown - 1, 0), hint)


def home_view(
    *,
    user: str,
    my_cards: Sequence[CardSnapshot],
    waiting: Sequence[CardSnapshot],
    recent: Sequence[AuditEvent],
    region: str,
) -> dict[str, Any]:
    """{"type": "home", "blocks": [...]} for views.publish; at most 100 blocks.

    `recent` is oldest first (as AuditLog returns it) and is shown newest first.
    """
    mine = [
        f"• *{card_link(card.name, region)}* · {status_label(card.status)} · v{card.version}"
        for card in my_cards[:MAX_ITEMS]
    ]
    pending = [
        f"• *{card_link(card.name, region)}* · {inline(card.owner, 100) or '_no owner_'}"
        + (f" · submitted by {mention(card.submitted_by)}" if card.submitted_by else "")
        + f" · `/modelcard show {inline(card.name, 80)}`"
        for card in waiting[:MAX_ITEMS]
    ]
    newest_first = list(reversed(recent[-MAX_ITEMS:]))
    moves = [event_line(event, with_card=True, region=region) for event in newest_first]
    blocks: Blocks = [
        header("Model cards"),
        context(f"Hi {mention(user)}. `/modelcard help` lists every command."),
        divider(),
        *_listing(
            "My cards",
            mine,
            len(my_cards),
            "You have not created any card yet.",
            "`/modelcard list`",
        ),
        divider(),
        *_listing(
            "Waiting for my approval",
            pending,
            len(waiting),
            "Nothing is waiting for you.",
            "`/modelcard list PendingReview`",
        ),
    ]
    if pending:
        blocks.append(context("Approve or reject from the request in the approvals channel."))
    blocks += [
        divider(),
        *_listing("Recent moves", moves, len(recent), "No moves yet.", "`/modelcard history NAME`"),
    ]
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
