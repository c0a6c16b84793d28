"""deploy/: the IAM, RAM and EventBridge templates are valid JSON, least-privilege, and grant
exactly what the code calls.

Statically: a capability -> actions table (mirroring bot/worker/jobs/, effects.py,
bot/aws/cards.py, registry.py and sharing.py) gives each governance role of the example
governance file the exact set of actions its policy must grant (`export` and `diff` are
implicit for every mapped person, so every governance role gets them). Dynamically: the
lifecycle is replayed on moto (tests/moto_shim.py records every call with the caller's role),
with PDF exports and diffs run through JobExecutor and the model registry link on, and every
call must be allowed by the policies of the role that made it, every role assumed must be
assumable by the bot policy, and every source identity must satisfy that role's trust condition.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import requests
import yaml

from bot.aws import Actor, ModelCards, RoleSessions, StageShares
from bot.aws.cards import split_s3_uri
from bot.aws.sharing import READ_ONLY_ACTIONS, share_name
from bot.domain.status import IMPLICIT_FOR_MAPPED, Action, CardStatus
from bot.governance import Access, Governance, load_governance, parse_governance
from bot.jobs import Job, JobKind
from bot.store.audit import AuditEvent
from bot.worker.effects import Change
from bot.worker.executor import JobExecutor
from bot.worker.jobs.transitions import PACKAGE_STATUS
from tests import moto_shim
from tests.aws_fixtures import REGION, AwsWorld
from tests.conftest import EXAMPLE_CONFIG, ROOT
from tests.gov_override import governed

DEPLOY = ROOT / "deploy"
IAM = DEPLOY / "iam"
EVENTBRIDGE = DEPLOY / "eventbridge"
README = DEPLOY / "README.md"

BOT_ROLE = "${BotRoleArn}"
CENTRAL_CARDS = "arn:aws:sagemaker:${Region}:${CentralAccountId}:model-card/*"
CENTRAL_SHARES = "arn:aws:ram:${Region}:${CentralAccountId}:resource-share/*"
# Service Authorization Reference, SageMaker: CreateModelCardExportJob and
# ListModelCardExportJobs take `model-card`, DescribeModelCardExportJob takes
# `model-card-export-job` (.../model-card/${ModelCardName}/export-job/${ExportJobName}).
CENTRAL_EXPORT_JOBS = "arn:aws:sagemaker:${Region}:${CentralAccountId}:model-card/*/export-job/*"
EXPORT_OBJECTS = "arn:aws:s3:::${ExportBucket}/${ExportPrefix}/*"
CENTRAL_PACKAGES = "arn:aws:sagemaker:${Region}:${CentralAccountId}:model-package/*"
QUEUE_ARN = "arn:aws:sqs:${Region}:${CentralAccountId}:${EventsQueueName}"
RULE_ARN = "arn:aws:events:${Region}:${CentralAccountId}:rule/${EventsRuleName}"
DETAIL_TYPE = "SageMaker Model Card State Change"  # EventBridge events reference, SageMaker
SLACK_USER_PATTERNS = ["U*", "W*"]  # Slack user ids: U..., or W... on Enterprise Grid

DESCRIBE = "sagemaker:DescribeModelCard"
CREATE = "sagemaker:CreateModelCard"
UPDATE = "sagemaker:UpdateModelCard"
DELETE = "sagemaker:DeleteModelCard"
LIST_CARDS = "sagemaker:ListModelCards"
CREATE_EXPORT = "sagemaker:CreateModelCardExportJob"
DESCRIBE_EXPORT = "sagemaker:DescribeModelCardExportJob"
LIST_EXPORTS = "sagemaker:ListModelCardExportJobs"
S3_GET = "s3:GetObject"
S3_PUT = "s3:PutObject"
# Granted only for `/modelcard export`, in the statements render.py drops when it is off.
EXPORT_ONLY = frozenset({CREATE_EXPORT, DESCRIBE_EXPORT, LIST_EXPORTS, S3_GET, S3_PUT})
# ModelRegistry.set_approval (registry.update_model_package): describe, then update.
REGISTRY_ACTIONS = frozenset({"sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"})

# StageShares.share_card: find the stage share (GetResourceShares) or create it
# (CreateResourceShare with tags, which RAM also authorizes as ram:TagResource), then make
# sure the stage account and the card are associated (GetResourceShareAssociations,
# AssociateResourceShare).
SHARE_FORWARD = frozenset(
    {
        "ram:GetResourceShares",
        "ram:GetResourceShareAssociations",
        "ram:CreateResourceShare",
        "ram:TagResource",
        "ram:AssociateResourceShare",
    }
)
# StageShares.permission_arn for a read-only stage: find, else create, the read-only permission.
READ_ONLY_PERMISSION = frozenset({"ram:ListPermissions", "ram:CreatePermission"})
# StageShares.unshare_card: the card's live associations, then DisassociateResourceShare.
UNSHARE = frozenset({"ram:GetResourceShareAssociations", "ram:DisassociateResourceShare"})

# Capability -> the AWS actions the worker makes for it, as the person's role.
CAPABILITY_ACTIONS: dict[str, frozenset[str]] = {
    # jobs/authoring.py create: CreateModelCard, DescribeModelCard; then Effects.settle shares it.
    "create": frozenset({CREATE, DESCRIBE}),
    # jobs/authoring.py edit: describe, UpdateModelCard (content), describe.
    "edit": frozenset({DESCRIBE, UPDATE}),
    # ModelCards.transition: describe, UpdateModelCard (status), describe; settle shares.
    "submit": frozenset({DESCRIBE, UPDATE}),
    "approve": frozenset({DESCRIBE, UPDATE}),
    "reject": frozenset({DESCRIBE, UPDATE}),
    # transition to Archived; Effects.settle revokes every share.
    "archive": frozenset({DESCRIBE, UPDATE}) | UNSHARE,
    # jobs/authoring.py delete: describe, unshare_card, DeleteModelCard.
    "delete": frozenset({DESCRIBE, DELETE}) | UNSHARE,
    # Re-queues a dead-lettered job, which then runs as its own person's role: no AWS call.
    "retry": frozenset(),
    # automation_role_arn: Reconciler.tick lists the cards; jobs/observe.py describes one
    # and settles whatever status it has (shares forward, or revokes when Archived).
    "observe": frozenset({LIST_CARDS, DESCRIBE}) | UNSHARE,
    # jobs/export.py, as Governance.role_for(user, EXPORT) (implicit: the first role):
    # describe the card, CreateModelCardExportJob (a retried job gets ConflictException and
    # finds its export with ListModelCardExportJobs), poll DescribeModelCardExportJob.
    # SageMaker writes the PDF under the export prefix with the caller's permissions
    # (s3:PutObject); ModelCards.presigned_get signs the download link with the role
    # (s3:GetObject).
    "export": frozenset({DESCRIBE}) | EXPORT_ONLY,
    # jobs/diff.py, as Governance.reader_role (the first role): describes the versions.
    "diff": frozenset({DESCRIBE}),
}
# Capabilities every mapped person has whatever their roles' `can` say, so every governance
# role (any of them may be someone's first role) needs their actions.
IMPLICIT = [*sorted(str(a) for a in IMPLICIT_FOR_MAPPED), "diff"]
# Statuses a capability leaves a card in, whose stage Effects.settle then shares it with.
SHARES_ON: dict[str, tuple[CardStatus, ...]] = {
    "create": (CardStatus.DRAFT,),
    "submit": (CardStatus.PENDING_REVIEW,),
    "approve": (CardStatus.APPROVED,),
    "reject": (CardStatus.DRAFT,),
    "observe": (CardStatus.DRAFT, CardStatus.PENDING_REVIEW, CardStatus.APPROVED),
}
# Writes the Service Authorization Reference lists with no resource type (so they can only
# be granted on "*"), with the condition keys that must then narrow them.
NO_RESOURCE_TYPE_WRITES: dict[str, set[str]] = {
    "ram:CreateResourceShare": {
        "ram:Principal",
        "ram:ResourceArn",
        "ram:RequestedAllowsExternalPrincipals",
    },
    "ram:CreatePermission": {"ram:PermissionResourceType"},
}
READ_PREFIXES = ("Get", "List", "Describe")
CONDITION_OPERATORS = {
    *(
        f"{base}{suffix}"
        for base in (
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
            "Bool",
            "BinaryEquals",
            "IpAddress",
            "NotIpAddress",
            "ArnEquals",
            "ArnLike",
            "ArnNotEquals",
            "ArnNotLike",
        )
        for suffix in ("", "IfExists")
    ),
    "Null",
}


# --------------------------------------------------------------------------- helpers
def load(path: Path) -> Any:
    return json.loads(path.read_text())


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(s) for s in as_list(doc["Statement"])]


def allows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in statements(doc) if s["Effect"] == "Allow"]


def allowed_actions(doc: dict[str, Any]) -> set[str]:
    return {a for s in allows(doc) for a in as_list(s["Action"])}


def condition_values(statement: dict[str, Any], key: str) -> list[str]:
    """Every value given to condition `key`, whatever the operator."""
    found: list[str] = []
    for block in statement.get("Condition", {}).values():
        if key in block:
            found.extend(as_list(block[key]))
    return found


def governance() -> Governance:
    return load_governance(EXAMPLE_CONFIG)


def automation_arn(gov: Governance) -> str | None:
    return getattr(gov, "automation_role_arn", None)


def role_table(gov: Governance) -> dict[str, list[str]]:
    """Policy file stem -> the capabilities it serves (the example's roles' `can` lists, plus
    the implicit ones)."""
    table = {
        name: list(dict.fromkeys([*(str(c) for c in role.can), *IMPLICIT]))
        for name, role in gov.roles.items()
    }
    if automation_arn(gov):
        table["automation"] = ["observe"]
    return table


def reached_stages(gov: Governance, capabilities: list[str]) -> list[str]:
    """Stages a role's capabilities share cards with, in lifecycle order."""
    names = set()
    for capability in capabilities:
        for status in SHARES_ON.get(capability, ()):
            found = gov.stage_for_status(status)
            if found is not None:
                names.add(found[0])
    return [name for name in gov.stages if name in names]


