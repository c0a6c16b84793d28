"""STS: `AssumeRole` with `SourceIdentity` and `Tags`, kept along a role chain; with the
`require_existing_roles` switch, only roles that exist in their account's IAM."""

from __future__ import annotations

import re
from typing import Any

from moto.core.exceptions import AccessDeniedError
from moto.core.responses import ActionResult
from moto.iam.models import iam_backends
from moto.sts.exceptions import STSValidationError
from moto.sts.models import AssumedRole, sts_backends
from moto.sts.responses import TokenResponse

from bot.local.moto_ext.patches import ORIGINALS
from bot.local.moto_ext.switches import SWITCHES

SOURCE_IDENTITY = re.compile(r"^[\w+=,.@-]{2,64}$")


def assume_role(self: TokenResponse) -> ActionResult:
    source_identity = self._get_param("SourceIdentity")
    if source_identity is not None and not SOURCE_IDENTITY.match(source_identity):
        raise STSValidationError(
            f"1 validation error detected: Value '{source_identity}' at 'sourceIdentity' failed "
            "to satisfy constraint: Member must have length between 2 and 64 and satisfy "
            r"regular expression pattern: [\w+=,.@-]*"
        )
    caller = sts_backends[self.current_account][self.partition].get_assumed_role_from_access_key(
        self.access_key
    )
    role_arn = str(self._get_param("RoleArn") or "")
    if SWITCHES["existing_roles"] and not _role_exists(role_arn, self.partition):
        caller_arn = (
            caller.arn if caller is not None else f"arn:aws:iam::{self.current_account}:user/moto"
        )
        raise AccessDeniedError(caller_arn, f"sts:AssumeRole on resource: {role_arn}")
    if caller is not None and caller.source_identity:  # set once, kept along a role chain
        if source_identity not in (None, caller.source_identity):
            raise AccessDeniedError(caller.arn, "sts:SetSourceIdentity")
        source_identity = caller.source_identity
    result: ActionResult = ORIGINALS["assume_role"](self)
    body: dict[str, Any] = result.result  # type: ignore[assignment]
    role: AssumedRole = body["Credentials"]
    role.source_identity = source_identity
    role.tags = self._get_param("Tags") or []
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
