"""Hub-and-spoke in deploy/cloudformation/: spoke-account.yaml (every spoke account) and the
spoke grants of central.yaml deploy on moto's CloudFormation with the parameters
`python -m bot render-cfn` prints, grant exactly what the spoke sync calls (bot/worker/
spokes.py), and the spoke sync replayed with the deployed roles makes only calls the policies
of the role that made them allow, through trusts whose source-identity condition it meets.
With topology central, central.yaml deploys as before: no spoke grant at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import pytest
import redis
from moto import mock_aws

from bot.aws import Actor, ModelCards, RoleSessions
from bot.deploy_params import AUTOMATION_SOURCE_IDENTITY
from bot.domain.status import CardStatus
from bot.governance import Governance
from bot.local import moto_ext
from bot.store.keys import Keys
from bot.worker.spokes import SpokeSync
from tests.aws_fixtures import REGION, AwsWorld
from tests.cfn_deploy import Deployed, deploy, in_account, moto_credentials
from tests.gov_override import governed
from tests.test_deploy import (
    CENTRAL_CARDS,
    CREATE,
    DESCRIBE,
    LIST_CARDS,
    SLACK_USER_PATTERNS,
    UPDATE,
    _assumed,
    _parliament_findings,
    allowed_actions,
    allows,
    as_list,
    condition_values,
    example,
    expected_actions,
    role_name,
    statements,
)

FRAUD, RISK = "555555555555", "666666666666"
READER = "modelcard-bot-spoke-reader"
SPOKES = {
    name: {"account": account, "role_arn": f"arn:aws:iam::{account}:role/{READER}"}
    for name, account in [("fraud", FRAUD), ("risk", RISK)]
}
HUB_AND_SPOKE = {"topology": "hub-and-spoke", "spokes": SPOKES}
# SpokeSync, as each spoke's reader role: ModelCards.list_cards (ListModelCards) and
# ModelCards.describe (DescribeModelCard) of the spoke's cards; nothing else.
SPOKE_READER_ACTIONS = {LIST_CARDS, DESCRIBE}
# SpokeSync, as the automation role in the hub: describe the copy, create it (as Draft),
# update its content and its status (UpdateModelCard). Only the create is new to the role.
HUB_COPY_ACTIONS = {DESCRIBE, CREATE, UPDATE}
SPOKE_READERS_POLICY = "modelcard-bot-spoke-readers"
HUB_COPIES_POLICY = "modelcard-bot-hub-copies"
CONTENT = {"model_overview": {"model_owner": "spoke-owner", "problem_type": "classification"}}


@dataclass
class Deployment:
    gov: Governance
    deployed: Deployed
    central: dict[str, dict[str, dict[str, Any]]]  # central role -> policy name -> doc
    readers: dict[str, dict[str, Any]]  # spoke -> {"trust", "policies"}

    @property
    def bot(self) -> str:
        return role_name(self.deployed.central["BotRoleArn"])

    @property
    def automation(self) -> str:
        return role_name(str(self.gov.automation_role_arn))

    def granted(self, role: str) -> set[str]:
        return {a for doc in self.central[role].values() for a in allowed_actions(doc)}


def _read_back(deployed: Deployed) -> Deployment:
    gov = deployed.gov
    roles = [role_name(r.role_arn) for r in gov.roles.values()]
    roles += [role_name(str(gov.automation_role_arn)), role_name(deployed.central["BotRoleArn"])]
    central = {r: deployed.role_policies(gov.central_account, r) for r in roles}
    readers = {
        name: {
            "trust": deployed.trust(spoke.account, role_name(spoke.role_arn)),
            "policies": deployed.role_policies(spoke.account, role_name(spoke.role_arn)),
        }
        for name, spoke in gov.spokes.items()
    }
    return Deployment(gov, deployed, central, readers)


@pytest.fixture(scope="module")
def deployments() -> Iterator[dict[str, Deployment]]:
    found: dict[str, Deployment] = {}
    with moto_credentials():
        for name, gov in [("hub", example(**HUB_AND_SPOKE)), ("central", example())]:
            with mock_aws():
                found[name] = _read_back(deploy(gov, stages=False))
        yield found


# --------------------------------------------------------------------------- spoke accounts
@pytest.mark.parametrize("spoke", list(SPOKES))
def test_spoke_reader_grants_exactly_what_the_spoke_sync_calls(
    deployments: dict[str, Deployment], spoke: str
) -> None:
    docs = deployments["hub"].readers[spoke]["policies"]
    granted = {a for doc in docs.values() for a in allowed_actions(doc)}
    assert granted - SPOKE_READER_ACTIONS == set(), f"grants unneeded {granted}"
    assert SPOKE_READER_ACTIONS - granted == set(), f"misses {SPOKE_READER_ACTIONS - granted}"
    account = SPOKES[spoke]["account"]
    for doc in docs.values():
        for statement in statements(doc):
            assert statement["Effect"] == "Allow"
            # ListModelCards has no resource type; a card is read in its own spoke only.
            expected = {
                LIST_CARDS: "*",
                DESCRIBE: f"arn:aws:sagemaker:{REGION}:{account}:model-card/*",
            }
            for action in as_list(statement["Action"]):
                assert statement["Resource"] == expected[action], statement
            assert "Condition" not in statement


@pytest.mark.parametrize("spoke", list(SPOKES))
def test_spoke_reader_trusts_only_the_bot_acting_for_itself(
    deployments: dict[str, Deployment], spoke: str
) -> None:
    hub = deployments["hub"]
    (statement,) = statements(hub.readers[spoke]["trust"])
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": hub.gov.bot_role_arn}
    assert set(as_list(statement["Action"])) == {"sts:AssumeRole", "sts:SetSourceIdentity"}
    # The spoke sync acts for nobody in Slack: no Slack user id gets in.
    assert statement["Condition"] == {
        "StringEquals": {"sts:SourceIdentity": AUTOMATION_SOURCE_IDENTITY}
    }
    assert not any(fnmatchcase(AUTOMATION_SOURCE_IDENTITY, p) for p in SLACK_USER_PATTERNS)
    assert hub.deployed.spokes[spoke]["SpokeReaderRoleArn"] == SPOKES[spoke]["role_arn"]


# --------------------------------------------------------------------------- central account
def test_bot_may_assume_exactly_the_spoke_readers_for_itself(
    deployments: dict[str, Deployment],
) -> None:
    hub, central = deployments["hub"], deployments["central"]
    (statement,) = statements(hub.central[hub.bot][SPOKE_READERS_POLICY])
    assert statement["Effect"] == "Allow"
    assert set(as_list(statement["Action"])) == {"sts:AssumeRole", "sts:SetSourceIdentity"}
    assert as_list(statement["Resource"]) == [s["role_arn"] for s in SPOKES.values()]
    assert statement["Condition"] == {
        "StringEquals": {"sts:SourceIdentity": AUTOMATION_SOURCE_IDENTITY}
    }
    # Nothing else changes for the bot; with topology central the policy is not there.
    others = {n: d for n, d in hub.central[hub.bot].items() if n != SPOKE_READERS_POLICY}
    assert others == central.central[central.bot]
    assert SPOKE_READERS_POLICY not in central.central[central.bot]


def test_automation_may_create_hub_copies_only_with_hub_and_spoke(
    deployments: dict[str, Deployment],
) -> None:
    hub, central = deployments["hub"], deployments["central"]
    role = hub.automation
    expected = expected_actions(hub.gov, role) | HUB_COPY_ACTIONS
    granted = hub.granted(role)
    assert granted - expected == set(), f"grants unneeded {sorted(granted - expected)}"
    assert expected - granted == set(), f"misses {sorted(expected - granted)}"
    (create,) = statements(hub.central[role][HUB_COPIES_POLICY])
    assert create == {
        "Sid": "CreateHubCopiesOfSpokeCards",
        "Effect": "Allow",
        "Action": CREATE,
        "Resource": CENTRAL_CARDS,
    }
    assert CREATE not in central.granted(role)
    assert HUB_COPIES_POLICY not in central.central[role]
    # Every other role, and the rest of the automation role, is as with topology central.
    for name, docs in hub.central.items():
        kept = {n: d for n, d in docs.items() if n not in {HUB_COPIES_POLICY, SPOKE_READERS_POLICY}}
        assert kept == central.central[name], name


def test_parliament_finds_nothing_in_the_spoke_policies(
    deployments: dict[str, Deployment],
) -> None:
    hub = deployments["hub"]
    docs = [(f"{s}/{n}", d) for s, r in hub.readers.items() for n, d in r["policies"].items()]
    docs += [
        ("bot", hub.central[hub.bot][SPOKE_READERS_POLICY]),
        ("automation", hub.central[hub.automation][HUB_COPIES_POLICY]),
    ]
    found = {where: _parliament_findings(doc) for where, doc in docs}
    assert {where: f for where, f in found.items() if f} == {}


# --------------------------------------------------------------------------- replay on moto
def _spoke_card(client: Any, name: str, **changes: Any) -> None:
    """The spoke's own team writes its card (in its account, outside the bot)."""
    if changes:
        client.update_model_card(ModelCardName=name, **changes)
    else:
        client.create_model_card(
            ModelCardName=name, Content=json.dumps(CONTENT), ModelCardStatus="Draft"
        )


