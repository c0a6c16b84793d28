"""RAM's model as the extensions keep it: associations and invitations per share, the
managed permissions for model cards, who a share grants, and idempotent client tokens."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.utils import unix_time, utcnow
from moto.organizations.models import organizations_backends
from moto.ram.models import ManagedPermission, ResourceAccessManagerBackend, ResourceShare
from moto.ram.models import ram_backends as _ram_backends
from moto.ram.utils import RAM_RESOURCE_TYPES

from bot.local.moto_ext.patches import ORIGINALS
from bot.local.moto_ext.shapes import error

MODEL_CARD_TYPE = "sagemaker:ModelCard"
_READ_WRITE = [
    "sagemaker:DescribeModelCard",
    "sagemaker:ListModelCardVersions",
    "sagemaker:UpdateModelCard",
]
MANAGED_ACTIONS: dict[str, list[str]] = {  # AWS-managed RAM permission -> allowed actions
    "AWSRAMPermissionSageMakerModelCards": _READ_WRITE,
    "AWSRAMPermissionSageMakerModelCardsAllowExport": [
        *_READ_WRITE,
        "sagemaker:CreateModelCardExportJob",
        "sagemaker:DescribeModelCardExportJob",
    ],
}
ACCOUNT = re.compile(r"^\d{12}$")


@dataclass
class Association:
    entity: str
    kind: str  # PRINCIPAL | RESOURCE
    status: str
    external: bool = False
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)

    def describe(self, share: ResourceShare) -> dict[str, Any]:
        return {
            "resourceShareArn": share.arn,
            "resourceShareName": share.name,
            "associatedEntity": self.entity,
            "associationType": self.kind,
            "status": self.status,
            "external": self.external,
            "creationTime": unix_time(self.created),
            "lastUpdatedTime": unix_time(self.updated),
        }


@dataclass
class Invitation:
    arn: str
    share: ResourceShare
    receiver: str
    status: str = "PENDING"
    created: datetime = field(default_factory=utcnow)

    def describe(self) -> dict[str, Any]:
        return {
            "resourceShareInvitationArn": self.arn,
            "resourceShareName": self.share.name,
            "resourceShareArn": self.share.arn,
            "senderAccountId": self.share.owning_account_id,
            "receiverAccountId": self.receiver,
            "invitationTimestamp": unix_time(self.created),
            "status": self.status,
        }


def share_init(self: ResourceShare, account_id: str, region: str, **kwargs: Any) -> None:
    ORIGINALS["share_init"](self, account_id, region, **kwargs)
    self.tags = list(kwargs.get("tags") or [])
    permissions: dict[str, ManagedPermission] = {}  # resource type -> permission
    associations: dict[tuple[str, str], Association] = {}
    self.permissions, self.associations = permissions, associations


def ram_init(self: ResourceAccessManagerBackend, region_name: str, account_id: str) -> None:
    ORIGINALS["ram_init"](self, region_name, account_id)
    invitations: list[Invitation] = []  # received by this account
    client_tokens: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    self.invitations, self.client_tokens = invitations, client_tokens
    self.org_sharing = False


def share_json(share: ResourceShare) -> dict[str, Any]:
    return {**share.describe(), "tags": share.tags}


def permission_json(perm: ManagedPermission) -> dict[str, Any]:
    return {**perm.describe(), "featureSet": "STANDARD", "tags": getattr(perm, "tags", [])}


def permission_actions(perm: ManagedPermission) -> list[str]:
    return MANAGED_ACTIONS.get(perm.name) or getattr(perm, "actions", [])


# RAM runs a clientToken's check, create and record atomically: two workers racing to create
# the same share get one. The moto server serves requests on threads, so the extension must too.
_TOKENS = threading.RLock()


def idempotent(
    backend: ResourceAccessManagerBackend,
    operation: str,
    params: dict[str, Any],
    run: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Same clientToken + same parameters -> same answer; other parameters -> error."""
    token = params.get("clientToken")
    if not token:
        return run()
    fingerprint = json.dumps(
        {k: v for k, v in params.items() if k != "clientToken"}, sort_keys=True
    )
    with _TOKENS:
        if (operation, token) in backend.client_tokens:
            stored: tuple[str, dict[str, Any]] = backend.client_tokens[(operation, token)]
            previous, answer = stored
            if previous != fingerprint:
                raise error(
                    "IdempotentParameterMismatchException",
                    f"The client token {token} was already used with different parameters.",
                )
            return answer
        answer = {**run(), "clientToken": token}
        backend.client_tokens[(operation, token)] = (fingerprint, answer)
        return answer


def resource_type(arn: str) -> str:
    match = re.match(r"^arn:aws[a-z-]*:([a-z0-9-]+):[a-z0-9-]*:\d{12}:([a-z-]+)[/:]", arn)
    if not match:
        raise error("MalformedArnException", f"The specified resource ARN {arn} is not valid.")
    service, kind = match.groups()
    for known in RAM_RESOURCE_TYPES:
        name = known["resourceType"]
        if known["serviceName"] == service and name.split(":")[1].lower() == kind.replace("-", ""):
            return name
    return f"{service}:{kind}"


def org_accounts(owner: str) -> set[str]:
    org = organizations_backends[owner]["aws"]
    return {account.id for account in org.accounts} if org.org else set()


def grants(share: ResourceShare, account: str) -> bool:
    """Is `account` an ASSOCIATED principal of the share (directly or through its org)?"""
    for (kind, entity), assoc in share.associations.items():
        if kind != "PRINCIPAL" or assoc.status != "ASSOCIATED":
            continue
        if entity == account or (
            ":organization/" in entity and account in org_accounts(share.owning_account_id)
        ):
            return True
    return False


def find_share(backend: ResourceAccessManagerBackend, arn: str, owner_only: bool) -> ResourceShare:
    match = re.match(r"^arn:aws[a-z-]*:ram:([a-z0-9-]+):(\d{12}):resource-share/", arn or "")
    if not match:
        raise error(
            "MalformedArnException", f"The specified resource share ARN {arn} is not valid."
        )
    region, owner = match.groups()
    for share in _ram_backends[owner][region].resource_shares:
        visible = owner == backend.account_id or (
            not owner_only and (grants(share, backend.account_id) or pending(share, backend))
        )
        if share.arn == arn and visible:
            return share
    raise error("UnknownResourceException", f"ResourceShare {arn} could not be found.")


def pending(share: ResourceShare, backend: ResourceAccessManagerBackend) -> bool:
    return any(i.share is share and i.status == "PENDING" for i in backend.invitations)


def find_permission(backend: ResourceAccessManagerBackend, arn: str) -> ManagedPermission:
    for perm in backend.managed_permissions:
        if perm.arn == arn:
            return perm
    raise error("UnknownResourceException", f"Permission {arn} could not be found.")
