"""RAM permissions: customer-managed permissions, and the permissions of a share."""

from __future__ import annotations

import json
from typing import Any

from moto.ram.models import ManagedPermission, ResourceAccessManagerBackend

from bot.local.moto_ext.patches import ORIGINALS
from bot.local.moto_ext.ram_model import (
    find_permission,
    find_share,
    idempotent,
    permission_actions,
    permission_json,
)
from bot.local.moto_ext.shapes import error, page
from bot.local.moto_ext.switches import SWITCHES


def create_permission(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        name, rtype = params.get("name", ""), params.get("resourceType", "")
        if any(
            p.name == name and p.permission_type == "CUSTOMER_MANAGED"
            for p in self.managed_permissions
        ):
            raise error(
                "PermissionAlreadyExistsException", f"Permission {name} already exists.", status=409
            )
        if rtype not in {t.resource_type for t in self.resource_types}:
            raise error("InvalidParameterException", f"Invalid resource type: {rtype}")
        if rtype.lower() in SWITCHES["refused_permission_types"]:
            raise error(
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
            raise error(
                "MalformedPolicyTemplateException",
                "The policy template is not valid JSON with Effect and Action.",
            ) from None
        if any(
            s.get("Effect") != "Allow" or "Principal" in s or "Resource" in s for s in statements
        ):
            raise error(
                "MalformedPolicyTemplateException",
                "Only Effect Allow, Action and Condition are allowed.",
            )
        service = rtype.split(":")[0]
        if not actions or any(not a.startswith(f"{service}:") for a in actions):
            raise error(
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
        return {"permission": permission_json(perm)}

    return idempotent(self, "CreatePermission", params, run)


def get_permission(self: ResourceAccessManagerBackend, **params: Any) -> dict[str, Any]:
    perm = find_permission(self, params.get("permissionArn", ""))
    policy = getattr(perm, "policy_template", None) or json.dumps(
        {"Effect": "Allow", "Action": permission_actions(perm)}
    )
    return {"permission": {**permission_json(perm), "permission": policy}}


def list_resource_share_permissions(
    self: ResourceAccessManagerBackend, **params: Any
) -> dict[str, Any]:
    share = find_share(self, params.get("resourceShareArn", ""), owner_only=False)
    return page([permission_json(p) for p in share.permissions.values()], params, "permissions")


def list_permissions(
    self: ResourceAccessManagerBackend, resource_type: str, permission_type: str
) -> Any:
    legacy = {"AWS_MANAGED": "AWS", "CUSTOMER_MANAGED": "LOCAL"}.get(
        permission_type, permission_type
    )
    return ORIGINALS["list_permissions"](self, resource_type, legacy)


def enable_sharing_with_aws_organization(self: ResourceAccessManagerBackend) -> dict[str, Any]:
    answer: dict[str, Any] = ORIGINALS["enable_sharing"](self)
    self.org_sharing = True
    return answer
