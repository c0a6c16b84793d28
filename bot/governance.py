"""The governance file: who may do what, and which account and channel each stage uses.

Shapes and formats are checked by pydantic; rules that span keys (duplicate accounts,
users mapped to undefined roles, ...) by `_cross_checks`. Both report `key: reason`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from bot.domain.status import IMPLICIT_FOR_MAPPED, Action, CardStatus
from bot.errors import ConfigError
from bot.governance_review import (
    Gate,
    Review,
    describe_review,
    gate_checks,
    review_checks,
    usergroup_checks,
)

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_ROLE_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
_CHANNEL_RE = re.compile(r"^[CG][A-Z0-9]{2,20}$")
_USER_RE = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_STAGE_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_SPOKE_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# s3://bucket or s3://bucket/prefix (bucket naming rules: 3-63 lowercase letters, digits, . -).
_S3_URI_RE = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/[^\s]*)?$")


def _fail(code: str, message: str, value: Any) -> PydanticCustomError:
    # Braces in user input would be read as placeholders: escape them before formatting.
    shown = repr(value).replace("{", "{{").replace("}", "}}")
    return PydanticCustomError(code, message.replace("{value!r}", shown))


def _account(value: Any) -> str:
    # YAML reads an unquoted 111111111111 as an int; accept it only if no digit was lost.
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _ACCOUNT_RE.match(text):
        raise _fail(
            "account_id",
            '{value!r} is not an AWS account id: write 12 digits in quotes, e.g. "111111111111"',
            value=value,
        )
    return text


def _role_arn(value: str) -> str:
    if not _ROLE_ARN_RE.match(value):
        raise _fail(
            "role_arn",
            "{value!r} is not an IAM role ARN: expected "
            "arn:aws:iam::<12-digit account>:role/<name>",
            value=value,
        )
    return value


def _channel(value: str) -> str:
    if not _CHANNEL_RE.match(value):
        raise _fail(
            "channel_id",
            "{value!r} is not a Slack channel id: use the id (e.g. C0123ABCD, found under the "
            "channel's details), not its #name",
            value=value,
        )
    return value


def _region(value: str) -> str:
    if not _REGION_RE.match(value):
        raise _fail("region", "{value!r} is not an AWS region such as us-east-1", value=value)
    return value


def _s3_uri(value: str) -> str:
    if not _S3_URI_RE.match(value) or ".." in value.split("/", 3)[2]:
        raise _fail(
            "s3_uri",
            "{value!r} is not an S3 location: write s3://BUCKET or s3://BUCKET/PREFIX "
            "(bucket names are 3-63 lowercase letters, digits, dots and hyphens)",
            value=value,
        )
    return value.rstrip("/")


AccountId = Annotated[str, BeforeValidator(_account)]
RoleArn = Annotated[str, AfterValidator(_role_arn)]
ChannelId = Annotated[str, AfterValidator(_channel)]
Region = Annotated[str, AfterValidator(_region)]
S3Uri = Annotated[str, AfterValidator(_s3_uri)]


class Access(StrEnum):
    READ_WRITE = "read-write"
    READ_ONLY = "read-only"


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account: AccountId
    channel: ChannelId
    on_status: CardStatus
    access: Access = Access.READ_WRITE
    # Outside an AWS Organization a share is an invitation; with this role (in the stage
    # account) the bot accepts it. Leave unset when RAM sharing with the org is enabled.
    invitation_role_arn: RoleArn | None = None


class GovernanceRole(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role_arn: RoleArn
    can: list[Action] = Field(min_length=1)


class Registry(BaseModel):
    """The link to the SageMaker Model Registry of the central account."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # On Approve / Reject, set the ModelApprovalStatus of the model package the card names
    # (`model_package_details.model_package_arn`) to Approved / Rejected, as the approver.
    update_model_package: bool = False


class Topology(StrEnum):
    CENTRAL = "central"
    HUB_AND_SPOKE = "hub-and-spoke"


