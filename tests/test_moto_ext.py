"""Proves each extension of bot.local.moto_ext with boto3 against moto (in-process and server)."""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from bot.local import moto_ext

CENTRAL, DEV, TEST, PROD = "111111111111", "222222222222", "333333333333", "444444444444"
REGION = "us-east-1"
CARD = "customer-churn-v1"
CARD_ARN = f"arn:aws:sagemaker:{REGION}:{CENTRAL}:model-card/{CARD}"
CONTENT = json.dumps({"model_overview": {"model_owner": "lead", "problem_type": "churn"}})
MANAGED = "arn:aws:ram::aws:permission/AWSRAMPermissionSageMakerModelCards"
MANAGED_EXPORT = "arn:aws:ram::aws:permission/AWSRAMPermissionSageMakerModelCardsAllowExport"
READ_ONLY_TEMPLATE = json.dumps(
    {
        "Effect": "Allow",
        "Action": ["sagemaker:DescribeModelCard", "sagemaker:ListModelCardVersions"],
    }
)


def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def moto_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _env(monkeypatch)
    moto_ext.install()
    with mock_aws():
        moto_ext.clear_calls()
        yield


@functools.cache
def _session() -> boto3.Session:
    """One session for every client, so they share botocore's loaded service models."""
    return boto3.Session(region_name=REGION)


class Account:
    """boto3 clients for one account, through sts:AssumeRole with SourceIdentity = user."""

    def __init__(self, account: str, user: str = "U0LEAD", endpoint: str | None = None) -> None:
        self.endpoint = endpoint
        self.creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self.assumed = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/x",
            RoleSessionName=user,
            SourceIdentity=user,
        )
        creds = self.assumed["Credentials"]
        self.creds = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
        self.sm = self.client("sagemaker")
        self.ram = self.client("ram")

    def client(self, service: str) -> Any:
        return _session().client(service, endpoint_url=self.endpoint, **self.creds)


def _create_card(central: Account, name: str = CARD, status: str = "Draft") -> None:
    central.sm.create_model_card(ModelCardName=name, Content=CONTENT, ModelCardStatus=status)


def _error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def _share(central: Account, principal: str, permission: str | None = None, **extra: Any) -> str:
    params: dict[str, Any] = {
        "name": f"modelcards-{principal}",
        "resourceArns": [CARD_ARN],
        "principals": [principal],
        **extra,
    }
    if permission:
        params["permissionArns"] = [permission]
    return str(central.ram.create_resource_share(**params)["resourceShare"]["resourceShareArn"])


def _accept(receiver: Account, share_arn: str) -> None:
    invitations = receiver.ram.get_resource_share_invitations(resourceShareArns=[share_arn])
    [invitation] = invitations["resourceShareInvitations"]
    assert invitation["status"] == "PENDING"
    assert invitation["senderAccountId"] == CENTRAL
    assert (
        invitation["receiverAccountId"] == receiver.assumed["AssumedRoleUser"]["Arn"].split(":")[4]
    )
    receiver.ram.accept_resource_share_invitation(
        resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
    )


def _principal_status(central: Account, share_arn: str, principal: str) -> list[str]:
    assocs = central.ram.get_resource_share_associations(
        associationType="PRINCIPAL", resourceShareArns=[share_arn], principal=principal
    )["resourceShareAssociations"]
    return [a["status"] for a in assocs]


# ------------------------------------------------------------------------------------- STS


def test_assume_role_returns_source_identity_and_calls_record_it(moto_env: None) -> None:
    central = Account(CENTRAL)
    assert central.assumed["SourceIdentity"] == "U0LEAD"
    central.sm.list_model_cards()
    sm_calls = [c for c in moto_ext.calls() if c["service"] == "sagemaker"]
    assert sm_calls == [
        {
            "service": "sagemaker",
            "action": "ListModelCards",
            "account": CENTRAL,
            "region": REGION,
            "caller_arn": f"arn:aws:sts::{CENTRAL}:assumed-role/x/U0LEAD",
            "source_identity": "U0LEAD",
            "session_name": "U0LEAD",
            "status": 200,
        }
    ]
    sts_calls = [c for c in moto_ext.calls() if c["service"] == "sts"]
    assert [c["action"] for c in sts_calls] == ["AssumeRole"]
    assert sts_calls[0]["source_identity"] is None  # made with the plain default identity
    moto_ext.clear_calls()
    assert moto_ext.calls() == []


