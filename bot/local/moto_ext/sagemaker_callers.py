"""Who created or last changed a model card, as SageMaker and CloudTrail tell it.

- ``CreatedBy`` / ``LastModifiedBy`` are a ``UserContext`` naming the IAM caller:
  ``IamIdentity`` {``Arn`` (the assumed-role session ARN), ``PrincipalId``, ``SourceIdentity``
  when the session set one}. The API reference says IamIdentity is filled "for model package
  groups, model packages, project entities, hubs, and hub content only", so whether real model
  cards carry it is not promised: :func:`set_iam_identity` (``POST /_shim/identity``
  {"iam_identity": false}) leaves it out (an empty UserContext, as an IAM caller without a
  Studio profile gets), and the bot must hold without it.
- Every successful ``CreateModelCard`` / ``UpdateModelCard`` also yields the EventBridge event
  CloudTrail delivers ("AWS API Call via CloudTrail": ``userIdentity`` of type ``AssumedRole``
  with ``arn``, ``sessionContext.sessionIssuer``, ``sessionContext.sourceIdentity``;
  ``requestParameters.modelCardName`` / ``modelCardStatus``; content shown as
  ``HIDDEN_DUE_TO_SECURITY_REASONS``), kept by :func:`cloudtrail_events`
  (``GET /_shim/cloudtrail``) for tests and the demo to put on the SQS queue.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sts.models import AssumedRole, sts_backends

from bot.local.moto_ext.patches import ORIGINALS
from bot.local.moto_ext.switches import SWITCHES

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
_lock = threading.Lock()
_cloudtrail: list[dict[str, Any]] = []


def cloudtrail_events() -> list[dict[str, Any]]:
    """The "AWS API Call via CloudTrail" events of the card creates and updates served since
    the last :func:`clear_cloudtrail`, oldest first."""
    with _lock:
        return [json.loads(json.dumps(event)) for event in _cloudtrail]


def clear_cloudtrail() -> None:
    with _lock:
        _cloudtrail.clear()


def _caller(response: SageMakerResponse) -> tuple[AssumedRole | None, str, str]:
    """(assumed role or None, caller ARN, principal id) of the request's credentials."""
    sts = sts_backends[response.current_account][response.partition]
    role = sts.get_assumed_role_from_access_key(response.access_key)
    if role is not None:
        # moto draws a new random role id on each read of user_id: keep the first.
        if not getattr(role, "shim_principal", None):
            role.shim_principal = role.user_id
        return role, role.arn, role.shim_principal
    _, arn, user_id = sts.get_caller_identity(response.access_key, response.region)
    return None, arn, user_id


def user_context(response: SageMakerResponse) -> dict[str, Any]:
    """The UserContext SageMaker records for the caller (empty when switched off)."""
    if not SWITCHES["iam_identity"]:
        return {}
    role, arn, principal = _caller(response)
    iam: dict[str, Any] = {"Arn": arn, "PrincipalId": principal}
    if role is not None and role.source_identity:
        iam["SourceIdentity"] = role.source_identity
    return {"IamIdentity": iam}


def _user_identity(response: SageMakerResponse, when: str) -> dict[str, Any]:
    role, arn, principal = _caller(response)
    user: dict[str, Any] = {
        "type": "AssumedRole" if role is not None else "IAMUser",
        "principalId": principal,
        "arn": arn,
        "accountId": arn.split(":")[4],
        "accessKeyId": response.access_key,
    }
    if role is not None:
        session: dict[str, Any] = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": principal.split(":")[0],
                "arn": role.role_arn,
                "accountId": role.role_arn.split(":")[4],
                "userName": role.role_arn.split("/")[-1],
            },
            "attributes": {"creationDate": when, "mfaAuthenticated": "false"},
        }
        if role.source_identity:
            session["sourceIdentity"] = role.source_identity
        user["sessionContext"] = session
    return user


def cloudtrail_event(
    response: SageMakerResponse, action: str, card_arn: str, ref: str
) -> dict[str, Any]:
    """The EventBridge event CloudTrail delivers for a successful create / update."""
    owner = card_arn.split(":")[4]
    when = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    params: dict[str, Any] = {"modelCardName": ref}
    if response._get_param("ModelCardStatus") is not None:
        params["modelCardStatus"] = response._get_param("ModelCardStatus")
    if response._get_param("Content") is not None:
        params["content"] = HIDDEN
    return {
        "version": "0",
        "id": str(mock_random.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.sagemaker",
        "account": owner,
        "time": when,
        "region": response.region,
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": _user_identity(response, when),
            "eventTime": when,
            "eventSource": "sagemaker.amazonaws.com",
            "eventName": action,
            "awsRegion": response.region,
            "sourceIPAddress": "198.51.100.10",
            "userAgent": response.headers.get("User-Agent", ""),
            "requestParameters": params,
            "responseElements": {"modelCardArn": card_arn},
            "requestID": str(mock_random.uuid4()),
            "eventID": str(mock_random.uuid4()),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": owner,
            "eventCategory": "Management",
        },
    }


def remember_caller(
    response: SageMakerResponse, action: str, backend: SageMakerModelBackend, name: str, ref: str
) -> None:
    """After a successful create / update: who did it, on the card and in CloudTrail."""
    card = backend.model_cards[name][-1]
    context = user_context(response)
    card.last_modified_by = context
    if action == "CreateModelCard":
        card.created_by = context
    event = cloudtrail_event(response, action, card.arn, ref)
    with _lock:
        _cloudtrail.append(event)


def create_card(self: SageMakerResponse) -> ActionResult:
    result: ActionResult = ORIGINALS["sm_create_model_card"](self)
    name = self._get_param("ModelCardName")
    remember_caller(self, "CreateModelCard", self.sagemaker_backend, name, name)
    return result
