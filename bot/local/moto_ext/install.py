"""Patch moto once with every extension of this package."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing as cfn_parsing
from moto.iam.models import Role
from moto.ram import urls as ram_urls
from moto.ram.models import ResourceAccessManagerBackend, ResourceShare
from moto.ram.models import ram_backends as _ram_backends
from moto.ram.responses import ResourceAccessManagerResponse
from moto.ram.utils import AWS_MANAGED_PERMISSIONS, RAM_RESOURCE_TYPES, format_ram_permission
from moto.sagemaker.models import FakeModelCard, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sts.models import AssumedRole
from moto.sts.responses import TokenResponse

from bot.local.moto_ext.cloudformation import clean_json, role_put_policy
from bot.local.moto_ext.patches import ORIGINALS, patch
from bot.local.moto_ext.ram_invitations import answer_invitation, get_resource_share_invitations
from bot.local.moto_ext.ram_model import MANAGED_ACTIONS, MODEL_CARD_TYPE, ram_init, share_init
from bot.local.moto_ext.ram_permissions import (
    create_permission,
    enable_sharing_with_aws_organization,
    get_permission,
    list_permissions,
    list_resource_share_permissions,
)
from bot.local.moto_ext.ram_shares import (
    associate_resource_share,
    create_resource_share,
    disassociate_resource_share,
    get_resource_share_associations,
    get_resource_shares,
    list_resources,
)
from bot.local.moto_ext.record import recording
from bot.local.moto_ext.sagemaker_callers import create_card
from bot.local.moto_ext.sagemaker_cards import (
    by_name_or_arn,
    describe_card,
    sagemaker_backend_of,
    update_model_card,
)
from bot.local.moto_ext.sagemaker_export import (
    create_model_card_export_job,
    describe_model_card_export_job,
    list_model_card_export_jobs,
)
from bot.local.moto_ext.sts import assume_role

NEW_RAM_OPERATIONS = [
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


RAM_BACKEND_METHODS: dict[str, Callable[..., dict[str, Any]]] = {
    "create_resource_share": create_resource_share,
    "get_resource_shares": get_resource_shares,
    "associate_resource_share": associate_resource_share,
    "disassociate_resource_share": disassociate_resource_share,
    "get_resource_share_associations": get_resource_share_associations,
    "create_permission": create_permission,
    "get_permission": get_permission,
    "list_resource_share_permissions": list_resource_share_permissions,
    "get_resource_share_invitations": get_resource_share_invitations,
    "accept_resource_share_invitation": lambda self, **p: answer_invitation(self, p, True),
    "reject_resource_share_invitation": lambda self, **p: answer_invitation(self, p, False),
    "list_resources": list_resources,
}


def ram_response(method: str) -> Callable[[ResourceAccessManagerResponse], str]:
    def action(self: ResourceAccessManagerResponse) -> str:
        return json.dumps(getattr(self.ram_backend, method)(**self.request_params))

    return action


def install() -> None:
    """Patch moto once (idempotent). Call before mock_aws() starts / the server app is built."""
    if ORIGINALS.get("installed"):
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
    patch(TokenResponse, "assume_role", assume_role, key="assume_role")
    # RAM
    patch(ResourceShare, "__init__", share_init, key="share_init")
    patch(ResourceAccessManagerBackend, "__init__", ram_init, key="ram_init")
    patch(
        ResourceAccessManagerBackend, "list_permissions", list_permissions, key="list_permissions"
    )
    patch(
        ResourceAccessManagerBackend,
        "enable_sharing_with_aws_organization",
        enable_sharing_with_aws_organization,
        key="enable_sharing",
    )
    for method, function in RAM_BACKEND_METHODS.items():
        patch(ResourceAccessManagerBackend, method, function)
        patch(ResourceAccessManagerResponse, method, ram_response(method))
    for operation in NEW_RAM_OPERATIONS:
        ram_urls.url_paths[f"{{0}}/{operation}$"] = ResourceAccessManagerResponse.dispatch
    # SageMaker
    patch(SageMakerResponse, "sagemaker_backend", property(sagemaker_backend_of))
    for method, action in [
        ("describe_model_card", "DescribeModelCard"),
        ("update_model_card", "UpdateModelCard"),
        ("list_model_card_versions", "ListModelCardVersions"),
    ]:
        patch(SageMakerResponse, method, by_name_or_arn(method, action))
    patch(SageMakerModelBackend, "update_model_card", update_model_card)
    patch(FakeModelCard, "describe", describe_card, key="card_describe")
    patch(SageMakerResponse, "create_model_card", create_card, key="sm_create_model_card")
    patch(SageMakerResponse, "create_model_card_export_job", create_model_card_export_job)
    patch(SageMakerResponse, "describe_model_card_export_job", describe_model_card_export_job)
    patch(SageMakerResponse, "list_model_card_export_jobs", list_model_card_export_jobs)
    # CloudFormation (its QueuePolicy model joins moto's map once the module is imported)
    patch(cfn_parsing, "clean_json", clean_json, key="clean_json")
    patch(Role, "put_policy", role_put_policy, key="role_put_policy")
    cfn_parsing.get_model_map.cache_clear()
    cfn_parsing.get_name_type_map.cache_clear()
    # call record
    for response_class in (SageMakerResponse, ResourceAccessManagerResponse, TokenResponse):
        original = response_class.call_action
        patch(response_class, "call_action", recording(original))
    ORIGINALS["installed"] = True
    for _, _, backend in list(_ram_backends.iter_backends()):
        backend.reset()  # backends built before install get the new state
