"""Switches for tests of broken setups (off by default; :func:`reset_switches` turns them off).

- :func:`require_existing_roles`: ``AssumeRole`` on a role that does not exist in its account's
  IAM is ``AccessDenied`` (403), as STS answers; off, any role ARN can be assumed.
- :func:`refuse_customer_permissions`: ``CreatePermission`` for those resource types is
  ``OperationNotPermittedException``: RAM does not document which resource types accept a
  customer-managed permission, so the bot's refusal path is tested against this answer.
- :func:`set_iam_identity` (on by default; ``reset_switches`` turns it back on): whether
  ``CreatedBy`` / ``LastModifiedBy`` carry the caller's ``IamIdentity``
  (:mod:`.sagemaker_callers`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

_lock = threading.Lock()
SWITCHES: dict[str, Any] = {
    "existing_roles": False,
    "refused_permission_types": frozenset(),
    "iam_identity": True,
}


def require_existing_roles(enabled: bool = True) -> None:
    """AssumeRole refuses a role missing from its account's IAM (as STS does)."""
    with _lock:
        SWITCHES["existing_roles"] = enabled


def refuse_customer_permissions(resource_types: Iterable[str]) -> None:
    """CreatePermission refuses these resource types (OperationNotPermittedException)."""
    with _lock:
        SWITCHES["refused_permission_types"] = frozenset(t.lower() for t in resource_types)


def set_iam_identity(fill: bool) -> None:
    """Whether CreatedBy / LastModifiedBy name the IAM caller (SageMaker may not fill it)."""
    with _lock:
        SWITCHES["iam_identity"] = fill


def reset_switches() -> None:
    require_existing_roles(False)
    refuse_customer_permissions(())
    set_iam_identity(True)
