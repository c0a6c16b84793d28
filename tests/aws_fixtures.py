"""moto (extended by bot.local.moto_ext) in-process, with the local world's governance file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

import boto3
import pytest
import yaml
from moto import mock_aws

from bot.aws import Actor, ModelCards, RoleSessions, StageShares
from bot.domain.status import Action
from bot.governance import Governance, parse_governance
from bot.local import moto_ext

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


def local_world() -> Governance:
    """The local world's governance file (bot/local/governance.yml: the example's plus the
    stage accounts' invitation roles, as moto has no Organization holding fixed account ids),
    with exports off: the tests of exports turn them on (tests/gov_override.py)."""
    data = yaml.safe_load(resources.files("bot.local").joinpath("governance.yml").read_text())
    data.pop("export_s3_uri")
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
    moto_ext.install()
    with mock_aws():
        moto_ext.clear_calls()
        gov = local_world()
        sessions = RoleSessions(region=REGION)
        yield AwsWorld(gov, sessions, ModelCards(sessions), StageShares(sessions, gov))