def test_source_identity_is_validated_and_fixed_along_a_role_chain(moto_env: None) -> None:
    sts = _session().client("sts")
    for bad in ("U" * 65, "a b", "U0/LEAD"):  # botocore itself only checks 2..256 chars
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role(
                RoleArn=f"arn:aws:iam::{DEV}:role/x", RoleSessionName="ss", SourceIdentity=bad
            )
        assert _error_code(excinfo) == "ValidationError"
    ok = sts.assume_role(
        RoleArn=f"arn:aws:iam::{DEV}:role/x", RoleSessionName="ss", SourceIdentity="U" * 64
    )
    assert ok["SourceIdentity"] == "U" * 64
    plain = sts.assume_role(RoleArn=f"arn:aws:iam::{DEV}:role/x", RoleSessionName="ss")
    assert "SourceIdentity" not in plain
    bot = Account(CENTRAL, user="U0BOT")
    chained = bot.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{DEV}:role/y", RoleSessionName="next"
    )
    assert chained["SourceIdentity"] == "U0BOT"
    with pytest.raises(ClientError) as excinfo:  # a set source identity cannot change
        bot.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{DEV}:role/y", RoleSessionName="next", SourceIdentity="U0DS"
        )
    assert _error_code(excinfo) == "AccessDenied"
    user = (
        _session()
        .client(
            "sts",
            aws_access_key_id=plain["Credentials"]["AccessKeyId"],
            aws_secret_access_key=plain["Credentials"]["SecretAccessKey"],
            aws_session_token=plain["Credentials"]["SessionToken"],
        )
        .assume_role(
            RoleArn=f"arn:aws:iam::{DEV}:role/y", RoleSessionName="U0DS", SourceIdentity="U0DS"
        )
    )
    assert user["SourceIdentity"] == "U0DS"  # a chain without source identity may set one


# ------------------------------------------------------------------------------- SageMaker


def test_status_only_update_keeps_version_and_content(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central)
    before = central.sm.describe_model_card(ModelCardName=CARD)
    time.sleep(0.01)
    central.sm.update_model_card(ModelCardName=CARD, ModelCardStatus="PendingReview")
    after = central.sm.describe_model_card(ModelCardName=CARD)
    assert after["ModelCardStatus"] == "PendingReview"
    assert after["ModelCardVersion"] == before["ModelCardVersion"] == 1
    assert after["Content"] == CONTENT
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    versions = central.sm.list_model_card_versions(ModelCardName=CARD)
    assert len(versions["ModelCardVersionSummaryList"]) == 1


def test_content_update_creates_a_version_and_keeps_status(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central, status="PendingReview")
    new_content = json.dumps({"model_overview": {"model_owner": "someone-else"}})
    central.sm.update_model_card(ModelCardName=CARD, Content=new_content)
    card = central.sm.describe_model_card(ModelCardName=CARD)
    assert (card["ModelCardVersion"], card["ModelCardStatus"]) == (2, "PendingReview")
    assert card["Content"] == new_content
    assert card["LastModifiedTime"] > card["CreationTime"]
    first = central.sm.describe_model_card(ModelCardName=CARD, ModelCardVersion=1)
    assert first["Content"] == CONTENT


def test_content_and_status_in_one_call_are_refused(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central)
    with pytest.raises(ClientError) as excinfo:
        central.sm.update_model_card(
            ModelCardName=CARD, Content=CONTENT, ModelCardStatus="Approved"
        )
    assert _error_code(excinfo) == "ValidationException"
    assert central.sm.describe_model_card(ModelCardName=CARD)["ModelCardStatus"] == "Draft"


