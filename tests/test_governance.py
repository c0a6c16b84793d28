from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.domain.status import Action, CardStatus
from bot.errors import ConfigError
from bot.governance import Access, load_governance, parse_governance
from tests.conftest import EXAMPLE_CONFIG


@pytest.fixture
def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE_CONFIG.read_text())


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_governance(data, "gov.yml")
    assert str(caught.value).startswith("gov.yml: ")
    return caught.value.problems


def test_example_loads_with_lifecycle_order() -> None:
    gov = load_governance(EXAMPLE_CONFIG)
    assert list(gov.stages) == ["dev", "test", "prod"]
    assert gov.stages["prod"].access is Access.READ_ONLY
    assert gov.stage_for_status(CardStatus.PENDING_REVIEW) == ("test", gov.stages["test"])
    assert gov.stage_for_status(CardStatus.ARCHIVED) is None
    assert [n for n, _ in gov.stages_up_to(CardStatus.APPROVED)] == ["dev", "test", "prod"]
    assert [n for n, _ in gov.stages_up_to(CardStatus.DRAFT)] == ["dev"]


def test_role_for_picks_first_role_granting_the_action() -> None:
    gov = load_governance(EXAMPLE_CONFIG)
    assert gov.role_for("U0DSAP", Action.SUBMIT).role_arn.endswith("role/mc-ds")  # type: ignore[union-attr]
    assert gov.role_for("U0DSAP", Action.APPROVE).role_arn.endswith("role/mc-approver")  # type: ignore[union-attr]
    assert gov.role_for("U0DS", Action.APPROVE) is None
    assert gov.role_for("UNOBODY", Action.CREATE) is None
    assert gov.capabilities("U0APPR") == {Action.APPROVE, Action.REJECT, Action.EXPORT}
    assert gov.capabilities("UNOBODY") == set()
    assert gov.who_can(Action.CREATE) == ["lead-data-scientist"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["stages"]["dev"].__setitem__("on_status", "Drafty"),
            "stages.dev.on_status: 'Drafty' is not allowed; expected",
        ),
        (
            lambda d: d["stages"]["test"].__setitem__("account", "222222222222"),
            "stages.test.account: 222222222222 is already the account of stage 'dev'",
        ),
        (
            lambda d: d["roles"]["approver"].pop("role_arn"),
            "roles.approver.role_arn: required key is missing",
        ),
        (
            lambda d: d["users"].__setitem__("U0NEW", ["auditor"]),
            "users.U0NEW: role 'auditor' is not defined under roles",
        ),
        (
            lambda d: d.__setitem__("central_account", "12345"),
            "central_account: '12345' is not an AWS account id",
        ),
        (
            lambda d: d["roles"]["admin"].__setitem__("role_arn", "arn:aws:iam::111:user/x"),
            "roles.admin.role_arn: 'arn:aws:iam::111:user/x' is not an IAM role ARN",
        ),
        (
            lambda d: d["stages"]["prod"].pop("channel"),
            "stages.prod.channel: required key is missing",
        ),
        (
            lambda d: d.pop("approvals_channel"),
            "approvals_channel: required key is missing",
        ),
        (
            lambda d: d["stages"]["dev"].__setitem__("channel", "#ml-dev"),
            "stages.dev.channel: '#ml-dev' is not a Slack channel id",
        ),
        (
            lambda d: d["stages"]["prod"].__setitem__("access", "write"),
            "stages.prod.access: 'write' is not allowed; expected 'read-write' or 'read-only'",
        ),
        (
            lambda d: d["roles"]["admin"].__setitem__("can", ["delete", "nuke"]),
            "roles.admin.can.1: 'nuke' is not allowed",
        ),
        (
            lambda d: d.__setitem__("regoin", "us-east-1"),
            "regoin: unknown key",
        ),
        (
            lambda d: d["stages"]["test"].__setitem__("on_status", "Draft"),
            "stages.test.on_status: Draft already drives stage 'dev'",
        ),
        (
            lambda d: d["stages"]["dev"].__setitem__("account", "111111111111"),
            "stages.dev.account: 111111111111 is the central account",
        ),
        (
            lambda d: d["roles"]["admin"].__setitem__(
                "role_arn", "arn:aws:iam::999999999999:role/x"
            ),
            "roles.admin.role_arn: the role must be in the central account 111111111111",
        ),
        (
            lambda d: d["users"].__setitem__("alice", ["admin"]),
            "users.alice: not a Slack user id",
        ),
        (
            lambda d: d["stages"]["prod"].__setitem__("on_status", "Archived"),
            "stages.prod.on_status: Archived revokes shares",
        ),
        (
            lambda d: d.__setitem__("region", "mars"),
            "region: 'mars' is not an AWS region",
        ),
    ],
)
def test_broken_variants_name_key_and_reason(
    example: dict[str, Any], mutate: Any, expected: str
) -> None:
    data = copy.deepcopy(example)
    mutate(data)
    problems = problems_of(data)
    assert any(p.startswith(expected) for p in problems), problems


def test_unquoted_account_is_accepted_only_when_it_keeps_12_digits(
    example: dict[str, Any],
) -> None:
    data = copy.deepcopy(example)
    data["central_account"] = 111111111111
    assert parse_governance(data).central_account == "111111111111"
    data["central_account"] = 11111111111  # 11 digits: a leading zero was lost
    assert any(p.startswith("central_account:") for p in problems_of(data))


def test_stages_out_of_lifecycle_order(example: dict[str, Any]) -> None:
    data = copy.deepcopy(example)
    data["stages"] = {
        "prod": data["stages"]["prod"],
        "dev": data["stages"]["dev"],
        "test": data["stages"]["test"],
    }
    assert any("lifecycle order" in p for p in problems_of(data))


def test_every_problem_is_reported_at_once(example: dict[str, Any]) -> None:
    data = copy.deepcopy(example)
    data["stages"]["dev"]["account"] = "abc"
    data["approvals_channel"] = "approvals"
    assert len(problems_of(data)) == 2


def test_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        parse_governance(["a"], "gov.yml")


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "gov.yml"
    bad.write_text("region: us-east-1\nstages: {dev: [\n")
    with pytest.raises(ConfigError) as caught:
        load_governance(bad)
    assert caught.value.source == str(bad)
    assert "line 3" in caught.value.problems[0]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_governance(tmp_path / "absent.yml")


def test_check_config_prints_lifecycle(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    out = capsys.readouterr().out
    assert (
        "Draft         -> stage dev: share with account 222222222222, read-write, notify C0DEV"
        in out
    )
    assert (
        "Approved      -> stage prod: share with account 444444444444, read-only, notify C0PROD"
        in out
    )


def test_check_config_lists_errors_and_exits_1(
    tmp_path: Path, example: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    example["stages"]["dev"]["on_status"] = "Review"
    example["users"]["U0X"] = ["ghost"]
    bad = tmp_path / "gov.yml"
    bad.write_text(yaml.safe_dump(example))
    assert main(["check-config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: 1 problem(s):" in err
    assert "stages.dev.on_status: 'Review' is not allowed" in err


def test_check_config_cross_check_errors(
    tmp_path: Path, example: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    example["users"]["U0X"] = ["ghost"]
    bad = tmp_path / "gov.yml"
    bad.write_text(yaml.safe_dump(example, sort_keys=False))
    assert main(["check-config", str(bad)]) == 1
    assert "users.U0X: role 'ghost' is not defined under roles" in capsys.readouterr().err
