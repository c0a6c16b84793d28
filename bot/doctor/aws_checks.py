"""The AWS side: roles assumable with a SourceIdentity (the spoke readers too, with
hub-and-spoke), RAM, shares, bucket, queue, guard.

Only reads: GetCallerIdentity through each assumed role, RAM List/Get calls, HeadBucket,
GetQueueAttributes, IAM GetPolicy. Nothing is created; what the bot creates on first use (a
stage share, the read-only permission) is reported as such, not as a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.sessions import Actor, RoleSessions
from bot.aws.sharing import MANAGED_PERMISSION, RESOURCE_TYPE, StageShares, share_name
from bot.doctor.report import Check, aws_problem, error_code, fail, ok, skip
from bot.errors import ModelCardBotError
from bot.governance import Access, Governance, ReadOnlyVia

# The SourceIdentity of doctor's sessions: a value the governance roles' trust admits (U*),
# which is no Slack user's id, so CloudTrail tells a preflight from a person.
DOCTOR_IDENTITY = "UDOCTOR"
AUTOMATION_IDENTITY = "modelcard-bot"  # bot.app.AUTOMATION_IDENTITY
PROD_GUARD_POLICY = "modelcard-prod-guard"  # ManagedPolicyName in stage-account.yaml
_FAILURES = (ClientError, BotoCoreError, ModelCardBotError)
_DEPLOY_CENTRAL = (
    "deploy deploy/cloudformation/central.yaml with the parameters of "
    "`python -m bot render-cfn governance.yml`"
)
_DEPLOY_STAGE = (
    "deploy deploy/cloudformation/stage-account.yaml (StackSet) in account {account} with "
    "`python -m bot render-cfn governance.yml --template stage-account`"
)
_DEPLOY_SPOKE = (
    "deploy deploy/cloudformation/spoke-account.yaml (StackSet) in account {account} with "
    "`python -m bot render-cfn governance.yml --template spoke-account`, and central.yaml "
    "with the SpokeReaderRoleArns render-cfn prints; or correct spokes.{name}.role_arn"
)
_LIVE = frozenset({"ASSOCIATED", "ASSOCIATING"})


@dataclass
class AwsContext:
    gov: Governance
    sessions: RoleSessions
    events_queue_url: str | None = None

    @property
    def automation(self) -> Actor | None:
        arn = self.gov.automation_role_arn
        return Actor(AUTOMATION_IDENTITY, arn) if arn else None


def _assumable(ctx: AwsContext, subject: str, actor: Actor, fix: str) -> Check:
    try:
        who = ctx.sessions.client(actor, "sts").get_caller_identity()
    except _FAILURES as err:
        return fail(subject, f"cannot assume {actor.role_arn}: {aws_problem(err)}", fix)
    return ok(subject, f"assumable with SourceIdentity {actor.user_id} ({who['Arn']})")


def bot_identity(ctx: AwsContext) -> Check:
    subject = "bot role"
    try:
        who = ctx.sessions.bot_client("sts").get_caller_identity()
    except _FAILURES as err:
        target = ctx.gov.bot_role_arn or "the process's AWS credentials"
        return fail(
            subject,
            f"cannot act as {target}: {aws_problem(err)}",
            f"{_DEPLOY_CENTRAL} (BotRoleName), and run where that role may be assumed "
            "(ECS task role, instance profile, or --operator-principal of render-cfn)",
        )
    return ok(subject, f"acting as {who['Arn']}")


def roles(ctx: AwsContext) -> list[Check]:
    found = []
    for name, role in ctx.gov.roles.items():
        found.append(
            _assumable(
                ctx,
                f"role {name}",
                Actor(DOCTOR_IDENTITY, role.role_arn),
                f"{_DEPLOY_CENTRAL}, or correct roles.{name}.role_arn; its trust must let "
                "the bot role sts:AssumeRole and sts:SetSourceIdentity (U*, W*)",
            )
        )
    automation = ctx.automation
    if automation is None:
        found.append(
            skip(
                "automation role",
                "automation_role_arn is not set: changes outside Slack are NOT followed, and "
                "the RAM, share and bucket checks below cannot run",
                "set automation_role_arn (central.yaml's AutomationRoleArn output)",
            )
        )
    else:
        found.append(
            _assumable(
                ctx,
                "automation role",
                automation,
                f"{_DEPLOY_CENTRAL}, or correct automation_role_arn; its trust must admit "
                f"the bot role with SourceIdentity {AUTOMATION_IDENTITY}",
            )
        )
    for name, stage in ctx.gov.stages.items():
        if stage.invitation_role_arn:
            found.append(
                _assumable(
                    ctx,
                    f"invitation role ({name})",
                    Actor(DOCTOR_IDENTITY, stage.invitation_role_arn),
                    _DEPLOY_STAGE.format(account=stage.account)
                    + f", or correct stages.{name}.invitation_role_arn",
                )
            )
    return found


def spoke_readers(ctx: AwsContext) -> list[Check]:
    """Each spoke's reader role, assumed as the spoke sync assumes it (SourceIdentity
    modelcard-bot, chained from the bot role); none with topology central."""
    return [
        _assumable(
            ctx,
            f"spoke {name}",
            Actor(AUTOMATION_IDENTITY, spoke.role_arn),
            _DEPLOY_SPOKE.format(account=spoke.account, name=name),
        )
        for name, spoke in ctx.gov.spokes.items()
    ]


def _needs_automation(subject: str) -> Check:
    return skip(subject, "not checked: doctor reads RAM and S3 as automation_role_arn, unset")


def ram_resource_type(ctx: AwsContext) -> Check:
    subject = "RAM resource type"
    if ctx.automation is None:
        return _needs_automation(subject)
    try:
        ram = ctx.sessions.client(ctx.automation, "ram")
        types: list[str] = []
        params: dict[str, Any] = {}
        while True:
            page = ram.list_resource_types(**params)
            types += [str(t.get("resourceType", "")) for t in page.get("resourceTypes", [])]
            if not page.get("nextToken"):
                break
            params["nextToken"] = page["nextToken"]
    except _FAILURES as err:
        return fail(subject, f"ListResourceTypes failed: {aws_problem(err)}", _DEPLOY_CENTRAL)
    if RESOURCE_TYPE.lower() not in {t.lower() for t in types}:
        return fail(
            subject,
            f"RAM in {ctx.sessions.region} does not list {RESOURCE_TYPE}: model cards cannot be "
            "shared with the stage accounts from this region",
            "use a region where RAM shares SageMaker model cards (set `region`)",
        )
    return ok(subject, f"RAM in {ctx.sessions.region} shares {RESOURCE_TYPE}")


def read_only(ctx: AwsContext) -> list[Check]:
    stages = [(n, s) for n, s in ctx.gov.stages.items() if s.access is Access.READ_ONLY]
    if not stages:
        return []
    if ctx.gov.read_only_via is ReadOnlyVia.MANAGED_WITH_GUARD:
        found = [
            ok(
                "read-only permission",
                f"read_only_via managed-with-guard: {', '.join(n for n, _ in stages)} get "
                f"{MANAGED_PERMISSION}; the prod guard must deny the writes",
            )
        ]
        return found + [
            _guard(ctx, name, stage.account, stage.invitation_role_arn) for name, stage in stages
        ]
    subject = "read-only permission"
    if ctx.automation is None:
        return [_needs_automation(subject)]
    name = ctx.gov.read_only_permission_name
    try:
        arn = StageShares(ctx.sessions, ctx.gov).find_read_only_permission(ctx.automation)
    except _FAILURES as err:
        return [fail(subject, f"ListPermissions failed: {aws_problem(err)}", _DEPLOY_CENTRAL)]
    if arn is None:
        return [
            ok(
                subject,
                f"{name} does not exist yet: created on first use (RAM CreatePermission, "
                "when a card is first shared read-only). If RAM refuses it for "
                f"{RESOURCE_TYPE}, the bot says so; then set `read_only_via: managed-with-guard`",
            )
        ]
    return [ok(subject, f"{name} exists ({arn})")]


def _guard(ctx: AwsContext, stage: str, account: str, invitation_role: str | None) -> Check:
    subject = f"prod guard ({stage})"
    arn = f"arn:aws:iam::{account}:policy/{PROD_GUARD_POLICY}"
    if not invitation_role:
        return skip(
            subject,
            f"not checked: no invitation_role_arn for {stage}, so doctor cannot look into "
            f"account {account}",
            f"check there: aws iam get-policy --policy-arn {arn}, and that it is attached to "
            "every principal that may call SageMaker (or use the SCP of the README)",
        )
    try:
        iam = ctx.sessions.client(Actor(DOCTOR_IDENTITY, invitation_role), "iam")
        iam.get_policy(PolicyArn=arn)
    except _FAILURES as err:
        missing = error_code(err) in {"NoSuchEntity", "NoSuchEntityException"}
        detail = f"{arn} does not exist" if missing else f"cannot read {arn}: {aws_problem(err)}"
        return fail(
            subject,
            f"{detail}; with managed-with-guard nothing else keeps {stage} from writing",
            _DEPLOY_STAGE.format(account=account),
        )
    return ok(subject, f"{arn} exists (attach it to every principal that may call SageMaker)")


def stage_shares(ctx: AwsContext) -> list[Check]:
    if ctx.automation is None:
        return [_needs_automation("stage shares")]
    ram = ctx.sessions.client(ctx.automation, "ram")
    found = []
    for name, stage in ctx.gov.stages.items():
        subject = f"share {share_name(name)}"
        try:
            shares = ram.get_resource_shares(
                resourceOwner="SELF", name=share_name(name), resourceShareStatus="ACTIVE"
            ).get("resourceShares", [])
            if not shares:
                found.append(ok(subject, "does not exist yet: created on first use"))
                continue
            arn = str(shares[0]["resourceShareArn"])
            rows = ram.get_resource_share_associations(
                associationType="PRINCIPAL", resourceShareArns=[arn]
            ).get("resourceShareAssociations", [])
        except _FAILURES as err:
            found.append(fail(subject, f"cannot read it: {aws_problem(err)}", _DEPLOY_CENTRAL))
            continue
        status = {str(r["associatedEntity"]): str(r["status"]) for r in rows}
        if status.get(stage.account) in _LIVE:
            found.append(
                ok(subject, f"shared with account {stage.account} ({status[stage.account]})")
            )
        else:
            found.append(
                fail(
                    subject,
                    f"account {stage.account} is not a principal of {arn}",
                    "the reconciler adds it back; or aws ram associate-resource-share "
                    f"--resource-share-arn {arn} --principals {stage.account}",
                )
            )
    return found


def export_bucket(ctx: AwsContext) -> Check:
    subject = "export bucket"
    uri = ctx.gov.export_s3_uri
    if not uri:
        return skip(subject, "exports are off (no export_s3_uri)")
    bucket = uri.removeprefix("s3://").split("/", 1)[0]
    try:
        if ctx.automation is not None:
            s3 = ctx.sessions.client(ctx.automation, "s3")
        else:
            s3 = ctx.sessions.bot_client("s3")
        s3.head_bucket(Bucket=bucket)
    except _FAILURES as err:
        code = error_code(err)
        if code in {"404", "NoSuchBucket", "NotFound"}:
            return fail(
                subject,
                f"{bucket} does not exist",
                f"{_DEPLOY_CENTRAL} (ExportBucket, CreateExportBucket=true), or correct "
                "export_s3_uri",
            )
        return fail(
            subject,
            f"cannot reach {bucket}: {aws_problem(err)}",
            "central.yaml grants s3:ListBucket on it to the automation role",
        )
    return ok(subject, f"{bucket} reachable ({uri})")


def events_queue(ctx: AwsContext) -> Check:
    subject = "events queue"
    if not ctx.events_queue_url:
        return skip(
            subject,
            "MODELCARD_EVENTS_QUEUE_URL is not set: outside changes are found by the "
            "reconciler only, every MODELCARD_RECONCILE_SECONDS",
            "set it to central.yaml's EventsQueueUrl output",
        )
    try:
        answer = ctx.sessions.bot_client("sqs").get_queue_attributes(
            QueueUrl=ctx.events_queue_url, AttributeNames=["QueueArn"]
        )
    except _FAILURES as err:
        return fail(
            subject,
            f"cannot reach {ctx.events_queue_url}: {aws_problem(err)}",
            f"{_DEPLOY_CENTRAL}, and set MODELCARD_EVENTS_QUEUE_URL to its EventsQueueUrl output",
        )
    return ok(subject, f"{answer['Attributes']['QueueArn']} reachable as the bot")


def all_checks(ctx: AwsContext) -> list[Check]:
    return [
        bot_identity(ctx),
        *roles(ctx),
        *spoke_readers(ctx),
        ram_resource_type(ctx),
        *read_only(ctx),
        *stage_shares(ctx),
        export_bucket(ctx),
        events_queue(ctx),
    ]