def expected_actions(gov: Governance, capabilities: list[str]) -> set[str]:
    actions: set[str] = set()
    for capability in capabilities:
        actions |= CAPABILITY_ACTIONS[capability]
    stages = reached_stages(gov, capabilities)
    if stages:
        actions |= SHARE_FORWARD
    if any(gov.stages[s].access is Access.READ_ONLY for s in stages):
        actions |= READ_ONLY_PERMISSION
    return actions


def stage_placeholder(stage: str) -> str:
    return "${" + render_module().stage_placeholder(stage) + "}"


def render_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_render", DEPLOY / "render.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rendered(gov: Governance, path: Path) -> Any:
    render = render_module()
    values = dict(render.DEFAULTS)
    values.update(render.values_from_governance(gov.model_dump(mode="json")))
    return json.loads(render.render_text(path.read_text(), values, str(path)))


def with_changes(gov: Governance, **changes: Any) -> Governance:
    return parse_governance({**gov.model_dump(mode="json"), **changes})


def approvers(gov: Governance) -> list[str]:
    """Governance roles that decide (approve / reject): they get registry-approval."""
    return [n for n, r in gov.roles.items() if {Action.APPROVE, Action.REJECT} & set(r.can)]


GOV = governance()
ROLES = role_table(GOV)
ALL_JSON = sorted(DEPLOY.rglob("*.json"))
POLICY_FILES = sorted(IAM.glob("*.policy.json"))
TRUST_FILES = sorted(IAM.glob("*.trust.json"))
SCP = IAM / "prod-guard.scp.json"
QUEUE_POLICY = EVENTBRIDGE / "queue-policy.json"
RULE = EVENTBRIDGE / "model-card-state-change.rule.json"
PERMISSION = IAM / "prod-readonly-permission.json"
REGISTRY = IAM / "registry-approval.policy.json"
GOVERNANCE_ROLES = list(GOV.roles)
BOT_TRUSTED = [p for p in TRUST_FILES if p.name != "bot-role.trust.json"]
USER_TRUSTS = [IAM / f"{r}.trust.json" for r in ROLES if r != "automation"]


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(DEPLOY)) for p in paths]


# --------------------------------------------------------------------------- files
def test_deploy_holds_exactly_the_expected_templates() -> None:
    expected = {
        "iam/bot-role.policy.json",
        "iam/bot-role.trust.json",
        "iam/stage-invitation-role.policy.json",
        "iam/stage-invitation-role.trust.json",
        "iam/prod-readonly-permission.json",
        "iam/prod-guard.scp.json",
        "iam/registry-approval.policy.json",
        "eventbridge/model-card-state-change.rule.json",
        "eventbridge/queue-policy.json",
    }
    for stem in ROLES:
        expected |= {f"iam/{stem}.policy.json", f"iam/{stem}.trust.json"}
    assert set(ids(ALL_JSON)) == expected
    assert README.is_file()


@pytest.mark.parametrize("path", ALL_JSON, ids=ids(ALL_JSON))
def test_every_json_parses_to_an_object(path: Path) -> None:
    assert isinstance(load(path), dict)


def test_capability_table_covers_every_governance_action() -> None:
    # A new capability in the code must get its AWS calls mapped here. `observe` is the
    # automation role's, `diff` every mapped person's (no governance capability guards it).
    assert {str(a) for a in Action} == set(CAPABILITY_ACTIONS) - {"observe", "diff"}
    assert {str(a) for a in IMPLICIT_FOR_MAPPED} == {"export"}
    assert set(ROLES) >= {"lead-data-scientist", "approver", "admin"}
    # Export and diff are implicit for mapped users: every governance role is covered, even
    # though no `can` list names them; the automation role (nobody in Slack) is not.
    for stem in GOVERNANCE_ROLES:
        assert "export" not in GOV.roles[stem].can
        assert {"export", "diff"} <= set(ROLES[stem]), stem
        assert CAPABILITY_ACTIONS["export"] <= expected_actions(GOV, ROLES[stem]), stem
    assert ROLES["automation"] == ["observe"]


