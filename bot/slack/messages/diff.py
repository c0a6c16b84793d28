"""`/modelcard diff`: changed sections, fields old → new, and who made each version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.diff import ChangeKind, FieldChange, SectionChange, render_value
from bot.slack.block_kit import MAX_BLOCKS, Blocks, bound, line_sections, pack_lines, section
from bot.slack.text import OUTSIDE_SLACK, by, inline, slack_date, status_label


@dataclass(frozen=True)
class DiffVersion:
    """One version of a card as the worker recorded it (user "" is outside Slack)."""

    version: int
    status: str
    at: float | None
    user: str | None  # None: the bot never saw this version


_KIND_WORDS: Mapping[ChangeKind, str] = {
    ChangeKind.ADDED: "added",
    ChangeKind.REMOVED: "removed",
    ChangeKind.CHANGED: "changed",
}
_MAX_DIFF_LINES = 80
_DIFF_HINT = "compare fewer versions, e.g. `/modelcard diff NAME V1 V2`."


def _who(row: DiffVersion | None) -> str:
    if row is None or row.user is None:
        return "not seen by the bot"
    return by(row.user or OUTSIDE_SLACK)


def change_line(change: FieldChange, limit: int = 120) -> str:
    """`path`: old → new, for one changed field (values escaped and clipped)."""
    path = f"`{inline(change.path, 200)}`"
    if change.kind is ChangeKind.ADDED:
        return f"• {path} added: {inline(render_value(change.new, limit), limit + 20)}"
    if change.kind is ChangeKind.REMOVED:
        return f"• {path} removed (was {inline(render_value(change.old, limit), limit + 20)})"
    old = inline(render_value(change.old, limit), limit + 20)
    new = inline(render_value(change.new, limit), limit + 20)
    return f"• {path}: {old} → {new}"


def diff_text(card: str, old: int, new: int, sections: Sequence[SectionChange]) -> str:
    name = inline(card, 80)
    if not sections:
        return f"Model card {name}: no content change between v{old} and v{new}."
    names = ", ".join(inline(s.name, 60) for s in sections[:10])
    more = f" and {len(sections) - 10} more" if len(sections) > 10 else ""
    count = len(sections)
    return f"Model card {name}, v{old} → v{new}: {count} section(s) changed ({names}{more})."


def diff_blocks(
    card: str,
    old: DiffVersion,
    new: DiffVersion,
    sections: Sequence[SectionChange],
    between: Sequence[DiffVersion],
) -> Blocks:
    """`/modelcard diff`: per changed section, its fields (old → new) and who changed it.

    `between`: the versions after `old` up to `new`, each with who made it and when.
    """
    name = inline(card, 80)
    title = f"*Diff of `{name}`: v{old.version} → v{new.version}*"
    if old.status != new.status and old.status and new.status:
        title += f"\nStatus {status_label(old.status)} → {status_label(new.status)}"
    blocks: Blocks = [section(title)]
    by_version = {row.version: row for row in between}
    made = [
        f"• v{row.version} {_who(row)}, {slack_date(row.at)}"
        if row.user is not None
        else f"• v{row.version} (not seen by the bot; made outside Slack)"
        for row in between
    ]
    if made:
        blocks += line_sections(["*Versions in this diff*", *made[-20:]], 3)
    if not sections:
        blocks.append(section("_No content change between these versions._"))
        return bound(blocks, _DIFF_HINT, head=1)
    lines: list[str] = []
    for found in sections:
        who = sorted({_who(by_version.get(v)) for v in found.versions})
        where = ", ".join(f"v{v}" for v in found.versions)
        head = f"*{inline(found.name, 80)}* {_KIND_WORDS[found.kind]}"
        if where:
            head += f" in {where} ({'; '.join(who)})"
        lines.append(head)
        lines += [change_line(change) for change in found.changes]
    shown = lines[:_MAX_DIFF_LINES]
    packed, count = pack_lines(shown, MAX_BLOCKS - len(blocks) - 1)
    blocks += packed
    return bound(blocks, _DIFF_HINT, head=1, hidden=len(lines) - count)
