"""`/modelcard`: parse, authorize, validate, then enqueue a job or open a modal, and ack.

Answers come in the ack (ephemeral); nothing here calls AWS, and the only Slack call is
`views.open` with the fresh trigger_id. One module per family of subcommands.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk.web import WebClient

from bot.errors import ModelCardBotError
from bot.slack.block_kit import section
from bot.slack.command_line import options_for, parse
from bot.slack.messages.help import help_blocks
from bot.slack.text import clip, escape, refusal
from handlers.commands import admin, audit, authoring, decisions, reading, reports
from handlers.commands.base import Subcommand, say
from handlers.common import WebServices

SUBCOMMANDS: dict[str, Subcommand] = {
    "help": reading.help_answer,
    "create": authoring.create,
    "edit": authoring.edit,
    "submit": decisions.transition("submit"),
    "approve": decisions.transition("approve"),
    "reject": decisions.transition("reject"),
    "archive": decisions.transition("archive"),
    "show": reading.show,
    "list": reading.list_cards,
    "history": reading.history,
    "diff": reports.diff,
    "shares": reading.shares,
    "export": reports.export,
    "audit": audit.audit_command,
    "admin": admin.admin,
}


def handle_modelcard(web: WebServices, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    d = web.begin()
    try:
        line = parse(body.get("text", ""), options_for(body.get("text", "")))
        run = SUBCOMMANDS.get(line.sub)
        if run is None:
            shown = escape(clip(line.sub, 40))
            ack(
                **say(
                    f"Unknown subcommand `{shown}`. Here is what I can do:",
                    [section(f"Unknown subcommand `{shown}`."), *help_blocks()],
                )
            )
            return
        ack(**run(d, line, body, client))
    except ModelCardBotError as err:
        ack(**say(refusal(err)))


def register(app: App, web: WebServices) -> None:
    def modelcard(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_modelcard(web, ack, body, client)

    app.command("/modelcard")(modelcard)
