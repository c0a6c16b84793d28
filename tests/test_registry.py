"""The model registry link: with `registry.update_model_package`, Approve / Reject set the
approval status of the model package a card names, as the approver's role."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.status import Action
from bot.local import moto_ext
from tests.gov_override import governed_aws  # noqa: F401 - the `aws` fixture of this module
from tests.slack_helpers import (
    APPR,
    DS,
    LEAD,
    answer_text,
    approve_card,
    card_content,
    create_card,
    submit_card,
    text_of,
)
from tests.slack_stack import Stack

CARD = "customer-churn-v1"
GROUP = "customer-churn"


@pytest.fixture
def gov_changes() -> dict[str, Any]:
    return {"registry": {"update_model_package": True}}


def sagemaker(stack: Stack) -> Any:
    """SageMaker in the central account, where the registry and the cards live."""
    return stack.aws.sessions.client(stack.aws.actor(LEAD, Action.CREATE), "sagemaker")


@pytest.fixture
def package(stack: Stack) -> str:
    sm = sagemaker(stack)
    sm.create_model_package_group(ModelPackageGroupName=GROUP)
    answer = sm.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelPackageDescription="churn model",
        ModelApprovalStatus="PendingManualApproval",
    )
    return str(answer["ModelPackageArn"])


def package_status(stack: Stack, arn: str) -> dict[str, Any]:
    found: dict[str, Any] = sagemaker(stack).describe_model_package(ModelPackageName=arn)
    return found


def card_naming(stack: Stack, arn: str) -> None:
    """A Draft card whose content names the model package (edited with the SageMaker API)."""
    create_card(stack, CARD)
    _version, content = card_content(stack, CARD)
    content["model_package_details"] = {
        "model_package_arn": arn,
        "model_package_group_name": GROUP,
        "model_package_version": 1,
    }
    stack.aws.cards.update_content(stack.aws.actor(LEAD, Action.EDIT), CARD, content)


def registry_calls() -> list[tuple[str, str | None]]:
    return [
        (c["action"], c["source_identity"])
        for c in moto_ext.calls()
        if c["action"] in ("DescribeModelPackage", "UpdateModelPackage")
    ]


def assert_approval_leaves_the_package(stack: Stack, package: str) -> None:
    """Submit and approve CARD: no registry call is made and the package keeps its status."""
    submit_card(stack, CARD, user=DS)
    moto_ext.clear_calls()
    approve_card(stack, CARD, user=APPR)
    assert registry_calls() == []
    assert package_status(stack, package)["ModelApprovalStatus"] == "PendingManualApproval"


def test_approve_sets_the_model_package_to_approved(stack: Stack, package: str) -> None:
    assert package_status(stack, package)["ModelApprovalStatus"] == "PendingManualApproval"
    card_naming(stack, package)
    submit_card(stack, CARD, user=DS)
    moto_ext.clear_calls()
    approve_card(stack, CARD, user=APPR)
    # Described first, then updated, both as the approver's role.
    assert registry_calls() == [("DescribeModelPackage", APPR), ("UpdateModelPackage", APPR)]
    assert package_status(stack, package)["ModelApprovalStatus"] == "Approved"
    [said] = [t for t in stack.ephemeral_texts(APPR) if "approved" in t]
    assert f"Model card `{CARD}` v2 approved." in said  # the version approved is named
    assert f"Model package `{package}` set to Approved in the model registry." in said
    history = answer_text(stack.command(f"history {CARD}", DS))
    assert (
        f"<@U0APPR> · registry (updated: model package PendingManualApproval → Approved: "
        f"{package})" in history
    )
    assert stack.fake.messages("C0OPS") == []


def test_package_already_approved_is_left_alone(stack: Stack, package: str) -> None:
    sagemaker(stack).update_model_package(ModelPackageArn=package, ModelApprovalStatus="Approved")
    card_naming(stack, package)
    submit_card(stack, CARD, user=DS)
    moto_ext.clear_calls()
    approve_card(stack, CARD, user=APPR)
    assert registry_calls() == [("DescribeModelPackage", APPR)]
    assert any(
        f"Model package `{package}` was already Approved." in t for t in stack.ephemeral_texts(APPR)
    )


def test_reject_sets_rejected_with_the_reason(stack: Stack, package: str) -> None:
    card_naming(stack, package)
    submit_card(stack, CARD, user=DS)
    reason = "AUC is below the agreed threshold"
    assert "Rejecting" in answer_text(stack.command(f"reject {CARD} {reason}", APPR))
    stack.drain()
    assert stack.card_status(CARD) == "Draft"
    found = package_status(stack, package)
    assert found["ModelApprovalStatus"] == "Rejected"
    assert found["ApprovalDescription"] == reason
    assert any("set to Rejected" in t for t in stack.ephemeral_texts(APPR))


def test_failure_is_reported_and_the_card_stays_approved(stack: Stack) -> None:
    missing = "arn:aws:sagemaker:us-east-1:111111111111:model-package/customer-churn/7"
    card_naming(stack, missing)
    submit_card(stack, CARD, user=DS)
    approve_card(stack, CARD, user=APPR)  # the card's decision stands
    assert stack.card_status(CARD) == "Approved"
    [said] = [t for t in stack.ephemeral_texts(APPR) if "approved" in t]
    assert f"The model package `{missing}` was NOT set to Approved" in said
    assert "The card's decision stands; an admin has been told." in said
    [ops] = stack.fake.messages("C0OPS")
    assert f"Model card `{CARD}` is Approved, but setting its model package" in text_of(ops)
    assert missing in text_of(ops)
    # The rest of the approval happened: prod shared and notified.
    assert len(stack.fake.messages("C0PROD")) == 1
    history = answer_text(stack.command(f"history {CARD}", DS))
    assert "registry" in history
    assert "failed" in history


def test_card_without_a_model_package_is_unaffected(stack: Stack, package: str) -> None:
    create_card(stack, CARD)
    assert_approval_leaves_the_package(stack, package)


@pytest.mark.parametrize("gov_changes", [{}])
def test_registry_link_is_off_by_default(stack: Stack, package: str) -> None:
    assert stack.core.gov.registry.update_model_package is False
    card_naming(stack, package)
    assert_approval_leaves_the_package(stack, package)


def test_a_replayed_approval_updates_the_package_once(
    stack: Stack, package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.errors import RetryLater
    from bot.worker.effects import Effects

    card_naming(stack, package)
    submit_card(stack, CARD, user=DS)
    original = Effects.settle
    failures = [RetryLater("Slack is down", retry_after=0.0)]

    def flaky(self: Effects, *args: Any, **kwargs: Any) -> Any:
        if failures:  # the first attempt dies after the card and the package were updated
            raise failures.pop()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Effects, "settle", flaky)
    monkeypatch.setattr(stack.worker, "_sleep", lambda _s: None)
    moto_ext.clear_calls()
    approve_card(stack, CARD, user=APPR)
    assert registry_calls() == [
        ("DescribeModelPackage", APPR),
        ("UpdateModelPackage", APPR),
        ("DescribeModelPackage", APPR),  # the retry finds it done
    ]
    assert package_status(stack, package)["ModelApprovalStatus"] == "Approved"
    assert len(stack.fake.messages("C0PROD")) == 1


def test_a_malformed_package_arn_is_reported_without_calling_aws(stack: Stack) -> None:
    card_naming(stack, "churn-model <!channel>")
    submit_card(stack, CARD, user=DS)
    moto_ext.clear_calls()
    approve_card(stack, CARD, user=APPR)
    assert registry_calls() == []
    [said] = [t for t in stack.ephemeral_texts(APPR) if "approved" in t]
    assert "is not a model package ARN" in said
    assert "<!channel>" not in said  # the card's text is shown, never acted on
    assert "&lt;!channel&gt;" in said
