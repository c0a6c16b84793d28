"""deploy/cloudformation/: the templates deploy, are least-privilege, and grant exactly what the
code calls.

The policies are read back from IAM after deploying central.yaml (central account) and
stage-account.yaml (every stage account) on moto's CloudFormation with the parameters
`python -m bot render-cfn` prints. Statically: a capability -> actions table (mirroring
bot/worker/jobs/, effects.py, bot/aws/cards.py, registry.py and sharing.py) gives each
governance role the exact set of actions its policies must grant. Dynamically: the lifecycle
is replayed on moto (tests/moto_ext.py records every call with the caller's role) with the
roles the stack created, and every call must be allowed by the policies of the role that
made it, every role assumed must be assumable by the bot policy, and every source identity
must satisfy that role's trust condition.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import requests
from moto import mock_aws

from bot.authz import Authorizer
from bot.aws import Actor, ModelCards, RoleSessions, StageShares
from bot.aws.cards import split_s3_uri
from bot.aws.sharing import READ_ONLY_ACTIONS, share_name
from bot.deploy_params import AUTOMATION_SOURCE_IDENTITY
from bot.domain.status import IMPLICIT_AUDIT, IMPLICIT_FOR_MAPPED, Action, CardStatus
from bot.governance import Access, Governance, ReadOnlyVia, parse_governance
from bot.jobs import Job, JobKind
from bot.local import moto_ext
from bot.store.audit import AuditEvent
from bot.store.keys import Keys
from bot.worker.effects import Change
from bot.worker.executor import JobExecutor
from bot.worker.jobs.transitions import PACKAGE_STATUS
from bot.worker.services import WorkerServices
from tests.aws_fixtures import REGION, AwsWorld, local_world
from tests.cfn_deploy import Deployed, deploy, in_account, moto_credentials
from tests.conftest import ROOT
from tests.gov_override import governed

README = ROOT / "deploy" / "README.md"
CENTRAL_ACCOUNT = "111111111111"
CENTRAL_CARDS = f"arn:aws:sagemaker:{REGION}:{CENTRAL_ACCOUNT}:model-card/*"
CENTRAL_SHARES = f"arn:aws:ram:{REGION}:{CENTRAL_ACCOUNT}:resource-share/*"
# Service Authorization Reference, SageMaker: CreateModelCardExportJob and
# ListModelCardExportJobs take `model-card`, DescribeModelCardExportJob takes
# `model-card-export-job` (.../model-card/${ModelCardName}/export-job/${ExportJobName}).
CENTRAL_EXPORT_JOBS = f"arn:aws:sagemaker:{REGION}:{CENTRAL_ACCOUNT}:model-card/*/export-job/*"
CENTRAL_PACKAGES = f"arn:aws:sagemaker:{REGION}:{CENTRAL_ACCOUNT}:model-package/*"
EXPORT_BUCKET = "mc-governance-exports"
EXPORTS = f"s3://{EXPORT_BUCKET}/model-cards"
EXPORT_OBJECTS = f"arn:aws:s3:::{EXPORT_BUCKET}/model-cards/*"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{CENTRAL_ACCOUNT}:modelcard-events"
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
# Granted only for `/modelcard export` (ExportPolicy, only with export_s3_uri).
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
# StageShares.permission_arn for a read-only stage with read_only_via
# customer-managed-permission: find, else create, the read-only permission.
READ_ONLY_PERMISSION = frozenset({"ram:ListPermissions", "ram:CreatePermission"})
# StageShares.unshare_card: the card's live associations, then DisassociateResourceShare.
UNSHARE = frozenset({"ram:GetResourceShareAssociations", "ram:DisassociateResourceShare"})
# `python -m bot doctor` as the automation role: RAM knows sagemaker:ModelCard; the export
# bucket exists (HeadBucket is authorized as s3:ListBucket on the bucket).
DOCTOR_AUTOMATION = frozenset({"ram:ListResourceTypes"})
DOCTOR_BUCKET = "s3:ListBucket"

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
    # and settles whatever status it has (shares forward, or revokes when Archived); doctor
    # reads RAM's resource types as it.
    # An out-of-band approval it cannot vouch for is reverted (UpdateModelCard, status only),
    # an edit after approval may reopen the review and suspend the prod share.
    "observe": frozenset({LIST_CARDS, DESCRIBE, UPDATE}) | UNSHARE | DOCTOR_AUTOMATION,
    # jobs/export.py, as Governance.role_for(user, EXPORT) (implicit: the first role):
    # describe the card, CreateModelCardExportJob (a retried job gets ConflictException and
    # finds its export with ListModelCardExportJobs), poll DescribeModelCardExportJob.
    # SageMaker writes the PDF under the export prefix with the caller's permissions
    # (s3:PutObject); ModelCards.presigned_get signs the download link with the role
    # (s3:GetObject).
    "export": frozenset({DESCRIBE}) | EXPORT_ONLY,
    # jobs/diff.py, as Governance.reader_role (the first role): describes the versions.
    "diff": frozenset({DESCRIBE}),
    # jobs/audit.py: writes the CSV under the export prefix (s3:PutObject) and signs its
    # download link (s3:GetObject), as the person's role for `audit`.
    "audit": frozenset({S3_GET, S3_PUT}),
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


# --------------------------------------------------------------------------- helpers
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


def role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def reached_stages(gov: Governance, capabilities: list[str]) -> list[str]:
    """Stages a role's capabilities share cards with, in lifecycle order."""
    names = set()
    for capability in capabilities:
        for status in SHARES_ON.get(capability, ()):
            found = gov.stage_for_status(status)
            if found is not None:
                names.add(found[0])
    return [name for name in gov.stages if name in names]


