"""Block Kit messages: pure builders, no I/O.

Every string a person or AWS controls (names, content, reasons, owners) goes through `safe`
(escape, then clip) before it lands in mrkdwn, so `<!channel>`, `<@U…>` and `<url|label>`
typed by someone are shown literally and no text object outgrows Slack's limits. Modals live
in `bot.slack.modals`, the App Home view in `bot.slack.home`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bot.domain.content import SUMMARY_LABELS
from bot.domain.diff import ChangeKind, FieldChange, SectionChange, render_value
from bot.domain.status import CardStatus
from bot.errors import InputError
from bot.store.audit import AuditEvent
from bot.store.cards import CardSnapshot

Blocks = list[dict[str, Any]]

# Action ids and view callback ids the handlers route on.
APPROVE_ACTION = "modelcard_approve"
REJECT_ACTION = "modelcard_reject"
LIST_NEXT_ACTION = "modelcard_list_next"
CREATE_VIEW = "modelcard_create"
EDIT_VIEW = "modelcard_edit"
REJECT_VIEW = "modelcard_reject_reason"

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

OUTSIDE_SLACK = "outside Slack (console/SDK)"

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_LINE = 1000  # one list line, before packing lines into sections
_MAX_URL = 400
_STATUS_ICONS: Mapping[str, str] = {
    CardStatus.DRAFT: ":pencil2:",
    CardStatus.PENDING_REVIEW: ":hourglass_flowing_sand:",
    CardStatus.APPROVED: ":white_check_mark:",
    CardStatus.ARCHIVED: ":file_cabinet:",
}

# ---------------------------------------------------------------------------- text helpers


def escape(text: str) -> str:
    """Slack mrkdwn escaping: `&`, `<`, `>` become entities, so nothing pings or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" if limit > 0 else ""


def safe(text: object, limit: int) -> str:
    """Escaped and clipped to `limit` chars without leaving half an entity (`&am…`)."""
    escaped = escape(str(text))
    if len(escaped) <= limit:
        return escaped
    if limit <= 0:
        return ""
    return _PARTIAL_ENTITY.sub("", escaped[: limit - 1]) + "…"


def clip_mrkdwn(text: str, limit: int) -> str:
    """`clip` for mrkdwn built here: never ends inside a `<link|label>`, mention or entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    return _PARTIAL_ENTITY.sub("", cut) + "…" if limit > 0 else ""


def inline(text: object, limit: int) -> str:
    """Like `safe`, on one line: runs of whitespace (newlines too) become one space."""
    return safe(" ".join(str(text).split()), limit)


def console_url(region: str, card: str) -> str:
    """The card's page in the SageMaker console."""
    region = quote(region, safe="")
    return (
        f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}"
        f"#/model-cards/{quote(card, safe='')}"
    )


def card_link(card: str, region: str) -> str:
    """mrkdwn link to the console whose label is the (escaped, clipped) card name."""
    url = console_url(region, card)
    if len(url) > _MAX_URL:  # not a real card name: show it, do not link it
        return inline(card, 80)
    return f"<{url}|{inline(card, 80)}>"


def mention(user_id: str) -> str:
    """`<@U123>` for a real Slack user id; anything else (e.g. OUTSIDE_SLACK) as plain text."""
    if _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return inline(user_id, 80)


def by(actor: str) -> str:
    """By whom, as "by <@U…>"; or how, when no Slack user made the change (OUTSIDE_SLACK)."""
    if not actor:
        return "by someone"
    if actor.startswith("outside "):
        return inline(actor, 80)
    return f"by {mention(actor)}"


def slack_date(ts: float | None) -> str:
    """A date each reader sees in their own time zone; the fallback is UTC."""
    if ts is None or ts <= 0:
        return "an unknown time"
    try:
        fallback = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return "an unknown time"
    return f"<!date^{int(ts)}^{{date_short_pretty}} {{time}}|{fallback}>"


