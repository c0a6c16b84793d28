"""`/modelcard help`: every subcommand with an example."""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.block_kit import Blocks, bound, context, header, section
from bot.slack.text import escape

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
        "audit [<name>] [--since YYYY-MM-DD]",
        "The audit trail as CSV, with a private download link (approvers, admins).",
        "/modelcard audit customer-churn-v1 --since 2026-11-01",
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
    return bound(blocks, "each command also answers `/modelcard help`.", head=1)


def help_text() -> str:
    """The same reference as mrkdwn-safe text (Slack parses a message's `text` as mrkdwn)."""
    lines = ["/modelcard commands:"]
    lines += [f"• /modelcard {usage}: {what} e.g. {example}" for usage, what, example in _COMMANDS]
    return escape("\n".join(lines))
