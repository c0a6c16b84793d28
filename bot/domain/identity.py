"""Who made a change outside Slack, as far as AWS says: from DescribeModelCard's
`LastModifiedBy` (a UserContext; SageMaker fills its IamIdentity for some resource types
only) or from the CloudTrail record of the UpdateModelCard call (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_ASSUMED = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([\w+=,.@-]+)/([^/]+)$")
_IAM = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(role|user)/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
_ROOT = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):root$")


@dataclass(frozen=True)
class Identity:
    """The IAM caller behind a change. `role_arn` is the IAM role (`arn:aws:iam::A:role/N`)
    when the caller assumed one; `source_identity` names the person when the session set it."""

    arn: str
    account: str = ""
    role_arn: str = ""
    source_identity: str = ""
    principal_id: str = ""
    via: str = ""  # "LastModifiedBy" or "CloudTrail"

    def describe(self) -> str:
        """One line for people: account, role and source identity as known."""
        parts = [f"account {self.account or '?'}"]
        parts.append(f"role {self.role_arn}" if self.role_arn else f"caller {self.arn}")
        parts.append(
            f"source identity {self.source_identity}"
            if self.source_identity
            else "no source identity"
        )
        return ", ".join(parts) + (f" (from {self.via})" if self.via else "")


def role_of(arn: str) -> tuple[str, str] | None:
    """(account, role name) of an assumed-role session ARN or an IAM role ARN."""
    assumed = _ASSUMED.match(arn)
    if assumed:
        return assumed.group(2), assumed.group(3)
    iam = _IAM.match(arn)
    if iam and iam.group(3) == "role":
        return iam.group(2), iam.group(4)
    return None


def account_of(arn: str) -> str:
    for pattern in (_ASSUMED, _IAM, _ROOT):
        match = pattern.match(arn)
        if match:
            return match.group(2)
    return ""


def same_role(caller_role: str, governance_role_arn: str) -> bool:
    """True when both name the same IAM role. An assumed-role ARN drops the role's path, so
    roles compare by account and name."""
    mine, theirs = role_of(caller_role), role_of(governance_role_arn)
    return mine is not None and mine == theirs


def _role_arn(arn: str) -> str:
    assumed = _ASSUMED.match(arn)
    if assumed:
        return f"arn:{assumed.group(1)}:iam::{assumed.group(2)}:role/{assumed.group(3)}"
    return arn if role_of(arn) else ""


def from_user_context(context: Any) -> Identity | None:
    """DescribeModelCard `LastModifiedBy` / `CreatedBy`; None when it names no IAM identity."""
    if not isinstance(context, dict):
        return None
    iam = context.get("IamIdentity")
    if not isinstance(iam, dict) or not isinstance(iam.get("Arn"), str) or not iam["Arn"]:
        return None
    arn = iam["Arn"]
    return Identity(
        arn=arn,
        account=account_of(arn),
        role_arn=_role_arn(arn),
        source_identity=str(iam.get("SourceIdentity") or ""),
        principal_id=str(iam.get("PrincipalId") or ""),
        via="LastModifiedBy",
    )


@dataclass(frozen=True)
class CallRecord:
    """One UpdateModelCard / CreateModelCard call as CloudTrail recorded it."""

    card: str
    status: str  # the ModelCardStatus it set, "" for a content update
    content: bool  # whether it changed the content
    at: float
    identity: Identity
    event_id: str = ""


def from_cloudtrail(detail: Any) -> CallRecord | None:
    """The `detail` of an "AWS API Call via CloudTrail" event for a model card update or
    create that succeeded; None for anything else."""
    if not isinstance(detail, dict) or detail.get("eventSource") != "sagemaker.amazonaws.com":
        return None
    if detail.get("eventName") not in ("UpdateModelCard", "CreateModelCard"):
        return None
    if detail.get("errorCode"):
        return None  # a refused call changed nothing
    params = detail.get("requestParameters") or {}
    user = detail.get("userIdentity") or {}
    if not isinstance(params, dict) or not isinstance(user, dict):
        return None
    name = params.get("modelCardName")
    arn = user.get("arn")
    if not isinstance(name, str) or not name or not isinstance(arn, str) or not arn:
        return None
    session = user.get("sessionContext") or {}
    issuer = session.get("sessionIssuer") or {} if isinstance(session, dict) else {}
    role_arn = issuer.get("arn") if isinstance(issuer, dict) else None
    try:
        at = datetime.fromisoformat(str(detail.get("eventTime", "")).replace("Z", "+00:00"))
    except ValueError:
        return None
    identity = Identity(
        arn=arn,
        account=str(user.get("accountId") or account_of(arn)),
        role_arn=role_arn if isinstance(role_arn, str) and role_of(role_arn) else _role_arn(arn),
        source_identity=str(session.get("sourceIdentity") or "")
        if isinstance(session, dict)
        else "",
        principal_id=str(user.get("principalId") or ""),
        via="CloudTrail",
    )
    return CallRecord(
        card=name.rsplit("/", 1)[-1],
        status=str(params.get("modelCardStatus") or ""),
        content="content" in params,
        at=at.timestamp(),
        identity=identity,
        event_id=str(detail.get("eventID") or ""),
    )