def test_every_mapped_user_exports_and_diffs_as_a_role_that_may() -> None:
    # The roles the executor acts as: role_for(user, EXPORT) and reader_role(user).
    for user in GOV.users:
        exporter, reader = GOV.role_for(user, Action.EXPORT), GOV.reader_role(user)
        assert exporter is not None
        assert reader is not None
        assert exporter == reader == GOV.roles[GOV.users[user][0]]
        stem = GOV.users[user][0]
        granted = allowed_actions(load(IAM / f"{stem}.policy.json"))
        assert CAPABILITY_ACTIONS["export"] | CAPABILITY_ACTIONS["diff"] <= granted, user


# --------------------------------------------------------------------------- policy shape
def _check_statement_shape(path: Path, statement: dict[str, Any]) -> None:
    kind = path.name
    assert statement["Effect"] in {"Allow", "Deny"}, (kind, statement)
    assert statement.get("Action"), (kind, statement)
    assert not {"NotAction", "NotResource", "NotPrincipal"} & set(statement), (kind, statement)
    assert set(statement) <= {"Sid", "Effect", "Principal", "Action", "Resource", "Condition"}
    for operator, block in statement.get("Condition", {}).items():
        base = operator.split(":", 1)[1] if operator.startswith("For") else operator
        assert operator.split(":")[0] in {"ForAllValues", "ForAnyValue"} or ":" not in operator
        assert base in CONDITION_OPERATORS, (kind, operator)
        assert isinstance(block, dict), (kind, operator)
        assert block, (kind, operator)
    if kind.endswith(".trust.json"):
        assert "Principal" in statement, (kind, statement)
        assert "Resource" not in statement, (kind, statement)
        assert all(a.startswith("sts:") for a in as_list(statement["Action"])), statement
    elif path == QUEUE_POLICY:
        assert "Principal" in statement, statement
        assert statement.get("Resource"), statement
    else:  # identity policies and the SCP
        assert statement.get("Resource"), (kind, statement)
        assert "Principal" not in statement, (kind, statement)


@pytest.mark.parametrize(
    "path",
    [*POLICY_FILES, *TRUST_FILES, SCP, QUEUE_POLICY],
    ids=ids([*POLICY_FILES, *TRUST_FILES, SCP, QUEUE_POLICY]),
)
def test_policy_shape(path: Path) -> None:
    doc = load(path)
    assert set(doc) <= {"Version", "Id", "Statement"}
    assert doc["Version"] == "2012-10-17"
    found = statements(doc)
    assert found
    sids = [s.get("Sid") for s in found if "Sid" in s]
    assert len(sids) == len(set(sids)), f"{path.name}: duplicate Sid"
    for statement in found:
        _check_statement_shape(path, statement)


# --------------------------------------------------------------------------- least privilege
@pytest.mark.parametrize("stem", list(ROLES))
def test_role_policy_grants_exactly_what_its_capabilities_call(stem: str) -> None:
    doc = load(IAM / f"{stem}.policy.json")
    granted = allowed_actions(doc)
    expected = expected_actions(GOV, ROLES[stem])
    assert granted - expected == set(), f"{stem}: grants unneeded {sorted(granted - expected)}"
    assert expected - granted == set(), f"{stem}: misses {sorted(expected - granted)}"
    assert all(s["Effect"] == "Allow" for s in statements(doc))


@pytest.mark.parametrize("stem", list(ROLES))
def test_sagemaker_grants_are_on_central_cards_only(stem: str) -> None:
    doc = load(IAM / f"{stem}.policy.json")
    for statement in allows(doc):
        actions = as_list(statement["Action"])
        if not any(a.startswith(("sagemaker:", "s3:")) for a in actions):
            continue
        if any(a.startswith("s3:") for a in actions):  # the export PDFs, nothing else in S3
            assert sorted(actions) == sorted([S3_GET, S3_PUT]), statement
            assert statement["Resource"] == EXPORT_OBJECTS, statement
            continue
        assert all(a.startswith("sagemaker:") for a in actions), statement
        if actions == [LIST_CARDS]:
            assert statement["Resource"] == "*"
        elif actions == [DESCRIBE_EXPORT]:
            assert statement["Resource"] == CENTRAL_EXPORT_JOBS, statement
        else:
            assert LIST_CARDS not in actions, statement
            assert DESCRIBE_EXPORT not in actions, statement
            assert statement["Resource"] == CENTRAL_CARDS, statement


@pytest.mark.parametrize("stem", list(ROLES))
def test_export_grants_are_in_their_own_droppable_statements(stem: str) -> None:
    # render.py leaves out the statements whose Sid starts with "Export" when exports are
    # off: they must hold every export-only grant and nothing else.
    prefix = render_module().EXPORT_SID_PREFIX
    found = allows(load(IAM / f"{stem}.policy.json"))
    marked = [s for s in found if s.get("Sid", "").startswith(prefix)]
    others = [s for s in found if s not in marked]
    in_marked = {a for s in marked for a in as_list(s["Action"])}
    assert in_marked <= EXPORT_ONLY
    assert not {a for s in others for a in as_list(s["Action"])} & EXPORT_ONLY
    wanted = EXPORT_ONLY if "export" in ROLES[stem] else frozenset()
    assert in_marked == wanted, stem


@pytest.mark.parametrize("stem", list(ROLES))
def test_ram_grants_reach_only_the_role_stages(stem: str) -> None:
    stages = reached_stages(GOV, ROLES[stem])
    accounts = {stage_placeholder(s): s for s in stages}
    doc = load(IAM / f"{stem}.policy.json")
    principals: set[str] = set()
    paired: set[str] = set()  # stages whose account may be added to their own share
    card_shares: set[str] = set()  # share names cards may be associated with
    for statement in allows(doc):
        actions = as_list(statement["Action"])
        principals |= set(condition_values(statement, "ram:Principal"))
        if "ram:CreateResourceShare" in actions:
            assert set(condition_values(statement, "ram:Principal")) == set(accounts)
            assert statement["Condition"]["Null"] == {"ram:ResourceArn": "true"}
            assert statement["Condition"]["Bool"] == {
                "ram:RequestedAllowsExternalPrincipals": "false"
            }
        if "ram:TagResource" in actions:
            assert statement["Resource"] == CENTRAL_SHARES
            assert condition_values(statement, "aws:RequestTag/managed-by") == ["modelcard-bot"]
            assert set(condition_values(statement, "aws:RequestTag/stage")) == set(stages)
            assert set(condition_values(statement, "aws:TagKeys")) == {"managed-by", "stage"}
        if {"ram:AssociateResourceShare", "ram:DisassociateResourceShare"} & set(actions):
            assert len(actions) == 1, statement
            assert statement["Resource"] == CENTRAL_SHARES, statement
            names = set(condition_values(statement, "ram:ResourceShareName"))
            principal = condition_values(statement, "ram:Principal")
            if actions == ["ram:AssociateResourceShare"]:
                assert condition_values(statement, "ram:AllowsExternalPrincipals") == ["false"]
            if principal:  # a stage account, only on its own stage's share
                assert len(principal) == 1
                assert principal[0] in accounts, statement
                assert names == {share_name(accounts[principal[0]])}, statement
                assert actions == ["ram:AssociateResourceShare"]
                paired.add(accounts[principal[0]])
            else:  # model cards of the central account, on the bot's shares
                assert condition_values(statement, "ram:RequestedResourceType") == [
                    "sagemaker:ModelCard"
                ]
                assert condition_values(statement, "ram:ResourceArn") == [CENTRAL_CARDS]
                allowed = stages if "ram:AssociateResourceShare" in actions else list(GOV.stages)
                assert names == {share_name(s) for s in allowed}, statement
                if actions == ["ram:AssociateResourceShare"]:
                    card_shares |= names
        if "ram:CreatePermission" in actions:
            assert condition_values(statement, "ram:PermissionResourceType") == [
                "sagemaker:ModelCard"
            ]
    assert principals == set(accounts), f"{stem}: ram:Principal {sorted(principals)}"
    assert paired == set(stages), f"{stem}: stage accounts addable to {sorted(paired)}"
    assert card_shares == {share_name(s) for s in stages}, f"{stem}: shares {card_shares}"