class Spoke(BaseModel):
    """An account that keeps its own cards; the worker copies them into the hub (central)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: AccountId
    # Role in the spoke account the worker assumes to list and describe the spoke's cards.
    role_arn: RoleArn


class Governance(BaseModel):
    """The validated governance file; build it with `load_governance`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: Region
    central_account: AccountId
    bot_role_arn: RoleArn | None = None
    # Role the worker assumes for changes nobody in Slack asked for (the reconciler and
    # EventBridge events): list/describe cards, share them. Without it they are off.
    automation_role_arn: RoleArn | None = None
    stages: dict[str, Stage] = Field(min_length=1)
    approvals_channel: ChannelId
    ops_channel: ChannelId | None = None
    roles: dict[str, GovernanceRole] = Field(min_length=1)
    users: dict[str, list[str]] = Field(default_factory=dict)
    # Distinct approvers needed before a card is Approved (four-eyes holds for each).
    min_approvals: int = Field(default=1, ge=1, le=5)
    # RAM refuses principals outside your AWS Organization unless this is true; set it
    # when the stage accounts are not in the central account's Organization.
    ram_allow_external_principals: bool = False
    # Name of the customer-managed RAM permission created for read-only stages.
    read_only_permission_name: str = Field(default="ModelCardReadOnly", pattern=r"^[\w.-]{1,36}$")
    # Where `/modelcard export` writes PDFs (CreateModelCardExportJob's S3OutputPath), e.g.
    # s3://ml-governance-exports/model-cards. Unset: exports are off.
    export_s3_uri: S3Uri | None = None
    registry: Registry = Field(default_factory=Registry)
    # central: every card lives in central_account. hub-and-spoke: `spokes` keep their own
    # cards too and the worker copies them into central_account (the hub) as <spoke>-<card>.
    topology: Topology = Topology.CENTRAL
    spokes: dict[str, Spoke] = Field(default_factory=dict)
    # Slack user group id -> governance roles its members hold (see bot/governance_review.py).
    usergroups: dict[str, list[str]] = Field(default_factory=dict)
    review: Review = Field(default_factory=Review)
    gates: dict[str, Gate] = Field(default_factory=dict)

    def required_fields(self, status: CardStatus) -> list[str]:
        gate = self.gates.get(str(status))
        return list(gate.require) if gate else []

    def approvals_needed(self, risk: str = "") -> int:
        """Distinct approvers a card of this risk rating needs (`min_approvals_by_risk`)."""
        gate = self.gates.get(str(CardStatus.APPROVED))
        if gate and risk in gate.min_approvals_by_risk:
            return gate.min_approvals_by_risk[risk]
        return self.min_approvals

    @property
    def may_need_several_approvals(self) -> bool:
        gate = self.gates.get(str(CardStatus.APPROVED))
        by_risk = gate.min_approvals_by_risk.values() if gate else []
        return self.min_approvals > 1 or any(n > 1 for n in by_risk)

    def stage_for_status(self, status: CardStatus) -> tuple[str, Stage] | None:
        for name, stage in self.stages.items():
            if stage.on_status == status:
                return name, stage
        return None

    def stages_up_to(self, status: CardStatus) -> list[tuple[str, Stage]]:
        """Stages a card at `status` is shared with: its own and every earlier one."""
        found: list[tuple[str, Stage]] = []
        for name, stage in self.stages.items():
            found.append((name, stage))
            if stage.on_status == status:
                return found
        return []

    def reader_role(self, user_id: str) -> GovernanceRole | None:
        """The role that reads cards for a mapped person (their first governance role)."""
        names = self.users.get(user_id, [])
        return self.roles[names[0]] if names else None

    def roles_of(self, user_id: str) -> list[str]:
        return list(self.users.get(user_id, []))

    def is_mapped(self, user_id: str) -> bool:
        return bool(self.users.get(user_id))

    def capabilities(self, user_id: str) -> set[Action]:
        names = self.users.get(user_id, [])
        found = {action for name in names for action in self.roles[name].can}
        return found | set(IMPLICIT_FOR_MAPPED) if names else found

    def role_for(self, user_id: str, action: Action) -> GovernanceRole | None:
        """The first of the user's roles that grants `action` (its IAM role acts for them)."""
        names = self.users.get(user_id, [])
        for name in names:
            if action in self.roles[name].can:
                return self.roles[name]
        if names and action in IMPLICIT_FOR_MAPPED:
            return self.roles[names[0]]
        return None

    def who_can(self, action: Action) -> list[str]:
        """Governance roles granting `action`, to tell a refused person whom to ask."""
        return [name for name, role in self.roles.items() if action in role.can]