def test_archived_card_refuses_updates(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central)
    central.sm.update_model_card(ModelCardName=CARD, ModelCardStatus="Archived")
    for change in ({"ModelCardStatus": "Draft"}, {"Content": CONTENT}):
        with pytest.raises(ClientError) as excinfo:
            central.sm.update_model_card(ModelCardName=CARD, **change)
        assert _error_code(excinfo) == "ValidationException"
        assert "Archived" in excinfo.value.response["Error"]["Message"]
    card = central.sm.describe_model_card(ModelCardName=CARD)
    assert (card["ModelCardStatus"], card["ModelCardVersion"]) == ("Archived", 1)


def test_describe_by_arn_cross_account_needs_share_and_accepted_invitation(moto_env: None) -> None:
    central, dev = Account(CENTRAL), Account(DEV, user="U0DS")
    _create_card(central)
    assert central.sm.describe_model_card(ModelCardName=CARD_ARN)["ModelCardName"] == CARD
    with pytest.raises(ClientError) as excinfo:
        dev.sm.describe_model_card(ModelCardName=CARD_ARN)
    assert _error_code(excinfo) == "AccessDeniedException"
    assert f"arn:aws:sts::{DEV}:assumed-role/x/U0DS" in excinfo.value.response["Error"]["Message"]

    share_arn = _share(central, DEV)
    assert _principal_status(central, share_arn, DEV) == ["ASSOCIATING"]
    with pytest.raises(ClientError) as excinfo:  # invitation still pending
        dev.sm.describe_model_card(ModelCardName=CARD_ARN)
    assert _error_code(excinfo) == "AccessDeniedException"

    _accept(dev, share_arn)
    assert _principal_status(central, share_arn, DEV) == ["ASSOCIATED"]
    card = dev.sm.describe_model_card(ModelCardName=CARD_ARN)
    assert (card["ModelCardArn"], card["Content"]) == (CARD_ARN, CONTENT)
    dev.sm.update_model_card(ModelCardName=CARD_ARN, ModelCardStatus="PendingReview")
    assert central.sm.describe_model_card(ModelCardName=CARD)["ModelCardStatus"] == "PendingReview"
    versions = dev.sm.list_model_card_versions(ModelCardName=CARD_ARN)
    assert [v["ModelCardVersion"] for v in versions["ModelCardVersionSummaryList"]] == [1]
    with pytest.raises(ClientError) as excinfo:  # by name it is looked up in dev's own account
        dev.sm.describe_model_card(ModelCardName=CARD)
    assert _error_code(excinfo) == "ResourceNotFound"
    with pytest.raises(ClientError) as excinfo:  # the default permission does not allow export
        dev.sm.create_model_card_export_job(
            ModelCardName=CARD_ARN,
            ModelCardExportJobName="j1",
            OutputConfig={"S3OutputPath": "s3://nowhere/x"},
        )
    assert _error_code(excinfo) == "AccessDeniedException"
    with pytest.raises(ClientError) as excinfo:  # test account is not a principal
        Account(TEST).sm.describe_model_card(ModelCardName=CARD_ARN)
    assert _error_code(excinfo) == "AccessDeniedException"

    shared = dev.ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
    assert [s["resourceShareArn"] for s in shared] == [share_arn]
    resources = dev.ram.list_resources(resourceOwner="OTHER-ACCOUNTS")["resources"]
    assert [(r["arn"], r["type"]) for r in resources] == [(CARD_ARN, "sagemaker:ModelCard")]
    assert dev.ram.get_resource_shares(resourceOwner="SELF")["resourceShares"] == []