def status_label(status: object) -> str:
    text = str(status)
    return f"{_STATUS_ICONS.get(text, '')} `{inline(text, 40)}`".strip()


# ---------------------------------------------------------------------------- block helpers


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


def _people(card: CardSnapshot) -> list[tuple[str, str]]:
    found = [("Created by", card.created_by), ("Submitted by", card.submitted_by)]
    return [(label, mention(user)) for label, user in found if user]


def summary_blocks(card: CardSnapshot, region: str) -> Blocks:
    """The card's title line, key fields, description and last update."""
    title = (
        f"*{card_link(card.name, region)}*\n{status_label(card.status)} · version {card.version}"
    )
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


# ---------------------------------------------------------------------------- help

_COMMANDS: Sequence[tuple[str, str, str]] = (
    (
        "create <name> [--owner X] [--problem-type Y] [--description Z] [--risk R]",
        "Create a Draft card and share it with dev. Without arguments it opens a form.",
        '/modelcard create customer-churn-v1 --owner jane.doe --problem-type "binary '
        'classification" --risk Medium',
    ),
    ("edit <name>", "Edit the card's sections in a form.", "/modelcard edit customer-churn-v1"),
    (
        "submit <name>",
        "Send a Draft for review (PendingReview).",
        "/modelcard submit customer-churn-v1",
    ),
    (
        "approve <name>",
        "Approve a card under review (never your own).",
        "/modelcard approve customer-churn-v1",
    ),
    (
        "reject <name> <reason>",
        "Send a card under review back to Draft, saying why.",
        "/modelcard reject customer-churn-v1 AUC is below the agreed threshold",
    ),
    (
        "archive <name>",
        "Archive a card and revoke its shares (final).",
        "/modelcard archive customer-churn-v1",
    ),
    ("show <name>", "Show a card's summary.", "/modelcard show customer-churn-v1"),
    (
        "list [status]",
        "List cards, optionally only Draft, PendingReview, Approved or Archived ones.",
        "/modelcard list PendingReview",
    ),
    (
        "history <name>",
        "A card's versions and audit trail.",
        "/modelcard history customer-churn-v1",
    ),
    (
        "diff <name> [v1 v2]",
        "What changed between two versions (default: the last two) and who changed it.",
        "/modelcard diff customer-churn-v1 1 3",
    ),
    ("shares <name>", "The accounts a card is shared with.", "/modelcard shares customer-churn-v1"),
    (
        "export <name>",
        "Export a card as PDF and get a private download link.",
        "/modelcard export customer-churn-v1",
    ),
    (
        "admin delete <name>",
        "Delete a card for good (admins, confirmed).",
        "/modelcard admin delete customer-churn-v1",
    ),
    ("admin retry", "Retry jobs that failed for good (admins).", "/modelcard admin retry"),
    ("help", "This list.", "/modelcard help"),
)


def help_blocks() -> Blocks:
    """Every `/modelcard` subcommand with what it does and an example."""
    blocks: Blocks = [header("Model Card Bot: /modelcard commands")]
    for usage, what, example in _COMMANDS:
        blocks.append(
            section(f"*`/modelcard {escape(usage)}`*\n{what}\n_e.g._ `{escape(example)}`")
        )
    blocks.append(
        context("Anyone may show, list, history, shares and help; other commands need a role.")
    )
    return blocks


def help_text() -> str:
    """The same reference as mrkdwn-safe text (Slack parses a message's `text` as mrkdwn)."""
    lines = ["/modelcard commands:"]
    lines += [f"• /modelcard {usage}: {what} e.g. {example}" for usage, what, example in _COMMANDS]
    return escape("\n".join(lines))


