"""The reject form: asks the approver why before a card goes back to Draft."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.slack.block_kit import Blocks, section
from bot.slack.forms.fields import card_metadata, modal, text_input, typed_text
from bot.slack.ids import REJECT_VIEW
from bot.slack.text import inline

_REASON_MIN, _REASON_MAX = 3, 1000


def reject_modal(card: str) -> dict[str, Any]:
    """Asks the approver why, before a card under review goes back to Draft."""
    blocks: Blocks = [
        section(
            f"Reject `{inline(card, 80)}`? It goes back to Draft and its authors see your reason."
        ),
        text_input(
            "reason",
            "Reason",
            max_length=_REASON_MAX,
            min_length=_REASON_MIN,
            multiline=True,
            optional=False,
        ),
    ]
    return modal(
        REJECT_VIEW, "Reject model card", "Reject", blocks, private_metadata=card_metadata(card)
    )


def reject_reason(state_values: Mapping[str, Any]) -> str:
    """The reason typed in the reject modal, stripped ("" if missing)."""
    return (typed_text(state_values, "reason") or "").strip()