def test_rejected_invitation_gives_no_access(moto_env: None) -> None:
    central, test = Account(CENTRAL), Account(TEST)
    _create_card(central)
    share_arn = _share(central, TEST)
    [invitation] = test.ram.get_resource_share_invitations()["resourceShareInvitations"]
    arn = invitation["resourceShareInvitationArn"]
    test.ram.reject_resource_share_invitation(resourceShareInvitationArn=arn)
    with pytest.raises(ClientError) as excinfo:
        test.ram.accept_resource_share_invitation(resourceShareInvitationArn=arn)
    assert _error_code(excinfo) == "ResourceShareInvitationAlreadyRejectedException"
    assert _principal_status(central, share_arn, TEST) == ["DISASSOCIATED"]
    with pytest.raises(ClientError) as excinfo:
        test.sm.describe_model_card(ModelCardName=CARD_ARN)
    assert _error_code(excinfo) == "AccessDeniedException"
    with pytest.raises(ClientError) as excinfo:  # dev cannot answer test's invitation
        Account(DEV).ram.accept_resource_share_invitation(resourceShareInvitationArn=arn)
    assert _error_code(excinfo) == "ResourceShareInvitationArnNotFoundException"


def test_org_sharing_associates_member_accounts_without_invitation(moto_env: None) -> None:
    central = Account(CENTRAL)
    orgs = central.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    member = orgs.create_account(AccountName="dev", Email="dev@example.com")
    member_id = member["CreateAccountStatus"]["AccountId"]
    central.ram.enable_sharing_with_aws_organization()
    _create_card(central)
    share_arn = _share(central, member_id)
    assert _principal_status(central, share_arn, member_id) == ["ASSOCIATED"]
    member_account = Account(member_id)
    assert member_account.ram.get_resource_share_invitations()["resourceShareInvitations"] == []
    card = member_account.sm.describe_model_card(ModelCardName=CARD_ARN)
    assert card["ModelCardName"] == CARD
    with pytest.raises(ClientError):  # allowExternalPrincipals=False refuses outsiders
        central.ram.create_resource_share(
            name="internal", principals=[PROD], allowExternalPrincipals=False
        )


def test_prod_read_only_custom_permission(moto_env: None) -> None:
    central, prod = Account(CENTRAL), Account(PROD, user="U0APPR")
    _create_card(central, status="Approved")
    permission = central.ram.create_permission(
        name="ModelCardReadOnly",
        resourceType="sagemaker:ModelCard",
        policyTemplate=READ_ONLY_TEMPLATE,
        tags=[{"key": "stage", "value": "prod"}],
    )["permission"]
    perm_arn = permission["arn"]
    assert perm_arn == f"arn:aws:ram:{REGION}:{CENTRAL}:permission/ModelCardReadOnly"
    assert (permission["version"], permission["permissionType"]) == ("1", "CUSTOMER_MANAGED")
    with pytest.raises(ClientError) as excinfo:
        central.ram.create_permission(
            name="ModelCardReadOnly",
            resourceType="sagemaker:ModelCard",
            policyTemplate=READ_ONLY_TEMPLATE,
        )
    assert _error_code(excinfo) == "PermissionAlreadyExistsException"
    got = central.ram.get_permission(permissionArn=perm_arn)["permission"]
    assert json.loads(got["permission"]) == json.loads(READ_ONLY_TEMPLATE)
    custom = central.ram.list_permissions(
        resourceType="sagemaker:ModelCard", permissionType="CUSTOMER_MANAGED"
    )["permissions"]
    assert [p["arn"] for p in custom] == [perm_arn]

    share_arn = _share(central, PROD, permission=perm_arn)
    listed = central.ram.list_resource_share_permissions(resourceShareArn=share_arn)
    assert [p["arn"] for p in listed["permissions"]] == [perm_arn]
    _accept(prod, share_arn)
    assert prod.sm.describe_model_card(ModelCardName=CARD_ARN)["ModelCardStatus"] == "Approved"
    prod.sm.list_model_card_versions(ModelCardName=CARD_ARN)
    with pytest.raises(ClientError) as excinfo:
        prod.sm.update_model_card(ModelCardName=CARD_ARN, ModelCardStatus="Archived")
    assert _error_code(excinfo) == "AccessDeniedException"
    assert central.sm.describe_model_card(ModelCardName=CARD)["ModelCardStatus"] == "Approved"


