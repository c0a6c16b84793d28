"""The App Home tab as a review dashboard: counts per status, the cards waiting for my
approval (age, version, reminded / escalated, an outside approval held), my cards with their
stage (and the held mark), recent moves.
Pure, no I/O; at most 100 blocks, long lists paged with Previous / Next buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.durations import format_age
from bot.slack.block_kit import (
    MAX_HOME_BLOCKS,
    Blocks,
    context,
    divider,
    header,
    pack_lines,
    plain,
    section,
)
from bot.slack.messages.cards import card_status, event_line
from bot.slack.text import card_link, inline, mention, status_label
from bot.store.audit import AuditEvent
from bot.store.cards import CardSnapshot

HOME_PAGE_ACTION = "modelcard_home_page"
PAGE_SIZE = 15  # per list and page; the rest is on the next page
_SECTION_BLOCKS = 8  # packed sections per list, far below the 100-block home limit


@dataclass(frozen=True)
class Waiting:
    """A card in review that this person may decide, and its review round."""

    card: CardSnapshot
    started_at: float | None = None
    version: int | None = None
    reminded: bool = False
    escalated: bool = False


@dataclass(frozen=True)
class Page:
    """One page of a list: its items and whether more come before or after."""

    number: int = 0
    has_next: bool = False


def _listing(title: str, lines: Sequence[str], empty: str, hint: str = "") -> Blocks:
    if not lines:
        return [section(f"*{title}*\n_{empty}_")]
    body, shown = pack_lines([f"*{title}*", *lines], _SECTION_BLOCKS)
    hidden = len(lines) - max(shown - 1, 0)
    return body + ([context(f"and {hidden} more: {hint}")] if hidden > 0 and hint else [])


def _waiting_line(item: Waiting, region: str, now: float) -> str:
    card = item.card
    version = item.version or card.version
    parts = [f"• *{card_link(card.name, region)}* · v{version}"]
    if item.started_at:
        parts.append(f"waiting {format_age(now - item.started_at)}")
    if item.escalated:
        parts.append(":rotating_light: escalated")
    elif item.reminded:
        parts.append(":alarm_clock: reminded")
    if card.held:
        parts.append("_outside approval held_")
    if card.risk:
        parts.append(f"risk {inline(card.risk, 20)}")
    if card.submitted_by:
        parts.append(f"submitted by {mention(card.submitted_by)}")
    return " · ".join(parts)


def _mine_line(card: CardSnapshot, stage: str, region: str) -> str:
    where = f" · stage {inline(stage, 40)}" if stage else ""
    return f"• *{card_link(card.name, region)}* · {card_status(card)}{where} · v{card.version}"


def _pager(page: Page) -> Blocks:
    buttons: list[dict[str, Any]] = []
    if page.number > 0:
        buttons.append(
            {
                "type": "button",
                "action_id": f"{HOME_PAGE_ACTION}_prev",
                "text": plain("Previous"),
                "value": str(page.number - 1),
            }
        )
    if page.has_next:
        buttons.append(
            {
                "type": "button",
                "action_id": f"{HOME_PAGE_ACTION}_next",
                "text": plain("Next"),
                "value": str(page.number + 1),
            }
        )
    return [{"type": "actions", "elements": buttons}] if buttons else []


def home_view(
    *,
    user: str,
    counts: Mapping[str, int],
    my_cards: Sequence[CardSnapshot],
    waiting: Sequence[Waiting],
    recent: Sequence[AuditEvent],
    region: str,
    stages: Mapping[str, str],
    now: float,
    page: Page = Page(),
) -> dict[str, Any]:
    """{"type": "home", "blocks": [...]} for views.publish; at most 100 blocks.

    `my_cards` and `waiting` are this page's items; `stages` maps a status to the stage it
    reaches; `recent` is oldest first (as AuditLog returns it) and is shown newest first.
    """
    summary = " · ".join(f"{status_label(s)} *{n}*" for s, n in counts.items())
    blocks: Blocks = [
        header("Model cards"),
        context(f"Hi {mention(user)}. `/modelcard help` lists every command."),
        section(f"*All cards:* {summary}" if summary else "*All cards:* none yet"),
        divider(),
    ]
    pending = [_waiting_line(item, region, now) for item in waiting[:PAGE_SIZE]]
    blocks += _listing("Waiting for my approval", pending, "Nothing is waiting for you.")
    if pending:
        blocks.append(context("Approve or reject from the request in the approvals channel."))
    blocks.append(divider())
    mine = [_mine_line(c, stages.get(str(c.status), ""), region) for c in my_cards[:PAGE_SIZE]]
    blocks += _listing("My cards", mine, "You have not created any card yet.")
    blocks += _pager(page)
    if page.number == 0:
        newest_first = list(reversed(recent[-PAGE_SIZE:]))
        moves = [event_line(event, with_card=True, region=region) for event in newest_first]
        blocks += [
            divider(),
            *_listing("Recent moves", moves, "No moves yet.", "`/modelcard history NAME`"),
        ]
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
