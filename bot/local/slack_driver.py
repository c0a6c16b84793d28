"""What a person does in Slack, for the test stacks and the demo: type a command, click a
button. Each call gets its own response_url on the fake Slack, so answers land as that
person would see them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.local.fake_slack import FakeSlack
from bot.local.slack_requests import Response, SlackSender


def button(message: Mapping[str, Any], action_id: str) -> dict[str, Any]:
    """The button `action_id` in a posted message's actions blocks."""
    found: dict[str, Any] = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    return found


def message_value(message: Mapping[str, Any], action_id: str) -> str:
    """The `value` of the button `action_id` in a posted message."""
    return str(button(message, action_id)["value"])


class SlackDriver:
    """A person on Slack. Built with `fake` and `sender`, or as a mixin of a class that has
    both attributes (the test stacks)."""

    fake: FakeSlack
    sender: SlackSender
    _n: int = 0

    def __init__(self, fake: FakeSlack, sender: SlackSender) -> None:
        self.fake = fake
        self.sender = sender

    def command(self, text: str, user: str, channel: str = "C0GENERAL") -> Response:
        self._n += 1
        url = self.fake.response_url(f"cmd{self._n}", channel=channel, user=user)
        return self.sender.command(text, user, response_url=url, channel_id=channel)

    def click(self, action_id: str, user: str, message: dict[str, Any], channel: str) -> Response:
        self._n += 1
        url = self.fake.response_url(
            f"act{self._n}", channel=channel, user=user, message_ts=message["ts"]
        )
        return self.sender.action(
            action_id,
            message_value(message, action_id),
            user,
            response_url=url,
            channel_id=channel,
            message=message,
        )
