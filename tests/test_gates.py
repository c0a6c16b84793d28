"""Gates and durations: the pure rules, the governance keys and check-config's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.domain.durations import format_age, format_duration, parse_duration
from bot.domain.gates import gate_refusal, has_field, missing_fields, nearest_path, schema_paths
from bot.domain.status import Action
from bot.errors import ConfigError, GateClosed
from bot.gatekeeper import Gatekeeper
from bot.governance import load_governance, parse_governance
from bot.slack.forms.edit import form_fields
from tests.conftest import EXAMPLE_CONFIG


def example(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    data.update(changes)
    return data


def problems(**changes: Any) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_governance(example(**changes))
    return err.value.problems


# ---------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("24h", 86400), ("3d", 259200), (" 2H ", 7200)]
)
def test_durations_parse(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("24", "unit"),
        (24, "has no unit: write 24s, 24m, 24h or 24d"),
        ("1w", "s (seconds), m (minutes), h (hours) or d (days)"),
        ("0s", "at least 1s"),
        ("400d", "longer than a year"),
        ("1.5h", "whole number"),
        (None, "not a duration"),
        (True, "not a duration"),
    ],
)
def test_bad_durations_say_what_to_write(value: object, says: str) -> None:
    with pytest.raises(ValueError, match=r".") as err:
        parse_duration(value)
    assert says in str(err.value)


def test_durations_format_back() -> None:
    assert format_duration(14 * 86400) == "14d"
    assert format_duration(90) == "90s"
    assert format_duration(7200) == "2h"
    assert format_age(3 * 86400 + 5) == "3d"
    assert format_age(59) == "59s"


# ---------------------------------------------------------------------------- gates (pure)


def test_present_and_non_empty() -> None:
    content = {
        "model_overview": {"model_owner": "team", "model_description": "  "},
        "intended_uses": {"risk_rating": "High"},
        "evaluation_details": [{"name": "a"}, {"name": "b", "evaluation_observation": "ok"}],
        "business_details": {},
    }
    assert has_field(content, "model_overview.model_owner")
    assert not has_field(content, "model_overview.model_description")  # blank text
    assert not has_field(content, "business_details")  # empty object
    assert not has_field(content, "business_details.business_problem")
    assert has_field(content, "evaluation_details.evaluation_observation")  # any item
    assert not has_field({"evaluation_details": []}, "evaluation_details")
    paths = ["intended_uses.risk_rating", "intended_uses.intended_uses"]
    assert missing_fields(content, paths) == ["intended_uses.intended_uses"]


def test_schema_paths_and_nearest() -> None:
    paths = schema_paths()
    assert {"intended_uses.risk_rating", "model_overview.model_owner"} <= paths
    assert "evaluation_details.metric_groups" in paths  # through the list
    assert nearest_path("intended_uses.intended_use") == "intended_uses.intended_uses"
    assert nearest_path("overview.model_owner") == "model_overview.model_owner"


def test_refusal_names_every_field_and_where_to_fill_it() -> None:
    text = gate_refusal(
        "churn",
        "submitted for review",
        "PendingReview",
        ["intended_uses.intended_uses", "model_package_details.model_package_arn"],
        form_fields(),
    )
    assert "Model card `churn` cannot be submitted for review (PendingReview) yet" in text
    assert "2 required fields are missing or empty" in text
    assert "`intended_uses.intended_uses`: `/modelcard edit churn`, section *Intended uses*" in text
    assert "`model_package_details.model_package_arn`: not in the edit form" in text
    assert "Nothing was changed." in text


def test_every_form_field_is_a_schema_path() -> None:
    assert set(form_fields()) <= schema_paths()


# ---------------------------------------------------------------------------- governance keys

GATES = {
    "PendingReview": {"require": ["intended_uses.intended_uses", "intended_uses.risk_rating"]},
    "Approved": {"min_approvals_by_risk": {"High": 2, "Medium": 1}},
}


def test_gates_and_review_are_read() -> None:
    gov = parse_governance(
        example(
            gates=GATES,
            review={
                "remind_after": "24h",
                "escalate_after": "72h",
                "escalate_to": ["U0LEAD", "S0LEADS"],
                "expire_after": "14d",
            },
            usergroups={"S0APPROVERS": ["approver"]},
        )
    )
    assert gov.approvals_needed("High") == 2
    assert gov.approvals_needed("Low") == 1
    assert gov.may_need_several_approvals
    assert gov.review.plan() == {"remind": 86400, "escalate": 259200, "expire": 1209600}
    again = parse_governance(gov.model_dump(mode="json"))  # dumps read back the same
    assert again.review == gov.review
    keeper = Gatekeeper(gov)
    filled = {"intended_uses": {"intended_uses": "x", "risk_rating": "Low"}}
    keeper.check("c", Action.SUBMIT, filled)
    with pytest.raises(GateClosed) as err:
        keeper.check("c", Action.SUBMIT, {"intended_uses": {"risk_rating": "Low"}})
    assert err.value.missing == ["intended_uses.intended_uses"]
    keeper.check("c", Action.APPROVE, {})  # no require under Approved


def test_gate_path_not_in_schema_names_the_nearest() -> None:
    found = problems(gates={"PendingReview": {"require": ["intended_uses.intended_use"]}})
    assert found == [
        "gates.PendingReview.require: 'intended_uses.intended_use' is not a field of the "
        "official model card schema; the nearest valid path is 'intended_uses.intended_uses'"
    ]


@pytest.mark.parametrize(
    ("gates", "says"),
    [
        ({"Aproved": {"require": []}}, "gates.Aproved: not a card status; gates can be set on "),
        ({"Aproved": {}}, "did you mean 'Approved'?"),
        ({"Draft": {"require": ["model_overview.model_owner"]}}, "gates.Draft: a card enters"),
        (
            {"PendingReview": {"min_approvals_by_risk": {"High": 2}}},
            "gates.PendingReview.min_approvals_by_risk: only allowed under gates.Approved",
        ),
        (
            {"Approved": {"min_approvals_by_risk": {"Hihg": 2}}},
            "gates.Approved.min_approvals_by_risk.Hihg: not a risk rating",
        ),
        (
            {"PendingReview": {"require": ["intended_uses.risk_rating"] * 2}},
            "listed twice",
        ),
    ],
)
def test_bad_gates(gates: dict[str, Any], says: str) -> None:
    assert any(says in p for p in problems(gates=gates)), problems(gates=gates)


def test_too_many_approvals_by_risk() -> None:
    found = problems(gates={"Approved": {"min_approvals_by_risk": {"High": 9}}})
    assert found == [
        "gates.Approved.min_approvals_by_risk.High: Input should be less than or equal to 5"
    ]


@pytest.mark.parametrize(
    ("review", "says"),
    [
        ({"remind_after": "1w"}, "review.remind_after: '1w' is not a duration"),
        ({"remind_after": 24}, "review.remind_after: 24 has no unit"),
        ({"escalate_after": "3d"}, "review.escalate_to: escalate_after is set"),
        ({"escalate_to": ["U0LEAD"]}, "review.escalate_after: escalate_to is set"),
        (
            {"escalate_after": "1h", "escalate_to": ["#leads"]},
            "'#leads' is neither a Slack user id",
        ),
        (
            {"remind_after": "3d", "expire_after": "1d"},
            "review.expire_after: must be later than remind_after (1d is not after 3d)",
        ),
        ({"remind_after": "1h", "nag": "1h"}, "review.nag: unknown key"),
    ],
)
def test_bad_review(review: dict[str, Any], says: str) -> None:
    assert any(says in p for p in problems(review=review)), problems(review=review)


def test_expiry_needs_the_automation_role() -> None:
    data = example(review={"expire_after": "14d"})
    data.pop("automation_role_arn")
    with pytest.raises(ConfigError) as err:
        parse_governance(data)
    assert err.value.problems == [
        "review.expire_after: an expired review is sent back to Draft as the automation role; "
        "set automation_role_arn"
    ]


@pytest.mark.parametrize(
    ("groups", "says"),
    [
        ({"@approvers": ["approver"]}, "usergroups.@approvers: not a Slack user group id"),
        ({"S0APPR": []}, "usergroups.S0APPR: list at least one governance role"),
        ({"S0APPR": ["aprover"]}, "usergroups.S0APPR: role 'aprover' is not defined"),
    ],
)
def test_bad_usergroups(groups: dict[str, Any], says: str) -> None:
    assert any(says in p for p in problems(usergroups=groups)), problems(usergroups=groups)


def test_check_config_prints_the_rules_and_rejects_a_bad_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yml"
    good.write_text(
        yaml.safe_dump(
            example(
                gates=GATES,
                review={"remind_after": "24h", "expire_after": "14d"},
                usergroups={"S0APPROVERS": ["approver"]},
            ),
            sort_keys=False,
        )
    )
    assert main(["check-config", str(good)]) == 0
    out = capsys.readouterr().out
    assert "To enter PendingReview a card needs: intended_uses.intended_uses" in out
    assert "High-risk cards need 2 approver(s) (others 1)." in out
    assert "Reviews: remind approvers after 24h, expire after 14d." in out
    assert "Members of user group S0APPROVERS hold: approver." in out
    bad = tmp_path / "bad.yml"
    bad.write_text(
        yaml.safe_dump(
            example(gates={"Approved": {"require": ["model_overview.owner"]}}), sort_keys=False
        )
    )
    assert main(["check-config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "gates.Approved.require: 'model_overview.owner'" in err
    assert "nearest valid path is 'model_overview.model_owner'" in err


def test_the_example_file_loads() -> None:
    load_governance(EXAMPLE_CONFIG)
