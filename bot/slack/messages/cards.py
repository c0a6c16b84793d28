"""Card answers: summary (`show`), the `list` pages, `history` and `shares`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.domain.content import SUMMARY_LABELS
from bot.errors import InputError
from bot.slack.block_kit import (
    MAX_BLOCKS,
    MAX_BUTTON_VALUE,
    MAX_MESSAGE_TEXT,
    Blocks,
    bound,
    context,
    line_sections,
    pack_lines,
    plain,
    section,
)
from bot.slack.ids import LIST_NEXT_ACTION
from bot.slack.text import card_link, inline, mention, safe, slack_date, status_label
from bot.store.audit import AuditEvent
from bot.store.cards import CardSnapshot, Listed

_CARD_HINT = "see the card in the SageMaker console."
_LIST_HINT = "narrow the list with `/modelcard list STATUS`."


def card_status(card: Listed) -> str:
    """The settled status, and whether an out-of-band approval of the card is held."""
    label = status_label(card.status)
    return f"{label} — _outside approval held_" if card.held else label


def _people(card: CardSnapshot) -> list[tuple[str, str]]:
    found = [("Created by", card.created_by), ("Submitted by", card.submitted_by)]
    return [(label, mention(user)) for label, user in found if user]


def summary_blocks(card: CardSnapshot, region: str) -> Blocks:
    """The card's title line, key fields, description and last update."""
    title = f"*{card_link(card.name, region)}*\n{card_status(card)} · version {card.version}"
    fields = [
        f"*{SUMMARY_LABELS[key]}*\n{safe(value, 1900)}"
        for key, value in (
            ("owner", card.owner),
            ("problem_type", card.problem_type),
            ("risk_rating", card.risk),
        )
        if value
    ]
    fields += [f"*{label}*\n{who}" for label, who in _people(card)]
    blocks: Blocks = [section(title)]
    if fields:
        blocks.append(
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields[:10]]}
        )
    if card.description:
        label = SUMMARY_LABELS["description"]
        blocks.append(section(f"*{label}*\n{safe(card.description, 2900)}"))
    updated = f"Last updated {slack_date(card.updated_at)}"
    if card.updated_by:
        updated += f" by {mention(card.updated_by)}"
    blocks.append(context(updated))
    return blocks


def card_blocks(
    card: CardSnapshot, *, region: str, shares: Sequence[tuple[str, str, str]] = ()
) -> Blocks:
    """The answer to `/modelcard show`: summary plus, if given, (stage, account, access)."""
    blocks = summary_blocks(card, region)
    if shares:
        lines = [
            f"• {inline(stage, 40)}: account `{inline(account, 20)}`, {inline(access, 20)}"
            for stage, account, access in shares
        ]
        blocks += line_sections(["*Shared with*", *lines], 3)
    return bound(blocks, _CARD_HINT)


def list_page_value(status: str | None, cursor: str) -> str:
    """The "Next page" button value: {"s": status, "a": cursor} as compact JSON."""
    return json.dumps({"s": status, "a": cursor}, separators=(",", ":"), ensure_ascii=False)


def parse_list_page(value: str) -> tuple[str | None, str]:
    """Inverse of `list_page_value`: (status or None, cursor); InputError if malformed."""
    try:
        data = json.loads(value) if len(value) <= MAX_BUTTON_VALUE else None
    except ValueError:
        data = None
    status, cursor = (data.get("s"), data.get("a")) if isinstance(data, dict) else (0, 0)
    if not isinstance(cursor, str) or not (status is None or isinstance(status, str)):
        raise InputError("That page button is out of date. Run `/modelcard list` again.")
    return status, cursor


