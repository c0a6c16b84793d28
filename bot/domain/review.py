"""Review rules: which moves need an approval, how a review binds to a card version, and
the governance policies for changes made outside Slack (pure, no I/O).

A review round is identified by (card, version): approvals count only for the version they
were given on, and a button carries the version it was shown (`card@v3`) so a click on an
older request is recognised. The button value is never trusted for authorization; it only
detects staleness.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.domain.names import validate_name
from bot.domain.status import TRANSITIONS, Action, CardStatus
from bot.errors import InputError, NotEditable, StaleReview


class OutsideApprove(StrEnum):
    """`outside_changes.approve`: what to do with an approval nobody can vouch for."""

    REVERT = "revert"  # the automation role sets the previous status back
    HOLD = "hold"  # status left, nothing shared, held until an approver decides in Slack
    TRUST = "trust"  # follow it like any other move (the behaviour before 2026-12)


class EditsInReview(StrEnum):
    """`edits_in_review`: what a content change does to a card under review."""

    RESET = "reset"  # the request shows the new version; approvals so far no longer count
    RETURN_TO_DRAFT = "return-to-draft"  # the card goes back to Draft
    REFUSE = "refuse"  # Slack edits are refused; outside edits are reported, review reset


class EditsAfterApproval(StrEnum):
    """`edits_after_approval`: what a content change does to an Approved card."""

    ALERT = "alert"  # one message in the approvals channel: approved vN, now vM
    REOPEN = "reopen"  # back to PendingReview, prod share suspended, fresh request


# Statuses only a decision may lead to: Approve's target (no other action reaches it).
APPROVAL_STATUSES: frozenset[CardStatus] = frozenset({TRANSITIONS[Action.APPROVE][1]})

_VALUE = re.compile(r"^(?P<card>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})@v(?P<version>[1-9][0-9]{0,8})$")


def needs_approval(previous: CardStatus | None, target: CardStatus) -> bool:
    """True when a move into `target` from `previous` is one only an approval may make."""
    return target in APPROVAL_STATUSES and previous != target


def review_value(card: str, version: int) -> str:
    """The value an Approve / Reject button carries: the card and the version it shows."""
    return f"{card}@v{version}"


def parse_review_value(value: object) -> tuple[str, int]:
    """(card, version) from a button value; InputError for anything else."""
    match = _VALUE.match(value) if isinstance(value, str) else None
    if match is None:
        shown = " ".join(str(value).split())[:80]  # escaped where it becomes mrkdwn
        raise InputError(
            f"This approval button ({shown}) is out of date or damaged (it does not say which "
            "card version it is for). Use `/modelcard approve NAME` or the latest approval "
            "request."
        )
    return validate_name(match.group("card")), int(match.group("version"))


def check_version(card: str, asked: int | None, current: int) -> None:
    """StaleReview unless the decision was asked on the version under review now."""
    if asked is not None and asked != current:
        raise StaleReview(card, asked, current)


def through_draft(card: str) -> str:
    """How content changes when Slack cannot edit it where the card is (frozen in review, or
    held Approved): a rejection sends it back to Draft, where it is edited and submitted."""
    return (
        f"an approver can reject it (`/modelcard reject {card} REASON`) to send it back to "
        "Draft, where it can be edited before it is submitted again"
    )


def fill_in_review(card: str, policy: EditsInReview) -> str | None:
    """How to fill the fields a gate lacks on a card under review: None when it can be
    edited in review (`/modelcard edit`), else the way through Draft, naming the policy."""
    if policy is not EditsInReview.REFUSE:
        return None
    return (
        "This workspace refuses edits in review (`edits_in_review: refuse`): "
        f"{through_draft(card)}."
    )


def check_edit_in_review(card: str, status: CardStatus, policy: EditsInReview) -> None:
    """`edits_in_review: refuse`: content of a card under review may not change."""
    if status is CardStatus.PENDING_REVIEW:
        advice = fill_in_review(card, policy)
        if advice is not None:
            raise NotEditable(card, status, advice)


class EditKind(StrEnum):
    IN_REVIEW = "in-review"
    AFTER_APPROVAL = "after-approval"


def edit_kind(
    status: CardStatus, version: int, review_version: int | None, approved_version: int | None
) -> EditKind | None:
    """Whether a card seen at `version` was edited during its review or after approval."""
    if status is CardStatus.PENDING_REVIEW and review_version is not None:
        return EditKind.IN_REVIEW if version != review_version else None
    if status is CardStatus.APPROVED and approved_version is not None:
        return EditKind.AFTER_APPROVAL if version != approved_version else None
    return None
