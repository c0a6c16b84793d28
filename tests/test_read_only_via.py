"""`read_only_via`: the read-only stage through a customer-managed RAM permission (default),
what the bot says when RAM refuses to create one for sagemaker:ModelCard, and the managed
permission plus the prod guard (`managed-with-guard`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.aws.sharing import MANAGED_PERMISSION
from bot.domain.status import Action
from bot.errors import ReadOnlyPermissionRefused
from bot.governance import ReadOnlyVia
from bot.local import moto_ext
from tests.aws_fixtures import AwsWorld
from tests.gov_override import governed
from tests.slack_helpers import (
    APPR,
    DS,
    answer_text,
    create_card,
    submit_card,
    text_of,
)
from tests.slack_stack import Stack

CARD = "customer-churn-v1"


@pytest.fixture
def refusing() -> Iterator[None]:
    moto_ext.refuse_customer_permissions({"sagemaker:ModelCard"})
    yield
    moto_ext.reset_switches()


@pytest.fixture
def gov_changes() -> dict[str, Any]:
    return {}


@pytest.fixture
def aws(aws: AwsWorld, gov_changes: dict[str, Any]) -> AwsWorld:
    return governed(aws, gov_changes)


def prod_share(aws: AwsWorld) -> list[dict[str, Any]]:
    ram = aws.sessions.client(aws.actor("U0APPR", Action.APPROVE), "ram")
    shares: list[dict[str, Any]] = ram.get_resource_shares(
        resourceOwner="SELF", name="modelcard-bot-prod"
    )["resourceShares"]
    return shares


def permission_calls() -> list[str]:
    return [
        c["action"]
        for c in moto_ext.calls()
        if c["action"] in {"CreatePermission", "ListPermissions"}
    ]


def test_customer_managed_permission_is_created_and_used(aws: AwsWorld) -> None:
    approver = aws.actor("U0APPR", Action.APPROVE)
    lead = aws.actor("U0LEAD", Action.CREATE)
    arn = aws.cards.create(lead, CARD, {"model_overview": {"model_owner": "o"}})
    aws.shares.share_card(approver, "prod", arn)
    assert permission_calls() == ["ListPermissions", "CreatePermission"]
    (share,) = prod_share(aws)
    ram = aws.sessions.client(approver, "ram")
    (permission,) = ram.list_resource_share_permissions(resourceShareArn=share["resourceShareArn"])[
        "permissions"
    ]
    assert permission["name"] == aws.gov.read_only_permission_name


def test_refused_permission_says_what_to_do_and_shares_nothing(
    aws: AwsWorld, refusing: None
) -> None:
    approver = aws.actor("U0APPR", Action.APPROVE)
    lead = aws.actor("U0LEAD", Action.CREATE)
    arn = aws.cards.create(lead, CARD, {"model_overview": {"model_owner": "o"}})
    with pytest.raises(ReadOnlyPermissionRefused) as caught:
        aws.shares.share_card(approver, "prod", arn)
    said = str(caught.value)
    assert "refused to create the read-only permission `ModelCardReadOnly`" in said
    assert "OperationNotPermittedException" in said
    assert "nothing was shared with stage `prod`" in said
    assert "`read_only_via: managed-with-guard`" in said
    assert not caught.value.retryable
    assert prod_share(aws) == []


@pytest.mark.parametrize("gov_changes", [{"read_only_via": "managed-with-guard"}])
def test_managed_with_guard_shares_prod_with_the_managed_permission(
    aws: AwsWorld, refusing: None
) -> None:
    assert aws.gov.read_only_via is ReadOnlyVia.MANAGED_WITH_GUARD
    approver = aws.actor("U0APPR", Action.APPROVE)
    lead = aws.actor("U0LEAD", Action.CREATE)
    arn = aws.cards.create(lead, CARD, {"model_overview": {"model_owner": "o"}})
    moto_ext.clear_calls()
    aws.shares.share_card(approver, "prod", arn)
    assert permission_calls() == []  # never asks RAM for the customer-managed permission
    (share,) = prod_share(aws)
    ram = aws.sessions.client(approver, "ram")
    (permission,) = ram.list_resource_share_permissions(resourceShareArn=share["resourceShareArn"])[
        "permissions"
    ]
    assert permission["name"] == MANAGED_PERMISSION


def test_approver_and_ops_are_told_once_when_ram_refuses(stack: Stack, refusing: None) -> None:
    create_card(stack, CARD)
    submit_card(stack, CARD, user=DS)
    assert "Approving" in answer_text(stack.command(f"approve {CARD}", APPR))
    stack.drain()
    # The status moved (the approver decided); the share with prod did not happen.
    assert stack.card_status(CARD) == "Approved"
    assert prod_share(stack.aws) == []
    [said] = [t for t in stack.ephemeral_texts(APPR) if "read-only permission" in t]
    assert "nothing was shared with stage `prod`" in said
    assert "read_only_via: managed-with-guard" in said
    [ops] = stack.fake.messages("C0OPS")
    assert f"Model card `{CARD}` is not shared with stage `prod`" in text_of(ops)
    assert "stage-account.yaml" in text_of(ops)
    # A second card hits the same refusal: the person is told again, ops is not.
    other = "customer-churn-v2"
    create_card(stack, other)
    submit_card(stack, other, user=DS)
    assert "Approving" in answer_text(stack.command(f"approve {other}", APPR))
    stack.drain()
    assert len([t for t in stack.ephemeral_texts(APPR) if "read-only permission" in t]) == 2
    assert len(stack.fake.messages("C0OPS")) == 1
