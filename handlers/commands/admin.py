"""admin delete (confirmed with a button) and admin retry (dead letters)."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient

from bot.domain.status import Action
from bot.errors import InputError
from bot.slack.block_kit import section
from bot.slack.command_line import CommandLine
from bot.slack.ids import ADMIN_DELETE_ACTION
from handlers.commands.base import Reply, card_name, known_card, say
from handlers.common import WebDeps


def admin(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    what = line.args[0].lower() if line.args else ""
    if what == "retry":
        d.authorize(user, Action.RETRY)
        d.edge.settle()  # before the writes requeue_dead makes
        moved = d.outbox.requeue_dead()
        return say(f"Re-queued {moved} dead-letter job(s).")
    if what == "delete":
        rest = CommandLine(sub="delete", args=line.args[1:])
        name = card_name(rest, "/modelcard admin delete NAME")
        d.authorize(user, Action.DELETE, name)
        known_card(d, name)
        return say(f"Delete model card {name}?", _delete_confirm(name))
    raise InputError("Usage: `/modelcard admin delete NAME` or `/modelcard admin retry`.")


def _delete_confirm(name: str) -> list[dict[str, Any]]:
    return [
        section(
            f"Delete model card `{name}` for good? Its shares are revoked first. "
            "This cannot be undone."
        ),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": ADMIN_DELETE_ACTION,
                    "text": {"type": "plain_text", "text": "Delete"},
                    "style": "danger",
                    "value": name,
                    "confirm": {
                        "title": {"type": "plain_text", "text": "Delete model card?"},
                        "text": {"type": "plain_text", "text": f"{name} will be deleted."},
                        "confirm": {"type": "plain_text", "text": "Delete"},
                        "deny": {"type": "plain_text", "text": "Cancel"},
                        "style": "danger",
                    },
                }
            ],
        },
    ]
