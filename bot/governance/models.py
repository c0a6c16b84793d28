"""The governance file's shape: pydantic models and field formats (account ids, ARNs,
channel ids, regions, S3 locations), each refusing a bad value as `key: reason`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from bot.domain.review import EditsAfterApproval, EditsInReview, OutsideApprove
from bot.domain.status import IMPLICIT_FOR_MAPPED, Action, CardStatus
from bot.governance.review import Gate, Review

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_ROLE_ARN_RE = re.compile(r"^arn:aws(-[a-z]+)*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
_CHANNEL_RE = re.compile(r"^[CG][A-Z0-9]{2,20}$")
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


class ReadOnlyVia(StrEnum):
    """How a read-only stage is kept read-only."""

    # A customer-managed RAM permission granting only describe and list-versions (RAM may
    # refuse to create one for sagemaker:ModelCard; the bot then says so).
    CUSTOMER_MANAGED_PERMISSION = "customer-managed-permission"
    # The AWS-managed permission (it includes UpdateModelCard) plus the prod guard that
    # stage-account.yaml installs in the read-only stage account (an explicit deny).
    MANAGED_WITH_GUARD = "managed-with-guard"


class OutsideChanges(BaseModel):
    """How changes nobody made in Slack are judged (they need `automation_role_arn`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A move into Approved that no decision in Slack backs and no known approver made.
    approve: OutsideApprove = OutsideApprove.REVERT


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
    read_only_via: ReadOnlyVia = ReadOnlyVia.CUSTOMER_MANAGED_PERMISSION
    # Where `/modelcard export` writes PDFs (CreateModelCardExportJob's S3OutputPath), e.g.
    # s3://ml-governance-exports/model-cards. Unset: exports are off.
    export_s3_uri: S3Uri | None = None
    registry: Registry = Field(default_factory=Registry)
    # central: every card lives in central_account. hub-and-spoke: `spokes` keep their own
    # cards too and the worker copies them into central_account (the hub) as <spoke>-<card>.
    topology: Topology = Topology.CENTRAL
    spokes: dict[str, Spoke] = Field(default_factory=dict)
    # Slack user group id -> governance roles its members hold (see bot/governance/review.py).
    usergroups: dict[str, list[str]] = Field(default_factory=dict)
    review: Review = Field(default_factory=Review)
    gates: dict[str, Gate] = Field(default_factory=dict)
    outside_changes: OutsideChanges = Field(default_factory=OutsideChanges)
    edits_in_review: EditsInReview = EditsInReview.RESET
    edits_after_approval: EditsAfterApproval = EditsAfterApproval.ALERT

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