def capabilities(gov: Governance) -> dict[str, list[str]]:
    """IAM role name -> the capabilities it serves (`can`, plus the implicit ones)."""
    table = {
        role_name(role.role_arn): list(dict.fromkeys([*(str(c) for c in role.can), *IMPLICIT]))
        for role in gov.roles.values()
    }
    listed = any(Action.AUDIT in role.can for role in gov.roles.values())
    for role in gov.roles.values():
        # `audit` by default: roles that approve or administer (IMPLICIT_AUDIT).
        if not listed and IMPLICIT_AUDIT & set(role.can):
            table[role_name(role.role_arn)].append("audit")
    assert gov.automation_role_arn
    table[role_name(gov.automation_role_arn)] = ["observe"]
    return table


def expected_actions(gov: Governance, role: str) -> set[str]:
    caps = capabilities(gov)[role]
    actions: set[str] = set()
    for capability in caps:
        actions |= CAPABILITY_ACTIONS[capability]
    stages = reached_stages(gov, caps)
    if stages:
        actions |= SHARE_FORWARD
    if gov.read_only_via is ReadOnlyVia.CUSTOMER_MANAGED_PERMISSION and any(
        gov.stages[s].access is Access.READ_ONLY for s in stages
    ):
        actions |= READ_ONLY_PERMISSION
    if not gov.export_s3_uri:
        actions -= EXPORT_ONLY
    elif "observe" in caps:
        actions.add(DOCTOR_BUCKET)
    if gov.registry.update_model_package and {"approve", "reject"} & set(caps):
        actions |= REGISTRY_ACTIONS
    return actions


def with_changes(gov: Governance, **changes: Any) -> Governance:
    data = gov.model_dump(mode="json")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_governance(data)


@dataclass
class Stack:
    """What a deployment left in IAM, SQS and EventBridge, as plain documents."""

    gov: Governance
    deployed: Deployed
    policies: dict[str, dict[str, dict[str, Any]]]  # central role -> policy name -> doc
    trusts: dict[str, dict[str, Any]]  # central role -> trust policy
    stage_roles: dict[str, dict[str, Any]]  # stage -> {"trust", "policies", "guard"}
    queue: dict[str, str]
    rules: dict[str, dict[str, Any]]

    def docs(self, role: str) -> list[dict[str, Any]]:
        return list(self.policies[role].values())

    def granted(self, role: str) -> set[str]:
        return {a for doc in self.docs(role) for a in allowed_actions(doc)}


def snapshot(deployed: Deployed) -> Stack:
    gov = deployed.gov
    central = gov.central_account
    roles = [*capabilities(gov), role_name(deployed.central["BotRoleArn"])]
    stage_roles: dict[str, dict[str, Any]] = {}
    for name, stage in gov.stages.items():
        iam = in_account(stage.account, "iam")
        found: dict[str, Any] = {"guard": None}
        if stage.invitation_role_arn:
            invitation = role_name(stage.invitation_role_arn)
            found["trust"] = deployed.trust(stage.account, invitation)
            found["policies"] = deployed.role_policies(stage.account, invitation)
        for policy in iam.list_policies(Scope="Local")["Policies"]:
            version = iam.get_policy_version(
                PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"]
            )["PolicyVersion"]["Document"]
            found["guard"] = (policy["PolicyName"], policy["Arn"], _doc(version))
        stage_roles[name] = found
    sqs = in_account(central, "sqs")
    queue = sqs.get_queue_attributes(
        QueueUrl=deployed.central["EventsQueueUrl"], AttributeNames=["All"]
    )["Attributes"]
    events = in_account(central, "events")
    rules = {}
    for rule in events.list_rules()["Rules"]:
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        rules[rule["Name"]] = {**rule, "Targets": targets}
    return Stack(
        gov,
        deployed,
        {r: deployed.role_policies(central, r) for r in roles},
        {r: deployed.trust(central, r) for r in roles},
        stage_roles,
        queue,
        rules,
    )


