"""Tell the ops channel, once, that RAM refused the customer-managed read-only permission.

Every share with a read-only stage fails the same way until an operator switches
`read_only_via`, so one message (keyed by the permission name) says what to do; each person
whose action hit it is still answered (the job's own refusal).
"""

from __future__ import annotations

from bot.errors import ReadOnlyPermissionRefused
from bot.governance import Governance
from bot.slack.messages.ops import read_only_refused
from bot.slack.notifier import SlackNotifier


def refusal_effect(permission: str) -> str:
    """The effect key of the ops message; `python -m bot doctor` looks for its record."""
    return f"read-only-permission-refused:{permission}"


def report_refusal(
    gov: Governance, notifier: SlackNotifier, err: ReadOnlyPermissionRefused, card: str
) -> bool:
    """Post the refusal in the ops channel unless it was posted before; True if it was."""
    if not gov.ops_channel:
        return False
    text, blocks = read_only_refused(card, err.stage, err)
    notifier.post_once(refusal_effect(gov.read_only_permission_name), gov.ops_channel, text, blocks)
    return True
