"""moto (extended by tests/moto_shim.py) in-process, with the example governance file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto import mock_aws

from bot.aws import Actor, ModelCards, RoleSessions, StageShares
from bot.domain.status import Action
from bot.governance import Governance, load_governance, parse_governance
from tests import moto_shim
from tests.conftest import EXAMPLE_CONFIG

REGION = "us-east-1"


@dataclass
class AwsWorld:
    gov: Governance
    sessions: RoleSessions
    cards: ModelCards
    shares: StageShares

    def actor(self, user_id: str, action: Action) -> Actor:
        role = self.gov.role_for(user_id, action)
        assert role is not None, f"{user_id} cannot {action}"
        return Actor(user_id=user_id, role_arn=role.role_arn)

    def account_client(self, account: str, service: str, user: str = "U0OTHER") -> object:
        """A client acting inside another account (dev/test/prod), as a person there."""
        sts = boto3.client("sts", region_name=REGION)
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/stage-user",
            RoleSessionName=user,
            SourceIdentity=user,
        )["Credentials"]
        return boto3.client(
            service,  # type: ignore[call-overload]
            region_name=REGION,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )


def with_invitation_roles(gov: Governance) -> Governance:
    """Stage accounts outside an Organization accept the share invitation (as moto has no
    Organization holding fixed account ids)."""
    data = gov.model_dump(mode="json")
    for stage in data["stages"].values():
        stage["invitation_role_arn"] = f"arn:aws:iam::{stage['account']}:role/modelcard-accept"
    data["automation_role_arn"] = "arn:aws:iam::111111111111:role/mc-automation"
    return parse_governance(data)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsWorld]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    moto_shim.install()
    with mock_aws():
        moto_shim.clear_calls()
        gov = with_invitation_roles(load_governance(EXAMPLE_CONFIG))
        sessions = RoleSessions(region=REGION)
        yield AwsWorld(gov, sessions, ModelCards(sessions), StageShares(sessions, gov))