def _sync(spokes: SpokeSync, redis_client: redis.Redis, keys: Keys) -> list[Any]:
    redis_client.delete(keys.claim("spoke-sync"))  # the next worker interval
    return spokes.sync()


@pytest.fixture
def replayed(aws: AwsWorld, redis_client: redis.Redis) -> tuple[Deployed, list[dict[str, Any]]]:
    """The spoke sync's passes over two spokes (copy, edit, review, approval, archive), with
    the roles the stacks created, the bot chaining from its own role."""
    world = governed(aws, HUB_AND_SPOKE)
    deployed = deploy(world.gov, stages=False)
    teams = {a: in_account(a, "sagemaker", who="spoke-team") for a in (FRAUD, RISK)}
    for team in teams.values():
        _spoke_card(team, "churn")
    sessions = RoleSessions(region=REGION, bot_role_arn=world.gov.bot_role_arn)
    automation = Actor(AUTOMATION_SOURCE_IDENTITY, str(world.gov.automation_role_arn))
    keys = Keys()
    spokes = SpokeSync(ModelCards(sessions), world.gov, redis_client, automation, keys)
    moto_ext.require_existing_roles()  # every role the sync assumes must exist now
    moto_ext.clear_calls()
    try:
        first = _sync(spokes, redis_client, keys)
        assert sorted((c.hub_card, c.created) for c in first) == [
            ("fraud-churn", True),
            ("risk-churn", True),
        ]
        edited = {**CONTENT, "intended_uses": {"purpose_of_model": "fraud"}}
        _spoke_card(teams[FRAUD], "churn", Content=json.dumps(edited))
        _spoke_card(teams[FRAUD], "churn", ModelCardStatus="Approved")
        (change,) = _sync(spokes, redis_client, keys)
        assert change.content_updated
        assert change.statuses == (CardStatus.PENDING_REVIEW, CardStatus.APPROVED)
        _spoke_card(teams[FRAUD], "churn", ModelCardStatus="Archived")
        (change,) = _sync(spokes, redis_client, keys)
        assert change.statuses == (CardStatus.ARCHIVED,)
        assert not any(c.problem for c in [*first, change])
    finally:
        moto_ext.reset_switches()
    return deployed, moto_ext.calls()


