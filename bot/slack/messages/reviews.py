"""Messages of review timers: the reminder and escalation replies in the approval request's
thread, and the escalation DM. Pure: text and blocks only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.slack.block_kit import Blocks, context, section
from bot.slack.text import mention

_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,20}$")
MAX_MENTIONS = 40  # a reply naming more people than this says "and N more"


def who(ids: Sequence[str]) -> str:
    """Mentions of users (`<@U…>`) and user groups (`<!subteam^S…>`), capped."""
    shown = [f"<!subteam^{i}>" if _GROUP_ID.match(i) else mention(i) for i in ids[:MAX_MENTIONS]]
    hidden = len(ids) - len(shown)
    return ", ".join(shown) + (f" and {hidden} more" if hidden > 0 else "")


def reminder(card: str, version: int, waited: str, approvers: Sequence[str]) -> tuple[str, Blocks]:
    text = f"Reminder: model card {card} v{version} has waited {waited} for approval."
    ask = (
        f"{who(approvers)}: you may approve or reject it (buttons above)."
        if approvers
        else "No one who may approve it is mapped yet; ask an admin to add approvers."
    )
    return text, [
        section(
            f":alarm_clock: *Reminder:* model card `{card}` *v{version}* has waited "
            f"*{waited}* for approval.\n{ask}"
        ),
        context(f"`/modelcard show {card}` · its authors cannot approve it (four-eyes)"),
    ]


def escalation(card: str, version: int, waited: str, to: Sequence[str]) -> tuple[str, Blocks]:
    text = f"Escalation: model card {card} v{version} has waited {waited} for approval."
    return text, [
        section(
            f":rotating_light: *Escalation:* model card `{card}` *v{version}* has waited "
            f"*{waited}* for approval.\n{who(to)}: please see that it is reviewed."
        )
    ]


def escalation_dm(card: str, version: int, waited: str, channel: str) -> tuple[str, Blocks]:
    text = (
        f"Model card {card} v{version} has waited {waited} for approval; you are its "
        "escalation contact."
    )
    return text, [
        section(
            f":rotating_light: Model card `{card}` *v{version}* has waited *{waited}* for "
            f"approval in <#{channel}>. You are listed as its escalation contact: please see "
            "that it is reviewed."
        ),
        context(f"`/modelcard show {card}`"),
    ]
