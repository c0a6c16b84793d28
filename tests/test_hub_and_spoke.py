"""Hub-and-spoke: spoke accounts keep their own cards; the worker copies them into the hub
(central) account, where the reconciler shares and notifies them like any other card."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from bot.domain.names import name_problem
from bot.domain.status import Action, CardStatus
from bot.errors import ConfigError
from bot.governance import Topology, describe_lifecycle, parse_governance
from bot.local import moto_ext
from bot.worker.process import WorkerProcess
from bot.worker.spokes import SpokeSync, hub_name, status_path, with_source
from tests.aws_fixtures import AwsWorld
from tests.conftest import EXAMPLE_CONFIG
from tests.gov_override import governed
from tests.slack_stack import Stack
from tests.test_reconciler import AUTOMATION, posts, reconciler, tick

FRAUD, RISK = "555555555555", "666666666666"
SPOKES = {
    "fraud": {"account": FRAUD, "role_arn": f"arn:aws:iam::{FRAUD}:role/mc-spoke-reader"},
    "risk": {"account": RISK, "role_arn": f"arn:aws:iam::{RISK}:role/mc-spoke-reader"},
}
CONTENT = {"model_overview": {"model_owner": "spoke-owner", "problem_type": "classification"}}


@pytest.fixture
def aws(aws: AwsWorld) -> AwsWorld:
    return governed(aws, {"topology": "hub-and-spoke", "spokes": SPOKES})


def spoke_sync(stack: Stack) -> SpokeSync:
    c = stack.core
    return SpokeSync(stack.aws.cards, c.gov, c.redis, AUTOMATION, c.keys)


def sync(stack: Stack) -> list[Any]:
    stack.core.redis.delete(stack.core.keys.claim("spoke-sync"))  # a new interval
    return spoke_sync(stack).sync()


def spoke_client(stack: Stack, account: str) -> Any:
    return stack.aws.account_client(account, "sagemaker", user="U0SPOKEDS")


def create_in_spoke(
    stack: Stack, account: str, name: str, content: dict[str, Any] | None = None
) -> str:
    answer = spoke_client(stack, account).create_model_card(
        ModelCardName=name, Content=json.dumps(content or CONTENT), ModelCardStatus="Draft"
    )
    return str(answer["ModelCardArn"])


def hub(stack: Stack, name: str) -> Any:
    return stack.aws.cards.describe(AUTOMATION, name)


def writes() -> list[dict[str, Any]]:
    return [
        c
        for c in moto_ext.calls()
        if c["action"] in {"CreateModelCard", "UpdateModelCard"} and c["status"] < 300
    ]


def test_two_spokes_are_copied_shared_and_notified(stack: Stack) -> None:
    assert tick(stack) == 0  # baseline of an empty hub
    fraud_arn = create_in_spoke(stack, FRAUD, "churn")
    risk_arn = create_in_spoke(stack, RISK, "churn")
    create_in_spoke(stack, RISK, "scoring")

    moto_ext.clear_calls()
    changes = sync(stack)
    assert sorted((c.hub_card, c.created) for c in changes) == [
        ("fraud-churn", True),
        ("risk-churn", True),
        ("risk-scoring", True),
    ]
    copied = hub(stack, "fraud-churn")
    assert copied.arn.split(":")[4] == "111111111111"
    assert copied.status is CardStatus.DRAFT
    assert copied.content["model_overview"] == CONTENT["model_overview"]
    assert copied.content["additional_information"]["custom_details"] == {
        "source_account": FRAUD,
        "source_card_arn": fraud_arn,
        "source_version": "1",
    }
    details = hub(stack, "risk-churn").content["additional_information"]["custom_details"]
    assert details["source_account"] == RISK
    assert details["source_card_arn"] == risk_arn
    # The copies were written by the automation role, in the hub account.
    hub_writes = [c for c in writes() if c["action"] == "CreateModelCard"]
    assert {c["account"] for c in hub_writes} == {"111111111111"}
    assert {c["caller_arn"].split("/")[1] for c in hub_writes} == {"mc-automation"}

    assert tick(stack) == 3
    stack.drain()
    for name in ("fraud-churn", "risk-churn", "risk-scoring"):
        assert len(posts(stack, "C0DEV", name)) == 1

    # The fraud team submits its card for review, in its own account.
    spoke_client(stack, FRAUD).update_model_card(
        ModelCardName="churn", ModelCardStatus="PendingReview"
    )
    changes = sync(stack)
    assert [(c.hub_card, c.statuses, c.content_updated) for c in changes] == [
        ("fraud-churn", (CardStatus.PENDING_REVIEW,), False)
    ]
    assert hub(stack, "fraud-churn").status is CardStatus.PENDING_REVIEW
    assert tick(stack) == 1
    stack.drain()
    assert len(posts(stack, "C0TEST", "fraud-churn")) == 1
    assert len(posts(stack, "C0APPROVE", "fraud-churn")) == 1
    assert posts(stack, "C0TEST", "risk-churn") == []
    shared = stack.aws.shares.card_shares(AUTOMATION, hub(stack, "fraud-churn").arn)
    assert [s.stage for s in shared] == ["dev", "test"]

    # Nothing changed in the spokes: no writes at all, and nothing for the reconciler.
    moto_ext.clear_calls()
    assert sync(stack) == []
    assert writes() == []
    assert tick(stack) == 0


def test_content_edits_are_copied_with_the_new_version(stack: Stack) -> None:
    mine: dict[str, Any] = {
        **CONTENT,
        "additional_information": {"custom_details": {"team": "fraud"}},
    }
    arn = create_in_spoke(stack, FRAUD, "pricing", mine)
    sync(stack)
    assert (
        hub(stack, "fraud-pricing").content["additional_information"]["custom_details"]["team"]
        == "fraud"
    )

    edited = copy.deepcopy(mine)
    edited["model_overview"]["model_description"] = "Prices things."
    spoke_client(stack, FRAUD).update_model_card(
        ModelCardName="pricing", Content=json.dumps(edited)
    )
    changes = sync(stack)
    assert [(c.hub_card, c.content_updated, c.statuses) for c in changes] == [
        ("fraud-pricing", True, ())
    ]
    copied = hub(stack, "fraud-pricing")
    assert copied.content["model_overview"]["model_description"] == "Prices things."
    assert copied.content["additional_information"]["custom_details"] == {
        "team": "fraud",
        "source_account": FRAUD,
        "source_card_arn": arn,
        "source_version": "2",
    }


def test_status_jumps_follow_allowed_transitions_and_archive(stack: Stack) -> None:
    create_in_spoke(stack, RISK, "limits")
    sync(stack)
    spoke = spoke_client(stack, RISK)
    spoke.update_model_card(ModelCardName="limits", ModelCardStatus="Approved")
    [change] = sync(stack)
    assert change.statuses == (CardStatus.PENDING_REVIEW, CardStatus.APPROVED)
    assert hub(stack, "risk-limits").status is CardStatus.APPROVED
    spoke.update_model_card(ModelCardName="limits", ModelCardStatus="Archived")
    [change] = sync(stack)
    assert change.statuses == (CardStatus.ARCHIVED,)
    assert hub(stack, "risk-limits").status is CardStatus.ARCHIVED
    assert sync(stack) == []


def test_a_hub_card_that_is_not_the_copy_is_left_alone(stack: Stack) -> None:
    lead = stack.aws.actor("U0LEAD", Action.CREATE)
    stack.aws.cards.create(lead, "fraud-taken", CONTENT)
    create_in_spoke(stack, FRAUD, "taken")
    [change] = sync(stack)
    assert not change.changed
    assert "is not the copy" in change.problem
    assert "custom_details" not in json.dumps(hub(stack, "fraud-taken").content)
    assert sync(stack) == []  # reported once; tried again when the spoke card changes


def test_worker_interval_runs_the_sync_then_the_tick(stack: Stack) -> None:
    tick(stack)
    create_in_spoke(stack, FRAUD, "interval")
    spokes = spoke_sync(stack)
    process = WorkerProcess([], reconciler(stack), before_reconcile=spokes.sync)
    stack.core.redis.delete(stack.core.keys.claim("reconcile"))  # the next interval
    assert process.reconcile_once(5) == 1
    stack.drain()
    assert len(posts(stack, "C0DEV", "fraud-interval")) == 1


def test_central_topology_syncs_nothing(aws: AwsWorld) -> None:
    data = aws.gov.model_dump(mode="json")
    data.pop("topology")
    data.pop("spokes")
    gov = parse_governance(data)
    assert gov.topology is Topology.CENTRAL
    assert not SpokeSync(aws.cards, gov, None, AUTOMATION).enabled
    assert SpokeSync(aws.cards, gov, None, AUTOMATION).sync() == []


def test_hub_names() -> None:
    assert hub_name("fraud", "churn") == "fraud-churn"
    long = "m" * 60
    named = hub_name("fraud", long)
    assert len(named) == 63
    assert name_problem(named) is None
    assert named == hub_name("fraud", long)  # stable
    assert named != hub_name("fraud", long + "x")
    hyphen = hub_name("fraud", "a" * 46 + "-" + "b" * 20)
    assert name_problem(hyphen) is None


def test_status_paths() -> None:
    d, p, a, x = (
        CardStatus.DRAFT,
        CardStatus.PENDING_REVIEW,
        CardStatus.APPROVED,
        CardStatus.ARCHIVED,
    )
    assert status_path(d, d) == []
    assert status_path(d, a) == [p, a]
    assert status_path(p, d) == [d]
    assert status_path(a, x) == [x]
    assert status_path(a, d) is None
    assert status_path(x, d) is None


def test_with_source_keeps_other_sections_untouched() -> None:
    original = {"additional_information": {"ethical_considerations": "e"}}
    merged = with_source(original, {"source_account": FRAUD})
    assert merged["additional_information"] == {
        "ethical_considerations": "e",
        "custom_details": {"source_account": FRAUD},
    }
    assert original == {"additional_information": {"ethical_considerations": "e"}}


# --------------------------------------------------------------------------- governance


@pytest.fixture
def example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    data["topology"] = "hub-and-spoke"
    data["spokes"] = copy.deepcopy(SPOKES)
    return data


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_governance(data, "gov.yml")
    return caught.value.problems


def test_hub_and_spoke_governance_loads_and_is_described(example: dict[str, Any]) -> None:
    gov = parse_governance(example)
    assert gov.topology is Topology.HUB_AND_SPOKE
    assert gov.spokes["risk"].account == RISK
    text = "\n".join(describe_lifecycle(gov))
    assert "Hub-and-spoke" in text
    assert "fraud (555555555555)" in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"spokes": {}}, "spokes: topology hub-and-spoke needs at least one spoke"),
        ({"spokes": None}, "spokes: topology hub-and-spoke needs at least one spoke"),
        ({"topology": "central"}, "spokes: only used with topology: hub-and-spoke"),
        ({"topology": "star"}, "topology: 'star' is not allowed"),
        ({"automation_role_arn": None}, "automation_role_arn: required with topology"),
        (
            {"spokes": {"fraud": {**SPOKES["fraud"], "account": "111111111111"}}},
            "spokes.fraud.account: 111111111111 is the central (hub) account",
        ),
        (
            {"spokes": {"fraud": {**SPOKES["fraud"], "account": "222222222222"}}},
            "spokes.fraud.account: 222222222222 is the account of stage 'dev'",
        ),
        (
            {"spokes": {**SPOKES, "twin": SPOKES["fraud"]}},
            "spokes.twin.account: 555555555555 is already the account of spoke 'fraud'",
        ),
        (
            {"spokes": {"fraud": {**SPOKES["fraud"], "role_arn": SPOKES["risk"]["role_arn"]}}},
            "spokes.fraud.role_arn: the role must be in the spoke account 555555555555",
        ),
        ({"spokes": {"Fraud_Team": SPOKES["fraud"]}}, "spokes.Fraud_Team: spoke names are"),
        ({"spokes": {"fraud": {"account": FRAUD}}}, "spokes.fraud.role_arn: required key"),
        (
            {"spokes": {"fraud": {**SPOKES["fraud"], "account": "5555"}}},
            "spokes.fraud.account: '5555' is not an AWS account id",
        ),
    ],
)
def test_hub_and_spoke_governance_errors(
    example: dict[str, Any], change: dict[str, Any], expected: str
) -> None:
    for key, value in change.items():
        if value is None:
            example.pop(key, None)
        else:
            example[key] = value
    problems = problems_of(example)
    assert any(p.startswith(expected) for p in problems), problems