def test_permission_must_exist_and_match_resource_type(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central)
    glue = central.ram.create_permission(
        name="GlueOnly",
        resourceType="glue:Database",
        policyTemplate=json.dumps({"Effect": "Allow", "Action": "glue:GetDatabase"}),
    )["permission"]["arn"]
    with pytest.raises(ClientError) as excinfo:
        _share(central, DEV, permission=glue)
    assert _error_code(excinfo) == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        _share(central, DEV, permission=f"arn:aws:ram:{REGION}:{CENTRAL}:permission/Nope")
    assert _error_code(excinfo) == "UnknownResourceException"
    with pytest.raises(ClientError) as excinfo:  # actions of another service
        central.ram.create_permission(
            name="Bad",
            resourceType="sagemaker:ModelCard",
            policyTemplate=json.dumps({"Effect": "Allow", "Action": ["s3:GetObject"]}),
        )
    assert _error_code(excinfo) == "InvalidPolicyException"
    assert central.ram.get_resource_shares(resourceOwner="SELF")["resourceShares"] == []


def test_model_card_type_and_managed_permissions_are_listed(moto_env: None) -> None:
    ram = Account(CENTRAL).ram
    types = ram.list_resource_types()["resourceTypes"]
    assert {"resourceType": "sagemaker:ModelCard", "serviceName": "sagemaker"}.items() <= next(
        t for t in types if t["resourceType"] == "sagemaker:ModelCard"
    ).items()
    perms = ram.list_permissions(resourceType="sagemaker:ModelCard")["permissions"]
    assert {(p["arn"], p["isResourceTypeDefault"]) for p in perms} == {
        (MANAGED, True),
        (MANAGED_EXPORT, False),
    }


def test_default_permission_applies_and_filters_work(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central)
    share_arn = _share(central, DEV, tags=[{"key": "stage", "value": "dev"}])
    other = central.ram.create_resource_share(name="other", tags=[{"key": "stage", "value": "x"}])
    listed = central.ram.list_resource_share_permissions(resourceShareArn=share_arn)
    assert [p["arn"] for p in listed["permissions"]] == [MANAGED]

    def names(**filters: Any) -> list[str]:
        shares = central.ram.get_resource_shares(resourceOwner="SELF", **filters)
        return sorted(s["name"] for s in shares["resourceShares"])

    assert names() == ["modelcards-222222222222", "other"]
    assert names(name="other") == ["other"]
    assert names(tagFilters=[{"tagKey": "stage", "tagValues": ["dev"]}]) == [
        "modelcards-222222222222"
    ]
    assert names(resourceShareArns=[other["resourceShare"]["resourceShareArn"]]) == ["other"]
    assert names(permissionArn=MANAGED) == ["modelcards-222222222222"]
    central.ram.delete_resource_share(resourceShareArn=other["resourceShare"]["resourceShareArn"])
    assert names(resourceShareStatus="ACTIVE") == ["modelcards-222222222222"]
    page = central.ram.get_resource_shares(resourceOwner="SELF", maxResults=1)
    assert len(page["resourceShares"]) == 1
    rest = central.ram.get_resource_shares(resourceOwner="SELF", nextToken=page["nextToken"])
    assert len(rest["resourceShares"]) == 1
    assert "nextToken" not in rest


def test_associate_is_idempotent(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central)
    share = central.ram.create_resource_share(name="dev")["resourceShare"]["resourceShareArn"]
    for _ in range(2):
        answer = central.ram.associate_resource_share(
            resourceShareArn=share, resourceArns=[CARD_ARN], principals=[DEV]
        )
        entities = {
            (a["associationType"], a["associatedEntity"], a["status"])
            for a in answer["resourceShareAssociations"]
        }
        assert entities == {("RESOURCE", CARD_ARN, "ASSOCIATED"), ("PRINCIPAL", DEV, "ASSOCIATING")}
    for kind in ("RESOURCE", "PRINCIPAL"):
        assocs = central.ram.get_resource_share_associations(associationType=kind)
        assert len(assocs["resourceShareAssociations"]) == 1
    assert len(Account(DEV).ram.get_resource_share_invitations()["resourceShareInvitations"]) == 1
    with pytest.raises(ClientError) as excinfo:
        central.ram.associate_resource_share(
            resourceShareArn=share.replace(share[-4:], "0000"), principals=[DEV]
        )
    assert _error_code(excinfo) == "UnknownResourceException"


