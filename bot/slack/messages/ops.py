"""Messages for the ops channel about the AWS setup (what an operator must change)."""

from __future__ import annotations

from typing import Any

from bot.slack.block_kit import bound, section
from bot.slack.text import inline


def read_only_refused(card: str, stage: str, reason: object) -> tuple[str, list[dict[str, Any]]]:
    """RAM refused the customer-managed read-only permission: nothing shared with `stage`."""
    text = (
        f":rotating_light: Model card `{inline(card, 100)}` is not shared with stage "
        f"`{inline(stage, 40)}`: {inline(reason, 900)}"
    )
    return text, bound([section(text)], "the text says what to do.")