def _cross_checks(gov: Governance) -> Iterator[str]:
    for name in gov.stages:
        if not _STAGE_RE.match(name):
            yield (
                f"stages.{name}: stage names are 1-32 lowercase letters, digits and hyphens "
                "(they name the RAM share)"
            )
    seen_accounts: dict[str, str] = {}
    seen_status: dict[CardStatus, str] = {}
    for name, stage in gov.stages.items():
        if stage.account == gov.central_account:
            yield (
                f"stages.{name}.account: {stage.account} is the central account; a stage "
                "must be another account to share cards with"
            )
        if stage.account in seen_accounts:
            yield (
                f"stages.{name}.account: {stage.account} is already the account of stage "
                f"{seen_accounts[stage.account]!r}; each stage needs its own account"
            )
        seen_accounts.setdefault(stage.account, name)
        if stage.on_status == CardStatus.ARCHIVED:
            yield f"stages.{name}.on_status: Archived revokes shares; no stage can start there"
        if stage.on_status in seen_status:
            yield (
                f"stages.{name}.on_status: {stage.on_status} already drives stage "
                f"{seen_status[stage.on_status]!r}; each status drives at most one stage"
            )
        seen_status.setdefault(stage.on_status, name)
        if stage.invitation_role_arn and _arn_account(stage.invitation_role_arn) != stage.account:
            yield (
                f"stages.{name}.invitation_role_arn: the role must be in the stage account "
                f"{stage.account} to accept its invitations"
            )
    order = [CardStatus.DRAFT, CardStatus.PENDING_REVIEW, CardStatus.APPROVED]
    statuses = [s.on_status for s in gov.stages.values() if s.on_status in order]
    if statuses != sorted(statuses, key=order.index):
        yield "stages: list stages in lifecycle order (Draft, then PendingReview, then Approved)"
    for name, role in gov.roles.items():
        if _arn_account(role.role_arn) != gov.central_account:
            yield (
                f"roles.{name}.role_arn: the role must be in the central account "
                f"{gov.central_account}, where the cards live"
            )
    if gov.automation_role_arn and _arn_account(gov.automation_role_arn) != gov.central_account:
        yield (
            "automation_role_arn: the role must be in the central account "
            f"{gov.central_account}, where the cards live"
        )
    if gov.bot_role_arn and _arn_account(gov.bot_role_arn) != gov.central_account:
        yield f"bot_role_arn: the bot role must be in the central account {gov.central_account}"
    yield from _spoke_checks(gov)
    yield from gate_checks(gov.gates)
    yield from review_checks(gov.review, bool(gov.automation_role_arn))
    yield from usergroup_checks(gov.usergroups, iter(gov.roles))
    for user, names in gov.users.items():
        if not _USER_RE.match(user):
            yield f"users.{user}: not a Slack user id (e.g. U0123ABCD)"
        if not names:
            yield f"users.{user}: list at least one governance role, or remove the user"
        for role_name in names:
            if role_name not in gov.roles:
                defined = ", ".join(gov.roles)
                yield f"users.{user}: role {role_name!r} is not defined under roles ({defined})"


