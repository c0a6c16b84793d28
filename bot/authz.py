"""Who may do what: capabilities from the governance roles, and four-eyes on decisions.

Used at the edge for a fast answer and again in the worker before acting; both read
governance and Redis state, never a button value.
"""

from __future__ import annotations

from collections.abc import Callable, Set

from bot.aws.sessions import Actor
from bot.domain.status import Action
from bot.errors import NotAllowed
from bot.governance import Governance
from bot.store.cards import CardState

DECISIONS = frozenset({Action.APPROVE, Action.REJECT})


def not_mapped_text(user_id: str, verb: str, card: str = "") -> str:
    """The refusal for a person with no governance role (plain text: escape it for mrkdwn)."""
    subject = f" `{card[:80]}`" if card else " model cards"
    return (
        f"You cannot {verb}{subject}: your Slack user ({user_id[:30]}) is not mapped to a "
        "governance role. Ask a modelcard-bot admin to add you under `users` in the "
        "governance file."
    )


class Authorizer:
    def __init__(self, governance: Governance, state: CardState) -> None:
        self._gov = governance
        self._state = state

    def actor(
        self,
        user_id: str,
        action: Action,
        card: str = "",
        *,
        authors: Callable[[str], Set[str]] | None = None,
    ) -> Actor:
        """The person's acting identity for `action`, or NotAllowed saying whom to ask.
        `authors` reads a card's authors (the edge passes what its request has read);
        by default they are read from Redis."""
        subject = f" `{card}`" if card else " model cards"
        if not self._gov.is_mapped(user_id):
            raise NotAllowed(not_mapped_text(user_id, str(action), card))
        role = self._gov.role_for(user_id, action)
        if role is None:
            mine = ", ".join(self._gov.roles_of(user_id))
            able = ", ".join(self._gov.who_can(action)) or "no role"
            raise NotAllowed(
                f"You cannot {action}{subject}: your role ({mine}) does not allow it. "
                f"Roles that can: {able}. Ask one of them, or an admin to change your roles."
            )
        if action in DECISIONS and card:
            self.check_four_eyes(user_id, card, authors=authors)
        return Actor(user_id=user_id, role_arn=role.role_arn)

    def authors(self, card: str) -> set[str]:
        """Who created, edited or submitted the card, from Redis."""
        snapshot = self._state.get(card)
        found = self._state.people(card)
        if snapshot is not None:
            found |= {snapshot.created_by, snapshot.submitted_by} - {""}
        return found

    def check_four_eyes(
        self, user_id: str, card: str, *, authors: Callable[[str], Set[str]] | None = None
    ) -> None:
        if user_id in (authors or self.authors)(card):
            raise NotAllowed(
                f"You cannot approve or reject `{card}`: you created, edited or submitted it, "
                "and four-eyes requires another approver. Ask a colleague with the approver role."
            )