def test_client_token_idempotency_and_mismatch(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central)
    first = central.ram.create_resource_share(name="dev", clientToken="tok-1")
    again = central.ram.create_resource_share(name="dev", clientToken="tok-1")
    assert first["resourceShare"]["resourceShareArn"] == again["resourceShare"]["resourceShareArn"]
    assert again["clientToken"] == "tok-1"
    assert len(central.ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]) == 1
    with pytest.raises(ClientError) as excinfo:
        central.ram.create_resource_share(name="test", clientToken="tok-1")
    assert _error_code(excinfo) == "IdempotentParameterMismatchException"

    share = first["resourceShare"]["resourceShareArn"]
    params = {"resourceShareArn": share, "resourceArns": [CARD_ARN], "clientToken": "tok-2"}
    one = central.ram.associate_resource_share(**params)
    two = central.ram.associate_resource_share(**params)
    assert one["resourceShareAssociations"] == two["resourceShareAssociations"]
    with pytest.raises(ClientError) as excinfo:
        central.ram.associate_resource_share(**params, principals=[DEV])
    assert _error_code(excinfo) == "IdempotentParameterMismatchException"


def test_racing_creators_with_one_client_token_get_one_share(moto_env: None) -> None:
    """RAM makes a clientToken atomic: two workers creating the same share at once get one."""
    central = Account(CENTRAL)
    clients = [central.client("ram") for _ in range(8)]
    start = threading.Barrier(len(clients))
    arns: list[str] = []

    def create(ram: Any) -> None:
        start.wait()
        answer = ram.create_resource_share(name="modelcard-bot-dev", clientToken="tok-race")
        arns.append(answer["resourceShare"]["resourceShareArn"])

    threads = [threading.Thread(target=create, args=(ram,)) for ram in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(arns) == len(clients)
    assert len(set(arns)) == 1
    assert len(central.ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]) == 1


def test_disassociate_removes_access(moto_env: None) -> None:
    central, dev = Account(CENTRAL), Account(DEV)
    _create_card(central)
    share_arn = _share(central, DEV)
    _accept(dev, share_arn)
    dev.sm.describe_model_card(ModelCardName=CARD_ARN)
    answer = central.ram.disassociate_resource_share(resourceShareArn=share_arn, principals=[DEV])
    [assoc] = answer["resourceShareAssociations"]
    assert (assoc["associatedEntity"], assoc["status"]) == (DEV, "DISASSOCIATED")
    assert _principal_status(central, share_arn, DEV) == ["DISASSOCIATED"]
    with pytest.raises(ClientError) as excinfo:
        dev.sm.describe_model_card(ModelCardName=CARD_ARN)
    assert _error_code(excinfo) == "AccessDeniedException"
    assert dev.ram.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []

    # re-associating invites again; removing the card also removes access
    central.ram.associate_resource_share(resourceShareArn=share_arn, principals=[DEV])
    _accept(dev, share_arn)
    dev.sm.describe_model_card(ModelCardName=CARD_ARN)
    central.ram.disassociate_resource_share(resourceShareArn=share_arn, resourceArns=[CARD_ARN])
    with pytest.raises(ClientError) as excinfo:
        dev.sm.describe_model_card(ModelCardName=CARD_ARN)
    assert _error_code(excinfo) == "AccessDeniedException"
    resources = central.ram.get_resource_share_associations(
        associationType="RESOURCE", associationStatus="DISASSOCIATED"
    )["resourceShareAssociations"]
    assert [r["associatedEntity"] for r in resources] == [CARD_ARN]