@pytest.mark.parametrize(
    "path", [*POLICY_FILES, SCP, QUEUE_POLICY], ids=ids([*POLICY_FILES, SCP, QUEUE_POLICY])
)
def test_no_wildcard_grants(path: Path) -> None:
    for statement in allows(load(path)):
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{path.name}: wildcard action {action}"
            assert "?" not in action, f"{path.name}: wildcard action {action}"
        if "*" not in as_list(statement["Resource"]):
            continue
        assert as_list(statement["Resource"]) == ["*"], statement
        for action in as_list(statement["Action"]):
            service, name = action.split(":", 1)
            if name.startswith(READ_PREFIXES):
                continue
            assert action in NO_RESOURCE_TYPE_WRITES, f"{path.name}: {action} on *"
            keys = {k for block in statement["Condition"].values() for k in block}
            assert NO_RESOURCE_TYPE_WRITES[action] <= keys, f"{path.name}: {action} unnarrowed"
            assert service in {"ram"}, statement


def test_every_action_on_star_is_explained_in_the_readme() -> None:
    text = README.read_text()
    section = text.split("## Actions on `*`", 1)[1].split("\n## ", 1)[0]
    on_star = {
        action
        for path in POLICY_FILES
        for statement in allows(load(path))
        if as_list(statement["Resource"]) == ["*"]
        for action in as_list(statement["Action"])
    }
    assert on_star
    missing = {a for a in on_star if f"`{a}`" not in section}
    assert missing == set()


# --------------------------------------------------------------------------- the bot role
def test_bot_policy_only_assumes_roles_and_reads_its_queue() -> None:
    doc = load(IAM / "bot-role.policy.json")
    granted = allowed_actions(doc)
    assert not {a for a in granted if a.startswith(("sagemaker:", "ram:"))}
    assert granted == {
        "sts:AssumeRole",
        "sts:SetSourceIdentity",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
    }
    by_service = {as_list(s["Action"])[0].split(":")[0]: s for s in allows(doc)}
    assert set(by_service) == {"sts", "sqs"}
    assert by_service["sqs"]["Resource"] == QUEUE_ARN
    sts = by_service["sts"]
    assert set(condition_values(sts, "sts:SourceIdentity")) == {
        *SLACK_USER_PATTERNS,
        "${AutomationSourceIdentity}",
    }
    resources = as_list(sts["Resource"])
    assert "arn:aws:iam::${CentralAccountId}:role/mc-*" in resources
    assert {r for r in resources if "${InvitationRoleName}" in r} == {
        f"arn:aws:iam::{stage_placeholder(s)}:role/${{InvitationRoleName}}" for s in GOV.stages
    }


def test_bot_policy_reaches_every_configured_role_and_nothing_else() -> None:
    doc = rendered(GOV, IAM / "bot-role.policy.json")
    sts = next(s for s in allows(doc) if "sts:AssumeRole" in as_list(s["Action"]))
    patterns = as_list(sts["Resource"])
    targets = [role.role_arn for role in GOV.roles.values()]
    if automation_arn(GOV):
        targets.append(str(automation_arn(GOV)))
    invitation = "arn:aws:iam::{}:role/modelcard-bot-invitations"
    targets += [invitation.format(stage.account) for stage in GOV.stages.values()]
    for arn in targets:
        assert any(fnmatchcase(arn, p) for p in patterns), arn
    for arn in [
        "arn:aws:iam::111111111111:role/Admin",
        "arn:aws:iam::999999999999:role/mc-lead-ds",
        "arn:aws:iam::222222222222:role/mc-lead-ds",
    ]:
        assert not any(fnmatchcase(arn, p) for p in patterns), arn


def test_bot_trust_is_ecs_tasks_and_ec2() -> None:
    found = statements(load(IAM / "bot-role.trust.json"))
    assert [s["Effect"] for s in found] == ["Allow", "Allow"]
    assert [s["Principal"] for s in found] == [
        {"Service": "ecs-tasks.amazonaws.com"},
        {"Service": "ec2.amazonaws.com"},
    ]
    assert all(as_list(s["Action"]) == ["sts:AssumeRole"] for s in found)
    ecs = found[0]
    assert condition_values(ecs, "aws:SourceAccount") == ["${CentralAccountId}"]
    assert condition_values(ecs, "aws:SourceArn") == ["arn:aws:ecs:${Region}:${CentralAccountId}:*"]


# --------------------------------------------------------------------------- trust policies
@pytest.mark.parametrize("path", BOT_TRUSTED, ids=ids(BOT_TRUSTED))
def test_only_the_bot_role_may_assume(path: Path) -> None:
    # Every trust policy but the bot's own (see test_bot_trust_is_ecs_tasks_and_ec2).
    found = statements(load(path))
    assert found
    for statement in found:
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"AWS": BOT_ROLE}
        assert set(as_list(statement["Action"])) == {"sts:AssumeRole", "sts:SetSourceIdentity"}
        assert condition_values(statement, "sts:SourceIdentity"), statement


@pytest.mark.parametrize("path", USER_TRUSTS, ids=ids(USER_TRUSTS))
def test_user_roles_need_a_slack_user_source_identity(path: Path) -> None:
    (statement,) = statements(load(path))
    assert statement["Condition"] == {"StringLike": {"sts:SourceIdentity": SLACK_USER_PATTERNS}}
    for user in GOV.users:
        assert any(fnmatchcase(user, p) for p in SLACK_USER_PATTERNS), user
    for other in ["modelcard-bot", "", "admin", "u0lead"]:
        assert not any(fnmatchcase(other, p) for p in SLACK_USER_PATTERNS), other


