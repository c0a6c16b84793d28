"""Gates at both ends: the edge refuses a submit or approve whose card lacks a required
field before anything is queued; the worker checks again against AWS before acting, and
judges a move made outside Slack by the same rules (`bot/worker/outside_gates.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.gates import fill_lines, gate_refusal, missing_fields
from bot.domain.review import fill_in_review
from bot.domain.status import Action, CardStatus
from bot.errors import GateClosed
from bot.governance import Governance
from bot.slack.forms.edit import form_fields

# The status each gated action moves a card into, and how a refusal words it.
GATED_ACTIONS: Mapping[Action, tuple[CardStatus, str]] = {
    Action.SUBMIT: (CardStatus.PENDING_REVIEW, "submitted for review"),
    Action.APPROVE: (CardStatus.APPROVED, "approved"),
}


class Gatekeeper:
    def __init__(self, governance: Governance) -> None:
        self._gov = governance
        self._form = form_fields()

    def required(self, action: Action) -> list[str]:
        gated = GATED_ACTIONS.get(action)
        return self._gov.required_fields(gated[0]) if gated else []

    def missing(self, status: CardStatus, content: Mapping[str, Any]) -> list[str]:
        """The fields `gates.<status>.require` names that `content` lacks."""
        return missing_fields(content, self._gov.required_fields(status))

    def how_to_fill(self, card: str, missing: list[str]) -> list[str]:
        """One line per missing path, saying where to fill it (the edit form's section)."""
        return fill_lines(card, missing, self._form)

    def then(self, action: Action, card: str) -> str | None:
        """What to do once the fields are known, when editing is not it: an approval is asked
        of a card in review, which `edits_in_review: refuse` keeps from being edited."""
        if action is Action.APPROVE:
            return fill_in_review(card, self._gov.edits_in_review)
        return None

    def check(self, card: str, action: Action, content: Mapping[str, Any]) -> None:
        """Raise GateClosed naming every required field `content` lacks."""
        paths = self.required(action)
        if not paths:
            return
        missing = missing_fields(content, paths)
        if missing:
            status, verb = GATED_ACTIONS[action]
            text = gate_refusal(
                card, verb, str(status), missing, self._form, self.then(action, card)
            )
            raise GateClosed(card, str(status), missing, text)