def _doc(value: Any) -> dict[str, Any]:
    doc = json.loads(unquote(value)) if isinstance(value, str) else value
    assert isinstance(doc, dict)
    return doc


def example(**changes: Any) -> Governance:
    return with_changes(local_world(), **changes)


VARIANTS: dict[str, dict[str, Any]] = {
    # The example with invitation roles, exports and the registry link on.
    "full": {"export_s3_uri": EXPORTS, "registry": {"update_model_package": True}},
    # Nothing optional: no export, no registry, the managed permission plus the prod guard.
    "bare": {"read_only_via": "managed-with-guard"},
}


@pytest.fixture(scope="module")
def stacks() -> Iterator[dict[str, Stack]]:
    found: dict[str, Stack] = {}
    with moto_credentials():
        for name, changes in VARIANTS.items():
            with mock_aws():
                found[name] = snapshot(deploy(example(**changes)))
        yield found


GOV = example()
ROLE_NAMES = list(capabilities(GOV))
GOVERNANCE_ROLES = [role_name(r.role_arn) for r in GOV.roles.values()]
AUTOMATION = role_name(str(GOV.automation_role_arn))
BOT = role_name(str(GOV.bot_role_arn))


# --------------------------------------------------------------------------- least privilege
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_role_policies_grant_exactly_what_its_capabilities_call(
    stacks: dict[str, Stack], variant: str, role: str
) -> None:
    stack = stacks[variant]
    granted = stack.granted(role)
    expected = expected_actions(stack.gov, role)
    assert granted - expected == set(), f"{role}: grants unneeded {sorted(granted - expected)}"
    assert expected - granted == set(), f"{role}: misses {sorted(expected - granted)}"
    assert all(s["Effect"] == "Allow" for doc in stack.docs(role) for s in statements(doc))


def test_capability_table_covers_every_governance_action() -> None:
    # A new capability in the code must get its AWS calls mapped here. `observe` is the
    # automation role's, `diff` every mapped person's (no governance capability guards it).
    assert {str(a) for a in Action} == set(CAPABILITY_ACTIONS) - {"observe", "diff"}
    assert {str(a) for a in IMPLICIT_FOR_MAPPED} == {"export"}
    for user in GOV.users:  # the roles the executor acts as: role_for(EXPORT), reader_role
        exporter, reader = GOV.role_for(user, Action.EXPORT), GOV.reader_role(user)
        assert exporter is not None
        assert exporter == reader == GOV.roles[GOV.users[user][0]]


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_sagemaker_and_s3_grants_are_on_central_cards_and_exports_only(
    stacks: dict[str, Stack], variant: str, role: str
) -> None:
    for doc in stacks[variant].docs(role):
        for statement in allows(doc):
            actions = as_list(statement["Action"])
            if not any(a.startswith(("sagemaker:", "s3:")) for a in actions):
                continue
            if actions == [DOCTOR_BUCKET]:
                assert statement["Resource"] == f"arn:aws:s3:::{EXPORT_BUCKET}", statement
                continue
            if any(a.startswith("s3:") for a in actions):  # the export PDFs, nothing else
                assert sorted(actions) == sorted([S3_GET, S3_PUT]), statement
                assert statement["Resource"] == EXPORT_OBJECTS, statement
                continue
            assert all(a.startswith("sagemaker:") for a in actions), statement
            if actions == [LIST_CARDS]:
                assert statement["Resource"] == "*"
            elif actions == [DESCRIBE_EXPORT]:
                assert statement["Resource"] == CENTRAL_EXPORT_JOBS, statement
            elif set(actions) <= REGISTRY_ACTIONS:
                assert statement["Resource"] == CENTRAL_PACKAGES, statement
            else:
                assert statement["Resource"] == CENTRAL_CARDS, statement


