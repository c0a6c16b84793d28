"""The SageMaker Model Registry link: a card's model package follows the card's decision.

Called as the deciding person's role. Idempotent: the package is described first and left
alone when it already has the wanted approval status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.aws.errors import translate
from bot.aws.outcome import WriteOutcome
from bot.aws.sessions import Actor, RoleSessions
from bot.errors import InputError

MAX_APPROVAL_DESCRIPTION = 1024
# A versioned model package: arn:aws:sagemaker:REGION:ACCOUNT:model-package/GROUP/VERSION
_PACKAGE_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
    r"(/\d+)?$"
)


class ApprovalStatus(StrEnum):
    """ModelApprovalStatus values, spelled as the API spells them."""

    APPROVED = "Approved"
    REJECTED = "Rejected"
    PENDING = "PendingManualApproval"


@dataclass(frozen=True)
class PackageUpdate(WriteOutcome):
    """`changed` is False when the package already had `status` (nothing was written)."""

    arn: str
    status: ApprovalStatus
    previous: str


def package_arn(content: dict[str, Any]) -> str:
    """The model package a card names (`model_package_details.model_package_arn`), or ""."""
    details = content.get("model_package_details")
    if not isinstance(details, dict):
        return ""
    arn = details.get("model_package_arn")
    return arn.strip() if isinstance(arn, str) else ""


class ModelRegistry:
    def __init__(self, sessions: RoleSessions) -> None:
        self._sessions = sessions

    def _client(self, actor: Actor) -> Any:
        return self._sessions.client(actor, "sagemaker")

    def approval_status(self, actor: Actor, arn: str) -> str:
        try:
            answer = self._client(actor).describe_model_package(ModelPackageName=arn)
        except Exception as err:
            raise translate(err, action=f"DescribeModelPackage on {arn}") from err
        return str(answer.get("ModelApprovalStatus") or "")

    def set_approval(
        self, actor: Actor, arn: str, status: ApprovalStatus, description: str = ""
    ) -> PackageUpdate:
        """Set the package's approval status unless it already has it."""
        if not _PACKAGE_ARN.match(arn):
            raise InputError(
                f"the card's model_package_details.model_package_arn ({arn[:200]!r}) is not a "
                "model package ARN (arn:aws:sagemaker:REGION:ACCOUNT:model-package/GROUP/N)."
            )
        previous = self.approval_status(actor, arn)
        if previous == status:
            return PackageUpdate(arn=arn, status=status, previous=previous, changed=False)
        params: dict[str, Any] = {"ModelPackageArn": arn, "ModelApprovalStatus": str(status)}
        if description:
            params["ApprovalDescription"] = description[:MAX_APPROVAL_DESCRIPTION]
        try:
            answer = self._client(actor).update_model_package(**params)
        except Exception as err:
            raise translate(err, action=f"UpdateModelPackage on {arn}") from err
        request_id = str(answer.get("ResponseMetadata", {}).get("RequestId", ""))
        return PackageUpdate(
            arn=arn, status=status, previous=previous, changed=True, request_id=request_id
        )
