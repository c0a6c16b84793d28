"""What the bot will do at each status, in words (for `check-config`)."""

from __future__ import annotations

from bot.governance.models import Governance, ReadOnlyVia, Topology
from bot.governance.review import describe_review


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
        lines.append(
            f"  Out-of-band approvals: {gov.outside_changes.approve}; edits in review: "
            f"{gov.edits_in_review}; edits after approval: {gov.edits_after_approval}."
        )
    else:
        lines.append("  Reconciler and EventBridge events are off (set automation_role_arn).")
    if gov.read_only_via is ReadOnlyVia.MANAGED_WITH_GUARD:
        lines.append(
            "  Read-only stages get the AWS-managed permission; the prod guard of "
            "stage-account.yaml must deny writes there (python -m bot doctor checks it)."
        )
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


OUTSIDE_OFF_WARNING = (
    "changes made outside Slack are NOT followed: without automation_role_arn the reconciler, "
    "the EventBridge consumer and the out-of-band approval checks are all off, so a status or "
    "content change made with the console or the SDK (an approval included) goes unseen. "
    "Set automation_role_arn (the AutomationRole of deploy/cloudformation/central.yaml)."
)


def governance_warnings(gov: Governance) -> list[str]:
    """What the file leaves unguarded, said at `check-config` and once at worker start."""
    return [] if gov.automation_role_arn else [OUTSIDE_OFF_WARNING]