def test_export_and_registry_grants_only_when_configured(stacks: dict[str, Stack]) -> None:
    full, bare = stacks["full"], stacks["bare"]
    for role in GOVERNANCE_ROLES:
        assert full.granted(role) >= EXPORT_ONLY, role
        assert not EXPORT_ONLY & bare.granted(role), role
        assert set(full.policies[role]) - set(bare.policies[role]) >= {"modelcard-bot-export"}
    approver = role_name(GOV.roles["approver"].role_arn)
    assert full.policies[approver]["modelcard-bot-registry"]
    for role in ROLE_NAMES:
        if role != approver:
            assert not full.granted(role) & REGISTRY_ACTIONS, role
        assert not bare.granted(role) & REGISTRY_ACTIONS, role
    (update,) = [
        s
        for s in allows(full.policies[approver]["modelcard-bot-registry"])
        if as_list(s["Action"]) == ["sagemaker:UpdateModelPackage"]
    ]
    # Only to the statuses a card decision sets (bot/worker/jobs/transitions.py PACKAGE_STATUS).
    assert update["Condition"] == {
        "StringEquals": {
            "sagemaker:ModelApprovalStatus": sorted(str(s) for s in PACKAGE_STATUS.values())
        }
    }


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_ram_grants_reach_only_the_role_stages(
    stacks: dict[str, Stack], variant: str, role: str
) -> None:
    gov = stacks[variant].gov
    stages = reached_stages(gov, capabilities(gov)[role])
    accounts = {gov.stages[s].account: s for s in stages}
    principals: set[str] = set()
    paired: set[str] = set()  # stages whose account may be added to their own share
    card_shares: set[str] = set()  # share names cards may be associated with
    for doc in stacks[variant].docs(role):
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
                    allowed = (
                        stages if "ram:AssociateResourceShare" in actions else list(gov.stages)
                    )
                    assert names == {share_name(s) for s in allowed}, statement
                    if actions == ["ram:AssociateResourceShare"]:
                        card_shares |= names
            if "ram:CreatePermission" in actions:
                assert condition_values(statement, "ram:PermissionResourceType") == [
                    "sagemaker:ModelCard"
                ]
    assert principals == set(accounts), f"{role}: ram:Principal {sorted(principals)}"
    assert paired == set(stages), f"{role}: stage accounts addable to {sorted(paired)}"
    assert card_shares == {share_name(s) for s in stages}, f"{role}: shares {card_shares}"


def _all_identity_docs(stack: Stack) -> list[tuple[str, dict[str, Any]]]:
    found = [(f"{r}/{n}", d) for r, docs in stack.policies.items() for n, d in docs.items()]
    for stage, roles in stack.stage_roles.items():
        found += [(f"{stage}/{n}", d) for n, d in roles.get("policies", {}).items()]
    return found


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_no_wildcard_grants(stacks: dict[str, Stack], variant: str) -> None:
    for where, doc in _all_identity_docs(stacks[variant]):
        for statement in allows(doc):
            for action in as_list(statement["Action"]):
                assert "*" not in action, f"{where}: wildcard action {action}"
            if "*" not in as_list(statement["Resource"]):
                continue
            assert as_list(statement["Resource"]) == ["*"], statement
            for action in as_list(statement["Action"]):
                name = action.split(":", 1)[1]
                if name.startswith(READ_PREFIXES):
                    continue
                assert action in NO_RESOURCE_TYPE_WRITES, f"{where}: {action} on *"
                keys = {k for block in statement["Condition"].values() for k in block}
                assert NO_RESOURCE_TYPE_WRITES[action] <= keys, f"{where}: {action} unnarrowed"


def test_every_action_on_star_is_explained_in_the_readme(stacks: dict[str, Stack]) -> None:
    text = README.read_text()
    section = text.split("#### Actions on `*`", 1)[1].split("\n#", 1)[0]
    on_star = {
        action
        for stack in stacks.values()
        for _where, doc in _all_identity_docs(stack)
        for statement in allows(doc)
        if as_list(statement["Resource"]) == ["*"]
        for action in as_list(statement["Action"])
    }
    assert on_star
    assert {a for a in on_star if f"`{a}`" not in section} == set()


