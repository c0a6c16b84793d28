"""AWS RAM: one resource share per stage, owned by the central account.

Shares are found by name or created (a deterministic clientToken makes two racing creators
get the same share); a card is associated only if it is not already, again with a
clientToken, so a retried job never shares twice.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bot.aws.errors import translate
from bot.aws.sessions import Actor, RoleSessions
from bot.errors import ReadOnlyPermissionRefused
from bot.governance import Access, Governance, ReadOnlyVia, Stage

RESOURCE_TYPE = "sagemaker:ModelCard"
MANAGED_PERMISSION = "AWSRAMPermissionSageMakerModelCards"
READ_ONLY_ACTIONS = ("sagemaker:DescribeModelCard", "sagemaker:ListModelCardVersions")
_LIVE = frozenset({"ASSOCIATED", "ASSOCIATING"})
# CreatePermission errors (botocore's RAM model) that mean "not for this resource type",
# as opposed to throttling, a malformed template or a missing IAM grant.
REFUSED_CODES = frozenset({"OperationNotPermittedException", "InvalidParameterException"})
_TOKEN_NAMESPACE = uuid.UUID("5b2f7d1c-8a0e-4f55-9a57-6d0c8f4e2b11")


def share_name(stage: str) -> str:
    return f"modelcard-bot-{stage}"


def _token(*parts: str) -> str:
    return str(uuid.uuid5(_TOKEN_NAMESPACE, "|".join(parts)))


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class StageShare:
    stage: str
    account: str
    access: Access
    share_arn: str
    status: str


@dataclass(frozen=True)
class ShareResult:
    stage: str
    share_arn: str
    changed: bool


class StageShares:
    """Find-or-create stage shares and (dis)associate cards with them, as the acting person."""

    def __init__(self, sessions: RoleSessions, governance: Governance) -> None:
        self._sessions = sessions
        self._gov = governance
        self._lock = threading.Lock()
        self._share_arns: dict[str, str] = {}
        self._accepted: set[str] = set()

    def _ram(self, actor: Actor) -> Any:
        return self._sessions.client(actor, "ram")

    def permission_arn(self, actor: Actor, stage: Stage) -> str:
        """Managed permission for read-write stages; a customer-managed read-only one for prod
        (or, with `read_only_via: managed-with-guard`, the managed one: the prod guard denies
        the writes)."""
        partition = _partition(self._gov.region)
        managed = f"arn:{partition}:ram::aws:permission/{MANAGED_PERMISSION}"
        if stage.access is Access.READ_WRITE:
            return managed
        if self._gov.read_only_via is ReadOnlyVia.MANAGED_WITH_GUARD:
            return managed
        return self._read_only_permission(actor, stage)

    def _read_only_permission(self, actor: Actor, stage: Stage) -> str:
        name = self._gov.read_only_permission_name
        found = self.find_read_only_permission(actor)
        if found is not None:
            return found
        template = {"Effect": "Allow", "Action": list(READ_ONLY_ACTIONS)}
        try:
            created = self._ram(actor).create_permission(
                name=name,
                resourceType=RESOURCE_TYPE,
                policyTemplate=json.dumps(template),
                clientToken=_token("permission", name),
            )
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            if code in REFUSED_CODES:
                stage_name = next(n for n, s in self._gov.stages.items() if s == stage)
                request_id = str(err.response.get("ResponseMetadata", {}).get("RequestId", ""))
                raise ReadOnlyPermissionRefused(name, stage_name, code, request_id) from err
            raise translate(err, action="RAM CreatePermission (read-only)") from err
        except Exception as err:
            raise translate(err, action="RAM CreatePermission (read-only)") from err
        return str(created["permission"]["arn"])

    def find_read_only_permission(self, actor: Actor) -> str | None:
        """ARN of the customer-managed permission `read_only_permission_name`, if it exists."""
        name = self._gov.read_only_permission_name
        ram = self._ram(actor)
        params: dict[str, Any] = {
            "resourceType": RESOURCE_TYPE,
            "permissionType": "CUSTOMER_MANAGED",
        }
        try:
            while True:  # botocore has no paginator for ListPermissions
                page = ram.list_permissions(**params)
                for permission in page.get("permissions", []):
                    if permission.get("name") == name:
                        return str(permission["arn"])
                if not page.get("nextToken"):
                    return None
                params["nextToken"] = page["nextToken"]
        except Exception as err:
            raise translate(err, action="RAM ListPermissions") from err

    def ensure_share(self, actor: Actor, stage_name: str) -> str:
        """The stage's share ARN, creating the share (with the stage account) on first use."""
        with self._lock:
            cached = self._share_arns.get(stage_name)
        if cached:
            return cached
        stage = self._gov.stages[stage_name]
        arn = self._find_share(actor, stage_name)
        if arn is None:
            arn = self._create_share(actor, stage_name, stage)
        else:
            self._ensure_principal(actor, arn, stage)
        with self._lock:
            self._share_arns[stage_name] = arn
        return arn

    def _find_share(self, actor: Actor, stage_name: str) -> str | None:
        try:
            pages = (
                self._ram(actor)
                .get_paginator("get_resource_shares")
                .paginate(
                    resourceOwner="SELF", name=share_name(stage_name), resourceShareStatus="ACTIVE"
                )
            )
            for page in pages:
                for share in page.get("resourceShares", []):
                    if share.get("name") == share_name(stage_name):
                        return str(share["resourceShareArn"])
        except Exception as err:
            raise translate(err, action="RAM GetResourceShares") from err
        return None

    def _create_share(self, actor: Actor, stage_name: str, stage: Stage) -> str:
        permission = self.permission_arn(actor, stage)
        try:
            answer = self._ram(actor).create_resource_share(
                name=share_name(stage_name),
                principals=[stage.account],
                permissionArns=[permission],
                allowExternalPrincipals=self._gov.ram_allow_external_principals,
                tags=[
                    {"key": "managed-by", "value": "modelcard-bot"},
                    {"key": "stage", "value": stage_name},
                ],
                clientToken=_token("share", self._gov.central_account, stage_name),
            )
        except Exception as err:
            raise translate(err, action=f"RAM CreateResourceShare for stage {stage_name}") from err
        return str(answer["resourceShare"]["resourceShareArn"])

    def _associations(self, actor: Actor, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        try:
            pages = (
                self._ram(actor).get_paginator("get_resource_share_associations").paginate(**params)
            )
            for page in pages:
                found.extend(page.get("resourceShareAssociations", []))
        except Exception as err:
            raise translate(err, action="RAM GetResourceShareAssociations") from err
        return found

    def _ensure_principal(self, actor: Actor, share_arn: str, stage: Stage) -> None:
        rows = self._associations(actor, associationType="PRINCIPAL", resourceShareArns=[share_arn])
        if any(r["associatedEntity"] == stage.account and r["status"] in _LIVE for r in rows):
            return
        self._associate(actor, share_arn, principals=[stage.account])

    def _associate(
        self, actor: Actor, share_arn: str, hint: str = "", **entities: list[str]
    ) -> None:
        # `hint` names the occasion: after a disassociation the same card is associated
        # again under a new token (RAM would answer a reused one with the old result).
        token_parts = [share_arn, *sorted(v for vs in entities.values() for v in vs)]
        token_parts += [hint] if hint else []
        try:
            self._ram(actor).associate_resource_share(
                resourceShareArn=share_arn,
                clientToken=_token("associate", *token_parts),
                **entities,
            )
        except Exception as err:
            raise translate(err, action="RAM AssociateResourceShare") from err

    def share_card(
        self, actor: Actor, stage_name: str, card_arn: str, hint: str = ""
    ) -> ShareResult:
        """Associate the card with the stage's share unless it already is; `hint` (the
        change that shares it) keeps a retry idempotent and a re-share after a suspension
        distinct."""
        share_arn = self.ensure_share(actor, stage_name)
        rows = self._associations(
            actor,
            associationType="RESOURCE",
            resourceShareArns=[share_arn],
            resourceArn=card_arn,
        )
        changed = not any(r["status"] in _LIVE for r in rows)
        if changed:
            again = hint if any(r["status"] == "DISASSOCIATED" for r in rows) else ""
            self._associate(actor, share_arn, again, resourceArns=[card_arn])
        # Outside an Organization the stage account sees nothing until it accepts; RAM
        # invites an account once per share, so once accepted there is nothing more to do.
        if share_arn not in self._accepted:
            self.accept_invitations(actor, stage_name)
            with self._lock:
                self._accepted.add(share_arn)
        return ShareResult(stage=stage_name, share_arn=share_arn, changed=changed)

    def card_shares(self, actor: Actor, card_arn: str) -> list[StageShare]:
        """The stages whose share holds the card now, in lifecycle order."""
        by_name = {share_name(name): name for name in self._gov.stages}
        rows = self._associations(actor, associationType="RESOURCE", resourceArn=card_arn)
        live = {
            by_name[r["resourceShareName"]]: r
            for r in rows
            if r.get("resourceShareName") in by_name and r["status"] in _LIVE
        }
        return [
            StageShare(
                stage=name,
                account=stage.account,
                access=stage.access,
                share_arn=str(live[name]["resourceShareArn"]),
                status=str(live[name]["status"]),
            )
            for name, stage in self._gov.stages.items()
            if name in live
        ]

    def contents(self, actor: Actor, stage_name: str) -> tuple[str, set[str], set[str]] | None:
        """(share ARN, live card ARNs, live principals) of the stage's share, in two listings;
        None when the share does not exist yet (it is created on first use)."""
        share_arn = self._share_arns.get(stage_name) or self._find_share(actor, stage_name)
        if share_arn is None:
            return None
        rows = self._associations(actor, associationType="RESOURCE", resourceShareArns=[share_arn])
        cards = {str(r["associatedEntity"]) for r in rows if r["status"] in _LIVE}
        rows = self._associations(actor, associationType="PRINCIPAL", resourceShareArns=[share_arn])
        principals = {str(r["associatedEntity"]) for r in rows if r["status"] in _LIVE}
        return share_arn, cards, principals

    def add_principal(self, actor: Actor, stage_name: str, hint: str) -> None:
        """Put the stage account back into its share (a share drift put right)."""
        share_arn = self.ensure_share(actor, stage_name)
        stage = self._gov.stages[stage_name]
        self._associate(actor, share_arn, hint, principals=[stage.account])
        with self._lock:
            self._accepted.discard(share_arn)  # a new invitation outside an Organization

    def unshare_from(self, actor: Actor, stage_name: str, card_arn: str, hint: str) -> bool:
        """Remove the card from one stage's share (a suspension, named by `hint`); False
        when it was not in it."""
        for share in self.card_shares(actor, card_arn):
            if share.stage == stage_name:
                self._disassociate(actor, share.share_arn, hint, resourceArns=[card_arn])
                return True
        return False

    def _disassociate(
        self, actor: Actor, share_arn: str, hint: str = "", **entities: list[str]
    ) -> None:
        token_parts = [share_arn, *sorted(v for vs in entities.values() for v in vs)]
        token_parts += [hint] if hint else []
        try:
            self._ram(actor).disassociate_resource_share(
                resourceShareArn=share_arn,
                clientToken=_token("disassociate", *token_parts),
                **entities,
            )
        except Exception as err:
            raise translate(err, action="RAM DisassociateResourceShare") from err

    def unshare_card(self, actor: Actor, card_arn: str) -> list[str]:
        """Remove the card from every stage share (on archive); returns the stages revoked."""
        revoked: list[str] = []
        for share in self.card_shares(actor, card_arn):
            try:
                self._ram(actor).disassociate_resource_share(
                    resourceShareArn=share.share_arn,
                    resourceArns=[card_arn],
                    clientToken=_token("disassociate", share.share_arn, card_arn),
                )
            except Exception as err:
                raise translate(err, action="RAM DisassociateResourceShare") from err
            revoked.append(share.stage)
        return revoked

    def accept_invitations(self, actor: Actor, stage_name: str) -> int:
        """Accept pending invitations to the stage share from inside the stage account.

        Needed only outside an AWS Organization; runs as the stage's `invitation_role_arn`
        with the acting person's SourceIdentity. Returns how many were accepted.
        """
        stage = self._gov.stages[stage_name]
        if stage.invitation_role_arn is None:
            return 0
        share_arn = self._share_arns.get(stage_name) or self.ensure_share(actor, stage_name)
        guest = Actor(user_id=actor.user_id, role_arn=stage.invitation_role_arn)
        ram = self._ram(guest)
        accepted = 0
        try:
            pages = ram.get_paginator("get_resource_share_invitations").paginate(
                resourceShareArns=[share_arn]
            )
            for page in pages:
                for invitation in page.get("resourceShareInvitations", []):
                    if invitation.get("status") != "PENDING":
                        continue
                    ram.accept_resource_share_invitation(
                        resourceShareInvitationArn=invitation["resourceShareInvitationArn"],
                        clientToken=_token("accept", invitation["resourceShareInvitationArn"]),
                    )
                    accepted += 1
        except Exception as err:
            raise translate(
                err, action=f"RAM AcceptResourceShareInvitation ({stage_name})"
            ) from err
        return accepted
