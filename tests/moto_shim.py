"""Extend moto 5.2 with the AWS behaviour modelcard-bot relies on (tests and demo only).

Production code never imports this module. Call :func:`install` before ``mock_aws()`` starts
or before a moto server app is built; ``python -m tests.moto_shim --host H --port N`` runs a
moto server with the shim installed (plus ``GET /_shim/calls``, ``POST /_shim/calls/clear``
and ``POST /_shim/fail`` {action, count, code, status} for fault injection).

Gaps filled (behaving as the real APIs do, shapes from botocore's service models):

STS
- ``AssumeRole`` accepts ``SourceIdentity`` (validated: 2-64 chars of ``[\\w+=,.@-]``) and
  ``Tags``, stores them on the assumed role, returns ``SourceIdentity`` in the response. Along a
  role chain the source identity is inherited and cannot be changed (``AccessDenied``).

SageMaker
- ``DescribeModelCard``, ``UpdateModelCard``, ``ListModelCardVersions`` and
  ``CreateModelCardExportJob`` accept the card ARN as ``ModelCardName`` and resolve the card in
  the owning account. Another account may use it only through an ACTIVE RAM share owned by the
  card's account in which the card and the caller's account are both ``ASSOCIATED`` and whose
  ``sagemaker:ModelCard`` permission allows the action; otherwise ``AccessDeniedException``.
- ``UpdateModelCard``: ``Content`` and ``ModelCardStatus`` together -> ``ValidationException``;
  a status-only update keeps content and version; a content update creates version N+1 and keeps
  the status; an ``Archived`` card refuses every update (``ValidationException``).
- ``DescribeModelCard`` returns the real ``LastModifiedTime`` (moto returned the creation time).
- ``CreateModelCardExportJob`` / ``DescribeModelCardExportJob`` / ``ListModelCardExportJobs``:
  the job completes at once and writes a small valid PDF (card name, version, status) to
  ``<S3OutputPath>/<card>/<job>/<card>.pdf`` in the bucket's own account; a missing bucket is a
  ``ValidationException``. Job ARN: ``<card ARN>/export-job/<job>`` (a sub-resource of the card,
  stored with it, as the real ARN pattern says).

RAM
- ``sagemaker:ModelCard`` is a shareable resource type (``ListResourceTypes``) with the
  AWS-managed permissions ``AWSRAMPermissionSageMakerModelCards`` (default: describe, list
  versions, update) and ``AWSRAMPermissionSageMakerModelCardsAllowExport`` (+ export jobs).
- ``CreatePermission`` / ``GetPermission`` (customer-managed, ``policyTemplate`` actions), and
  ``ListPermissions`` accepts the real ``permissionType`` values ``AWS_MANAGED`` /
  ``CUSTOMER_MANAGED``.
- ``CreateResourceShare`` honours ``permissionArns`` (default permission per resource type
  otherwise), ``tags``, ``allowExternalPrincipals`` and ``clientToken``.
- ``GetResourceShares`` with ``resourceOwner`` SELF / OTHER-ACCOUNTS and filters ``name``,
  ``resourceShareArns``, ``resourceShareStatus``, ``tagFilters``, ``permissionArn``; pagination.
- ``AssociateResourceShare`` / ``DisassociateResourceShare`` (idempotent, ``clientToken``),
  ``GetResourceShareAssociations`` reflecting them, ``ListResourceSharePermissions``,
  ``ListResources``.
- Invitations: a bare account-id principal outside the owner's organization (or when
  ``EnableSharingWithAwsOrganization`` was not called) gets a PENDING invitation and its
  association stays ``ASSOCIATING`` (no access) until the receiver calls
  ``AcceptResourceShareInvitation`` (-> ``ASSOCIATED``); ``RejectResourceShareInvitation``
  -> ``DISASSOCIATED``. ``GetResourceShareInvitations`` lists the invitations received.
- Disassociated entities stay listed with status ``DISASSOCIATED`` (as the real API does for a
  while) and lose access at once.

Switches (off by default, for tests of broken setups; :func:`reset_switches` turns them off)
- :func:`require_existing_roles`: ``AssumeRole`` on a role that does not exist in its account's
  IAM is ``AccessDenied`` (403), as STS answers; off, any role ARN can be assumed.
- :func:`refuse_customer_permissions`: ``CreatePermission`` for those resource types is
  ``OperationNotPermittedException``: RAM does not document which resource types accept a
  customer-managed permission, so the bot's refusal path is tested against this answer.

CloudFormation (what the templates in deploy/cloudformation/ need)
- ``Ref AWS::NoValue`` as a list element removes it (moto kept a ``null``).
- ``AWS::IAM::Role`` inline ``Policies`` are stored as JSON (moto stored the Python repr).
- ``AWS::SQS::QueuePolicy`` sets the ``Policy`` attribute of each queue in ``Queues``.

Every SageMaker, RAM and STS request served is recorded (:func:`calls`) with the account that
served it and the caller's identity, resolved through moto's STS backend.

Modelling choices where the real behaviour is not fully documented: same-account IAM is not
evaluated (the owner account may do anything); only account-id principals get invitations
(IAM role/user and service principals are associated at once); withdrawing a principal also
withdraws its pending invitation; ``allowExternalPrincipals=false`` refuses outsiders with
``OperationNotPermittedException`` only when the owner is in an organization (it "only has meaning"
there); shared resources must exist in, and belong to, the share owner's account
(``UnknownResourceException``); ``clientToken`` is remembered per account, region and operation;
OTHER-ACCOUNTS lists a share once the caller's association is ``ASSOCIATED``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import signal
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.cloudformation import parsing as cfn_parsing
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import AccessDeniedError, JsonRESTError
from moto.core.responses import ActionResult
from moto.core.utils import unix_time, utcnow
from moto.iam.models import Role, iam_backends
from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends
from moto.ram import urls as ram_urls
from moto.ram.models import ManagedPermission, ResourceAccessManagerBackend, ResourceShare
from moto.ram.models import ram_backends as _ram_backends
from moto.ram.responses import ResourceAccessManagerResponse
from moto.ram.utils import AWS_MANAGED_PERMISSIONS, RAM_RESOURCE_TYPES, format_ram_permission
from moto.s3.models import s3_backends
from moto.sagemaker.exceptions import ConflictException, ResourceNotFound, ValidationError
from moto.sagemaker.models import FakeModelCard, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sqs.models import sqs_backends
from moto.sts.exceptions import STSValidationError
from moto.sts.models import AssumedRole, sts_backends
from moto.sts.responses import TokenResponse

__all__ = [
    "calls",
    "clear_calls",
    "install",
    "main",
    "make_app",
    "refuse_customer_permissions",
    "require_existing_roles",
    "reset_switches",
]

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
_CARD_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):model-card/([^/]+)$")
_JOB_ARN = re.compile(r"^(arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):model-card/[^/]+)/")
_SOURCE_IDENTITY = re.compile(r"^[\w+=,.@-]{2,64}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_NEW_RAM_OPERATIONS = [
    "associateresourceshare",
    "disassociateresourceshare",
    "createpermission",
    "getpermission",
    "listresourcesharepermissions",
    "getresourceshareinvitations",
    "acceptresourceshareinvitation",
    "rejectresourceshareinvitation",
    "listresources",
]

_lock = threading.Lock()
_calls: list[dict[str, Any]] = []
_originals: dict[str, Any] = {}
_failures: dict[str, list[tuple[str, int]]] = {}
_switches: dict[str, Any] = {"existing_roles": False, "refused_permission_types": frozenset()}


def require_existing_roles(enabled: bool = True) -> None:
    """AssumeRole refuses a role missing from its account's IAM (as STS does)."""
    with _lock:
        _switches["existing_roles"] = enabled