# ---------------------------------------------------------------------------- cards


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
    return blocks


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
    cards: Sequence[CardSnapshot],
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
        f"• *{card_link(card.name, region)}* · {status_label(card.status)} · "
        f"{inline(card.owner, 100) or '_no owner_'}"
        for card in cards
    ]
    body, shown = pack_lines(lines, MAX_BLOCKS - 3)
    blocks: Blocks = [section(title), *body]
    if shown < len(cards):
        blocks.append(context(f"and {len(cards) - shown} more on this page not shown"))
    value = list_page_value(status, next_cursor) if next_cursor else ""
    if value and len(value) <= MAX_BUTTON_VALUE:
        button = {
            "type": "button",
            "text": plain("Next page"),
            "action_id": LIST_NEXT_ACTION,
            "value": value,
        }
        blocks.append({"type": "actions", "elements": [button]})
    return blocks


# ---------------------------------------------------------------------------- approvals


def approval_request_blocks(
    card: CardSnapshot,
    *,
    requested_by: str,
    region: str,
    needed: int = 1,
    approvals: Sequence[str] = (),
) -> Blocks:
    """The approvals-channel message: summary and exactly two buttons, Approve and Reject."""
    blocks: Blocks = [section(f":mag: Review requested {by(requested_by)}.")]
    blocks += summary_blocks(card, region)
    if needed > 1:
        who = ", ".join(mention(user) for user in approvals[:20]) or "none yet"
        blocks.append(context(f"Approvals: {len(approvals)} of {needed} needed ({who})"))
    name = card.name[:MAX_BUTTON_VALUE]
    confirm = {
        "title": plain("Approve this model card?", 100),
        "text": plain(
            f"{clip(card.name, 100)} becomes Approved and moves on to the next stage.", 300
        ),
        "confirm": plain("Approve", 30),
        "deny": plain("Cancel", 30),
    }
    approve = {
        "type": "button",
        "text": plain("Approve"),
        "style": "primary",
        "action_id": APPROVE_ACTION,
        "value": name,
        "confirm": confirm,
    }
    reject = {
        "type": "button",
        "text": plain("Reject"),
        "style": "danger",
        "action_id": REJECT_ACTION,
        "value": name,
    }
    blocks.append(
        {"type": "actions", "block_id": "modelcard_review", "elements": [approve, reject]}
    )
    return blocks


def approval_decided_blocks(
    card: CardSnapshot,
    *,
    decision: str,
    decided_by: str,
    decided_at: float,
    region: str,
    reason: str | None = None,
) -> Blocks:
    """The approval message once decided: same summary, no buttons, who decided and when."""
    word = decision.strip().lower()
    if word.startswith("approv"):
        icon, verb = ":white_check_mark:", "Approved"
    elif word.startswith("reject"):
        icon, verb = ":x:", "Rejected"
    else:
        icon, verb = ":information_source:", inline(decision or "Decided", 40)
    outcome = f"{verb} {by(decided_by)} on {slack_date(decided_at)}"
    if reason and reason.strip():
        outcome += f": {inline(reason, 2000)}"
    blocks: Blocks = [section(f"{icon} Review closed.")]
    blocks += summary_blocks(card, region)
    blocks.append(context(outcome))
    return blocks


# ---------------------------------------------------------------------------- stage notifications


@dataclass(frozen=True)
class StageMove:
    """What a stage channel is told: a card moved from `source` to `target`."""

    card: str
    source: str | None
    target: str
    stage: str
    account: str
    access: str
    actor: str
    at: float
    region: str
    reason: str | None = None
    revoked: Sequence[str] = ()


def _notification_lines(m: StageMove) -> tuple[str, str, str | None, str]:
    move = f"{status_label(m.source) if m.source else '_new_'} → {status_label(m.target)}"
    title = f"*{card_link(m.card, m.region)}*: {move}"
    if m.target == CardStatus.ARCHIVED:
        names = ", ".join(inline(name, 40) for name in m.revoked[:20])
        shared = f"Shares revoked: {names}" if names else "No shares to revoke."
    elif m.account:
        shared = (
            f"Shared with account {inline(m.account, 20)} (stage {inline(m.stage, 40)}), "
            f"{inline(m.access, 20)}"
        )
    else:
        shared = f"Stage {inline(m.stage, 40)}: no account to share with."
    reason = m.reason.strip() if m.reason else ""
    why = f"Reason: {safe(reason, 2000)}" if reason else None
    who = f"Changed {by(m.actor)} on {slack_date(m.at)}"
    return title, shared, why, who


