"""Deploy deploy/cloudformation/*.yaml on moto's CloudFormation (in-process), each template in
its own account as an operator of that account would, and read back what they created."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from bot.deploy_params import central_parameters, spoke_parameters, stage_parameters
from bot.governance import Governance, Topology
from tests.conftest import ROOT

TEMPLATES = ROOT / "deploy" / "cloudformation"
CENTRAL = TEMPLATES / "central.yaml"
STAGE = TEMPLATES / "stage-account.yaml"
SPOKE = TEMPLATES / "spoke-account.yaml"
REGION = "us-east-1"


@contextlib.contextmanager
def moto_credentials() -> Iterator[None]:
    """moto's dummy credentials and region in the environment, the moto extension installed,
    for a module's deployments (the environment is put back after)."""
    from bot.local import moto_ext

    saved = dict(os.environ)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    moto_ext.install()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def in_account(account: str, service: str, who: str = "operator") -> Any:
    """A client acting inside `account` (moto serves a request in the caller's account)."""
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{who}", RoleSessionName=who
    )["Credentials"]
    return boto3.client(
        service,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def create_stack(account: str, name: str, template: Path, values: dict[str, str]) -> dict[str, str]:
    cfn = in_account(account, "cloudformation")
    cfn.create_stack(
        StackName=name,
        TemplateBody=template.read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


@dataclass
class Deployed:
    gov: Governance
    central: dict[str, str]
    stages: dict[str, dict[str, str]] = field(default_factory=dict)
    spokes: dict[str, dict[str, str]] = field(default_factory=dict)

    def role_policies(self, account: str, role: str) -> dict[str, dict[str, Any]]:
        """Inline policy name -> document, as IAM returns them."""
        iam = in_account(account, "iam")
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        return {
            n: _doc(iam.get_role_policy(RoleName=role, PolicyName=n)["PolicyDocument"])
            for n in names
        }

    def trust(self, account: str, role: str) -> dict[str, Any]:
        return _doc(
            in_account(account, "iam").get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        )


def _doc(value: Any) -> dict[str, Any]:
    doc = json.loads(value) if isinstance(value, str) else value
    assert isinstance(doc, dict)
    return doc


def deploy(gov: Governance, *, stages: bool = True, **central: Any) -> Deployed:
    """central.yaml in the central account, stage-account.yaml in every stage account and,
    with hub-and-spoke, spoke-account.yaml in every spoke account (the StackSets'
    instances), with the parameters `render-cfn` prints for `gov`."""
    outputs = create_stack(
        gov.central_account, "modelcard-bot", CENTRAL, central_parameters(gov, **central).values
    )
    deployed = Deployed(gov, outputs)
    if stages:
        values = stage_parameters(gov, bot_role_arn=outputs["BotRoleArn"]).values
        for name, stage in gov.stages.items():
            deployed.stages[name] = create_stack(
                stage.account, "modelcard-bot-stage", STAGE, values
            )
    if gov.topology is Topology.HUB_AND_SPOKE:
        values = spoke_parameters(gov, bot_role_arn=outputs["BotRoleArn"]).values
        for name, spoke in gov.spokes.items():
            deployed.spokes[name] = create_stack(
                spoke.account, "modelcard-bot-spoke", SPOKE, values
            )
    return deployed