def refuse_customer_permissions(resource_types: Iterable[str]) -> None:
    """CreatePermission refuses these resource types (OperationNotPermittedException)."""
    with _lock:
        _switches["refused_permission_types"] = frozenset(t.lower() for t in resource_types)


def reset_switches() -> None:
    require_existing_roles(False)
    refuse_customer_permissions(())


def calls() -> list[dict[str, Any]]:
    """Every SageMaker, RAM and STS call served since the last :func:`clear_calls`."""
    with _lock:
        return [dict(call) for call in _calls]


def clear_calls() -> None:
    with _lock:
        _calls.clear()


def _error(code: str, message: str, status: int = 400) -> JsonRESTError:
    err = JsonRESTError(code, message)
    err.code = status
    return err


# --------------------------------------------------------------------------- call record
def _record(response: Any, status: int) -> None:
    account = response.current_account
    sts = sts_backends[account][response.partition]
    role = sts.get_assumed_role_from_access_key(response.access_key)
    if role is not None:
        caller_arn, source_identity, session = role.arn, role.source_identity, role.session_name
    else:
        caller_arn = sts.get_caller_identity(response.access_key, response.region)[1]
        source_identity = session = None
    entry = {
        "service": response.service_name,
        "action": response._get_action(),
        "account": account,
        "region": response.region,
        "caller_arn": caller_arn,
        "source_identity": source_identity,
        "session_name": session,
        "status": status,
    }
    with _lock:
        _calls.append(entry)


def fail_next(
    action: str, count: int, code: str = "ThrottlingException", status: int = 400
) -> None:
    """Make the next `count` SageMaker/RAM calls of `action` fail with `code` (JSON error, as
    throttling and 5xx look on the wire), before moto runs them: fault tests use it."""
    with _lock:
        _failures.setdefault(action, []).extend([(code, status)] * count)


def clear_failures() -> None:
    with _lock:
        _failures.clear()


def _recording(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call_action(self: Any) -> Any:
        with _lock:
            queue = _failures.get(self._get_action()) if self.service_name != "sts" else None
            failure = queue.pop(0) if queue else None
        if failure is not None:
            code, status = failure
            body = json.dumps({"__type": code, "message": f"Injected {code}"})
            _record(self, status)
            return status, {"x-amzn-ErrorType": code, "Content-Type": "application/json"}, body
        status, headers, body = original(self)
        _record(self, int(status))
        return status, headers, body

    return call_action


# --------------------------------------------------------------------------- STS
def _assume_role(self: TokenResponse) -> ActionResult:
    source_identity = self._get_param("SourceIdentity")
    if source_identity is not None and not _SOURCE_IDENTITY.match(source_identity):
        raise STSValidationError(
            f"1 validation error detected: Value '{source_identity}' at 'sourceIdentity' failed "
            "to satisfy constraint: Member must have length between 2 and 64 and satisfy "
            r"regular expression pattern: [\w+=,.@-]*"
        )
    caller = sts_backends[self.current_account][self.partition].get_assumed_role_from_access_key(
        self.access_key
    )
    role_arn = str(self._get_param("RoleArn") or "")
    if _switches["existing_roles"] and not _role_exists(role_arn, self.partition):
        caller_arn = (
            caller.arn if caller is not None else f"arn:aws:iam::{self.current_account}:user/moto"
        )
        raise AccessDeniedError(caller_arn, f"sts:AssumeRole on resource: {role_arn}")
    if caller is not None and caller.source_identity:  # set once, kept along a role chain
        if source_identity not in (None, caller.source_identity):
            raise AccessDeniedError(caller.arn, "sts:SetSourceIdentity")
        source_identity = caller.source_identity
    result: ActionResult = _originals["assume_role"](self)
    body: dict[str, Any] = result.result  # type: ignore[assignment]
    role: AssumedRole = body["Credentials"]
    role.source_identity = source_identity  # type: ignore[attr-defined]
    role.tags = self._get_param("Tags") or []  # type: ignore[attr-defined]
    if source_identity:
        body["SourceIdentity"] = source_identity
    return result


def _role_exists(role_arn: str, partition: str) -> bool:
    match = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):role/(?:.*/)?([^/]+)", role_arn)
    if match is None:
        return False
    try:
        iam_backends[match.group(1)][partition].get_role(match.group(2))
    except Exception:
        return False
    return True


