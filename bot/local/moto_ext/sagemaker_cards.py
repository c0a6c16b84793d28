"""SageMaker model cards by name or ARN, across accounts only through a RAM share whose
permission allows the action; `UpdateModelCard` as the real API versions it."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ram.models import ram_backends as _ram_backends
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import FakeModelCard, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sts.models import sts_backends

from bot.local.moto_ext.patches import ORIGINALS
from bot.local.moto_ext.ram_model import MODEL_CARD_TYPE, grants, permission_actions
from bot.local.moto_ext.sagemaker_callers import remember_caller
from bot.local.moto_ext.shapes import error

CARD_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):model-card/([^/]+)$")


def authorize_card_action(caller: str, card_arn: str, action: str, caller_arn: str = "") -> None:
    """Raise AccessDeniedException unless `caller` may run sagemaker:`action` on the card."""
    region, owner, _ = CARD_ARN.match(card_arn).groups()  # type: ignore[union-attr]
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
                for a in permission_actions(perm)
            )
            and grants(share, caller)
        ):
            return
    who = caller_arn or f"arn:aws:iam::{caller}:root"
    raise error(
        "AccessDeniedException",
        f"User: {who} is not authorized to perform: sagemaker:{action} on resource: {card_arn} "
        f"because no resource-based policy allows the sagemaker:{action} action",
    )


def caller_arn(response: SageMakerResponse) -> str:
    sts = sts_backends[response.current_account][response.partition]
    return sts.get_caller_identity(response.access_key, response.region)[1]


def card_target(response: SageMakerResponse, action: str) -> tuple[SageMakerModelBackend, str]:
    """Resolve ModelCardName (name or ARN) to the owning account's backend and the card name."""
    ref: str = response._get_param("ModelCardName") or ""
    if not ref.startswith("arn:"):
        return sagemaker_backends[response.current_account][response.region], ref
    match = CARD_ARN.match(ref)
    if not match:
        raise ValidationError(f"Invalid model card ARN: {ref}")
    region, owner, name = match.groups()
    authorize_card_action(response.current_account, ref, action, caller_arn(response))
    return sagemaker_backends[owner][region], name


def by_name_or_arn(method: str, action: str) -> Callable[[SageMakerResponse], ActionResult]:
    original = ORIGINALS[f"sm_{method}"] = getattr(SageMakerResponse, method)

    def handler(self: SageMakerResponse) -> ActionResult:
        ref = self._get_param("ModelCardName") or ""
        backend, name = card_target(self, action)
        self.shim_backend, self.params["ModelCardName"] = backend, name
        result: ActionResult = original(self)
        if action == "UpdateModelCard":
            remember_caller(self, action, backend, name, ref)
        return result

    return handler


def sagemaker_backend_of(self: SageMakerResponse) -> SageMakerModelBackend:
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
    card = FakeModelCard(  # its LastModifiedBy is set by the response (who called)
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


def describe_card(self: FakeModelCard) -> dict[str, Any]:
    return {
        **ORIGINALS["card_describe"](self),
        "LastModifiedTime": self.last_modified_time,
        "CreatedBy": getattr(self, "created_by", {}),
        "LastModifiedBy": getattr(self, "last_modified_by", {}),
    }
