"""RAM resource shares: create, find, associate and disassociate (with invitations for
accounts outside the owner's organization), and the resources they share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.core.utils import unix_time, utcnow
from moto.moto_api._internal import mock_random
from moto.ram.models import ResourceAccessManagerBackend, ResourceShare
from moto.ram.models import ram_backends as _ram_backends
from moto.sagemaker.models import sagemaker_backends

from bot.local.moto_ext.ram_model import (
    ACCOUNT,
    MODEL_CARD_TYPE,
    Association,
    Invitation,
    find_permission,
    find_share,
    grants,
    idempotent,
    org_accounts,
    resource_type,
    share_json,
)
from bot.local.moto_ext.shapes import error, page


def associate(
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
        rtype = resource_type(arn)  # raises MalformedArnException
        if arn.split(":")[4] != self.account_id:
            raise error("UnknownResourceException", f"Resource {arn} could not be found.")
        if rtype == MODEL_CARD_TYPE:
            name = arn.split("/", 1)[-1]
            if name not in sagemaker_backends[self.account_id][self.region_name].model_cards:
                raise error("UnknownResourceException", f"Resource {arn} could not be found.")
    org = org_accounts(self.account_id)
    outsiders = [p for p in new_principals if ACCOUNT.match(p) and p not in org]
    # allowExternalPrincipals=false only has meaning when the owner is in an organization
    if org and outsiders and not share.allow_external_principals:
        raise error(
            "OperationNotPermittedException",
            f"The resource share {share.arn} does not allow principals outside your organization.",
        )
    # an account principal is invited unless org sharing is enabled and it is an org member
    external = {
        p for p in new_principals if ACCOUNT.match(p) and not (self.org_sharing and p in org)
    }
    share.add_resources(new_resources)  # moto's validation: ARN shape, shareable type
    share.add_principals(new_principals)  # moto's validation: principal shape, org/OU exists
    for arn in new_resources:
        rtype = resource_type(arn)
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
        types = {resource_type(arn) for arn in resources}
        for arn in params.get("permissionArns") or []:
            perm = find_permission(self, arn)
            if perm.resource_type in share.permissions or (
                types and perm.resource_type not in types
            ):
                raise error(
                    "InvalidParameterException",
                    f"The permission {arn} does not match the resource types of the resource "
                    "share; a resource share has one permission per resource type.",
                )
            share.permissions[perm.resource_type] = perm
        associate(self, share, resources, params.get("principals") or [])
        self.resource_shares.append(share)
        return {"resourceShare": share_json(share)}

    return idempotent(self, "CreateResourceShare", params, run)


def shares_for(self: ResourceAccessManagerBackend, owner: str | None) -> list[ResourceShare]:
    """resourceOwner SELF: shares this account owns; OTHER-ACCOUNTS: shares granted to it."""
    if owner == "SELF":
        return list(self.resource_shares)
    if owner == "OTHER-ACCOUNTS":
        return [
            share
            for account, region, backend in list(_ram_backends.iter_backends())
            if account != self.account_id and region == self.region_name
            for share in backend.resource_shares
            if grants(share, self.account_id)
        ]
    raise error(
        "InvalidParameterException",
        f"{owner} is not a valid resource owner. "
        "Specify either SELF or OTHER-ACCOUNTS and try again.",
    )


def get_resource_shares(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    shares = shares_for(self, params.get("resourceOwner"))

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

    return page([share_json(s) for s in shares if wanted(s)], params, "resourceShares")


def associate_resource_share(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        share = find_share(self, params.get("resourceShareArn", ""), owner_only=True)
        assocs = associate(
            self, share, params.get("resourceArns") or [], params.get("principals") or []
        )
        return {"resourceShareAssociations": assocs}

    return idempotent(self, "AssociateResourceShare", params, run)


def disassociate_resource_share(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        share = find_share(self, params.get("resourceShareArn", ""), owner_only=True)
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
                if kind == "PRINCIPAL" and ACCOUNT.match(entity):
                    receiver = _ram_backends[entity][self.region_name]
                    receiver.invitations = [i for i in receiver.invitations if i.share is not share]
            out.append(assoc.describe(share))
        share.last_updated_time = now
        return {"resourceShareAssociations": out}

    return idempotent(self, "DisassociateResourceShare", params, run)


def get_resource_share_associations(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    kind, status = params.get("associationType"), params.get("associationStatus")
    if kind not in ("PRINCIPAL", "RESOURCE"):
        raise error("InvalidParameterException", f"{kind} is not a valid association type.")
    if (kind == "PRINCIPAL" and params.get("resourceArn")) or (
        kind == "RESOURCE" and params.get("principal")
    ):
        raise error("InvalidParameterException", "The filter does not match the association type.")
    entity = params.get("resourceArn") or params.get("principal")
    arns = params.get("resourceShareArns")
    found = [
        assoc.describe(share)
        for share in self.resource_shares
        if not arns or share.arn in arns
        for (k, e), assoc in share.associations.items()
        if k == kind and (not entity or e == entity) and (not status or assoc.status == status)
    ]
    return page(found, params, "resourceShareAssociations")


def list_resources(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    shares = shares_for(self, params.get("resourceOwner"))
    principal = params.get("principal")
    found = [
        {
            "arn": assoc.entity,
            "type": resource_type(assoc.entity),
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
            not params.get("resourceType") or resource_type(assoc.entity) == params["resourceType"]
        )
        and (not params.get("resourceArns") or assoc.entity in params["resourceArns"])
    ]
    return page(found, params, "resources")
