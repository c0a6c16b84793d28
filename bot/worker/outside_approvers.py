"""Who may approve outside Slack: the governance approver an AWS identity maps to (its
session's role is the `role_arn` of a role that can approve, its SourceIdentity a Slack user
holding that role) who is not an author of the card."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.identity import Identity, same_role
from bot.domain.status import Action
from bot.governance import Governance


@dataclass(frozen=True)
class Verdict:
    """Whether an out-of-band approval stands: `user` is the approver it maps to."""

    honoured: bool
    user: str = ""
    reason: str = ""


def approver_for(gov: Governance, identity: Identity | None, authors: set[str]) -> Verdict:
    """The governance approver behind `identity`, if it maps to one who is not an author."""
    if identity is None:
        return Verdict(
            False,
            reason="who made it is not known (LastModifiedBy names no IAM identity and no "
            "CloudTrail record of the call has arrived)",
        )
    roles = [
        name
        for name, role in gov.roles.items()
        if Action.APPROVE in role.can and same_role(identity.role_arn, role.role_arn)
    ]
    if not roles:
        shown = identity.role_arn or identity.arn
        return Verdict(False, reason=f"{shown} is not the role of a governance approver")
    person = identity.source_identity
    if not person:
        return Verdict(False, reason="the session set no SourceIdentity naming the person")
    if not set(gov.roles_of(person)) & set(roles):
        return Verdict(
            False,
            reason=f"source identity {person} is not a governance user holding {', '.join(roles)}",
        )
    if person in authors:
        return Verdict(
            False,
            user=person,
            reason=f"{person} created, edited or submitted the card (four-eyes)",
        )
    return Verdict(True, user=person)
