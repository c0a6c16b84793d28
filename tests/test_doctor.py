"""`python -m bot doctor` against a setup deployed from the CloudFormation templates (moto,
in-process, with AssumeRole refusing roles that do not exist), the fake Slack over HTTP and a
real Redis-protocol server: a good setup passes, each broken one fails on its own line with
the fix, and doctor changes nothing."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from bot.cli import main
from bot.doctor import run_doctor
from bot.doctor.aws_checks import DOCTOR_IDENTITY
from bot.governance import Governance, parse_governance
from bot.local import moto_ext
from bot.local.fake_slack import FakeSlack
from bot.local.redis_server import RedisServer
from bot.settings import Settings
from bot.store.keys import Keys
from bot.worker.permission_refusal import refusal_effect
from tests.aws_fixtures import REGION, AwsWorld
from tests.cfn_deploy import Deployed, deploy, in_account

EXPORTS = "s3://mc-governance-exports/model-cards"
CHANNELS = {
    "C0DEV": "ml-dev",
    "C0TEST": "ml-test",
    "C0PROD": "ml-prod",
    "C0APPROVE": "model-approvals",
    "C0OPS": "ml-ops",
}


@dataclass
class Setup:
    gov: Governance
    deployed: Deployed
    fake: FakeSlack
    settings: Settings
    tmp: Path

    def run(self, **changes: Any) -> tuple[int, list[str]]:
        lines: list[str] = []
        code = run_doctor(self.settings.model_copy(update=changes), out=lines.append)
        return code, lines

    def with_governance(self, **changes: Any) -> Settings:
        data = self.gov.model_dump(mode="json")
        data.update(changes)
        path = self.tmp / "changed.yml"
        path.write_text(yaml.safe_dump(json.loads(json.dumps(data)), sort_keys=False))
        return self.settings.model_copy(update={"modelcard_config": path})


def failed(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("FAIL")]


def line_of(lines: list[str], subject: str) -> str:
    (found,) = [line for line in lines if line[6:].startswith(f"{subject}:")]
    return found


def write(gov: Governance, path: Path) -> Path:
    path.write_text(yaml.safe_dump(json.loads(gov.model_dump_json()), sort_keys=False))
    return path


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(channels=CHANNELS).start()
    yield fake
    fake.stop()


def make_setup(
    aws: AwsWorld, slack: FakeSlack, redis_server: RedisServer, tmp_path: Path, **central: Any
) -> Setup:
    data = aws.gov.model_dump(mode="json")
    data["export_s3_uri"] = EXPORTS
    gov = parse_governance({**data, **central.pop("gov", {})})
    deployed = deploy(gov, **central)
    moto_ext.require_existing_roles()
    settings = Settings(
        slack_bot_token=SecretStr("xoxb-doctor"),
        slack_api_url=slack.api_url,
        modelcard_config=write(gov, tmp_path / "governance.yml"),
        redis_url=redis_server.url,
        aws_region=REGION,
        modelcard_events_queue_url=deployed.central["EventsQueueUrl"],
    )
    return Setup(gov, deployed, slack, settings, tmp_path)


@pytest.fixture
def setup_with(
    aws: AwsWorld, slack: FakeSlack, redis_server: RedisServer, redis_client: Any, tmp_path: Path
) -> Iterator[Callable[..., Setup]]:
    """A setup deployed with these central-template changes; the switches reset after."""
    try:
        yield functools.partial(make_setup, aws, slack, redis_server, tmp_path)
    finally:
        moto_ext.reset_switches()


@pytest.fixture
def setup(setup_with: Callable[..., Setup]) -> Setup:
    return setup_with()


def test_a_good_fresh_setup_passes_and_changes_nothing(setup: Setup) -> None:
    moto_ext.clear_calls()
    code, lines = setup.run()
    assert failed(lines) == [], "\n".join(lines)
    assert code == 0
    for subject in [
        "governance file",
        "bot role",
        "role lead-data-scientist",
        "role approver",
        "automation role",
        "invitation role (prod)",
        "RAM resource type",
        "export bucket",
        "events queue",
        "Slack token",
        "channel C0PROD (stage prod)",
        "channel C0OPS (ops_channel)",
        "Redis",
    ]:
        assert line_of(lines, subject).startswith("ok"), subject
    # A fresh setup: the shares and the read-only permission come on first use.
    assert "created on first use" in line_of(lines, "share modelcard-bot-prod")
    assert "created on first use" in line_of(lines, "read-only permission")
    assert f"SourceIdentity {DOCTOR_IDENTITY}" in line_of(lines, "role approver")
    assert lines[-1].startswith("doctor: ")
    assert ", 0 failed" in lines[-1]
    # Nothing was created or changed: only reads reached AWS and Slack.
    actions = {c["action"] for c in moto_ext.calls()}
    assert actions <= {
        "AssumeRole",
        "GetCallerIdentity",
        "ListResourceTypes",
        "ListPermissions",
        "GetResourceShares",
        "GetResourceShareAssociations",
    }, actions
    assert {c.method for c in setup.fake.calls} == {"auth.test", "conversations.info"}


def test_a_role_that_does_not_exist(setup: Setup) -> None:
    roles = setup.gov.model_dump(mode="json")["roles"]
    roles["approver"]["role_arn"] = "arn:aws:iam::111111111111:role/mc-approvers"
    code, lines = setup.run(**setup.with_governance(roles=roles).__dict__)
    assert code == 1
    (line,) = [f for f in failed(lines) if "role approver" in f]
    assert "cannot assume arn:aws:iam::111111111111:role/mc-approvers" in line
    assert "not authorized to perform: sts:AssumeRole" in line
    assert "render-cfn" in line
    assert "roles.approver.role_arn" in line
    assert len(failed(lines)) == 1, "\n".join(lines)


def test_spoke_readers_are_assumed_as_the_spoke_sync_does(
    setup_with: Callable[..., Setup],
) -> None:
    """With hub-and-spoke, each spoke's reader role (deployed by spoke-account.yaml) is
    assumed with SourceIdentity modelcard-bot; one that does not exist fails on its line."""
    from tests.test_hub_and_spoke import FRAUD, RISK, SPOKES

    spoked = setup_with(gov={"topology": "hub-and-spoke", "spokes": SPOKES})
    code, lines = spoked.run()
    assert code == 0, "\n".join(failed(lines))
    for name, account in (("fraud", FRAUD), ("risk", RISK)):
        line = line_of(lines, f"spoke {name}")
        assert line.startswith("ok")
        assert f"arn:aws:sts::{account}:assumed-role/mc-spoke-reader/modelcard-bot" in line
        assert "SourceIdentity modelcard-bot" in line

    spokes = {**SPOKES, "risk": {**SPOKES["risk"], "role_arn": f"arn:aws:iam::{RISK}:role/gone"}}
    code, lines = spoked.run(**spoked.with_governance(spokes=spokes).__dict__)
    assert code == 1
    (line,) = failed(lines)
    assert line_of(lines, "spoke risk") == line
    assert f"cannot assume arn:aws:iam::{RISK}:role/gone" in line
    assert "spoke-account.yaml (StackSet) in account 666666666666" in line
    assert "--template spoke-account" in line
    assert "spokes.risk.role_arn" in line


def test_central_topology_has_no_spoke_lines(setup: Setup) -> None:
    _code, lines = setup.run()
    assert not [line for line in lines if line[6:].startswith("spoke ")]


def test_a_channel_the_bot_cannot_see(setup: Setup) -> None:
    del setup.fake.channels["C0PROD"]  # type: ignore[union-attr]
    code, lines = setup.run()
    assert code == 1
    (line,) = failed(lines)
    assert line.startswith("FAIL  channel C0PROD (stage prod): the bot cannot see it")
    assert "channel_not_found" in line
    assert "/invite @modelcard-bot" in line


def test_a_missing_bucket(setup_with: Callable[..., Setup]) -> None:
    code, lines = setup_with(create_export_bucket=False).run()
    assert code == 1
    (line,) = failed(lines)
    assert "export bucket: mc-governance-exports does not exist" in line
    assert "CreateExportBucket=true" in line


def test_bad_token_queue_redis_and_governance(setup: Setup, tmp_path: Path) -> None:
    code, lines = setup.run(
        slack_bot_token=SecretStr("not-a-token"),
        modelcard_events_queue_url="https://sqs.us-east-1.amazonaws.com/111111111111/nope",
        redis_url="redis://127.0.0.1:1/0",
    )
    assert code == 1
    assert "auth.test refused it (invalid_auth)" in line_of(lines, "Slack token")
    assert line_of(lines, "events queue").startswith("FAIL")
    assert "EventsQueueUrl" in line_of(lines, "events queue")
    assert line_of(lines, "Redis").startswith("FAIL")
    for cluster in (None, False):  # the detection's failure, then the client's
        code, lines = setup.run(
            redis_url="redis://bot:hunter2@127.0.0.1:1/0", redis_cluster=cluster
        )
        assert code == 1
        assert "redis://bot:***@127.0.0.1:1/0" in line_of(lines, "Redis")
        assert "hunter2" not in "\n".join(lines)
    bad = tmp_path / "bad.yml"
    bad.write_text("region: us-east-1\n")
    code, lines = setup.run(modelcard_config=bad)
    assert code == 1
    assert "check-config" in line_of(lines, "governance file")


def test_a_share_missing_its_principal(setup: Setup) -> None:
    moto_ext.require_existing_roles(False)  # an operator of the account, by hand
    automation = in_account(setup.gov.central_account, "ram")
    moto_ext.require_existing_roles()
    share = automation.create_resource_share(name="modelcard-bot-test", principals=[])
    moto_ext.clear_calls()
    code, lines = setup.run()
    assert code == 1
    (line,) = failed(lines)
    assert line.startswith(
        "FAIL  share modelcard-bot-test: account 333333333333 is not a principal"
    )
    assert share["resourceShare"]["resourceShareArn"] in line


def test_a_refusal_the_worker_reported_is_a_failure(setup: Setup, redis_client: Any) -> None:
    redis_client.hset(Keys().posted(refusal_effect("ModelCardReadOnly")), "ts", "1.0")
    code, lines = setup.run()
    assert code == 1
    (line,) = failed(lines)
    assert "RAM refused to create ModelCardReadOnly" in line
    assert "read_only_via: managed-with-guard" in line


def test_managed_with_guard_checks_the_prod_guard(setup_with: Callable[..., Setup]) -> None:
    setup = setup_with(gov={"read_only_via": "managed-with-guard"})
    code, lines = setup.run()
    assert code == 0, "\n".join(lines)
    assert "modelcard-prod-guard exists" in line_of(lines, "prod guard (prod)")
    # The guard removed from prod: doctor says so.
    moto_ext.require_existing_roles(False)  # an operator of prod, by hand
    iam = in_account("444444444444", "iam")
    moto_ext.require_existing_roles()
    arn = "arn:aws:iam::444444444444:policy/modelcard-prod-guard"
    iam.delete_policy(PolicyArn=arn)
    code, lines = setup.run()
    assert code == 1
    (line,) = failed(lines)
    assert f"prod guard (prod): {arn} does not exist" in line
    assert "stage-account.yaml" in line
    assert "444444444444" in line


def test_without_invitation_roles_the_guard_is_reported_as_not_checked(setup: Setup) -> None:
    data = setup.gov.model_dump(mode="json")
    for stage in data["stages"].values():
        stage.pop("invitation_role_arn")
    settings = setup.with_governance(stages=data["stages"], read_only_via="managed-with-guard")
    code, lines = setup.run(**settings.__dict__)
    guard = line_of(lines, "prod guard (prod)")
    assert guard.startswith("skip")
    assert "aws iam get-policy" in guard
    assert code == 0, "\n".join(lines)


def test_the_command(setup: Setup, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setenv("MODELCARD_CONFIG", str(setup.settings.modelcard_config))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-doctor")
    monkeypatch.setenv("SLACK_API_URL", str(setup.settings.slack_api_url))
    monkeypatch.setenv("REDIS_URL", setup.settings.redis_url)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("MODELCARD_EVENTS_QUEUE_URL", str(setup.settings.modelcard_events_queue_url))
    assert main(["doctor"]) == 0
    assert "0 failed" in capsys.readouterr().out
    monkeypatch.setenv("SLACK_BOT_TOKEN", "bad")
    assert main(["doctor"]) == 1
    assert "FAIL  Slack token" in capsys.readouterr().out