def test_export_job_writes_a_pdf_to_s3(moto_env: None) -> None:
    central = Account(CENTRAL)
    _create_card(central, status="Approved")
    central.client("s3").create_bucket(Bucket="exports")
    job_arn = central.sm.create_model_card_export_job(
        ModelCardName=CARD,
        ModelCardExportJobName="job-1",
        OutputConfig={"S3OutputPath": "s3://exports/cards"},
    )["ModelCardExportJobArn"]
    assert job_arn == f"{CARD_ARN}/export-job/job-1"
    job = central.sm.describe_model_card_export_job(ModelCardExportJobArn=job_arn)
    assert job["Status"] == "Completed"
    uri = job["ExportArtifacts"]["S3ExportArtifacts"]
    assert uri == f"s3://exports/cards/{CARD}/job-1/{CARD}.pdf"
    pdf = central.client("s3").get_object(Bucket="exports", Key=uri.split("/", 3)[3])["Body"].read()
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert CARD.encode() in pdf
    assert b"Status: Approved" in pdf
    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")
    jobs = central.sm.list_model_card_export_jobs(ModelCardName=CARD)["ModelCardExportJobSummaries"]
    assert [j["ModelCardExportJobArn"] for j in jobs] == [job_arn]
    with pytest.raises(ClientError) as excinfo:
        central.sm.create_model_card_export_job(
            ModelCardName=CARD,
            ModelCardExportJobName="job-2",
            OutputConfig={"S3OutputPath": "s3://no-such-bucket/x"},
        )
    assert _error_code(excinfo) == "ValidationException"


def test_cross_account_export_needs_the_export_permission(moto_env: None) -> None:
    central, test = Account(CENTRAL), Account(TEST)
    _create_card(central)
    test.client("s3").create_bucket(Bucket="test-exports")
    _accept(test, _share(central, TEST, permission=MANAGED_EXPORT))
    job_arn = test.sm.create_model_card_export_job(
        ModelCardName=CARD_ARN,
        ModelCardExportJobName="from-test",
        OutputConfig={"S3OutputPath": "s3://test-exports"},
    )["ModelCardExportJobArn"]
    job = test.sm.describe_model_card_export_job(ModelCardExportJobArn=job_arn)
    key = f"{CARD}/from-test/{CARD}.pdf"
    assert job["ExportArtifacts"]["S3ExportArtifacts"] == f"s3://test-exports/{key}"
    body = test.client("s3").get_object(Bucket="test-exports", Key=key)["Body"].read()
    assert body.startswith(b"%PDF-1.4")
    with pytest.raises(ClientError) as excinfo:
        Account(DEV).sm.describe_model_card_export_job(ModelCardExportJobArn=job_arn)
    assert _error_code(excinfo) == "AccessDeniedException"


# ---------------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get_json(url: str, method: str = "GET") -> Any:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_server_share_and_describe_by_arn(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch)
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.local.moto_ext", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert _get_json(f"{endpoint}/_shim/calls") == []
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "moto shim server did not start"
                time.sleep(0.1)
        central, dev = Account(CENTRAL, endpoint=endpoint), Account(DEV, "U0DS", endpoint=endpoint)
        _create_card(central)
        with pytest.raises(ClientError) as excinfo:
            dev.sm.describe_model_card(ModelCardName=CARD_ARN)
        assert _error_code(excinfo) == "AccessDeniedException"
        share_arn = _share(central, DEV)
        _accept(dev, share_arn)
        assert dev.sm.describe_model_card(ModelCardName=CARD_ARN)["Content"] == CONTENT

        recorded = _get_json(f"{endpoint}/_shim/calls")
        describes = [c for c in recorded if c["action"] == "DescribeModelCard"]
        assert [(c["account"], c["status"]) for c in describes] == [(DEV, 400), (DEV, 200)]
        assert {c["source_identity"] for c in describes} == {"U0DS"}
        aws_calls = [c for c in recorded if c["service"] in ("sagemaker", "ram")]
        assert {c["caller_arn"].split("/")[0] for c in aws_calls} == {
            f"arn:aws:sts::{CENTRAL}:assumed-role",
            f"arn:aws:sts::{DEV}:assumed-role",
        }
        assert all(c["source_identity"] == c["session_name"] for c in aws_calls)
        _get_json(f"{endpoint}/_shim/calls/clear", method="POST")
        assert _get_json(f"{endpoint}/_shim/calls") == []
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    assert server.returncode == 0, stderr