def stage_notification_blocks(move: StageMove) -> Blocks:
    """The one message a stage channel gets when a card moves into (or out of) its status."""
    title, shared, why, who = _notification_lines(move)
    blocks: Blocks = [section(f"{title}\n{shared}")]
    if why:
        blocks.append(section(why))
    blocks.append(context(who))
    return blocks


def notification_text(move: StageMove) -> str:
    """Fallback `text` of the stage notification (notifications, screen readers)."""
    change = f"{inline(move.source, 40) if move.source else 'new'} → {inline(move.target, 40)}"
    _title, shared, why, who = _notification_lines(move)
    parts = [f"Model card {inline(move.card, 80)}: {change}.", f"{shared}.", why, f"{who}."]
    return clip_mrkdwn(" ".join(part for part in parts if part), MAX_SECTION_TEXT)


# ---------------------------------------------------------------------------- history, shares


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
    event_lines = ["*Audit trail*"] if shown_events else ["_No audit entries yet._"]
    if len(events) > len(shown_events):
        event_lines.append(f"_{len(events) - len(shown_events)} older entries not shown_")
    event_lines += [event_line(event, with_card=False) for event in shown_events]
    blocks += line_sections(event_lines, MAX_BLOCKS - len(blocks))
    return blocks


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
    return line_sections(lines, MAX_BLOCKS)


# ---------------------------------------------------------------------------- refusals


def not_mapped_text(user_id: str, verb: str, card: str = "") -> str:
    """The refusal for a person with no governance role (as the Authorizer words it)."""
    subject = f" `{inline(card, 80)}`" if card else " model cards"
    return (
        f"You cannot {verb}{subject}: your Slack user ({inline(user_id, 30)}) is not mapped to a "
        "governance role. Ask a modelcard-bot admin to add you under `users` in the "
        "governance file."
    )


# ---------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportLink:
    """A finished PDF export: where to download it, for how long, and what it shows."""

    card: str
    version: int
    status: str
    url: str
    expires_minutes: int
    by: str = ""


def _download_link(url: str, label: str) -> str:
    # Slack reads `&` in a link as `&amp;` (and decodes it); a URL holding `<`, `>` or `|`
    # would break the link syntax, so it is shown as text instead.
    if any(mark in url for mark in "<>|"):
        return escape(url)
    return f"<{escape(url)}|{escape(label)}>"


def export_text(link: ExportLink) -> str:
    """Fallback `text` of an export answer: it carries the link itself."""
    name = inline(link.card, 80)
    return (
        f"PDF of model card {name} (v{link.version}, {inline(link.status, 40)}): "
        f"{_download_link(link.url, 'download')} (expires within {link.expires_minutes} min)"
    )


def export_blocks(link: ExportLink, *, for_channel: bool = False) -> Blocks:
    """The private answer to `/modelcard export`, or its post in the prod channel."""
    name = inline(link.card, 80)
    title = f":page_facing_up: *PDF of model card `{name}`* · v{link.version} · "
    title += status_label(link.status)
    download = _download_link(link.url, f"Download {link.card}.pdf")
    if len(title) + len(download) + 1 > MAX_SECTION_TEXT:
        download = "The link is in this message's text (too long for a block)."
    note = (
        f"The link expires within {link.expires_minutes} minutes; "
        f"`/modelcard export {name}` makes a fresh one."
    )
    if for_channel and link.by:
        note = f"Exported {by(link.by)}. " + note
    return [section(f"{title}\n{download}"), context(note)]


# ---------------------------------------------------------------------------- diff


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
        return blocks
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
    left = len(lines) - count
    if left > 0:
        blocks.append(context(f"{left} more line(s) not shown; compare fewer versions."))
    return blocks
