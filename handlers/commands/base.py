"""What every subcommand shares: its signature, the ephemeral answer, the card it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.web import WebClient

from bot.domain.names import validate_name
from bot.errors import CardNotFound, InputError
from bot.slack.command_line import CommandLine
from bot.store.cards import CardSnapshot
from handlers.common import WebDeps

Reply = dict[str, Any]
Subcommand = Callable[[WebDeps, CommandLine, dict[str, Any], WebClient], Reply]


def say(text: str, extra: list[dict[str, Any]] | None = None) -> Reply:
    answer: Reply = {"response_type": "ephemeral", "text": text}
    if extra is not None:
        answer["blocks"] = extra
    return answer


def card_name(line: CommandLine, usage: str) -> str:
    if not line.args:
        raise InputError(f"Which model card? Usage: `{usage}`")
    return validate_name(line.args[0])


def known_card(d: WebDeps, name: str) -> CardSnapshot:
    snapshot = d.edge.snapshot(name)
    if snapshot is None:
        raise CardNotFound(name)
    return snapshot