# --------------------------------------------------------------------------- RAM model
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


def _share_init(self: ResourceShare, account_id: str, region: str, **kwargs: Any) -> None:
    _originals["share_init"](self, account_id, region, **kwargs)
    self.tags = list(kwargs.get("tags") or [])
    self.permissions: dict[str, ManagedPermission] = {}  # resource type -> permission
    self.associations: dict[tuple[str, str], Association] = {}


def _ram_init(self: ResourceAccessManagerBackend, region_name: str, account_id: str) -> None:
    _originals["ram_init"](self, region_name, account_id)
    self.invitations: list[Invitation] = []  # received by this account
    self.client_tokens: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    self.org_sharing = False


def _share_json(share: ResourceShare) -> dict[str, Any]:
    return {**share.describe(), "tags": share.tags}


def _permission_json(perm: ManagedPermission) -> dict[str, Any]:
    return {**perm.describe(), "featureSet": "STANDARD", "tags": getattr(perm, "tags", [])}


def _actions(perm: ManagedPermission) -> list[str]:
    return MANAGED_ACTIONS.get(perm.name) or getattr(perm, "actions", [])


def _page(items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    try:
        start = int(params.get("nextToken") or 0)
    except ValueError:
        raise _error("InvalidNextTokenException", "The nextToken is not valid.") from None
    size = params.get("maxResults") or max(len(items), 1)
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["nextToken"] = str(start + size)
    return page


def _idempotent(
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
    if (operation, token) in backend.client_tokens:
        previous, answer = backend.client_tokens[(operation, token)]
        if previous != fingerprint:
            raise _error(
                "IdempotentParameterMismatchException",
                f"The client token {token} was already used with different parameters.",
            )
        return answer
    answer = {**run(), "clientToken": token}
    backend.client_tokens[(operation, token)] = (fingerprint, answer)
    return answer


def _resource_type(arn: str) -> str:
    match = re.match(r"^arn:aws[a-z-]*:([a-z0-9-]+):[a-z0-9-]*:\d{12}:([a-z-]+)[/:]", arn)
    if not match:
        raise _error("MalformedArnException", f"The specified resource ARN {arn} is not valid.")
    service, kind = match.groups()
    for known in RAM_RESOURCE_TYPES:
        name = known["resourceType"]
        if known["serviceName"] == service and name.split(":")[1].lower() == kind.replace("-", ""):
            return name
    return f"{service}:{kind}"


def _org_accounts(owner: str) -> set[str]:
    org = organizations_backends[owner]["aws"]
    return {account.id for account in org.accounts} if org.org else set()


def _grants(share: ResourceShare, account: str) -> bool:
    """Is `account` an ASSOCIATED principal of the share (directly or through its org)?"""
    for (kind, entity), assoc in share.associations.items():
        if kind != "PRINCIPAL" or assoc.status != "ASSOCIATED":
            continue
        if entity == account or (
            ":organization/" in entity and account in _org_accounts(share.owning_account_id)
        ):
            return True
    return False


def _find_share(backend: ResourceAccessManagerBackend, arn: str, owner_only: bool) -> ResourceShare:
    match = re.match(r"^arn:aws[a-z-]*:ram:([a-z0-9-]+):(\d{12}):resource-share/", arn or "")
    if not match:
        raise _error(
            "MalformedArnException", f"The specified resource share ARN {arn} is not valid."
        )
    region, owner = match.groups()
    for share in _ram_backends[owner][region].resource_shares:
        visible = owner == backend.account_id or (
            not owner_only and (_grants(share, backend.account_id) or _pending(share, backend))
        )
        if share.arn == arn and visible:
            return share
    raise _error("UnknownResourceException", f"ResourceShare {arn} could not be found.")


def _pending(share: ResourceShare, backend: ResourceAccessManagerBackend) -> bool:
    return any(i.share is share and i.status == "PENDING" for i in backend.invitations)


def _find_permission(backend: ResourceAccessManagerBackend, arn: str) -> ManagedPermission:
    for perm in backend.managed_permissions:
        if perm.arn == arn:
            return perm
    raise _error("UnknownResourceException", f"Permission {arn} could not be found.")


def _associate(
    self: ResourceAccessManagerBackend,
    share: ResourceShare,
    resources: Iterable[str],
    principals: Iterable[str],
) -> list[dict[str, Any]]:
    """Add resources/principals; existing live associations are left as they are."""
    now, out = utcnow(), []
    live = {key for key, a in share.associations.items() if a.status != "DISASSOCIATED"}
    new_resources = [r for r in dict.fromkeys(resources) if ("RESOURCE", r) not in live]
    new_principals = [p for p in dict.fromkeys(principals) if ("PRINCIPAL", p) not in live]
    for arn in new_resources:
        rtype = _resource_type(arn)  # raises MalformedArnException
        if arn.split(":")[4] != self.account_id:
            raise _error("UnknownResourceException", f"Resource {arn} could not be found.")
        if rtype == MODEL_CARD_TYPE:
            name = arn.split("/", 1)[-1]
            if name not in sagemaker_backends[self.account_id][self.region_name].model_cards:
                raise _error("UnknownResourceException", f"Resource {arn} could not be found.")
    org = _org_accounts(self.account_id)
    outsiders = [p for p in new_principals if _ACCOUNT.match(p) and p not in org]
    # allowExternalPrincipals=false only has meaning when the owner is in an organization
    if org and outsiders and not share.allow_external_principals:
        raise _error(
            "OperationNotPermittedException",
            f"The resource share {share.arn} does not allow principals outside your organization.",
        )
    # an account principal is invited unless org sharing is enabled and it is an org member
    external = {
        p for p in new_principals if _ACCOUNT.match(p) and not (self.org_sharing and p in org)
    }
    share.add_resources(new_resources)  # moto's validation: ARN shape, shareable type
    share.add_principals(new_principals)  # moto's validation: principal shape, org/OU exists
    for arn in new_resources:
        rtype = _resource_type(arn)
        default = next(
            (
                p
                for p in self.managed_permissions
                if p.resource_type == rtype and p.is_resource_type_default
            ),
            None,
        )
        if rtype not in share.permissions and default is not None:
            share.permissions[rtype] = default
        share.associations[("RESOURCE", arn)] = Association(arn, "RESOURCE", "ASSOCIATED")
    for principal in new_principals:
        is_external = principal in external
        status = "ASSOCIATING" if is_external else "ASSOCIATED"
        share.associations[("PRINCIPAL", principal)] = Association(
            principal, "PRINCIPAL", status, external=is_external
        )
        if is_external:
            invitation_arn = (
                f"arn:{self.partition}:ram:{self.region_name}:{self.account_id}:"
                f"resource-share-invitation/{mock_random.uuid4()}"
            )
            receiver = _ram_backends[principal][self.region_name]
            receiver.invitations.append(Invitation(invitation_arn, share, principal))
    wanted = [("RESOURCE", r) for r in resources] + [("PRINCIPAL", p) for p in principals]
    for key in dict.fromkeys(wanted):
        out.append(share.associations[key].describe(share))
    share.last_updated_time = now
    return out


def create_resource_share(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        share = ResourceShare(self.account_id, self.region_name, **params)
        resources = params.get("resourceArns") or []
        types = {_resource_type(arn) for arn in resources}
        for arn in params.get("permissionArns") or []:
            perm = _find_permission(self, arn)
            if perm.resource_type in share.permissions or (
                types and perm.resource_type not in types
            ):
                raise _error(
                    "InvalidParameterException",
                    f"The permission {arn} does not match the resource types of the resource "
                    "share; a resource share has one permission per resource type.",
                )
            share.permissions[perm.resource_type] = perm
        _associate(self, share, resources, params.get("principals") or [])
        self.resource_shares.append(share)
        return {"resourceShare": _share_json(share)}

    return _idempotent(self, "CreateResourceShare", params, run)


def _shares_for(self: ResourceAccessManagerBackend, owner: str | None) -> list[ResourceShare]:
    """resourceOwner SELF: shares this account owns; OTHER-ACCOUNTS: shares granted to it."""
    if owner == "SELF":
        return list(self.resource_shares)
    if owner == "OTHER-ACCOUNTS":
        return [
            share
            for account, region, backend in list(_ram_backends.iter_backends())
            if account != self.account_id and region == self.region_name
            for share in backend.resource_shares
            if _grants(share, self.account_id)
        ]
    raise _error(
        "InvalidParameterException",
        f"{owner} is not a valid resource owner. "
        "Specify either SELF or OTHER-ACCOUNTS and try again.",
    )


def get_resource_shares(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    shares = _shares_for(self, params.get("resourceOwner"))

    def wanted(share: ResourceShare) -> bool:
        tags = {t["key"]: t.get("value") for t in share.tags}
        return (
            (not params.get("resourceShareArns") or share.arn in params["resourceShareArns"])
            and (
                not params.get("resourceShareStatus")
                or share.status == params["resourceShareStatus"]
            )
            and (not params.get("name") or share.name == params["name"])
            and (
                not params.get("permissionArn")
                or params["permissionArn"] in {p.arn for p in share.permissions.values()}
            )
            and all(
                f["tagKey"] in tags
                and (not f.get("tagValues") or tags[f["tagKey"]] in f["tagValues"])
                for f in params.get("tagFilters") or []
            )
        )

    return _page([_share_json(s) for s in shares if wanted(s)], params, "resourceShares")


def associate_resource_share(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        share = _find_share(self, params.get("resourceShareArn", ""), owner_only=True)
        assocs = _associate(
            self, share, params.get("resourceArns") or [], params.get("principals") or []
        )
        return {"resourceShareAssociations": assocs}

    return _idempotent(self, "AssociateResourceShare", params, run)


def disassociate_resource_share(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        share = _find_share(self, params.get("resourceShareArn", ""), owner_only=True)
        out, now = [], utcnow()
        wanted = [("RESOURCE", r) for r in params.get("resourceArns") or []]
        wanted += [("PRINCIPAL", p) for p in params.get("principals") or []]
        for kind, entity in wanted:
            assoc = share.associations.get((kind, entity)) or Association(
                entity, kind, "DISASSOCIATED"
            )
            if assoc.status != "DISASSOCIATED":
                assoc.status, assoc.updated = "DISASSOCIATED", now
                entities = share.resource_arns if kind == "RESOURCE" else share.principals
                entities.remove(entity)
                if kind == "PRINCIPAL" and _ACCOUNT.match(entity):
                    receiver = _ram_backends[entity][self.region_name]
                    receiver.invitations = [i for i in receiver.invitations if i.share is not share]
            out.append(assoc.describe(share))
        share.last_updated_time = now
        return {"resourceShareAssociations": out}

    return _idempotent(self, "DisassociateResourceShare", params, run)


def get_resource_share_associations(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    kind, status = params.get("associationType"), params.get("associationStatus")
    if kind not in ("PRINCIPAL", "RESOURCE"):
        raise _error("InvalidParameterException", f"{kind} is not a valid association type.")
    if (kind == "PRINCIPAL" and params.get("resourceArn")) or (
        kind == "RESOURCE" and params.get("principal")
    ):
        raise _error("InvalidParameterException", "The filter does not match the association type.")
    entity = params.get("resourceArn") or params.get("principal")
    arns = params.get("resourceShareArns")
    found = [
        assoc.describe(share)
        for share in self.resource_shares
        if not arns or share.arn in arns
        for (k, e), assoc in share.associations.items()
        if k == kind and (not entity or e == entity) and (not status or assoc.status == status)
    ]
    return _page(found, params, "resourceShareAssociations")


def create_permission(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        name, rtype = params.get("name", ""), params.get("resourceType", "")
        if any(
            p.name == name and p.permission_type == "CUSTOMER_MANAGED"
            for p in self.managed_permissions
        ):
            raise _error(
                "PermissionAlreadyExistsException", f"Permission {name} already exists.", status=409
            )
        if rtype not in {t.resource_type for t in self.resource_types}:
            raise _error("InvalidParameterException", f"Invalid resource type: {rtype}")
        if rtype.lower() in _switches["refused_permission_types"]:
            raise _error(
                "OperationNotPermittedException",
                f"Customer managed permissions are not supported for resource type {rtype}.",
            )
        try:
            template = json.loads(params.get("policyTemplate") or "")
            statements = template.get("Statement", [template])
            statements = statements if isinstance(statements, list) else [statements]
            actions = [
                a
                for s in statements
                for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise _error(
                "MalformedPolicyTemplateException",
                "The policy template is not valid JSON with Effect and Action.",
            ) from None
        if any(
            s.get("Effect") != "Allow" or "Principal" in s or "Resource" in s for s in statements
        ):
            raise _error(
                "MalformedPolicyTemplateException",
                "Only Effect Allow, Action and Condition are allowed.",
            )
        service = rtype.split(":")[0]
        if not actions or any(not a.startswith(f"{service}:") for a in actions):
            raise _error(
                "InvalidPolicyException", f"The actions must be {service} actions for {rtype}."
            )
        perm = ManagedPermission(
            self.account_id,
            self.region_name,
            name,
            rtype,
            is_resource_type_default=False,
            permission_type="CUSTOMER_MANAGED",
        )
        perm.actions, perm.policy_template = actions, params["policyTemplate"]
        perm.tags = params.get("tags") or []
        self.managed_permissions.append(perm)
        return {"permission": _permission_json(perm)}

    return _idempotent(self, "CreatePermission", params, run)


def get_permission(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    perm = _find_permission(self, params.get("permissionArn", ""))
    policy = getattr(perm, "policy_template", None) or json.dumps(
        {"Effect": "Allow", "Action": _actions(perm)}
    )
    return {"permission": {**_permission_json(perm), "permission": policy}}


def list_resource_share_permissions(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    share = _find_share(self, params.get("resourceShareArn", ""), owner_only=False)
    return _page([_permission_json(p) for p in share.permissions.values()], params, "permissions")


def list_permissions(
    self: ResourceAccessManagerBackend, resource_type: str, permission_type: str
) -> Any:
    legacy = {"AWS_MANAGED": "AWS", "CUSTOMER_MANAGED": "LOCAL"}.get(
        permission_type, permission_type
    )
    return _originals["list_permissions"](self, resource_type, legacy)


def enable_sharing_with_aws_organization(self: ResourceAccessManagerBackend) -> dict[str, Any]:
    answer = _originals["enable_sharing"](self)
    self.org_sharing = True
    return answer


def get_resource_share_invitations(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    arns, shares = params.get("resourceShareInvitationArns"), params.get("resourceShareArns")
    found = [
        i.describe()
        for i in self.invitations
        if (not arns or i.arn in arns) and (not shares or i.share.arn in shares)
    ]
    return _page(found, params, "resourceShareInvitations")


def _answer_invitation(
    self: ResourceAccessManagerBackend, params: dict[str, Any], accept: bool
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        arn = params.get("resourceShareInvitationArn")
        invitation = next((i for i in self.invitations if i.arn == arn), None)
        if invitation is None:
            raise _error(
                "ResourceShareInvitationArnNotFoundException", f"Invitation {arn} not found."
            )
        if invitation.status != "PENDING":
            done = "Accepted" if invitation.status == "ACCEPTED" else "Rejected"
            raise _error(
                f"ResourceShareInvitationAlready{done}Exception",
                f"Invitation {arn} is {invitation.status}.",
            )
        invitation.status = "ACCEPTED" if accept else "REJECTED"
        assoc = invitation.share.associations[("PRINCIPAL", self.account_id)]
        assoc.status, assoc.updated = ("ASSOCIATED" if accept else "DISASSOCIATED"), utcnow()
        if not accept:
            invitation.share.principals.remove(self.account_id)
        return {"resourceShareInvitation": invitation.describe()}

    operation = "AcceptResourceShareInvitation" if accept else "RejectResourceShareInvitation"
    return _idempotent(self, operation, params, run)


def list_resources(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    shares = _shares_for(self, params.get("resourceOwner"))
    principal = params.get("principal")
    found = [
        {
            "arn": assoc.entity,
            "type": _resource_type(assoc.entity),
            "resourceShareArn": share.arn,
            "status": "AVAILABLE",
            "creationTime": unix_time(assoc.created),
            "lastUpdatedTime": unix_time(assoc.updated),
            "resourceRegionScope": "REGIONAL",
        }
        for share in shares
        if share.status == "ACTIVE"
        and (not params.get("resourceShareArns") or share.arn in params["resourceShareArns"])
        and (not principal or share.associations.get(("PRINCIPAL", principal)))
        for (kind, _), assoc in share.associations.items()
        if kind == "RESOURCE"
        and assoc.status == "ASSOCIATED"
        and (
            not params.get("resourceType") or _resource_type(assoc.entity) == params["resourceType"]
        )
        and (not params.get("resourceArns") or assoc.entity in params["resourceArns"])
    ]
    return _page(found, params, "resources")


_RAM_BACKEND_METHODS: dict[str, Callable[..., dict[str, Any]]] = {
    "create_resource_share": create_resource_share,
    "get_resource_shares": get_resource_shares,
    "associate_resource_share": associate_resource_share,
    "disassociate_resource_share": disassociate_resource_share,
    "get_resource_share_associations": get_resource_share_associations,
    "create_permission": create_permission,
    "get_permission": get_permission,
    "list_resource_share_permissions": list_resource_share_permissions,
    "get_resource_share_invitations": get_resource_share_invitations,
    "accept_resource_share_invitation": lambda self, **p: _answer_invitation(self, p, True),
    "reject_resource_share_invitation": lambda self, **p: _answer_invitation(self, p, False),
    "list_resources": list_resources,
}


def _ram_response(method: str) -> Callable[[ResourceAccessManagerResponse], str]:
    def action(self: ResourceAccessManagerResponse) -> str:
        return json.dumps(getattr(self.ram_backend, method)(**self.request_params))

    return action


# --------------------------------------------------------------------------- SageMaker
def authorize_card_action(caller: str, card_arn: str, action: str, caller_arn: str = "") -> None:
    """Raise AccessDeniedException unless `caller` may run sagemaker:`action` on the card."""
    region, owner, _ = _CARD_ARN.match(card_arn).groups()  # type: ignore[union-attr]
    if caller == owner:
        return  # same-account IAM is not modelled
    for share in _ram_backends[owner][region].resource_shares:
        card = share.associations.get(("RESOURCE", card_arn))
        perm = share.permissions.get(MODEL_CARD_TYPE)
        if (
            share.status == "ACTIVE"
            and card is not None
            and card.status == "ASSOCIATED"
            and perm is not None
            and any(
                fnmatch.fnmatchcase(f"sagemaker:{action}".lower(), a.lower())
                for a in _actions(perm)
            )
            and _grants(share, caller)
        ):
            return
    who = caller_arn or f"arn:aws:iam::{caller}:root"
    raise _error(
        "AccessDeniedException",
        f"User: {who} is not authorized to perform: sagemaker:{action} on resource: {card_arn} "
        f"because no resource-based policy allows the sagemaker:{action} action",
    )


def _caller_arn(response: SageMakerResponse) -> str:
    sts = sts_backends[response.current_account][response.partition]
    return sts.get_caller_identity(response.access_key, response.region)[1]


def _card_target(response: SageMakerResponse, action: str) -> tuple[SageMakerModelBackend, str]:
    """Resolve ModelCardName (name or ARN) to the owning account's backend and the card name."""
    ref: str = response._get_param("ModelCardName") or ""
    if not ref.startswith("arn:"):
        return sagemaker_backends[response.current_account][response.region], ref
    match = _CARD_ARN.match(ref)
    if not match:
        raise ValidationError(f"Invalid model card ARN: {ref}")
    region, owner, name = match.groups()
    authorize_card_action(response.current_account, ref, action, _caller_arn(response))
    return sagemaker_backends[owner][region], name


def _by_name_or_arn(method: str, action: str) -> Callable[[SageMakerResponse], ActionResult]:
    original = _originals[f"sm_{method}"] = getattr(SageMakerResponse, method)

    def handler(self: SageMakerResponse) -> ActionResult:
        backend, name = _card_target(self, action)
        self.shim_backend, self.params["ModelCardName"] = backend, name
        return original(self)

    return handler


def _sagemaker_backend(self: SageMakerResponse) -> SageMakerModelBackend:
    return (
        getattr(self, "shim_backend", None) or sagemaker_backends[self.current_account][self.region]
    )


def update_model_card(
    self: SageMakerModelBackend,
    model_card_name: str,
    content: str | None,
    model_card_status: str | None,
) -> str:
    if model_card_name not in self.model_cards:
        raise ResourceNotFound(f"Modelcard {model_card_name} does not exist.")
    if content is not None and model_card_status is not None:
        raise ValidationError("Content and ModelCardStatus cannot be updated in the same request.")
    versions = self.model_cards[model_card_name]
    latest = versions[-1]
    if latest.model_card_status == "Archived":
        raise ValidationError(f"Model Card {model_card_name} is in Archived state.")
    now = utcnow()
    if content is None:  # status change: same version, same content
        latest.model_card_status = model_card_status or latest.model_card_status
        latest.last_modified_time = now
        return latest.arn
    card = FakeModelCard(
        account_id=self.account_id,
        region_name=self.region_name,
        model_card_name=model_card_name,
        model_card_version=latest.model_card_version + 1,
        content=content,
        model_card_status=latest.model_card_status,
        security_config=latest.security_config,
        tags=latest.tags,
        creation_time=versions[0].creation_time,
        last_modified_time=now,
    )
    versions.append(card)
    return card.arn


def _describe_card(self: FakeModelCard) -> dict[str, Any]:
    return {**_originals["card_describe"](self), "LastModifiedTime": self.last_modified_time}


def _export_jobs(backend: SageMakerModelBackend) -> dict[str, dict[str, Any]]:
    return backend.__dict__.setdefault("model_card_export_jobs", {})


def render_pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 document showing `lines` in Helvetica (valid xref table)."""
    esc = [s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for s in lines]
    text = "BT /F1 12 Tf 16 TL 72 740 Td " + " ".join(f"({s}) '" for s in esc) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text.encode('latin-1', 'replace'))} >>\nstream\n{text}\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1", "replace")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def create_model_card_export_job(self: SageMakerResponse) -> ActionResult:
    backend, name = _card_target(self, "CreateModelCardExportJob")
    card = backend.describe_model_card(name, self._get_param("ModelCardVersion"))
    job_name = self._get_param("ModelCardExportJobName")
    output = self._get_param("OutputConfig") or {}
    match = re.match(r"^s3://([^/]+)/?(.*)$", output.get("S3OutputPath", ""))
    if not match:
        raise ValidationError("OutputConfig.S3OutputPath must be an s3://bucket/prefix URI.")
    bucket, prefix = match.groups()
    if bucket not in s3_backends.bucket_accounts:
        raise ValidationError(f"The S3 bucket {bucket} does not exist.")
    jobs, arn = _export_jobs(backend), f"{card['ModelCardArn']}/export-job/{job_name}"
    if arn in jobs:
        raise ConflictException(f"Model card export job {job_name} already exists.")
    key = "/".join(p for p in (prefix.strip("/"), name, job_name, f"{name}.pdf") if p)
    now = utcnow()
    pdf = render_pdf(
        [
            f"Model card: {name}",
            f"ARN: {card['ModelCardArn']}",
            f"Version: {card['ModelCardVersion']}",
            f"Status: {card['ModelCardStatus']}",
            f"Exported: {now.isoformat()}Z by export job {job_name}",
        ]
    )
    partition, bucket_account = s3_backends.bucket_accounts[bucket]
    s3_backends[bucket_account][partition].put_object(bucket, key, pdf)
    jobs[arn] = {
        "ModelCardExportJobName": job_name,
        "ModelCardExportJobArn": arn,
        "Status": "Completed",
        "ModelCardName": name,
        "ModelCardVersion": card["ModelCardVersion"],
        "OutputConfig": {"S3OutputPath": output["S3OutputPath"]},
        "CreatedAt": now,
        "LastModifiedAt": now,
        "ExportArtifacts": {"S3ExportArtifacts": f"s3://{bucket}/{key}"},
    }
    return ActionResult({"ModelCardExportJobArn": arn})


def describe_model_card_export_job(self: SageMakerResponse) -> ActionResult:
    arn = self._get_param("ModelCardExportJobArn") or ""
    match = _JOB_ARN.match(arn)
    if not match:
        raise ValidationError(f"Invalid model card export job ARN: {arn}")
    card_arn, region, owner = match.groups()
    authorize_card_action(
        self.current_account, card_arn, "DescribeModelCardExportJob", _caller_arn(self)
    )
    job = _export_jobs(sagemaker_backends[owner][region]).get(arn)
    if job is None:
        raise ResourceNotFound(f"Model card export job {arn} does not exist.")
    return ActionResult(job)


def list_model_card_export_jobs(self: SageMakerResponse) -> ActionResult:
    p = self._get_param
    jobs = [
        {k: v for k, v in job.items() if k not in ("OutputConfig", "ExportArtifacts")}
        for job in _export_jobs(self.sagemaker_backend).values()
        if job["ModelCardName"] == p("ModelCardName")
        and (p("ModelCardVersion") is None or job["ModelCardVersion"] == p("ModelCardVersion"))
        and (
            not p("ModelCardExportJobNameContains")
            or p("ModelCardExportJobNameContains") in job["ModelCardExportJobName"]
        )
        and (not p("StatusEquals") or job["Status"] == p("StatusEquals"))
    ]
    key = {"Name": "ModelCardExportJobName", "Status": "Status"}.get(p("SortBy"), "CreatedAt")
    jobs.sort(key=lambda job: job[key], reverse=p("SortOrder") != "Ascending")
    return ActionResult({"ModelCardExportJobSummaries": jobs})


# --------------------------------------------------------------------------- install
# --------------------------------------------------------------------------- CloudFormation
def _clean_json(resource_json: Any, resources_map: Any) -> Any:
    # A list element that resolves to AWS::NoValue is removed, as CloudFormation does.
    if isinstance(resource_json, list):
        cleaned = (_clean_json(value, resources_map) for value in resource_json)
        return [value for value in cleaned if value is not None]
    return _originals["clean_json"](resource_json, resources_map)


def _role_put_policy(self: Role, policy_name: str, policy_json: Any) -> None:
    if not isinstance(policy_json, str):  # a template's inline policy: store it as JSON
        policy_json = json.dumps(policy_json)
    _originals["role_put_policy"](self, policy_name, policy_json)


class QueuePolicy(CloudFormationModel):
    """AWS::SQS::QueuePolicy: the queues' Policy attribute."""

    # moto files its models by the second part of the module name ("moto.<service>...");
    # this one is SQS's, whatever this module is called (or when it runs as __main__).
    __module__ = "moto.sqs.queue_policy"

    def __init__(self, logical_id: str, queues: list[str]) -> None:
        self.logical_id = logical_id
        self.queues = queues

    @property
    def physical_resource_id(self) -> str:
        return self.logical_id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::QueuePolicy"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> QueuePolicy:
        properties = cloudformation_json["Properties"]
        queues = [str(url) for url in properties["Queues"]]
        backend = sqs_backends[account_id][region_name]
        for url in queues:
            backend.set_queue_attributes(
                url.rsplit("/", 1)[-1], {"Policy": json.dumps(properties["PolicyDocument"])}
            )
        return cls(resource_name, queues)


def _patch(owner: Any, name: str, value: Any, key: str | None = None) -> None:
    if key is not None:
        _originals[key] = getattr(owner, name)
    setattr(owner, name, value)


def install() -> None:
    """Patch moto once (idempotent). Call before mock_aws() starts / the server app is built."""
    if _originals.get("installed"):
        return
    # registry data: resource type, managed permissions, shareable ARN kind
    RAM_RESOURCE_TYPES.append(
        {
            "resourceType": MODEL_CARD_TYPE,
            "serviceName": "sagemaker",
            "resourceRegionScope": "REGIONAL",
        }
    )
    for name in MANAGED_ACTIONS:
        AWS_MANAGED_PERMISSIONS.append(
            format_ram_permission(
                name=name,
                resource_type=MODEL_CARD_TYPE,
                is_resource_type_default=name == "AWSRAMPermissionSageMakerModelCards",
                creation_time="2024-03-01 00:00:00.000000",
            )
        )
    ResourceShare.SHAREABLE_RESOURCES.append("model-card")
    # STS
    AssumedRole.source_identity = None
    AssumedRole.tags = None
    _patch(TokenResponse, "assume_role", _assume_role, key="assume_role")
    # RAM
    _patch(ResourceShare, "__init__", _share_init, key="share_init")
    _patch(ResourceAccessManagerBackend, "__init__", _ram_init, key="ram_init")
    _patch(
        ResourceAccessManagerBackend, "list_permissions", list_permissions, key="list_permissions"
    )
    _patch(
        ResourceAccessManagerBackend,
        "enable_sharing_with_aws_organization",
        enable_sharing_with_aws_organization,
        key="enable_sharing",
    )
    for method, function in _RAM_BACKEND_METHODS.items():
        _patch(ResourceAccessManagerBackend, method, function)
        _patch(ResourceAccessManagerResponse, method, _ram_response(method))
    for operation in _NEW_RAM_OPERATIONS:
        ram_urls.url_paths[f"{{0}}/{operation}$"] = ResourceAccessManagerResponse.dispatch
    # SageMaker
    _patch(SageMakerResponse, "sagemaker_backend", property(_sagemaker_backend))
    for method, action in [
        ("describe_model_card", "DescribeModelCard"),
        ("update_model_card", "UpdateModelCard"),
        ("list_model_card_versions", "ListModelCardVersions"),
    ]:
        _patch(SageMakerResponse, method, _by_name_or_arn(method, action))
    _patch(SageMakerModelBackend, "update_model_card", update_model_card)
    _patch(FakeModelCard, "describe", _describe_card, key="card_describe")
    _patch(SageMakerResponse, "create_model_card_export_job", create_model_card_export_job)
    _patch(SageMakerResponse, "describe_model_card_export_job", describe_model_card_export_job)
    _patch(SageMakerResponse, "list_model_card_export_jobs", list_model_card_export_jobs)
    # CloudFormation
    _patch(cfn_parsing, "clean_json", _clean_json, key="clean_json")
    _patch(Role, "put_policy", _role_put_policy, key="role_put_policy")
    cfn_parsing.get_model_map.cache_clear()
    cfn_parsing.get_name_type_map.cache_clear()
    # call record
    for response_class in (SageMakerResponse, ResourceAccessManagerResponse, TokenResponse):
        original = response_class.call_action
        _patch(response_class, "call_action", _recording(original))
    _originals["installed"] = True
    for _, _, backend in list(_ram_backends.iter_backends()):
        backend.reset()  # backends built before install get the new state


# --------------------------------------------------------------------------- server
def make_app() -> Any:
    """A WSGI moto server app (all services) with the shim and the /_shim/calls endpoints."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    install()
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        route = (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
        if route == ("GET", "/_shim/calls"):
            body = json.dumps(calls())
        elif route == ("POST", "/_shim/calls/clear"):
            clear_calls()
            body = "{}"
        elif route == ("POST", "/_shim/fail"):
            size = int(environ.get("CONTENT_LENGTH") or 0)
            spec = json.loads(environ["wsgi.input"].read(size) or b"{}")
            fail_next(
                spec["action"],
                int(spec["count"]),
                spec.get("code", "ThrottlingException"),
                int(spec.get("status", 400)),
            )
            body = "{}"
        else:
            return moto_app(environ, start_response)  # type: ignore[no-any-return]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]

    return app


def main(argv: list[str] | None = None) -> None:
    """Run a multi-account moto server with the shim until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m tests.moto_shim", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    serve(make_app(), args.host, args.port, "moto shim server")


def serve(app: Any, host: str, port: int, label: str) -> None:
    """Serve a moto WSGI app until SIGTERM/SIGINT (the bench's variant reuses it)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"{label} listening on http://{host}:{server.port}", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    thread.join()


if __name__ == "__main__":
    main()
