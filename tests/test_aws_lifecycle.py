"""The seed's story through the public AWS layer, on moto: every call as a per-user role."""

from __future__ import annotations

import collections
import threading
from typing import Any

import pytest

from bot.aws import Actor
from bot.domain.status import Action, CardStatus
from bot.errors import (
    CardAlreadyExists,
    CardNotFound,
    InvalidCardName,
    InvalidContent,
    WrongStatus,
)
from bot.governance import Access
from bot.local import moto_ext
from tests.aws_fixtures import REGION, AwsWorld

SEED_CONTENT = {
    "model_overview": {"model_owner": "model-owner", "problem_type": "Customer Churn Model"}
}
CARD = "customer-churn-v1"


def run_seed(world: AwsWorld) -> str:
    lead = world.actor("U0LEAD", Action.CREATE)
    arn = world.cards.create(lead, CARD, SEED_CONTENT)
    world.shares.share_card(lead, "dev", arn)
    ds = world.actor("U0DS", Action.SUBMIT)
    assert world.cards.transition(ds, CARD, Action.SUBMIT).changed
    world.shares.share_card(ds, "test", arn)
    approver = world.actor("U0APPR", Action.APPROVE)
    assert world.cards.transition(approver, CARD, Action.APPROVE).changed
    world.shares.share_card(approver, "prod", arn)
    return arn


def ram_central(world: AwsWorld) -> Any:
    return world.sessions.client(world.actor("U0LEAD", Action.CREATE), "ram")


def test_seed_sequence_ends_approved_with_one_share_per_stage(aws: AwsWorld) -> None:
    arn = run_seed(aws)
    lead = aws.actor("U0LEAD", Action.CREATE)
    card = aws.cards.describe(lead, CARD)
    assert card.status is CardStatus.APPROVED
    assert card.content == SEED_CONTENT
    assert card.version == 1  # status changes do not make versions

    ram = ram_central(aws)
    shares = ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]
    assert sorted(s["name"] for s in shares) == [
        "modelcard-bot-dev",
        "modelcard-bot-prod",
        "modelcard-bot-test",
    ]
    expected_permission = {
        "dev": "AWSRAMPermissionSageMakerModelCards",
        "test": "AWSRAMPermissionSageMakerModelCards",
        "prod": "ModelCardReadOnly",
    }
    for share in shares:
        stage = share["name"].removeprefix("modelcard-bot-")
        permissions = ram.list_resource_share_permissions(
            resourceShareArn=share["resourceShareArn"]
        )["permissions"]
        assert [p["name"] for p in permissions] == [expected_permission[stage]]
        principals = ram.get_resource_share_associations(
            associationType="PRINCIPAL", resourceShareArns=[share["resourceShareArn"]]
        )["resourceShareAssociations"]
        assert [p["associatedEntity"] for p in principals] == [aws.gov.stages[stage].account]
        resources = ram.get_resource_share_associations(
            associationType="RESOURCE", resourceShareArns=[share["resourceShareArn"]]
        )["resourceShareAssociations"]
        assert [r["associatedEntity"] for r in resources] == [arn]

    stage_shares = aws.shares.card_shares(lead, arn)
    assert [(s.stage, s.account, s.access) for s in stage_shares] == [
        ("dev", "222222222222", Access.READ_WRITE),
        ("test", "333333333333", Access.READ_WRITE),
        ("prod", "444444444444", Access.READ_ONLY),
    ]


def test_read_only_permission_allows_only_describe_and_list_versions(aws: AwsWorld) -> None:
    run_seed(aws)
    ram = ram_central(aws)
    permission = next(
        p
        for p in ram.list_permissions(resourceType="sagemaker:ModelCard", permissionType="LOCAL")[
            "permissions"
        ]
        if p["name"] == "ModelCardReadOnly"
    )
    template = ram.get_permission(permissionArn=permission["arn"])["permission"]["permission"]
    assert "sagemaker:DescribeModelCard" in template
    assert "sagemaker:ListModelCardVersions" in template
    assert "UpdateModelCard" not in template


