"""Read-only answers from Redis, at once: help, show, list, history, shares."""

from __future__ import annotations

import functools
from typing import Any

from slack_sdk.web import WebClient

from bot.domain.status import CardStatus
from bot.errors import InputError
from bot.slack.command_line import CommandLine
from bot.slack.messages.cards import card_blocks, card_list_blocks, history_blocks, shares_blocks
from bot.slack.messages.help import help_blocks, help_text
from handlers.commands.base import Reply, card_name, known_card, say
from handlers.common import WebDeps

LIST_PAGE = 20


@functools.cache
def _help_reply() -> Reply:
    # Static text: built once (escaping it costs more than the rest of the ack).
    return say(help_text(), help_blocks())


def help_answer(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    return _help_reply()


def show(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    snapshot = known_card(d, card_name(line, "/modelcard show NAME"))
    shares = [
        (stage, d.gov.stages[stage].account, str(d.gov.stages[stage].access))
        for stage in snapshot.shared_stages
        if stage in d.gov.stages
    ]
    return say(
        f"Model card {snapshot.name}: {snapshot.status}",
        card_blocks(snapshot, region=d.gov.region, shares=shares),
    )


def list_reply(d: WebDeps, status: CardStatus | None, after: str = "") -> Reply:
    cards, cursor, total = d.edge.page(status, after, LIST_PAGE)
    return say(
        f"{total} model card(s)",
        card_list_blocks(
            cards,
            status=str(status) if status else None,
            total=total,
            next_cursor=cursor,
            region=d.gov.region,
        ),
    )


def list_cards(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    if len(line.args) > 1:
        raise InputError("Usage: `/modelcard list [Draft|PendingReview|Approved|Archived]`")
    status = CardStatus.parse(line.args[0]) if line.args else None
    return list_reply(d, status)


def history(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    name = card_name(line, "/modelcard history NAME")
    known_card(d, name)
    versions = [(v, s, at) for v, s, at, _user in d.state.versions(name)]
    history = history_blocks(name, versions, d.audit.for_card(name, count=30))
    return say(f"History of model card {name}", history)


def shares(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    snapshot = known_card(d, card_name(line, "/modelcard shares NAME"))
    rows = [
        (stage, d.gov.stages[stage].account, str(d.gov.stages[stage].access), "ASSOCIATED")
        for stage in snapshot.shared_stages
        if stage in d.gov.stages
    ]
    return say(f"Shares of model card {snapshot.name}", shares_blocks(snapshot.name, rows))