def test_invitation_role_admits_slack_users_and_the_automation() -> None:
    # StageShares.share_card accepts invitations as the acting person, and the automation
    # role shares too (jobs/observe.py), so both kinds of source identity come here.
    (statement,) = statements(load(IAM / "stage-invitation-role.trust.json"))
    assert statement["Condition"] == {
        "StringLike": {"sts:SourceIdentity": [*SLACK_USER_PATTERNS, "${AutomationSourceIdentity}"]}
    }


def test_automation_source_identity_is_the_one_the_worker_sets() -> None:
    from bot.app import AUTOMATION_IDENTITY  # the Actor the reconciler and events act as

    assert render_module().DEFAULTS["AutomationSourceIdentity"] == AUTOMATION_IDENTITY


def test_automation_role_needs_the_bot_source_identity() -> None:
    (statement,) = statements(load(IAM / "automation.trust.json"))
    assert statement["Condition"] == {
        "StringEquals": {"sts:SourceIdentity": "${AutomationSourceIdentity}"}
    }
    assert not any(
        fnmatchcase(render_module().DEFAULTS["AutomationSourceIdentity"], p)
        for p in SLACK_USER_PATTERNS
    )


# --------------------------------------------------------------------------- stage accounts
def test_invitation_role_only_accepts_the_central_shares() -> None:
    doc = load(IAM / "stage-invitation-role.policy.json")
    assert allowed_actions(doc) == {
        "ram:GetResourceShareInvitations",
        "ram:AcceptResourceShareInvitation",
    }
    accept = next(
        s for s in allows(doc) if as_list(s["Action"]) == ["ram:AcceptResourceShareInvitation"]
    )
    assert accept["Resource"] == "arn:aws:ram:${Region}:*:resource-share-invitation/*"
    assert condition_values(accept, "ram:ShareOwnerAccountId") == ["${CentralAccountId}"]
    assert condition_values(accept, "ram:ResourceShareName") == ["modelcard-bot-*"]


class _RecordingRam:
    def __init__(self) -> None:
        self.created: dict[str, Any] = {}

    def list_permissions(self, **_: Any) -> dict[str, Any]:
        return {"permissions": []}

    def create_permission(self, **kwargs: Any) -> dict[str, Any]:
        self.created = kwargs
        return {"permission": {"arn": "arn:aws:ram:us-east-1:111111111111:permission/x"}}


class _Sessions:
    def __init__(self, ram: _RecordingRam) -> None:
        self._ram = ram

    def client(self, actor: Actor, service: str) -> Any:
        assert service == "ram"
        return self._ram


def test_prod_permission_template_is_what_the_bot_creates() -> None:
    template = load(PERMISSION)
    assert template == {"Effect": "Allow", "Action": list(READ_ONLY_ACTIONS)}
    ram = _RecordingRam()
    shares = StageShares(_Sessions(ram), GOV)  # type: ignore[arg-type]
    (read_only,) = [s for s in GOV.stages.values() if s.access is Access.READ_ONLY]
    shares.permission_arn(Actor("U0APPR", "arn:aws:iam::111111111111:role/x"), read_only)
    assert json.loads(ram.created["policyTemplate"]) == template
    assert ram.created["resourceType"] == "sagemaker:ModelCard"


def test_prod_guard_denies_writes_to_central_cards_only() -> None:
    (statement,) = statements(load(SCP))
    assert statement["Effect"] == "Deny"
    denied = set(as_list(statement["Action"]))
    assert denied == {
        "sagemaker:UpdateModelCard",
        "sagemaker:CreateModelCardExportJob",
        "sagemaker:DeleteModelCard",
    }
    assert denied.isdisjoint(READ_ONLY_ACTIONS)
    assert statement["Resource"] == "arn:aws:sagemaker:*:${CentralAccountId}:model-card/*"
    (resource,) = as_list(rendered(GOV, SCP)["Statement"][0]["Resource"])
    central = f"arn:aws:sagemaker:eu-west-1:{GOV.central_account}:model-card/churn"
    assert fnmatchcase(central, resource)
    assert fnmatchcase(central + "/export-job/pdf", resource)
    prod = GOV.stages["prod"].account
    assert not fnmatchcase(f"arn:aws:sagemaker:us-east-1:{prod}:model-card/churn", resource)


# --------------------------------------------------------------------------- EventBridge
def test_rule_matches_model_card_state_changes() -> None:
    assert load(RULE) == {"source": ["aws.sagemaker"], "detail-type": [DETAIL_TYPE]}


def test_queue_policy_lets_only_the_rule_send() -> None:
    doc = load(QUEUE_POLICY)
    (send,) = allows(doc)
    assert send["Principal"] == {"Service": "events.amazonaws.com"}
    assert as_list(send["Action"]) == ["sqs:SendMessage"]
    assert send["Resource"] == QUEUE_ARN
    assert send["Condition"] == {"ArnEquals": {"aws:SourceArn": RULE_ARN}}
    denies = [s for s in statements(doc) if s["Effect"] == "Deny"]
    assert [s["Condition"] for s in denies] == [{"Bool": {"aws:SecureTransport": "false"}}]
    assert all(s["Resource"] == QUEUE_ARN for s in denies)


# --------------------------------------------------------------------------- docs and rendering
def test_readme_documents_placeholders_and_every_role() -> None:
    text = README.read_text()
    used = {m for path in ALL_JSON for m in re.findall(r"\$\{[A-Za-z]+\}", path.read_text())}
    assert used
    assert {p for p in used if f"`{p}`" not in text} == set()
    table = text.split("## Least privilege, role by role", 1)[1].split("\n## ", 1)[0]
    assert {r for r in ROLES if f"| {r} |" not in table} == set()
    for command in ["aws iam create-role", "aws events put-rule", "aws events put-targets"]:
        assert command in text
    assert "aws sqs create-queue" in text
    assert "MODELCARD_EVENTS_QUEUE_URL" in text


def test_every_template_renders_with_the_example_governance() -> None:
    render = render_module()
    values = dict(render.DEFAULTS)
    values.update(render.values_from_governance(GOV.model_dump(mode="json")))
    out = render.render_all(values, ALL_JSON)
    assert set(out) == set(ALL_JSON)
    for text in out.values():
        assert "${" not in text
    bot = json.loads(out[IAM / "bot-role.policy.json"])
    assert "arn:aws:iam::111111111111:role/mc-*" in bot["Statement"][0]["Resource"]
    # The example has no export_s3_uri: exports are off, so no role gets their grants.
    assert GOV.export_s3_uri is None
    for stem in ROLES:
        granted = allowed_actions(json.loads(out[IAM / f"{stem}.policy.json"]))
        assert granted == expected_actions(GOV, ROLES[stem]) - EXPORT_ONLY, stem
    assert json.loads(out[IAM / "approver.trust.json"])["Statement"][0]["Principal"] == {
        "AWS": GOV.bot_role_arn
    }