def card_list_blocks(
    cards: Sequence[Listed],
    *,
    status: str | None,
    total: int,
    next_cursor: str | None,
    region: str,
) -> Blocks:
    """One page of `/modelcard list`, with a "Next page" button when there is more."""
    if not cards:
        if status:
            return [section(f"No cards are {inline(status, 40)}.")]
        return [section("No model cards yet. Create one with `/modelcard create`.")]
    noun = "model card" if total == 1 else "model cards"
    title = f"*{total} {inline(status, 40)} {noun}*" if status else f"*{total} {noun}*"
    if next_cursor or len(cards) < total:
        title += f" (showing {len(cards)})"
    lines = [
        f"• *{card_link(card.name, region)}* · {card_status(card)} · "
        f"{inline(card.owner, 100) or '_no owner_'}"
        for card in cards
    ]
    body, shown = pack_lines(_within(lines, MAX_MESSAGE_TEXT - 1000), MAX_BLOCKS - 3)
    blocks: Blocks = [section(title), *body]
    if shown < len(cards):
        # The next page starts after the last card shown, so none is skipped.
        next_cursor = cards[shown - 1].name if shown else next_cursor
        left = len(cards) - shown
        blocks.append(context(f"and {left} more on this page not shown; Next page shows them"))
    value = list_page_value(status, next_cursor) if next_cursor else ""
    if value and len(value) <= MAX_BUTTON_VALUE:
        button = {
            "type": "button",
            "text": plain("Next page"),
            "action_id": LIST_NEXT_ACTION,
            "value": value,
        }
        blocks.append({"type": "actions", "elements": [button]})
        return bound(blocks, _LIST_HINT, head=1, tail=1)
    return bound(blocks, _LIST_HINT, head=1)


def _within(lines: Sequence[str], budget: int) -> list[str]:
    """The leading `lines` whose text fits in `budget` characters."""
    kept: list[str] = []
    for line in lines:
        budget -= min(len(line), 1000) + 1
        if budget < 0:
            break
        kept.append(line)
    return kept


def history_blocks(
    card: str,
    versions: Sequence[tuple[int, str, float | None] | tuple[int, str, float | None, str]],
    events: Sequence[AuditEvent],
) -> Blocks:
    """`/modelcard history`: the latest versions and audit entries, newest last."""
    name = inline(card, 80)
    blocks: Blocks = [section(f"*History of `{name}`*")]
    shown_versions = list(versions)[-20:]
    version_lines = ["*Versions*"] if shown_versions else ["_No versions recorded yet._"]
    if len(versions) > len(shown_versions):
        version_lines.append(f"_{len(versions) - len(shown_versions)} older versions not shown_")
    for row in shown_versions:
        version, status, at, user = row[0], row[1], row[2], row[3:]  # CardState adds the user
        line = f"• v{version} · {status_label(status)} · {slack_date(at)}"
        if user and user[0]:
            line += f" · {mention(str(user[0]))}"
        version_lines.append(line)
    blocks += line_sections(version_lines, 10)
    shown_events = list(events)[-40:]
    heading = ["*Audit trail*"] if shown_events else ["_No audit entries yet._"]
    if len(events) > len(shown_events):
        heading.append(f"_{len(events) - len(shown_events)} older entries not shown_")
    blocks += line_sections(heading, 1)
    kept = len(blocks)
    blocks += line_sections(
        [event_line(event, with_card=False) for event in shown_events], MAX_BLOCKS - kept
    )
    # Newest last, so a history too long for one message loses its oldest entries.
    return bound(blocks, "older entries are left out; the newest follow.", head=kept, fill="end")


def event_line(event: AuditEvent, *, with_card: bool, region: str = "") -> str:
    parts = [slack_date(event.at), mention(event.actor) if event.actor else "someone"]
    parts.append(inline(event.action, 40))
    if with_card and event.card:
        parts.append(f"*{card_link(event.card, region)}*" if region else inline(event.card, 80))
    if event.source or event.target:
        source = status_label(event.source) if event.source else "_new_"
        parts.append(f"{source} → {status_label(event.target) if event.target else '?'}")
    line = " · ".join(parts)
    if event.result and event.result != "ok":
        line += f" ({inline(event.result, 40)}"
        line += f": {inline(event.detail, 200)})" if event.detail else ")"
    return line


def shares_blocks(card: str, shares: Sequence[tuple[str, str, str, str]]) -> Blocks:
    """`/modelcard shares`: one line per (stage, account, access, status)."""
    name = inline(card, 80)
    if not shares:
        return [section(f"Model card `{name}` is not shared with any account.")]
    lines = [f"*Shares of `{name}`*"]
    lines += [
        f"• {inline(stage, 40)}: account `{inline(account, 20)}`, {inline(access, 20)}, "
        f"{inline(status, 40)}"
        for stage, account, access, status in shares
    ]
    return bound(line_sections(lines, MAX_BLOCKS), "see the card's shares in the RAM console.")