# --------------------------------------------------------------------------- the bot role
def test_bot_role_only_assumes_roles_and_reads_its_queue(stacks: dict[str, Stack]) -> None:
    stack = stacks["full"]
    granted = stack.granted(BOT)
    assert granted == {
        "sts:AssumeRole",
        "sts:SetSourceIdentity",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",  # doctor checks the queue as the bot
    }
    sqs = [s for d in stack.docs(BOT) for s in allows(d) if "sqs:ReceiveMessage" in s["Action"]]
    assert [s["Resource"] for s in sqs] == [QUEUE_ARN]
    targets = {role.role_arn: SLACK_USER_PATTERNS for role in GOV.roles.values()} | {
        str(GOV.automation_role_arn): [AUTOMATION_SOURCE_IDENTITY]
    }
    for stage in GOV.stages.values():
        assert stage.invitation_role_arn
        targets[stage.invitation_role_arn] = [*SLACK_USER_PATTERNS, AUTOMATION_SOURCE_IDENTITY]
    reached: dict[str, list[str]] = {}
    for doc in stack.docs(BOT):
        for statement in allows(doc):
            if "sts:AssumeRole" not in as_list(statement["Action"]):
                continue
            assert set(as_list(statement["Action"])) == {"sts:AssumeRole", "sts:SetSourceIdentity"}
            for arn in as_list(statement["Resource"]):
                assert "*" not in arn, arn  # exact roles, not a name pattern
                reached[arn] = condition_values(statement, "sts:SourceIdentity")
    assert reached == targets


def test_bot_trust_is_ecs_tasks_and_ec2(stacks: dict[str, Stack]) -> None:
    found = statements(stacks["full"].trusts[BOT])
    assert [s["Principal"] for s in found] == [
        {"Service": "ecs-tasks.amazonaws.com"},
        {"Service": "ec2.amazonaws.com"},
    ]
    assert all(as_list(s["Action"]) == ["sts:AssumeRole"] for s in found)
    assert condition_values(found[0], "aws:SourceAccount") == [CENTRAL_ACCOUNT]
    assert condition_values(found[0], "aws:SourceArn") == [
        f"arn:aws:ecs:{REGION}:{CENTRAL_ACCOUNT}:*"
    ]


def test_bot_trust_admits_the_operator_principal_only_when_asked() -> None:
    operator = "arn:aws:iam::111111111111:role/platform-ops"
    moto_ext.install()
    with mock_aws():
        deployed = deploy(GOV, stages=False, trusted_principal=operator)
        found = statements(deployed.trust(CENTRAL_ACCOUNT, BOT))
    assert found[-1]["Principal"] == {"AWS": operator}
    assert len(found) == 3


# --------------------------------------------------------------------------- trust policies
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_the_bot_acting_for_someone_may_assume(stacks: dict[str, Stack], role: str) -> None:
    (statement,) = statements(stacks["full"].trusts[role])
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": GOV.bot_role_arn}
    assert set(as_list(statement["Action"])) == {"sts:AssumeRole", "sts:SetSourceIdentity"}
    if role == AUTOMATION:  # the bot for nobody in Slack; no Slack user id gets in
        assert statement["Condition"] == {
            "StringEquals": {"sts:SourceIdentity": AUTOMATION_SOURCE_IDENTITY}
        }
        assert not any(fnmatchcase(AUTOMATION_SOURCE_IDENTITY, p) for p in SLACK_USER_PATTERNS)
    else:
        assert statement["Condition"] == {"StringLike": {"sts:SourceIdentity": SLACK_USER_PATTERNS}}
        for other in ["modelcard-bot", "", "admin", "u0lead"]:
            assert not any(fnmatchcase(other, p) for p in SLACK_USER_PATTERNS), other


def test_automation_source_identity_is_the_one_the_worker_sets() -> None:
    from bot.app import AUTOMATION_IDENTITY  # the Actor the reconciler and events act as

    assert AUTOMATION_SOURCE_IDENTITY == AUTOMATION_IDENTITY