def test_render_refuses_missing_values_and_mixed_invitation_roles() -> None:
    render = render_module()
    with pytest.raises(render.RenderError, match="no value for CentralAccountId"):
        render.render_text('{"a": "${CentralAccountId}"}', {}, "x.json")
    with pytest.raises(render.RenderError, match="not JSON"):
        render.render_text('{"a": ${Region}}', {"Region": "us-east-1"}, "x.json")
    data = GOV.model_dump(mode="json")
    data["stages"]["dev"]["invitation_role_arn"] = "arn:aws:iam::222222222222:role/a"
    data["stages"]["test"]["invitation_role_arn"] = "arn:aws:iam::333333333333:role/b"
    with pytest.raises(render.RenderError, match="different invitation role names"):
        render.values_from_governance(data)
    assert render.main(["--set", "nope", str(RULE)]) == 1


EXPORTS = "s3://mc-governance-exports/model-cards/pdf"


@pytest.mark.parametrize("stem", GOVERNANCE_ROLES)
def test_render_fills_the_export_location_or_leaves_export_out(stem: str) -> None:
    path = IAM / f"{stem}.policy.json"
    on, off = rendered(with_changes(GOV, export_s3_uri=EXPORTS), path), rendered(GOV, path)
    assert allowed_actions(on) == expected_actions(GOV, ROLES[stem])
    assert allowed_actions(off) == expected_actions(GOV, ROLES[stem]) - EXPORT_ONLY
    # Off is on minus the export statements, everything else unchanged.
    prefix = render_module().EXPORT_SID_PREFIX
    assert statements(off) == [s for s in statements(on) if not s["Sid"].startswith(prefix)]
    (s3,) = [s for s in statements(on) if S3_GET in as_list(s["Action"])]
    assert s3["Resource"] == "arn:aws:s3:::mc-governance-exports/model-cards/pdf/*"
    allowed = "arn:aws:s3:::mc-governance-exports/model-cards/pdf/churn/job/churn.pdf"
    assert fnmatchcase(allowed, s3["Resource"])
    for other in [
        "arn:aws:s3:::mc-governance-exports/model-cards/other.pdf",
        "arn:aws:s3:::mc-governance-exports/model-cards/pdfx/churn.pdf",
        "arn:aws:s3:::other-bucket/model-cards/pdf/churn.pdf",
    ]:
        assert not fnmatchcase(other, s3["Resource"]), other
    (jobs,) = [s for s in statements(on) if DESCRIBE_EXPORT in as_list(s["Action"])]
    job = f"arn:aws:sagemaker:us-east-1:{GOV.central_account}:model-card/churn/export-job/j1"
    assert fnmatchcase(job, jobs["Resource"])
    assert not fnmatchcase(job.replace(GOV.central_account, "999999999999"), jobs["Resource"])
    assert not fnmatchcase(job.rsplit("/export-job/", 1)[0], jobs["Resource"])


def test_render_export_location_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    render = render_module()
    assert render.export_location("s3://b-1/a/b/") == ("b-1", "a/b")
    for uri in ["s3://mc-exports", "s3://mc-exports/", "https://x/y"]:
        # A whole bucket is refused: the roles only get objects under a prefix.
        with pytest.raises(render.RenderError, match="write s3://BUCKET/PREFIX"):
            render.export_location(uri)
    with pytest.raises(render.RenderError, match="wildcards"):
        render.export_location("s3://mc-exports/pdf*")
    # --set works without a governance file; half a location is a missing value.
    text = (IAM / "admin.policy.json").read_text()
    values = {**render.DEFAULTS, "Region": "us-east-1", "CentralAccountId": "111111111111"}
    both = {**values, "ExportBucket": "b", "ExportPrefix": "p"}
    assert "arn:aws:s3:::b/p/*" in render.render_text(text, both, "admin")
    with pytest.raises(render.RenderError, match="no value for ExportPrefix"):
        render.render_text(text, {**values, "ExportBucket": "b"}, "admin")
    # The command line: from the governance file, with and without export_s3_uri.
    data = GOV.model_dump(mode="json")
    for name, uri in [("on", EXPORTS), ("off", None)]:
        gov_file = tmp_path / f"{name}.yml"
        gov_file.write_text(yaml.safe_dump({**data, "export_s3_uri": uri}))
        out = tmp_path / name
        assert render.main(["--governance", str(gov_file), "--out", str(out)]) == 0
        admin = json.loads((out / "iam" / "admin.policy.json").read_text())
        assert (S3_GET in allowed_actions(admin)) is (uri is not None)
        note = "export statements (Sid Export*) are left out" in capsys.readouterr().err
        assert note is (uri is None)
    gov_file.write_text(yaml.safe_dump({**data, "export_s3_uri": "s3://mc-exports"}))
    assert render.main(["--governance", str(gov_file), "--out", str(tmp_path / "x")]) == 1
    assert "write s3://BUCKET/PREFIX" in capsys.readouterr().err


# --------------------------------------------------------------------------- model registry
def test_registry_template_only_decides_central_model_packages() -> None:
    doc = load(REGISTRY)
    assert allowed_actions(doc) == REGISTRY_ACTIONS
    by_action = {as_list(s["Action"])[0]: s for s in allows(doc)}
    assert all(len(as_list(s["Action"])) == 1 for s in allows(doc))
    assert {s["Resource"] for s in allows(doc)} == {CENTRAL_PACKAGES}
    describe = by_action["sagemaker:DescribeModelPackage"]
    assert "Condition" not in describe
    update = by_action["sagemaker:UpdateModelPackage"]
    # Only to the statuses a card decision sets (bot/worker/jobs/transitions.py PACKAGE_STATUS).
    assert set(condition_values(update, "sagemaker:ModelApprovalStatus")) == {
        str(s) for s in PACKAGE_STATUS.values()
    }
    assert list(update["Condition"]) == ["StringEquals"]
    package = f"arn:aws:sagemaker:us-east-1:{GOV.central_account}:model-package/churn/3"
    resource = rendered(GOV, REGISTRY)["Statement"][0]["Resource"]
    assert fnmatchcase(package, resource)
    assert not fnmatchcase(package.replace(GOV.central_account, "222222222222"), resource)
    assert not fnmatchcase(package.replace("model-package/", "model-package-group/"), resource)


def test_registry_actions_are_only_in_the_optional_template() -> None:
    for path in POLICY_FILES:
        if path != REGISTRY:
            assert not allowed_actions(load(path)) & REGISTRY_ACTIONS, path.name
    assert approvers(GOV) == ["approver"]
    assert not GOV.registry.update_model_package  # off by default, as in the example


def test_readme_documents_export_and_the_registry_template() -> None:
    text = README.read_text()
    assert "registry-approval.policy.json" in text
    assert "update_model_package" in text
    assert "export_s3_uri" in text
    for action in sorted(EXPORT_ONLY | REGISTRY_ACTIONS):
        assert f"`{action}`" in text, action
    assert "not implemented" not in text
    table = text.split("## Least privilege, role by role", 1)[1].split("\n## ", 1)[0]
    assert "| registry-approval (optional) |" in table


