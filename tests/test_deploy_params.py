"""cfn-lint on the templates, and `python -m bot render-cfn`: the parameter files it prints
name exactly the templates' parameters, carry the governance file's values, and a governance
file the templates do not fit is refused with what to change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.deploy_params import (
    TEMPLATE_ROLES,
    central_parameters,
    export_location,
    spoke_parameters,
    stage_parameters,
)
from bot.errors import ConfigError
from bot.governance import load_governance, parse_governance
from tests.cfn_deploy import CENTRAL, SPOKE, STAGE, TEMPLATES
from tests.conftest import EXAMPLE_CONFIG

GOV = load_governance(EXAMPLE_CONFIG)
READER = "mc-spoke-reader"
SPOKES = {
    name: {"account": account, "role_arn": f"arn:aws:iam::{account}:role/{READER}"}
    for name, account in [("fraud", "555555555555"), ("risk", "666666666666")]
}


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, read as their long form."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    key = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        return {key: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {key: loader.construct_sequence(node, deep=True)}
    return {key: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _tag)


def template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)


def changed(**changes: Any) -> Any:
    data = GOV.model_dump(mode="json")
    data.update(changes)
    return parse_governance(data)


def test_cfn_lint_finds_nothing() -> None:
    lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(lint), *map(str, sorted(TEMPLATES.glob("*.yaml")))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in TEMPLATES.glob("*.yaml")) == [
        "central.yaml",
        "spoke-account.yaml",
        "stage-account.yaml",
    ]


def test_cfn_lint_would_catch_a_broken_template(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        CENTRAL.read_text().replace("Type: AWS::SQS::Queue", "Type: AWS::SQS::Queu", 1)
    )
    lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(lint), str(broken)], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "AWS::SQS::Queu" in result.stdout


@pytest.mark.parametrize(
    ("path", "values"),
    [
        (CENTRAL, central_parameters(GOV).values),
        (
            CENTRAL,
            central_parameters(
                changed(export_s3_uri="s3://b-1/pdf", registry={"update_model_package": True}),
                trusted_principal="arn:aws:iam::111111111111:role/ops",
            ).values,
        ),
        (STAGE, stage_parameters(GOV).values),
        (CENTRAL, central_parameters(changed(topology="hub-and-spoke", spokes=SPOKES)).values),
        (SPOKE, spoke_parameters(changed(topology="hub-and-spoke", spokes=SPOKES)).values),
    ],
    ids=["central", "central-all-options", "stage-account", "central-hub", "spoke-account"],
)
def test_parameters_are_the_templates_own(path: Path, values: dict[str, str]) -> None:
    declared = template(path)["Parameters"]
    assert set(values) <= set(declared), set(values) - set(declared)
    required = {name for name, spec in declared.items() if "Default" not in spec}
    assert required <= set(values), required - set(values)
    for name, value in values.items():
        allowed = declared[name].get("AllowedValues")
        if allowed:
            assert value in allowed, (name, value)


def test_central_parameters_carry_the_governance_values() -> None:
    gov = changed(
        export_s3_uri="s3://mc-exports/model-cards/",
        read_only_via="managed-with-guard",
        ram_allow_external_principals=True,
    )
    values = central_parameters(gov, create_export_bucket=False).values
    assert values["LeadDataScientistRoleName"] == "mc-lead-ds"
    assert values["ApproverRoleName"] == "mc-approver"
    assert values["AutomationRoleName"] == "mc-automation"
    assert values["BotRoleName"] == "modelcard-bot"
    assert (values["DevAccount"], values["TestAccount"], values["ProdAccount"]) == (
        "222222222222",
        "333333333333",
        "444444444444",
    )
    assert values["ReadOnlyVia"] == "managed-with-guard"
    assert values["RamAllowExternalPrincipals"] == "true"
    assert (values["ExportBucket"], values["ExportPrefix"]) == ("mc-exports", "model-cards")
    assert values["CreateExportBucket"] == "false"
    assert values["InvitationRoleName"] == ""
    assert {p for p, _can in TEMPLATE_ROLES.values()} <= set(values)


def test_stage_parameters_name_the_read_only_account_and_the_bot() -> None:
    values = stage_parameters(GOV).values
    assert values["CentralAccount"] == "111111111111"
    assert values["ReadOnlyStageAccount"] == "444444444444"
    assert values["BotRoleArn"] == GOV.bot_role_arn


def test_spoke_parameters_name_the_reader_role_and_the_bot() -> None:
    gov = changed(topology="hub-and-spoke", spokes=SPOKES)
    assert spoke_parameters(gov).values == {
        "BotRoleArn": GOV.bot_role_arn,
        "SpokeReaderRoleName": READER,
        "AutomationSourceIdentity": "modelcard-bot",
    }
    central = central_parameters(gov)
    assert central.values["SpokeReaderRoleArns"] == ",".join(s["role_arn"] for s in SPOKES.values())
    assert not any("spoke" in note for note in central.notes)
    # With topology central, central.yaml gets no spoke grant at all.
    assert "SpokeReaderRoleArns" not in central_parameters(GOV).values


@pytest.mark.parametrize(
    ("spokes", "messages"),
    [
        (
            {
                **SPOKES,
                "risk": {**SPOKES["risk"], "role_arn": "arn:aws:iam::666666666666:role/other"},
            },
            ["spokes.*.role_arn: the spoke StackSet creates one reader role name", "(mc-spoke-"],
        ),
        (
            {
                **SPOKES,
                "risk": {
                    **SPOKES["risk"],
                    "role_arn": f"arn:aws:iam::666666666666:role/team/{READER}",
                },
            },
            [
                "spokes.risk.role_arn: arn:aws:iam::666666666666:role/team/mc-spoke-reader has "
                "a path; spoke-account.yaml creates the role without one (write "
                "arn:aws:iam::666666666666:role/mc-spoke-reader)"
            ],
        ),
    ],
    ids=["names-differ", "path"],
)
def test_spokes_the_spoke_template_does_not_fit_are_refused(
    spokes: dict[str, Any], messages: list[str]
) -> None:
    gov = changed(topology="hub-and-spoke", spokes=spokes)
    for render in (spoke_parameters, central_parameters):
        with pytest.raises(ConfigError) as caught:
            render(gov, source="g.yml")
        for message in messages:
            assert any(message in p for p in caught.value.problems), caught.value.problems


def test_spoke_parameters_need_hub_and_spoke() -> None:
    with pytest.raises(ConfigError) as caught:
        spoke_parameters(GOV, source="g.yml")
    assert caught.value.problems == [
        "topology: central; spoke-account.yaml is for topology hub-and-spoke only (set "
        "topology: hub-and-spoke and spokes, or deploy central.yaml alone)"
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "roles": {
                    **GOV.model_dump(mode="json")["roles"],
                    "auditor": {
                        "role_arn": "arn:aws:iam::111111111111:role/mc-audit",
                        "can": ["edit"],
                    },
                }
            },
            "roles.auditor: central.yaml has no role for it",
        ),
        (
            {
                "roles": {
                    **GOV.model_dump(mode="json")["roles"],
                    "ml-engineer": {
                        "role_arn": "arn:aws:iam::111111111111:role/mc-mle",
                        "can": ["edit", "submit"],
                    },
                }
            },
            "roles.ml-engineer.can: central.yaml's policy for it grants exactly [edit]",
        ),
        (
            {
                "stages": {
                    ("qa" if n == "test" else n): v
                    for n, v in GOV.model_dump(mode="json")["stages"].items()
                }
            },
            "stages: the templates are written for dev, test, prod",
        ),
        ({"export_s3_uri": "s3://mc-exports"}, "write s3://BUCKET/PREFIX"),
        (
            {
                "stages": {
                    n: {**s, "invitation_role_arn": f"arn:aws:iam::{s['account']}:role/r-{n}"}
                    for n, s in GOV.model_dump(mode="json")["stages"].items()
                }
            },
            "these differ (r-dev, r-prod, r-test)",
        ),
    ],
    ids=[
        "unknown-role",
        "other-capabilities",
        "other-stages",
        "whole-bucket",
        "mixed-invitations",
    ],
)
def test_a_governance_file_the_templates_do_not_fit_is_refused(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        central_parameters(changed(**changes), source="g.yml")
    assert caught.value.source == "g.yml"
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_export_location_rules() -> None:
    assert export_location("s3://b-1/a/b/") == ("b-1", "a/b")
    for uri in ["s3://mc-exports", "s3://mc-exports/", "https://x/y"]:
        with pytest.raises(ValueError, match="write s3://BUCKET/PREFIX"):
            export_location(uri)
    with pytest.raises(ValueError, match="wildcards"):
        export_location("s3://mc-exports/pdf*")


def test_render_cfn_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render-cfn", str(EXAMPLE_CONFIG)]) == 0
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    assert printed == central_parameters(GOV).file()
    assert all(set(p) == {"ParameterKey", "ParameterValue"} for p in printed)
    assert "no export_s3_uri" in captured.err
    assert main(["render-cfn", str(EXAMPLE_CONFIG), "--template", "stage-account"]) == 0
    assert json.loads(capsys.readouterr().out) == stage_parameters(GOV).file()
    out = tmp_path / "params"
    assert main(["render-cfn", str(EXAMPLE_CONFIG), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "central.parameters.json",
        "stage-account.parameters.json",
    ]
    assert main(["render-cfn", str(EXAMPLE_CONFIG), "--template", "spoke-account"]) == 1
    assert "spoke-account.yaml is for topology hub-and-spoke only" in capsys.readouterr().err
    hub = tmp_path / "hub.yml"
    hub.write_text(
        yaml.safe_dump(
            {**GOV.model_dump(mode="json"), "topology": "hub-and-spoke", "spokes": SPOKES},
            sort_keys=False,
        )
    )
    assert main(["render-cfn", str(hub), "--template", "spoke-account"]) == 0
    assert json.loads(capsys.readouterr().out) == spoke_parameters(load_governance(hub)).file()
    hub_out = tmp_path / "hub-params"
    assert main(["render-cfn", str(hub), "--out", str(hub_out)]) == 0
    assert sorted(p.name for p in hub_out.iterdir()) == [
        "central.parameters.json",
        "spoke-account.parameters.json",
        "stage-account.parameters.json",
    ]
    bad = tmp_path / "bad.yml"
    bad.write_text(
        yaml.safe_dump(
            {**GOV.model_dump(mode="json"), "export_s3_uri": "s3://b-1"}, sort_keys=False
        )
    )
    assert main(["render-cfn", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: 1 problem(s):" in err
    assert "write s3://BUCKET/PREFIX" in err


def test_export_bucket_blocks_public_access_and_is_encrypted() -> None:
    # moto's CloudFormation does not apply PublicAccessBlockConfiguration: read the template.
    bucket = template(CENTRAL)["Resources"]["ExportBucketResource"]
    assert bucket["Condition"] == "MakeExportBucket"
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule == {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
