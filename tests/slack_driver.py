"""What a person does in Slack, for test stacks: type a command, click a button. Each call
gets its own response_url on the fake Slack, so answers land as that person would see them."""

from __future__ import annotations

from typing import Any

from tests.fake_slack import FakeSlack
from tests.slack_requests import Response, SlackSender


def message_value(message: dict[str, Any], action_id: str) -> str:
    """The `value` of the button `action_id` in a posted message."""
    return str(
        next(
            e["value"]
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == action_id
        )
    )


class SlackDriver:
    """Mixin: needs `fake` (FakeSlack) and `sender` (SlackSender) attributes."""

    fake: FakeSlack
    sender: SlackSender
    _n: int = 0

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