# --------------------------------------------------------------------------- replay on moto
SEED = {"model_overview": {"model_owner": "model-owner", "problem_type": "Customer Churn Model"}}
EXPORT_BUCKET = "mc-governance-exports"
REPLAY_EXPORTS = f"s3://{EXPORT_BUCKET}/model-cards"
PACKAGE_GROUP = "churn"
_LINK = re.compile(r"<(https://[^|>]+)\|")


class _Notifier:
    def __init__(self) -> None:
        self.replies: list[tuple[Job, str]] = []
        self.posts: list[tuple[str, str]] = []

    def reply(self, job: Job, text: str, blocks: Any = None, *, replace: bool = False) -> None:
        self.replies.append((job, text))

    def post_once(self, effect_key: str, channel: str, text: str, blocks: Any) -> str:
        self.posts.append((effect_key, channel))
        return "1.0"


class _Audit:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> str:
        self.events.append(event)
        return str(len(self.events))


class _State:
    """What JobExecutor._export / _diff read from Redis: nothing recorded yet."""

    def versions(self, name: str) -> list[tuple[int, str, float, str]]:
        return []


class _Outbox:
    def release(self, idempotency_key: str) -> None:
        pass


@dataclass
class ExportSeen:
    user: str
    role_arn: str
    artifact_uri: str
    url: str


@dataclass
class Replayed:
    world: AwsWorld
    calls: list[dict[str, Any]] = field(default_factory=list)
    exports: list[ExportSeen] = field(default_factory=list)


def _own_calls(before: int) -> list[dict[str, Any]]:
    return [c for c in moto_shim.calls()[before:] if c["service"] != "sts"]


def _replay(world: AwsWorld, sessions: RoleSessions, package: str) -> list[ExportSeen]:
    """The calls bot/worker/jobs/ and effects.py make for each job, as each person's role; PDF
    exports, diffs and the registry link run through JobExecutor itself."""
    gov = world.gov
    cards = ModelCards(sessions, export_poll=0.0, sleep=lambda _s: None)
    notifier, audit = _Notifier(), _Audit()
    executor = JobExecutor(
        gov,
        cards,
        StageShares(sessions, gov),
        _State(),  # type: ignore[arg-type]
        audit,  # type: ignore[arg-type]
        notifier,  # type: ignore[arg-type]
        _Outbox(),  # type: ignore[arg-type]
    )

    def shares() -> StageShares:  # a fresh one finds existing shares instead of its cache
        return StageShares(sessions, gov)

    def actor(user: str, action: Action) -> Actor:
        role = gov.role_for(user, action)
        assert role is not None
        return Actor(user, role.role_arn)

    def decide(who: Actor, action: Action, reason: str = "") -> str:
        """jobs/transitions.py for approve / reject: the status, then the model package."""
        outcome = cards.transition(who, "churn", action)
        assert outcome.changed
        change = Change(outcome.card, outcome.previous, who.user_id, reason, str(action))
        job = Job(JobKind(str(action)), who.user_id, "churn", {"reason": reason})
        return executor._transitions.sync_registry(job, who, action, change)

    lead, ds = actor("U0LEAD", Action.CREATE), actor("U0DS", Action.SUBMIT)
    mle, approver = actor("U0MLE", Action.EDIT), actor("U0APPR", Action.APPROVE)
    admin = actor("U0ADMIN", Action.DELETE)
    linked = {
        **SEED,
        "intended_uses": {"purpose_of_model": "y"},
        "model_package_details": {
            "model_package_arn": package,
            "model_package_group_name": PACKAGE_GROUP,
            "model_package_version": 1,
        },
    }

    arn = cards.create(lead, "churn", SEED)
    cards.describe(lead, "churn")
    shares().share_card(lead, "dev", arn)
    cards.update_content(ds, "churn", {**SEED, "intended_uses": {"purpose_of_model": "x"}})
    cards.transition(ds, "churn", Action.SUBMIT)
    shares().share_card(ds, "test", arn)
    cards.describe(mle, "churn")
    cards.update_content(mle, "churn", linked)
    assert "set to Rejected" in decide(approver, Action.REJECT, "needs a holdout set")
    shares().share_card(approver, "dev", arn)
    cards.transition(ds, "churn", Action.SUBMIT)
    shares().share_card(ds, "test", arn)
    assert "set to Approved" in decide(approver, Action.APPROVE)
    shares().share_card(approver, "prod", arn)

    # /modelcard export by every mapped person, each job run twice (the second run is a
    # retry: CreateModelCardExportJob conflicts and ListModelCardExportJobs finds the export).
    exports: list[ExportSeen] = []
    for user in gov.users:
        job = Job(JobKind.EXPORT, user, "churn")
        for _attempt in range(2):
            executor.run(job)
            (done, said) = notifier.replies[-1]
            assert done is job
            assert "PDF of model card" in said, said
            (event,) = [e for e in audit.events[-1:] if e.action == "export"]
            assert event.result == "ok", event
            (uri,) = re.findall(r"s3://[^\s;]+", event.detail)  # "vN URI[; posted to ...]"
            exporter = gov.role_for(user, Action.EXPORT)
            assert exporter is not None
            url = html.unescape(_LINK.findall(said)[0])
            exports.append(ExportSeen(user, exporter.role_arn, uri, url))
    assert {channel for _key, channel in notifier.posts} == {gov.stages["prod"].channel}

    # /modelcard diff by every mapped person (last two versions, then v1 against v3): only
    # DescribeModelCard, as the person's reader role.
    for user in gov.users:
        for args, shown in [({}, "v2 → v3"), ({"v1": "1", "v2": "3"}, "v1 → v3")]:
            before = len(moto_shim.calls())
            executor.run(Job(JobKind.DIFF, user, "churn", args))
            (_job, said) = notifier.replies[-1]
            assert said.startswith(f"Model card churn, {shown}: "), said
            reader = gov.reader_role(user)
            assert reader is not None
            made = _own_calls(before)
            assert made
            assert {c["action"] for c in made} == {"DescribeModelCard"}
            assert {c["source_identity"] for c in made} == {user}
            assert {_assumed(c["caller_arn"]) for c in made} == {
                (gov.central_account, reader.role_arn.rsplit("/", 1)[-1])
            }

    cards.transition(lead, "churn", Action.ARCHIVE)
    shares().unshare_card(lead, arn)

    other = cards.create(lead, "churn-v2", SEED)
    shares().share_card(lead, "dev", other)
    auto_arn = automation_arn(gov)
    assert auto_arn is not None
    automation = Actor(render_module().DEFAULTS["AutomationSourceIdentity"], auto_arn)
    assert [c.name for c in cards.list_cards(automation)] == ["churn", "churn-v2"]
    cards.describe(automation, "churn-v2")
    for stage in gov.stages:  # whatever status it observes, it may share to that stage
        shares().share_card(automation, stage, other)
    shares().unshare_card(automation, other)

    cards.describe(admin, "churn-v2")
    shares().unshare_card(admin, other)
    cards.delete(admin, "churn-v2")
    return exports