def test_every_spoke_sync_call_is_allowed_by_its_role_policy(
    replayed: tuple[Deployed, list[dict[str, Any]]],
) -> None:
    deployed, calls = replayed
    used: dict[tuple[str, str, str], set[str]] = {}  # (account, role, policy) -> actions
    for call in calls:
        if call["service"] != "sagemaker":
            continue
        assumed = _assumed(call["caller_arn"])
        assert assumed is not None, call
        account, role = assumed
        if role == "spoke-team":  # the spoke's own edits, outside the bot
            continue
        assert call["account"] == account, call  # each role reads or writes its own account
        action = f"sagemaker:{call['action']}"
        card = f"arn:aws:sagemaker:{call['region']}:{account}:model-card/x"
        granting = [
            name
            for name, doc in deployed.role_policies(account, role).items()
            for statement in allows(doc)
            if action in as_list(statement["Action"])
            and any(fnmatchcase(card, r) for r in as_list(statement["Resource"]))
        ]
        assert granting, f"{role} in {account} lacks {action}"
        for name in granting:
            used.setdefault((account, role, name), set()).add(action)
    # Each spoke's reader called exactly what its policy grants (no extra grant), and the
    # automation role created the copies under the hub-and-spoke policy.
    for spoke in SPOKES.values():
        (policy,) = deployed.role_policies(spoke["account"], READER).values()
        assert used[(spoke["account"], READER, "modelcard-bot")] == allowed_actions(policy)
    automation = role_name(str(deployed.gov.automation_role_arn))
    hub = deployed.gov.central_account
    assert used[(hub, automation, HUB_COPIES_POLICY)] == {CREATE}
    hub_actions = set().union(*(a for (acct, _r, _p), a in used.items() if acct == hub))
    assert hub_actions == HUB_COPY_ACTIONS
    assert {r for (_a, r, _p) in used} == {READER, automation}


def test_every_spoke_reader_is_reachable_and_trusts_the_source_identity(
    replayed: tuple[Deployed, list[dict[str, Any]]],
) -> None:
    deployed, calls = replayed
    gov = deployed.gov
    bot_name = role_name(str(gov.bot_role_arn))
    grants = [
        s
        for doc in deployed.role_policies(gov.central_account, bot_name).values()
        for s in allows(doc)
        if "sts:AssumeRole" in as_list(s["Action"])
    ]
    readers = {(s.account, role_name(s.role_arn)) for s in gov.spokes.values()}
    reached = set()
    for call in calls:
        assumed = _assumed(call["caller_arn"])
        if assumed is None or assumed not in readers:
            continue
        account, name = assumed
        role_arn = f"arn:aws:iam::{account}:role/{name}"
        source = call["source_identity"]
        assert source == AUTOMATION_SOURCE_IDENTITY == call["session_name"], call
        assert any(
            any(fnmatchcase(role_arn, p) for p in as_list(s["Resource"]))
            and any(fnmatchcase(source, p) for p in condition_values(s, "sts:SourceIdentity"))
            for s in grants
        ), (role_arn, source)
        (statement,) = statements(deployed.trust(account, name))
        assert statement["Principal"] == {"AWS": gov.bot_role_arn}
        assert source in condition_values(statement, "sts:SourceIdentity")
        reached.add(assumed)
    assert reached == readers
