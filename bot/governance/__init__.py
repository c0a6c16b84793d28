"""The governance file: who may do what, and which account and channel each stage uses.

Shapes and formats are checked by pydantic (`models`); rules that span keys by `checks`.
Both report `key: reason`. This package's public API is what it exports here.
"""

from bot.governance.lifecycle import describe_lifecycle, governance_warnings
from bot.governance.loading import load_governance, parse_governance
from bot.governance.models import (
    Access,
    Governance,
    GovernanceRole,
    ReadOnlyVia,
    Registry,
    Spoke,
    Stage,
    Topology,
)

__all__ = [
    "Access",
    "Governance",
    "GovernanceRole",
    "ReadOnlyVia",
    "Registry",
    "Spoke",
    "Stage",
    "Topology",
    "describe_lifecycle",
    "governance_warnings",
    "load_governance",
    "parse_governance",
]