def _role_files(gov: Governance) -> dict[str, list[Path]]:
    """IAM role name -> the policy files it gets (its own first, then optional ones)."""
    files = {
        role.role_arn.rsplit("/", 1)[-1]: [IAM / f"{n}.policy.json"]
        for n, role in gov.roles.items()
    }
    if gov.registry.update_model_package:
        for name in approvers(gov):
            files[gov.roles[name].role_arn.rsplit("/", 1)[-1]].append(REGISTRY)
    if automation_arn(gov):
        files[str(automation_arn(gov)).rsplit("/", 1)[-1]] = [IAM / "automation.policy.json"]
    for stage in gov.stages.values():
        if stage.invitation_role_arn:
            name = stage.invitation_role_arn.rsplit("/", 1)[-1]
            files[name] = [IAM / "stage-invitation-role.policy.json"]
    return files


def _assumed(caller_arn: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"arn:aws:sts::(\d{12}):assumed-role/([^/]+)/(.+)", caller_arn or "")
    return (match.group(1), match.group(2)) if match else None


@pytest.fixture
def replayed(aws: AwsWorld) -> Replayed:
    # Exports and the model registry link on; the bucket and the model package exist.
    world = governed(
        aws, {"export_s3_uri": REPLAY_EXPORTS, "registry": {"update_model_package": True}}
    )
    world.sessions.client(world.actor("U0ADMIN", Action.DELETE), "s3").create_bucket(
        Bucket=EXPORT_BUCKET
    )
    registry = world.sessions.client(world.actor("U0LEAD", Action.CREATE), "sagemaker")
    registry.create_model_package_group(ModelPackageGroupName=PACKAGE_GROUP)
    package = registry.create_model_package(
        ModelPackageGroupName=PACKAGE_GROUP, ModelApprovalStatus="PendingManualApproval"
    )["ModelPackageArn"]
    sessions = RoleSessions(region=REGION, bot_role_arn=world.gov.bot_role_arn)
    moto_shim.clear_calls()
    exports = _replay(world, sessions, str(package))
    calls = moto_shim.calls()
    found = registry.describe_model_package(ModelPackageName=package)
    assert found["ModelApprovalStatus"] == "Approved"  # the approver's decision reached it
    return Replayed(world, calls, exports)


def test_every_recorded_call_is_allowed_by_its_role_policy(replayed: Replayed) -> None:
    files = _role_files(replayed.world.gov)
    seen: dict[Path, set[str]] = {}
    for call in replayed.calls:
        if call["service"] not in {"sagemaker", "ram"}:
            continue
        assumed = _assumed(call["caller_arn"])
        assert assumed is not None, call
        action = f"{call['service']}:{call['action']}"
        granting = [p for p in files[assumed[1]] if action in allowed_actions(load(p))]
        assert granting, f"{assumed[1]} ({[p.name for p in files[assumed[1]]]}) lacks {action}"
        for path in granting:
            seen.setdefault(path, set()).add(action)
    # Every role took part, so the check above covered each policy (registry-approval too).
    assert set(seen) == {p for paths in files.values() for p in paths}
    # Every governance role exported (with a retry) and diffed; the approver decided the
    # model package; nothing else called the registry.
    for name in GOVERNANCE_ROLES:
        assert {DESCRIBE, CREATE_EXPORT, DESCRIBE_EXPORT, LIST_EXPORTS} <= seen[
            IAM / f"{name}.policy.json"
        ], name
    assert seen[REGISTRY] == REGISTRY_ACTIONS
    deciders = {replayed.world.gov.roles[n].role_arn.rsplit("/", 1)[-1] for n in approvers(GOV)}
    assert {
        _assumed(c["caller_arn"])[1]  # type: ignore[index]
        for c in replayed.calls
        if f"sagemaker:{c['action']}" in REGISTRY_ACTIONS
    } == deciders


def test_export_objects_are_inside_the_rendered_s3_grant(replayed: Replayed) -> None:
    # S3 is not in the call record (SageMaker writes the PDF, the link is presigned): check
    # each PDF and each link against the rendered policy of the role that exported it.
    gov = replayed.world.gov
    by_arn = {role.role_arn: name for name, role in gov.roles.items()}
    assert {e.user for e in replayed.exports} == set(gov.users)
    assert len(replayed.exports) == 2 * len(gov.users)
    for export in replayed.exports:
        bucket, key = split_s3_uri(export.artifact_uri)
        assert bucket == EXPORT_BUCKET
        assert key.startswith("model-cards/churn/")
        policy = rendered(gov, IAM / f"{by_arn[export.role_arn]}.policy.json")
        objects = [
            s["Resource"] for s in allows(policy) if {S3_GET, S3_PUT} <= set(as_list(s["Action"]))
        ]
        assert objects == [f"arn:aws:s3:::{EXPORT_BUCKET}/model-cards/*"]
        assert fnmatchcase(f"arn:aws:s3:::{bucket}/{key}", objects[0])
        # The link is for that object, presigned by the person's role session, and works.
        parsed = urlparse(export.url)
        assert unquote(parsed.path).endswith(key)
        assert "X-Amz-Security-Token=" in parsed.query
        downloaded = requests.get(export.url, timeout=10)
        assert downloaded.status_code == 200
        assert downloaded.content.startswith(b"%PDF-")


def test_every_assumed_role_is_reachable_and_trusts_the_source_identity(
    replayed: Replayed,
) -> None:
    world, calls = replayed.world, replayed.calls
    bot_name = str(world.gov.bot_role_arn).rsplit("/", 1)[-1]
    bot = rendered(world.gov, IAM / "bot-role.policy.json")
    sts = next(s for s in allows(bot) if "sts:AssumeRole" in as_list(s["Action"]))
    patterns = as_list(sts["Resource"])
    identities = as_list(sts["Condition"]["StringLike"]["sts:SourceIdentity"])
    files = _role_files(world.gov)
    assumed_by_bot = [
        c for c in calls if c["action"] == "AssumeRole" and bot_name in c["caller_arn"]
    ]
    assert assumed_by_bot
    checked = set()
    for call in calls:
        assumed = _assumed(call["caller_arn"])
        if assumed is None or assumed[1] == bot_name:
            continue
        account, name = assumed
        role_arn = f"arn:aws:iam::{account}:role/{name}"
        assert any(fnmatchcase(role_arn, p) for p in patterns), role_arn
        source = call["source_identity"]
        assert any(fnmatchcase(source, p) for p in identities), (role_arn, source)
        own = files[name][0]
        trust = rendered(world.gov, own.with_name(own.name[: -len("policy.json")] + "trust.json"))
        (statement,) = statements(trust)
        assert statement["Principal"] == {"AWS": world.gov.bot_role_arn}
        (block,) = statement["Condition"].values()
        allowed = as_list(block["sts:SourceIdentity"])
        assert any(fnmatchcase(source, p) for p in allowed), (name, source, allowed)
        checked.add(name)
    assert checked == set(files)
