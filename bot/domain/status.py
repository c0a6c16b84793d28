"""Card statuses, governance actions and the lifecycle rules between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.errors import InputError, NotEditable, WrongStatus


class CardStatus(StrEnum):
    """SageMaker ModelCardStatus values, spelled as the API spells them."""

    DRAFT = "Draft"
    PENDING_REVIEW = "PendingReview"
    APPROVED = "Approved"
    ARCHIVED = "Archived"

    @classmethod
    def parse(cls, text: str) -> CardStatus:
        """Read a status typed by a person: any case, with or without `-`, `_` or spaces."""
        key = _squash(text)
        for status in cls:
            if _squash(status.value) == key:
                return status
        valid = ", ".join(status.value for status in cls)
        shown = repr(text[:40]) + ("…" if len(text) > 40 else "")
        raise InputError(f"{shown} is not a card status; use one of {valid}.")


def _squash(text: str) -> str:
    return "".join(char for char in text.lower() if char not in "-_ \t")


class Action(StrEnum):
    """Governance capabilities, as listed in a governance role's `can`."""

    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    ARCHIVE = "archive"
    DELETE = "delete"
    RETRY = "retry"
    EXPORT = "export"
    AUDIT = "audit"


# Any user mapped to at least one governance role may export, whatever their roles' `can` say:
# exporting only renders what that person may already read.
IMPLICIT_FOR_MAPPED: frozenset[Action] = frozenset({Action.EXPORT})
# While no governance role lists `audit` in its `can`, roles that decide or administer
# (approve, delete, retry) may export the audit trail; once one lists it, only those do.
IMPLICIT_AUDIT: frozenset[Action] = frozenset({Action.APPROVE, Action.DELETE, Action.RETRY})

_DRAFT, _PENDING, _APPROVED, _ARCHIVED = (
    CardStatus.DRAFT,
    CardStatus.PENDING_REVIEW,
    CardStatus.APPROVED,
    CardStatus.ARCHIVED,
)

# Status-changing action -> (statuses it may start from, status it leads to). Archived is final.
TRANSITIONS: Mapping[Action, tuple[frozenset[CardStatus], CardStatus]] = MappingProxyType(
    {
        Action.SUBMIT: (frozenset({_DRAFT}), _PENDING),
        Action.APPROVE: (frozenset({_PENDING}), _APPROVED),
        Action.REJECT: (frozenset({_PENDING}), _DRAFT),
        Action.ARCHIVE: (frozenset({_DRAFT, _PENDING, _APPROVED}), _ARCHIVED),
    }
)

# Content may change while drafting and while under review (test evidence, DESIGN step 5).
EDITABLE: frozenset[CardStatus] = frozenset({_DRAFT, _PENDING})


# What to do instead when an action may not start from a status ({card} is the card name).
# PendingReview is absent: every status-changing action may start there or is a no-op.
_REFUSAL_HINTS: Mapping[CardStatus, str] = MappingProxyType(
    {
        _DRAFT: "Submit it first with `/modelcard submit {card}`.",
        _APPROVED: (
            "It is already approved; to change it, archive it with "
            "`/modelcard archive {card}` and create a new card."
        ),
        _ARCHIVED: "Archived cards are final; create a new card instead.",
    }
)


@dataclass(frozen=True)
class TransitionPlan:
    """A status change that is allowed now: move `card` from `source` to `target`."""

    card: str
    action: Action
    source: CardStatus
    target: CardStatus


def is_allowed_transition(src: CardStatus, dst: CardStatus) -> bool:
    """True if some action moves a card from `src` to `dst` (staying put is not a transition)."""
    return action_for(src, dst) is not None


def action_for(src: CardStatus, dst: CardStatus) -> Action | None:
    """The action that explains an observed change, or None if no allowed action does."""
    for action, (sources, target) in TRANSITIONS.items():
        if src in sources and dst == target:
            return action
    return None


def plan_transition(card: str, action: Action, current: CardStatus) -> TransitionPlan | None:
    """Plan `action` on a card now at `current`.

    None when the card is already at the action's target, so a retried or doubled request
    changes nothing; WrongStatus when the action may not start from `current`.
    """
    if action not in TRANSITIONS:
        raise ValueError(f"{action!r} does not change a card's status")
    sources, target = TRANSITIONS[action]
    if current == target:
        return None
    if current not in sources:
        hint = _REFUSAL_HINTS.get(current, "").format(card=card)
        raise WrongStatus(card, current, target, hint)
    return TransitionPlan(card=card, action=action, source=current, target=target)


def check_editable(card: str, current: CardStatus) -> None:
    """Raise NotEditable (a WrongStatus) unless the card's content may be edited now."""
    if current in EDITABLE:
        return
    if current == _APPROVED:
        hint = (
            f"Approved content is frozen: archive it with `/modelcard archive {card}` "
            "and create a new card for the next version."
        )
    else:
        hint = _REFUSAL_HINTS[_ARCHIVED]
    raise NotEditable(card, current, hint)
