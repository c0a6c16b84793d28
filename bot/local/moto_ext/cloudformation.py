"""CloudFormation, as the templates in deploy/cloudformation/ need it:

- ``Ref AWS::NoValue`` as a list element removes it (moto kept a ``null``);
- ``AWS::IAM::Role`` inline ``Policies`` are stored as JSON (moto stored the Python repr);
- ``AWS::SQS::QueuePolicy`` sets the ``Policy`` attribute of each queue in ``Queues``.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.models import Role
from moto.sqs.models import sqs_backends

from bot.local.moto_ext.patches import ORIGINALS


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    # A list element that resolves to AWS::NoValue is removed, as CloudFormation does.
    if isinstance(resource_json, list):
        cleaned = (clean_json(value, resources_map) for value in resource_json)
        return [value for value in cleaned if value is not None]
    return ORIGINALS["clean_json"](resource_json, resources_map)


def role_put_policy(self: Role, policy_name: str, policy_json: Any) -> None:
    if not isinstance(policy_json, str):  # a template's inline policy: store it as JSON
        policy_json = json.dumps(policy_json)
    ORIGINALS["role_put_policy"](self, policy_name, policy_json)


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
    def create_from_cloudformation_json(
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
