"""Run the Slack stack with extra governance keys: a test module overrides the `aws` fixture
with `governed(...)` and may parametrize `gov_changes` per test."""

from __future__ import annotations

from typing import Any

import pytest

from bot.aws import StageShares
from bot.governance import parse_governance
from tests.aws_fixtures import AwsWorld


def governed(aws: AwsWorld, changes: dict[str, Any]) -> AwsWorld:
    """`aws` with its governance updated by `changes` (a key set to None is removed)."""
    data = aws.gov.model_dump(mode="json")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    aws.gov = parse_governance(data)
    aws.shares = StageShares(aws.sessions, aws.gov)
    return aws


def two_approvers(aws: AwsWorld) -> AwsWorld:
    """`aws` where a card needs two distinct approvers and U0APPR2 is the second one."""
    users = aws.gov.model_dump(mode="json")["users"]
    return governed(aws, {"min_approvals": 2, "users": {**users, "U0APPR2": ["approver"]}})


@pytest.fixture(name="aws")
def governed_aws(aws: AwsWorld, gov_changes: dict[str, Any]) -> AwsWorld:
    """A test module imports this fixture and defines `gov_changes`: its tests then run on
    the `aws` world with those governance changes."""
    return governed(aws, gov_changes)
