"""Rules that span keys (duplicate accounts, users mapped to undefined roles, roles outside
the central account, ...), each yielded as `key: reason`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.domain.status import CardStatus
from bot.governance.models import Governance, Topology
from bot.governance.review import gate_checks, review_checks, usergroup_checks

_USER_RE = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_STAGE_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_SPOKE_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")


def cross_checks(gov: Governance) -> Iterator[str]:
    for name in gov.stages:
        if not _STAGE_RE.match(name):
            yield (
                f"stages.{name}: stage names are 1-32 lowercase letters, digits and hyphens "
                "(they name the RAM share)"
            )
    seen_status: dict[CardStatus, str] = {}
    for name, stage in gov.stages.items():
        if stage.account == gov.central_account:
            yield (
                f"stages.{name}.account: {stage.account} is the central account; a stage "
                "must be another account to share cards with"
            )
        if stage.on_status == CardStatus.ARCHIVED:
            yield f"stages.{name}.on_status: Archived revokes shares; no stage can start there"
        if stage.on_status in seen_status:
            yield (
                f"stages.{name}.on_status: {stage.on_status} already drives stage "
                f"{seen_status[stage.on_status]!r}; each status drives at most one stage"
            )
        seen_status.setdefault(stage.on_status, name)
        if stage.invitation_role_arn and _arn_account(stage.invitation_role_arn) != stage.account:
            yield (
                f"stages.{name}.invitation_role_arn: the role must be in the stage account "
                f"{stage.account} to accept its invitations"
            )
    yield from _own_accounts("stage", {name: stage.account for name, stage in gov.stages.items()})
    order = [CardStatus.DRAFT, CardStatus.PENDING_REVIEW, CardStatus.APPROVED]
    statuses = [s.on_status for s in gov.stages.values() if s.on_status in order]
    if statuses != sorted(statuses, key=order.index):
        yield "stages: list stages in lifecycle order (Draft, then PendingReview, then Approved)"
    for name, role in gov.roles.items():
        if _arn_account(role.role_arn) != gov.central_account:
            yield (
                f"roles.{name}.role_arn: the role must be in the central account "
                f"{gov.central_account}, where the cards live"
            )
    if gov.automation_role_arn and _arn_account(gov.automation_role_arn) != gov.central_account:
        yield (
            "automation_role_arn: the role must be in the central account "
            f"{gov.central_account}, where the cards live"
        )
    if gov.bot_role_arn and _arn_account(gov.bot_role_arn) != gov.central_account:
        yield f"bot_role_arn: the bot role must be in the central account {gov.central_account}"
    yield from _spoke_checks(gov)
    yield from gate_checks(gov.gates)
    yield from review_checks(gov.review, bool(gov.automation_role_arn))
    yield from usergroup_checks(gov.usergroups, iter(gov.roles))
    for user, names in gov.users.items():
        if not _USER_RE.match(user):
            yield f"users.{user}: not a Slack user id (e.g. U0123ABCD)"
        if not names:
            yield f"users.{user}: list at least one governance role, or remove the user"
        for role_name in names:
            if role_name not in gov.roles:
                defined = ", ".join(gov.roles)
                yield f"users.{user}: role {role_name!r} is not defined under roles ({defined})"


def _spoke_checks(gov: Governance) -> Iterator[str]:
    if gov.topology != Topology.HUB_AND_SPOKE:
        if gov.spokes:
            yield "spokes: only used with topology: hub-and-spoke; set it or remove spokes"
        return
    if not gov.spokes:
        yield (
            "spokes: topology hub-and-spoke needs at least one spoke "
            '(NAME: {account: "555555555555", role_arn: ...})'
        )
    if not gov.automation_role_arn:
        yield (
            "automation_role_arn: required with topology hub-and-spoke; the worker copies "
            "spoke cards into the hub as this role"
        )
    stage_accounts = {stage.account: name for name, stage in gov.stages.items()}
    for name, spoke in gov.spokes.items():
        if not _SPOKE_RE.match(name):
            yield (
                f"spokes.{name}: spoke names are 1-32 lowercase letters, digits and hyphens, "
                "starting and ending with a letter or digit (they prefix hub card names)"
            )
        if spoke.account == gov.central_account:
            yield (
                f"spokes.{name}.account: {spoke.account} is the central (hub) account; a spoke "
                "must be another account"
            )
        if spoke.account in stage_accounts:
            yield (
                f"spokes.{name}.account: {spoke.account} is the account of stage "
                f"{stage_accounts[spoke.account]!r}; a spoke needs an account of its own"
            )
        if _arn_account(spoke.role_arn) != spoke.account:
            yield (
                f"spokes.{name}.role_arn: the role must be in the spoke account "
                f"{spoke.account}, where its cards live"
            )

    yield from _own_accounts("spoke", {name: spoke.account for name, spoke in gov.spokes.items()})


def _own_accounts(kind: str, accounts: dict[str, str]) -> Iterator[str]:
    """Each stage (or spoke) needs an account no other one uses."""
    seen: dict[str, str] = {}
    for name, account in accounts.items():
        if account in seen:
            yield (
                f"{kind}s.{name}.account: {account} is already the account of {kind} "
                f"{seen[account]!r}; each {kind} needs its own account"
            )
        seen.setdefault(account, name)


def _arn_account(arn: str) -> str:
    return arn.split(":")[4]