def _spoke_checks(gov: Governance) -> Iterator[str]:
    if gov.topology != Topology.HUB_AND_SPOKE:
        if gov.spokes:
            yield "spokes: only used with topology: hub-and-spoke; set it or remove spokes"
        return
    if not gov.spokes:
        yield (
            "spokes: topology hub-and-spoke needs at least one spoke "
            '(NAME: {account: "555555555555", role_arn: ...})'
        )
    if not gov.automation_role_arn:
        yield (
            "automation_role_arn: required with topology hub-and-spoke; the worker copies "
            "spoke cards into the hub as this role"
        )
    stage_accounts = {stage.account: name for name, stage in gov.stages.items()}
    seen: dict[str, str] = {}
    for name, spoke in gov.spokes.items():
        if not _SPOKE_RE.match(name):
            yield (
                f"spokes.{name}: spoke names are 1-32 lowercase letters, digits and hyphens, "
                "starting and ending with a letter or digit (they prefix hub card names)"
            )
        if spoke.account == gov.central_account:
            yield (
                f"spokes.{name}.account: {spoke.account} is the central (hub) account; a spoke "
                "must be another account"
            )
        if spoke.account in stage_accounts:
            yield (
                f"spokes.{name}.account: {spoke.account} is the account of stage "
                f"{stage_accounts[spoke.account]!r}; a spoke needs an account of its own"
            )
        if spoke.account in seen:
            yield (
                f"spokes.{name}.account: {spoke.account} is already the account of spoke "
                f"{seen[spoke.account]!r}; each spoke needs its own account"
            )
        seen.setdefault(spoke.account, name)
        if _arn_account(spoke.role_arn) != spoke.account:
            yield (
                f"spokes.{name}.role_arn: the role must be in the spoke account "
                f"{spoke.account}, where its cards live"
            )


def _arn_account(arn: str) -> str:
    return arn.split(":")[4]


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "missing":
        return f"{where}: required key is missing"
    if kind == "extra_forbidden":
        return f"{where}: unknown key (check the spelling against DESIGN.md)"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{where}: {error['input']!r} is not allowed; expected {expected}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"


def parse_governance(data: Any, source: str = "governance") -> Governance:
    """Validate already-parsed YAML; raise ConfigError listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError(source, ["the file must be a YAML mapping of keys (region, stages, ...)"])
    try:
        gov = Governance.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, [_describe(e) for e in err.errors()]) from None
    problems = list(_cross_checks(gov))
    if problems:
        raise ConfigError(source, problems)
    return gov


def load_governance(path: str | Path) -> Governance:
    """Read and validate a governance file; ConfigError names the file, key and reason."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(source, [f"cannot read the file ({err.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(source, [f"{where}not valid YAML ({problem})"]) from None
    return parse_governance(data, source)


def describe_lifecycle(gov: Governance) -> list[str]:
    """Human lines: what the bot will do at each status (for `check-config`)."""
    lines = [f"Cards live in account {gov.central_account} ({gov.region})."]
    for name, stage in gov.stages.items():
        lines.append(
            f"  {stage.on_status:<13} -> stage {name}: share with account {stage.account}, "
            f"{stage.access}, notify {stage.channel}"
        )
    lines.append(f"  Approval requests go to {gov.approvals_channel}.")
    lines.append(f"  Ops reports go to {gov.ops_channel or '(none: set ops_channel)'}.")
    lines.append(f"  Approvals needed: {gov.min_approvals} distinct approver(s), never the author.")
    for name, role in gov.roles.items():
        lines.append(f"  role {name}: {', '.join(role.can)} as {role.role_arn}")
    if gov.automation_role_arn:
        lines.append(f"  Reconciler and EventBridge events act as {gov.automation_role_arn}.")
    else:
        lines.append("  Reconciler and EventBridge events are off (set automation_role_arn).")
    if gov.export_s3_uri:
        lines.append(f"  /modelcard export writes PDFs to {gov.export_s3_uri}.")
    else:
        lines.append("  /modelcard export is off (set export_s3_uri: s3://BUCKET/PREFIX).")
    if gov.registry.update_model_package:
        lines.append(
            "  Approve / Reject also set the approval status of the card's model package "
            "(model_package_details.model_package_arn) in the model registry."
        )
    if gov.topology == Topology.HUB_AND_SPOKE:
        spokes = ", ".join(f"{name} ({spoke.account})" for name, spoke in gov.spokes.items())
        lines.append(
            f"  Hub-and-spoke: cards of spokes {spokes} are copied into this account as "
            "<spoke>-<card> and then follow the stages above."
        )
    lines += describe_review(gov.gates, gov.review, gov.usergroups, gov.min_approvals)
    lines.append(f"  {len(gov.users)} Slack user(s) mapped.")
    return lines