def test_every_call_runs_as_the_mapped_role_with_source_identity(aws: AwsWorld) -> None:
    run_seed(aws)
    calls = [c for c in moto_ext.calls() if c["service"] in {"sagemaker", "ram"}]
    assert calls, "no AWS call was recorded"
    users = {"U0LEAD": "mc-lead-ds", "U0DS": "mc-ds", "U0APPR": "mc-approver"}
    stage_accounts = {"222222222222", "333333333333", "444444444444"}
    for call in calls:
        user = call["source_identity"]
        assert user in users, call
        if call["account"] == "111111111111":
            role = users[user]
        else:  # accepting the share invitation inside the stage account, still as the person
            assert call["account"] in stage_accounts, call
            role = "modelcard-accept"
        assert call["caller_arn"] == (
            f"arn:aws:sts::{call['account']}:assumed-role/{role}/{user}"
        ), call
    accepted = [c for c in calls if c["action"] == "AcceptResourceShareInvitation"]
    assert sorted(c["account"] for c in accepted) == sorted(stage_accounts)
    assume = [c for c in moto_ext.calls() if c["action"] == "AssumeRole"]
    # One per (person, role): credentials are cached.
    assert len(assume) == 3 + 3


def test_caller_identity_is_the_mapped_role(aws: AwsWorld) -> None:
    approver = aws.actor("U0DSAP", Action.APPROVE)
    identity = aws.sessions.client(approver, "sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::111111111111:assumed-role/mc-approver/U0DSAP"
    assert identity["Account"] == "111111111111"


def test_bot_role_is_assumed_first_and_chained(aws: AwsWorld) -> None:
    from bot.aws import RoleSessions

    sessions = RoleSessions(region=REGION, bot_role_arn=aws.gov.bot_role_arn)
    lead = aws.actor("U0LEAD", Action.CREATE)
    moto_ext.clear_calls()
    identity = sessions.client(lead, "sts").get_caller_identity()
    assert identity["Arn"].endswith("assumed-role/mc-lead-ds/U0LEAD")
    assume = [c for c in moto_ext.calls() if c["action"] == "AssumeRole"]
    assert [c["caller_arn"].split(":")[-1] for c in assume][1] == (
        "assumed-role/modelcard-bot/modelcard-bot"
    )


def test_credentials_are_refreshed_before_expiry(aws: AwsWorld) -> None:
    from bot.aws import RoleSessions

    now = [1_000.0]
    sessions = RoleSessions(region=REGION, clock=lambda: now[0])
    lead = aws.actor("U0LEAD", Action.CREATE)
    first = sessions.client(lead, "sagemaker")
    assert sessions.client(lead, "sagemaker") is first
    now[0] = 10_000_000_000.0  # far past the credentials' expiry
    assert sessions.client(lead, "sagemaker") is not first


def test_one_person_waiting_on_sts_holds_up_nobody_else(aws: AwsWorld) -> None:
    """The worker's consumers share one RoleSessions: while the lead's AssumeRole hangs, the
    approver's session is made; a second caller for the lead waits and uses the same one."""
    import boto3

    from bot.aws import RoleSessions

    base = boto3.Session(region_name=REGION)
    entered, release = threading.Event(), threading.Event()
    asked: collections.Counter[str] = collections.Counter()

    def slow_for_the_lead(params: dict[str, Any], **_: Any) -> None:
        asked[params["RoleSessionName"]] += 1
        if params["RoleSessionName"] == "U0LEAD":
            entered.set()
            release.wait(10)

    base.events.register("provide-client-params.sts.AssumeRole", slow_for_the_lead)
    sessions = RoleSessions(region=REGION, base_session=base)
    got: dict[str, str] = {}

    def caller(name: str, actor: Actor) -> threading.Thread:
        def run() -> None:
            got[name] = sessions.client(actor, "sts").get_caller_identity()["Arn"]

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    lead = aws.actor("U0LEAD", Action.CREATE)
    first = caller("lead", lead)
    assert entered.wait(10)
    again = caller("lead again", lead)
    other = caller("approver", aws.actor("U0APPR", Action.APPROVE))
    other.join(10)
    assert got["approver"].endswith("assumed-role/mc-approver/U0APPR")
    assert sorted(got) == ["approver"]  # both lead callers still wait on the one STS call
    release.set()
    first.join(10)
    again.join(10)
    assert got["lead"].endswith("assumed-role/mc-lead-ds/U0LEAD")
    assert got["lead again"] == got["lead"]
    assert asked == {"U0LEAD": 1, "U0APPR": 1}


def test_replayed_steps_change_nothing(aws: AwsWorld) -> None:
    arn = run_seed(aws)
    approver = aws.actor("U0APPR", Action.APPROVE)
    again = aws.cards.transition(approver, CARD, Action.APPROVE)
    assert not again.changed
    assert again.card.status is CardStatus.APPROVED
    result = aws.shares.share_card(approver, "prod", arn)
    assert not result.changed
    ram = ram_central(aws)
    rows = ram.get_resource_share_associations(associationType="RESOURCE", resourceArn=arn)[
        "resourceShareAssociations"
    ]
    assert len([r for r in rows if r["status"] == "ASSOCIATED"]) == 3


def test_transition_from_wrong_status_is_refused_and_changes_nothing(aws: AwsWorld) -> None:
    lead = aws.actor("U0LEAD", Action.CREATE)
    aws.cards.create(lead, CARD, SEED_CONTENT)
    approver = aws.actor("U0APPR", Action.APPROVE)
    with pytest.raises(WrongStatus) as caught:
        aws.cards.transition(approver, CARD, Action.APPROVE)
    assert CARD in str(caught.value)
    assert aws.cards.describe(lead, CARD).status is CardStatus.DRAFT


def test_reject_returns_to_draft_and_content_edits_make_versions(aws: AwsWorld) -> None:
    lead = aws.actor("U0LEAD", Action.CREATE)
    aws.cards.create(lead, CARD, SEED_CONTENT)
    aws.cards.update_content(lead, CARD, {**SEED_CONTENT, "intended_uses": {"risk_rating": "Low"}})
    aws.cards.transition(lead, CARD, Action.SUBMIT)
    outcome = aws.cards.transition(aws.actor("U0APPR", Action.REJECT), CARD, Action.REJECT)
    assert outcome.previous is CardStatus.PENDING_REVIEW
    assert outcome.card.status is CardStatus.DRAFT
    versions = aws.cards.list_versions(lead, CARD)
    assert [v.version for v in versions] == [1, 2]
    assert outcome.card.content["intended_uses"] == {"risk_rating": "Low"}


def test_archive_revokes_every_share(aws: AwsWorld) -> None:
    arn = run_seed(aws)
    lead = aws.actor("U0LEAD", Action.ARCHIVE)
    assert aws.cards.transition(lead, CARD, Action.ARCHIVE).changed
    assert aws.shares.unshare_card(lead, arn) == ["dev", "test", "prod"]
    assert aws.shares.card_shares(lead, arn) == []
    assert aws.shares.unshare_card(lead, arn) == []
    with pytest.raises(WrongStatus):
        aws.cards.transition(lead, CARD, Action.SUBMIT)


def test_prod_account_reads_but_cannot_update(aws: AwsWorld) -> None:
    arn = run_seed(aws)
    prod: Any = aws.account_client("444444444444", "sagemaker")
    assert prod.describe_model_card(ModelCardName=arn)["ModelCardStatus"] == "Approved"
    with pytest.raises(Exception, match="AccessDenied"):
        prod.update_model_card(ModelCardName=arn, Content='{"model_overview": {}}')
    dev: Any = aws.account_client("222222222222", "sagemaker")
    dev.update_model_card(ModelCardName=arn, Content='{"model_overview": {"model_owner": "dev"}}')


def test_list_and_delete(aws: AwsWorld) -> None:
    lead = aws.actor("U0LEAD", Action.CREATE)
    for i in range(3):
        aws.cards.create(lead, f"card-{i}", SEED_CONTENT)
    aws.cards.transition(lead, "card-1", Action.SUBMIT)
    assert [c.name for c in aws.cards.list_cards(lead)] == ["card-0", "card-1", "card-2"]
    assert [c.name for c in aws.cards.list_cards(lead, CardStatus.PENDING_REVIEW)] == ["card-1"]
    admin = aws.actor("U0ADMIN", Action.DELETE)
    aws.cards.delete(admin, "card-0")
    with pytest.raises(CardNotFound):
        aws.cards.describe(admin, "card-0")


def test_unknown_and_duplicate_cards(aws: AwsWorld) -> None:
    lead = aws.actor("U0LEAD", Action.CREATE)
    with pytest.raises(CardNotFound, match="`nope` does not exist"):
        aws.cards.describe(lead, "nope")
    aws.cards.create(lead, CARD, SEED_CONTENT)
    with pytest.raises(CardAlreadyExists, match=CARD):
        aws.cards.create(lead, CARD, SEED_CONTENT)


def test_bad_input_never_reaches_aws(aws: AwsWorld) -> None:
    lead = aws.actor("U0LEAD", Action.CREATE)
    aws.sessions.client(lead, "sagemaker")  # assume the role first
    moto_ext.clear_calls()
    with pytest.raises(InvalidCardName):
        aws.cards.create(lead, "bad_name!", SEED_CONTENT)
    with pytest.raises(InvalidContent, match="risk_rating"):
        aws.cards.create(lead, CARD, {"intended_uses": {"risk_rating": "Extreme"}})
    with pytest.raises(InvalidContent):
        aws.cards.update_content(lead, CARD, {"x": 1})
    assert moto_ext.calls() == []