# --------------------------------------------------------------------------- stage accounts
@pytest.mark.parametrize("stage", list(GOV.stages))
def test_invitation_role_only_accepts_the_central_shares(
    stacks: dict[str, Stack], stage: str
) -> None:
    found = stacks["full"].stage_roles[stage]
    (trust,) = statements(found["trust"])
    assert trust["Principal"] == {"AWS": GOV.bot_role_arn}
    # StageShares.share_card accepts invitations as the acting person, and the automation
    # role shares too (jobs/observe.py).
    assert trust["Condition"] == {
        "StringLike": {"sts:SourceIdentity": [*SLACK_USER_PATTERNS, AUTOMATION_SOURCE_IDENTITY]}
    }
    docs = found["policies"]
    granted = {a for d in docs.values() for a in allowed_actions(d)}
    read_only = GOV.stages[stage].access is Access.READ_ONLY
    assert granted == {
        "ram:GetResourceShareInvitations",
        "ram:AcceptResourceShareInvitation",
        *(["iam:GetPolicy"] if read_only else []),  # doctor looks at the guard through it
    }
    (accept,) = [
        s
        for d in docs.values()
        for s in allows(d)
        if as_list(s["Action"]) == ["ram:AcceptResourceShareInvitation"]
    ]
    assert accept["Resource"] == f"arn:aws:ram:{REGION}:*:resource-share-invitation/*"
    assert condition_values(accept, "ram:ShareOwnerAccountId") == [CENTRAL_ACCOUNT]
    assert condition_values(accept, "ram:ResourceShareName") == ["modelcard-bot-*"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_prod_guard_only_in_prod_and_denies_every_write_of_the_managed_permission(
    stacks: dict[str, Stack], variant: str
) -> None:
    roles = stacks[variant].stage_roles
    assert [s for s, r in roles.items() if r["guard"]] == ["prod"]
    name, _arn, doc = roles["prod"]["guard"]
    assert name == "modelcard-prod-guard"
    (statement,) = statements(doc)
    assert statement["Effect"] == "Deny"
    denied = set(as_list(statement["Action"]))
    # With read_only_via managed-with-guard prod gets AWSRAMPermissionSageMakerModelCards:
    # the guard must deny each of its actions that is not read-only.
    managed = set(moto_ext.MANAGED_ACTIONS["AWSRAMPermissionSageMakerModelCardsAllowExport"])
    assert managed - set(READ_ONLY_ACTIONS) - {DESCRIBE_EXPORT} <= denied
    assert denied.isdisjoint(READ_ONLY_ACTIONS)
    assert denied == {UPDATE, CREATE_EXPORT, DELETE}
    resource = statement["Resource"]
    assert resource == f"arn:aws:sagemaker:*:{CENTRAL_ACCOUNT}:model-card/*"
    assert fnmatchcase(f"arn:aws:sagemaker:eu-west-1:{CENTRAL_ACCOUNT}:model-card/x", resource)
    assert not fnmatchcase("arn:aws:sagemaker:us-east-1:444444444444:model-card/x", resource)


def test_readme_scp_snippet_is_the_guard(stacks: dict[str, Stack]) -> None:
    _name, _arn, doc = stacks["full"].stage_roles["prod"]["guard"]
    text = README.read_text()
    block = text.split("<!-- prod-guard-scp -->", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    snippet = json.loads(block.replace("CENTRAL_ACCOUNT_ID", CENTRAL_ACCOUNT))
    assert snippet == doc


# --------------------------------------------------------------------------- EventBridge, SQS
def test_rules_send_state_changes_and_update_calls_to_the_queue(stacks: dict[str, Stack]) -> None:
    rules = stacks["full"].rules
    patterns = {json.dumps(json.loads(r["EventPattern"]), sort_keys=True) for r in rules.values()}
    assert patterns == {
        json.dumps({"source": ["aws.sagemaker"], "detail-type": [DETAIL_TYPE]}, sort_keys=True),
        json.dumps(
            {
                "source": ["aws.sagemaker"],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {
                    "eventSource": ["sagemaker.amazonaws.com"],
                    "eventName": ["CreateModelCard", "UpdateModelCard"],
                },
            },
            sort_keys=True,
        ),
    }
    for rule in rules.values():
        assert rule["State"] == "ENABLED"
        assert [t["Arn"] for t in rule["Targets"]] == [QUEUE_ARN]


def test_queue_policy_lets_only_the_rules_send_and_has_a_dead_letter_queue(
    stacks: dict[str, Stack],
) -> None:
    stack = stacks["full"]
    doc = json.loads(stack.queue["Policy"])
    (send,) = allows(doc)
    assert send["Principal"] == {"Service": "events.amazonaws.com"}
    assert as_list(send["Action"]) == ["sqs:SendMessage"]
    assert send["Resource"] == QUEUE_ARN
    assert sorted(send["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted(
        r["Arn"] for r in stack.rules.values()
    )
    (deny,) = [s for s in statements(doc) if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert stack.queue["SqsManagedSseEnabled"] == "true"
    redrive = json.loads(stack.queue["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": f"{QUEUE_ARN}-dead-letters", "maxReceiveCount": 5}


def test_export_bucket_is_encrypted_and_only_with_exports(stacks: dict[str, Stack]) -> None:
    moto_ext.install()
    with mock_aws():
        deploy(example(**VARIANTS["full"]), stages=False)
        s3 = in_account(CENTRAL_ACCOUNT, "s3")
        rules = s3.get_bucket_encryption(Bucket=EXPORT_BUCKET)["ServerSideEncryptionConfiguration"]
        assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    with mock_aws():
        deploy(example(**VARIANTS["full"]), stages=False, create_export_bucket=False)
        assert in_account(CENTRAL_ACCOUNT, "s3").list_buckets()["Buckets"] == []
    assert stacks["bare"].deployed.central.get("ExportS3Uri") is None
    assert stacks["full"].deployed.central["ExportS3Uri"] == EXPORTS


# --------------------------------------------------------------------------- replay on moto
SEED = {"model_overview": {"model_owner": "model-owner", "problem_type": "Customer Churn Model"}}
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

    redis = None  # no job replayed here reads review rounds
    keys = Keys()

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
    deployed: Deployed
    policies: dict[str, list[dict[str, Any]]]
    calls: list[dict[str, Any]] = field(default_factory=list)
    exports: list[ExportSeen] = field(default_factory=list)


def _own_calls(before: int) -> list[dict[str, Any]]:
    return [c for c in moto_ext.calls()[before:] if c["service"] != "sts"]


def _replay(world: AwsWorld, sessions: RoleSessions, package: str) -> list[ExportSeen]:
    """The calls bot/worker/jobs/ and effects.py make for each job, as each person's role; PDF
    exports, diffs and the registry link run through JobExecutor itself."""
    gov = world.gov
    cards = ModelCards(sessions, export_poll=0.0, sleep=lambda _s: None)
    notifier, audit = _Notifier(), _Audit()
    state: Any = _State()
    services = WorkerServices(
        governance=gov,
        authz=Authorizer(gov, state),
        cards=cards,
        shares=StageShares(sessions, gov),
        state=state,
        audit=audit,  # type: ignore[arg-type]
        notifier=notifier,  # type: ignore[arg-type]
        outbox=_Outbox(),  # type: ignore[arg-type]
    )
    executor = JobExecutor(services)

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
            before = len(moto_ext.calls())
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
    auto_arn = gov.automation_role_arn
    assert auto_arn is not None
    automation = Actor(AUTOMATION_SOURCE_IDENTITY, auto_arn)
    assert [c.name for c in cards.list_cards(automation)] == ["churn", "churn-v2"]
    cards.describe(automation, "churn-v2")
    # jobs/observe.py reverts an out-of-band approval nobody vouches for (status only).
    cards.update_status(automation, "churn-v2", CardStatus.DRAFT)
    for stage in gov.stages:  # whatever status it observes, it may share to that stage
        shares().share_card(automation, stage, other)
    shares().unshare_card(automation, other)

    cards.describe(admin, "churn-v2")
    shares().unshare_card(admin, other)
    cards.delete(admin, "churn-v2")
    return exports


def _role_policies(deployed: Deployed) -> dict[str, list[dict[str, Any]]]:
    """IAM role name -> the policies it holds in its account, read back from IAM."""
    gov = deployed.gov
    found = {
        role_name(arn): list(deployed.role_policies(gov.central_account, role_name(arn)).values())
        for arn in [*(r.role_arn for r in gov.roles.values()), str(gov.automation_role_arn)]
    }
    for stage in gov.stages.values():
        if stage.invitation_role_arn:
            name = role_name(stage.invitation_role_arn)
            found[name] = list(deployed.role_policies(stage.account, name).values())
    return found


def _assumed(caller_arn: str) -> tuple[str, str] | None:
    match = re.fullmatch(r"arn:aws:sts::(\d{12}):assumed-role/([^/]+)/(.+)", caller_arn or "")
    return (match.group(1), match.group(2)) if match else None


@pytest.fixture
def replayed(aws: AwsWorld) -> Replayed:
    # Exports and the model registry link on; the bucket and the model package exist.
    # The stacks create the roles, the queue and the bucket (in the central account).
    world = governed(aws, {"export_s3_uri": EXPORTS, "registry": {"update_model_package": True}})
    deployed = deploy(world.gov)
    moto_ext.require_existing_roles()  # every role the replay assumes must exist now
    registry = world.sessions.client(world.actor("U0LEAD", Action.CREATE), "sagemaker")
    registry.create_model_package_group(ModelPackageGroupName=PACKAGE_GROUP)
    package = registry.create_model_package(
        ModelPackageGroupName=PACKAGE_GROUP, ModelApprovalStatus="PendingManualApproval"
    )["ModelPackageArn"]
    sessions = RoleSessions(region=REGION, bot_role_arn=world.gov.bot_role_arn)
    moto_ext.clear_calls()
    try:
        exports = _replay(world, sessions, str(package))
    finally:
        moto_ext.reset_switches()
    calls = moto_ext.calls()
    found = registry.describe_model_package(ModelPackageName=package)
    assert found["ModelApprovalStatus"] == "Approved"  # the approver's decision reached it
    return Replayed(world, deployed, _role_policies(deployed), calls, exports)


def test_every_recorded_call_is_allowed_by_its_role_policy(replayed: Replayed) -> None:
    policies = replayed.policies
    seen: dict[tuple[str, int], set[str]] = {}
    for call in replayed.calls:
        if call["service"] not in {"sagemaker", "ram"}:
            continue
        assumed = _assumed(call["caller_arn"])
        assert assumed is not None, call
        action = f"{call['service']}:{call['action']}"
        granting = [
            i for i, doc in enumerate(policies[assumed[1]]) if action in allowed_actions(doc)
        ]
        assert granting, f"{assumed[1]} lacks {action}"
        for index in granting:
            seen.setdefault((assumed[1], index), set()).add(action)
    # Every role took part and every policy of it granted something the replay called
    # (registry and export policies too), but the doctor-only grants and the automation's
    # read-only permission grants (the approver shares with prod first and creates it).
    unused = {DOCTOR_BUCKET, "iam:GetPolicy"}
    doctor_only = [
        (role, i)
        for role, docs in policies.items()
        for i, doc in enumerate(docs)
        if allowed_actions(doc) <= unused
        or (role == AUTOMATION and allowed_actions(doc) <= READ_ONLY_PERMISSION)
    ]
    assert set(seen) == {(r, i) for r, docs in policies.items() for i in range(len(docs))} - set(
        doctor_only
    )
    # Every governance role exported (with a retry) and diffed; the approver decided the
    # model package; nothing else called the registry.
    for role in GOVERNANCE_ROLES:
        called = set().union(*(a for (r, _i), a in seen.items() if r == role))
        assert {DESCRIBE, CREATE_EXPORT, DESCRIBE_EXPORT, LIST_EXPORTS} <= called, role
    deciders = {role_name(GOV.roles["approver"].role_arn)}
    assert {
        _assumed(c["caller_arn"])[1]  # type: ignore[index]
        for c in replayed.calls
        if f"sagemaker:{c['action']}" in REGISTRY_ACTIONS
    } == deciders


def test_export_objects_are_inside_the_deployed_s3_grant(replayed: Replayed) -> None:
    # S3 is not in the call record (SageMaker writes the PDF, the link is presigned): check
    # each PDF and each link against the deployed policy of the role that exported it.
    gov = replayed.world.gov
    assert {e.user for e in replayed.exports} == set(gov.users)
    assert len(replayed.exports) == 2 * len(gov.users)
    for export in replayed.exports:
        bucket, key = split_s3_uri(export.artifact_uri)
        assert bucket == EXPORT_BUCKET
        assert key.startswith("model-cards/churn/")
        objects = [
            s["Resource"]
            for doc in replayed.policies[role_name(export.role_arn)]
            for s in allows(doc)
            if {S3_GET, S3_PUT} <= set(as_list(s["Action"]))
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
    bot = replayed.deployed.role_policies(world.gov.central_account, bot_name)
    grants = [
        s for doc in bot.values() for s in allows(doc) if "sts:AssumeRole" in as_list(s["Action"])
    ]
    files = replayed.policies
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
        source = call["source_identity"]
        assert any(
            any(fnmatchcase(role_arn, p) for p in as_list(s["Resource"]))
            and any(fnmatchcase(source, p) for p in condition_values(s, "sts:SourceIdentity"))
            for s in grants
        ), (role_arn, source)
        trust = replayed.deployed.trust(account, name)
        (statement,) = statements(trust)
        assert statement["Principal"] == {"AWS": world.gov.bot_role_arn}
        (block,) = statement["Condition"].values()
        allowed = as_list(block["sts:SourceIdentity"])
        assert any(fnmatchcase(source, p) for p in allowed), (name, source, allowed)
        checked.add(name)
    assert checked == set(files)


# --------------------------------------------------------------------------- parliament
def _parliament_findings(doc: dict[str, Any]) -> list[str]:
    from parliament import analyze_policy_string

    policy = analyze_policy_string(json.dumps(doc))
    return [f"{f.issue}: {f.detail} {f.location}" for f in policy.findings]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_parliament_finds_nothing_in_any_policy(stacks: dict[str, Stack], variant: str) -> None:
    stack = stacks[variant]
    docs = _all_identity_docs(stack)
    docs.append(("prod guard", stack.stage_roles["prod"]["guard"][2]))
    assert len(docs) > 10
    found = {where: _parliament_findings(doc) for where, doc in docs}
    assert {where: f for where, f in found.items() if f} == {}
