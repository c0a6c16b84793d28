"""Carry out one job: re-authorize from governance and Redis, act on AWS as the person,
then settle the effects. A permanent failure is told to the person; a transient one is
raised as RetryLater / retryable AwsError for the worker to retry."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from bot.authz import Authorizer
from bot.aws.cards import CardRecord, ModelCards
from bot.aws.registry import ApprovalStatus, ModelRegistry, PackageUpdate, package_arn
from bot.aws.sessions import Actor
from bot.aws.sharing import StageShares
from bot.domain.content import minimal_content, serialize
from bot.domain.diff import compare, diff_content
from bot.domain.status import TRANSITIONS, Action, CardStatus, check_editable
from bot.errors import (
    AwsError,
    CardAlreadyExists,
    CardNotFound,
    InputError,
    ModelCardBotError,
    NotAllowed,
    RetryLater,
)
from bot.gatekeeper import Gatekeeper
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.outbox import Outbox
from bot.slack.block_kit import section
from bot.slack.forms.edit import apply_edit
from bot.slack.home import home_view
from bot.slack.messages.approvals import approval_request_blocks
from bot.slack.messages.cards import card_blocks
from bot.slack.messages.diff import DiffVersion, diff_blocks, diff_text
from bot.slack.messages.export import ExportLink, export_blocks, export_text
from bot.slack.notifier import SlackNotifier
from bot.slack.text import inline, not_mapped_text
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardState
from bot.worker.effects import Change, Effects, snapshot_from

log = logging.getLogger("modelcard_bot.worker")

TRANSITION_TARGETS = {action: target for action, (_sources, target) in TRANSITIONS.items()}
TRANSITION_ACTIONS = {
    JobKind.SUBMIT: Action.SUBMIT,
    JobKind.APPROVE: Action.APPROVE,
    JobKind.REJECT: Action.REJECT,
    JobKind.ARCHIVE: Action.ARCHIVE,
}
_DONE = {
    Action.SUBMIT: "submitted for review",
    Action.APPROVE: "approved",
    Action.REJECT: "rejected and returned to Draft",
    Action.ARCHIVE: "archived",
}
# The model package status that follows a decision (governance `registry`).
_PACKAGE_STATUS = {Action.APPROVE: ApprovalStatus.APPROVED, Action.REJECT: ApprovalStatus.REJECTED}
EXPORT_LINK_SECONDS = 3600
# A diff names the versions that touched each section by describing every version in
# between, up to this many; beyond, it compares the two ends only.
MAX_DIFF_STEPS = 10


def export_job_name(card: str, job_id: str) -> str:
    """The export job's name: the same for every attempt of one job (so a retry finds it)."""
    return f"{card[:38]}-{job_id[:24]}"


def idempotency_key(job: Job) -> str:
    """The claim under which the web process enqueued the job (released on failure)."""
    return job.args.get("idem", "")


class JobExecutor:
    def __init__(
        self,
        governance: Governance,
        cards: ModelCards,
        shares: StageShares,
        state: CardState,
        audit: AuditLog,
        notifier: SlackNotifier,
        outbox: Outbox,
        automation: Actor | None = None,
        registry: ModelRegistry | None = None,
    ) -> None:
        self._gov = governance
        self._registry = registry or ModelRegistry(cards.sessions)
        self._automation = automation
        self._cards = cards
        self._shares = shares
        self._state = state
        self._audit = audit
        self._notifier = notifier
        self._outbox = outbox
        self._authz = Authorizer(governance, state)
        self._gates = Gatekeeper(governance)
        self._effects = Effects(governance, shares, state, audit, notifier)
        self._handlers: dict[JobKind, Callable[[Job], None]] = {
            JobKind.CREATE: self._create,
            JobKind.EDIT: self._edit,
            JobKind.DELETE: self._delete,
            JobKind.PUBLISH_HOME: self._publish_home,
            JobKind.REPLY: self._reply,
            JobKind.OBSERVE: self._observe,
            JobKind.EXPORT: self._export,
            JobKind.DIFF: self._diff,
            **{kind: self._transition for kind in TRANSITION_ACTIONS},
        }

    @property
    def effects(self) -> Effects:
        return self._effects

    def run(self, job: Job) -> None:
        """Run the job; raise only when a retry may succeed."""
        try:
            self._handlers[job.kind](job)
        except RetryLater:
            raise
        except AwsError as err:
            if err.retryable:
                raise
            self._fail(job, err)
        except ModelCardBotError as err:
            self._fail(job, err)

    def _fail(self, job: Job, err: ModelCardBotError) -> None:
        log.info("job refused", extra={"job": job.id, "kind": job.kind, "card": job.card})
        self._audit.record(
            AuditEvent(
                actor=job.user,
                action=str(job.kind),
                card=job.card,
                result="refused",
                detail=str(err)[:500],
                request_id=getattr(err, "request_id", ""),
            )
        )
        if idempotency_key(job):
            self._outbox.release(idempotency_key(job))
        self._notifier.reply(job, f":warning: {err}")

    def _create(self, job: Job) -> None:
        actor = self._authz.actor(job.user, Action.CREATE, job.card)
        if "content" in job.args:
            content = json.loads(job.args["content"])
        else:
            content = minimal_content(
                job.args.get("owner", ""),
                job.args.get("problem_type", ""),
                job.args.get("description") or None,
                job.args.get("risk") or None,
            )
        try:
            self._cards.create(actor, job.card, content)
        except CardAlreadyExists:
            # A replay of this very job after a crash finds its own card: go on settling.
            mine = self._state.get(job.card)
            if mine is None or mine.created_by != job.user or mine.status is not CardStatus.DRAFT:
                raise
        record = self._cards.describe(actor, job.card)
        self._state.add_person(job.card, job.user)
        if self._state.get(job.card) is None:
            # Mark the card as ours before effects run (see the replay branch above); the
            # status is left unknown so the Draft notification is still due.
            self._state.put(snapshot_from(record, None, created_by=job.user))
        snapshot = self._effects.settle(actor, Change(card=record, previous=None, user=job.user))
        self._audit.record(
            AuditEvent(actor=job.user, action="create", card=job.card, target=str(record.status))
        )
        self._notifier.reply(
            job,
            f":white_check_mark: Created model card `{job.card}` ({record.status}) and shared it "
            f"with {', '.join(snapshot.shared_stages) or 'no stage'}.",
            card_blocks(snapshot, region=self._gov.region),
        )

    def _edit(self, job: Job) -> None:
        actor = self._authz.actor(job.user, Action.EDIT, job.card)
        current = self._cards.describe(actor, job.card)
        check_editable(job.card, current.status)
        values = json.loads(job.args["values"])
        content = apply_edit(current.content, values)
        if content == current.content:
            self._notifier.reply(job, f"No change to model card `{job.card}`: nothing to save.")
            return
        self._cards.update_content(actor, job.card, content)
        record = self._cards.describe(actor, job.card)
        self._state.add_person(job.card, job.user)
        snapshot = snapshot_from(record, self._state.get(job.card), updated_by=job.user)
        self._state.add_version(
            record.name, record.version, record.status, snapshot.updated_at, job.user
        )
        self._state.put_content(record.name, serialize(record.content))
        self._state.put(snapshot)
        self._audit.record(
            AuditEvent(actor=job.user, action="edit", card=job.card, detail=f"v{record.version}")
        )
        self._notifier.reply(
            job, f":pencil2: Saved model card `{job.card}` as version {record.version}."
        )

    def _transition(self, job: Job) -> None:
        action = TRANSITION_ACTIONS[job.kind]
        actor = self._authz.actor(job.user, action, job.card)
        if self._gates.required(action):
            self._gates.check(job.card, action, self._cards.describe(actor, job.card).content)
        if action is Action.APPROVE and not self._approvals_reached(job):
            return
        outcome = self._cards.transition(actor, job.card, action)
        reason = job.args.get("reason", "")
        if action is Action.SUBMIT:
            self._state.add_person(job.card, job.user)
        change = Change(
            card=outcome.card,
            previous=outcome.previous if outcome.changed else self._last_seen(job.card),
            user=job.user,
            reason=reason,
            action=str(action),
        )
        # Before the effects: a replay after a crash still sees the old status in Redis and
        # runs this (idempotent) step again; a failure here never undoes the card's move.
        package_note = self._sync_registry(job, actor, action, change)
        snapshot = self._effects.settle(actor, change)
        self._audit.record(
            AuditEvent(
                actor=job.user,
                action=str(action),
                card=job.card,
                source=str(change.previous or ""),
                target=str(outcome.card.status),
                result="ok" if outcome.changed else "already",
                detail=reason[:500],
                request_id=outcome.request_id,
            )
        )
        where = ", ".join(snapshot.shared_stages)
        shared = f" Shared with: {where}." if where else ""
        verb = _DONE[action] if outcome.changed else f"already {outcome.card.status}"
        self._notifier.reply(
            job, f":white_check_mark: Model card `{job.card}` {verb}.{shared}{package_note}"
        )

    def _sync_registry(self, job: Job, actor: Actor, action: Action, change: Change) -> str:
        """Approve / Reject: set the card's model package to Approved / Rejected (governance
        `registry.update_model_package`). Returns a sentence for the person's answer; a
        failure is told to them and to the ops channel, and the card stays decided."""
        target = _PACKAGE_STATUS.get(action)
        record = change.card
        if (
            target is None
            or not self._gov.registry.update_model_package
            or change.previous is not CardStatus.PENDING_REVIEW
            or record.status is not TRANSITION_TARGETS[action]
        ):
            return ""
        arn = package_arn(record.content)
        if not arn:
            return ""
        description = change.reason if action is Action.REJECT else ""
        shown = inline(arn, 300)
        try:
            update = self._registry.set_approval(actor, arn, target, description)
        except ModelCardBotError as err:
            told = self._registry_failed(job, record, target, arn, err, change.at)
            return (
                f" :warning: The model package `{shown}` was NOT set to {target}: "
                f"{inline(err, 600)} The card's decision stands; "
                + ("an admin has been told." if told else "ask an admin to set it by hand.")
            )
        self._audit_package(job, update)
        if not update.changed:
            return f" Model package `{shown}` was already {target}."
        return f" Model package `{shown}` set to {target} in the model registry."

    def _audit_package(self, job: Job, update: PackageUpdate) -> None:
        self._audit.record(
            AuditEvent(
                actor=job.user,
                action="registry",
                card=job.card,
                result="updated" if update.changed else "already",
                # Not source/target: those are card moves (App Home "recent moves").
                detail=f"model package {update.previous or '?'} → {update.status}: {update.arn}"[
                    :500
                ],
                request_id=update.request_id,
            )
        )

    def _registry_failed(
        self,
        job: Job,
        record: CardRecord,
        target: ApprovalStatus,
        arn: str,
        err: ModelCardBotError,
        at: float,
    ) -> bool:
        """Audit the failure and report it in the ops channel; True if it was posted."""
        log.warning("model package update failed", extra={"card": job.card, "job": job.id})
        self._audit.record(
            AuditEvent(
                actor=job.user,
                action="registry",
                card=job.card,
                target=str(target),
                result="failed",
                detail=f"{arn}: {err}"[:500],
                request_id=getattr(err, "request_id", ""),
            )
        )
        if not self._gov.ops_channel:
            return False
        text = (
            f":rotating_light: Model card `{record.name}` is {record.status}, but setting its "
            f"model package `{inline(arn, 300)}` to {target} failed: "
            f"{inline(err, 500)} "
            "Set it in the SageMaker console (Model Registry) or with "
            "`aws sagemaker update-model-package`."
        )
        self._notifier.post_once(
            f"registry:{record.name}:{target}:{at}",
            self._gov.ops_channel,
            text,
            [section(text)],
        )
        return True

    def _approvals_reached(self, job: Job) -> bool:
        """With `min_approvals` > 1, collect distinct approvers before moving the card."""
        snapshot = self._state.get(job.card)
        if snapshot is None or snapshot.status is not CardStatus.PENDING_REVIEW:
            return True  # the transition itself refuses or skips with the right message
        needed = self._gov.approvals_needed(snapshot.risk)
        if needed <= 1:
            return True
        approvals = self._state.add_approval(job.card, str(snapshot.updated_at), job.user)
        if len(approvals) >= needed:
            return True
        message = self._notifier.approval_message(job.card)
        if message is not None:
            self._notifier.update(
                message[0],
                message[1],
                f"Model card {job.card}: {len(approvals)} of {needed} approvals",
                approval_request_blocks(
                    snapshot,
                    requested_by=snapshot.submitted_by,
                    region=self._gov.region,
                    needed=needed,
                    approvals=approvals,
                ),
            )
        self._audit.record(
            AuditEvent(
                actor=job.user,
                action="approve",
                card=job.card,
                result="recorded",
                detail=f"{len(approvals)} of {needed}",
            )
        )
        self._notifier.reply(
            job,
            f":ballot_box_with_check: Your approval of `{job.card}` is recorded "
            f"({len(approvals)} of {needed}); it needs {needed - len(approvals)} more.",
        )
        return False

    def _last_seen(self, card: str) -> CardStatus | None:
        # Already at the target: a replay after a crash (the snapshot, written last, still
        # holds the old status, so effects are settled again) or someone else's move
        # (the snapshot is current and nothing is posted twice).
        snapshot = self._state.get(card)
        return snapshot.status if snapshot else None

    def _delete(self, job: Job) -> None:
        actor = self._authz.actor(job.user, Action.DELETE, job.card)
        record = self._cards.describe(actor, job.card)
        revoked = self._shares.unshare_card(actor, record.arn)
        self._cards.delete(actor, job.card)
        self._state.remove(job.card)
        self._audit.record(
            AuditEvent(
                actor=job.user,
                action="delete",
                card=job.card,
                source=str(record.status),
                detail=f"revoked {','.join(revoked)}" if revoked else "",
            )
        )
        self._notifier.reply(job, f":wastebasket: Deleted model card `{job.card}`.")

    def _publish_home(self, job: Job) -> None:
        mine, _ = self._state.created_by(job.user, limit=20)
        waiting = []
        if Action.APPROVE in self._gov.capabilities(job.user):
            pending, _ = self._state.page(CardStatus.PENDING_REVIEW, limit=40)
            waiting = [c for c in pending if job.user not in self._state.people(c.name)][:20]
        recent = [e for e in self._audit.recent(60) if e.target and e.result == "ok"][-15:]
        view = home_view(
            user=job.user, my_cards=mine, waiting=waiting, recent=recent, region=self._gov.region
        )
        self._notifier.publish_home(job.user, view)

    def _reply(self, job: Job) -> None:
        extra = json.loads(job.args["blocks"]) if job.args.get("blocks") else None
        self._notifier.reply(job, job.args["text"], extra, replace=job.args.get("replace") == "1")

    def _observe(self, job: Job) -> None:
        """A change made outside Slack: settle it from what AWS says now."""
        if self._automation is None:
            log.warning(
                "OBSERVE job without automation_role_arn; dropped", extra={"card": job.card}
            )
            return
        try:
            record = self._cards.describe(self._automation, job.card)
        except CardNotFound:
            self._state.remove(job.card)
            return
        known = self._state.get(job.card)
        previous = known.status if known else None
        if known is None and job.args.get("baseline"):
            previous = record.status  # existed before the bot: share silently
        self._effects.settle(self._automation, Change(card=record, previous=previous, user=""))
        if previous != record.status:
            self._audit.record(
                AuditEvent(
                    actor="outside-slack",
                    action="observe",
                    card=job.card,
                    source=str(previous or ""),
                    target=str(record.status),
                )
            )

    # ------------------------------------------------------------------ export

    def _export(self, job: Job) -> None:
        """PDF of the card's latest version: a private link, and for an Approved card the
        same link posted once (per version) in the channel of the Approved stage."""
        actor = self._authz.actor(job.user, Action.EXPORT, job.card)
        target = self._gov.export_s3_uri
        if not target:
            raise InputError(
                f"PDF export of `{job.card}` is not configured: an admin must set "
                "`export_s3_uri: s3://BUCKET/PREFIX` in the governance file."
            )
        record = self._cards.describe(actor, job.card)
        export = self._cards.export_pdf(
            actor, record.name, export_job_name(record.name, job.id), target, record.version
        )
        version = export.version or record.version
        if export.status != "Completed" or not export.artifact_uri:
            reason = export.failure or f"the export job ended {export.status or 'without a file'}"
            self._audit.record(
                AuditEvent(
                    actor=job.user,
                    action="export",
                    card=job.card,
                    result="failed",
                    detail=f"v{version}: {reason}"[:500],
                )
            )
            self._release(job)
            self._notifier.reply(
                job,
                f":x: The PDF export of model card `{job.card}` (v{version}) failed: "
                f"{reason[:500]}. Try again with `/modelcard export {job.card}`; if it fails "
                "again, ask an admin to check the export bucket and the export job in the "
                "SageMaker console.",
            )
            return
        url = self._cards.presigned_get(actor, export.artifact_uri, EXPORT_LINK_SECONDS)
        link = ExportLink(
            card=record.name,
            version=version,
            status=str(record.status),
            url=url,
            expires_minutes=EXPORT_LINK_SECONDS // 60,
            by=job.user,
        )
        self._notifier.reply(job, export_text(link), export_blocks(link))
        posted = ""
        stage = self._gov.stage_for_status(CardStatus.APPROVED)
        if record.status is CardStatus.APPROVED and stage is not None:
            self._notifier.post_once(
                f"export:{record.name}:v{version}",
                stage[1].channel,
                export_text(link),
                export_blocks(link, for_channel=True),
            )
            posted = f"; posted to stage {stage[0]}"
        self._audit.record(
            AuditEvent(
                actor=job.user,
                action="export",
                card=job.card,
                detail=f"v{version} {export.artifact_uri}{posted}"[:500],
            )
        )
        self._release(job)

    def _release(self, job: Job) -> None:
        """Let the person ask again once this job is done (the claim only stops doubles)."""
        if idempotency_key(job):
            self._outbox.release(idempotency_key(job))

    # ------------------------------------------------------------------ diff

    def _reader(self, job: Job) -> Actor:
        """Reading a card's versions needs an AWS role: the person's first mapped one."""
        role = self._gov.reader_role(job.user)
        if role is None:
            raise NotAllowed(not_mapped_text(job.user, "diff", job.card))
        return Actor(user_id=job.user, role_arn=role.role_arn)

    def _diff(self, job: Job) -> None:
        actor = self._reader(job)
        latest = self._cards.describe(actor, job.card)
        old_v, new_v = _diff_versions(job, latest.version)
        records = {latest.version: latest}
        stepwise = new_v - old_v <= MAX_DIFF_STEPS
        for version in range(old_v, new_v + 1) if stepwise else (old_v, new_v):
            if version not in records:
                records[version] = self._cards.describe(actor, job.card, version)
        # Which versions touched each section: the diff of each version from the one before.
        steps = [
            (v, diff_content(records[v - 1].content, records[v].content))
            for v in range(old_v + 1, new_v + 1)
            if stepwise
        ]
        sections = compare(records[old_v].content, records[new_v].content, steps)
        seen = {v: (status, at, user) for v, status, at, user in self._state.versions(job.card)}

        def row(version: int, status: str) -> DiffVersion:
            if version in seen:
                status_seen, at, user = seen[version]
                return DiffVersion(version, status or status_seen, at, user)
            return DiffVersion(version, status, None, None)

        between = [row(v, "") for v in range(old_v + 1, new_v + 1)]
        self._notifier.reply(
            job,
            diff_text(job.card, old_v, new_v, sections),
            diff_blocks(
                job.card,
                row(old_v, str(records[old_v].status)),
                row(new_v, str(records[new_v].status)),
                sections,
                between,
            ),
        )


def _diff_versions(job: Job, latest: int) -> tuple[int, int]:
    """(older, newer) versions to compare: the job's, else the last two."""
    first, second = job.args.get("v1", ""), job.args.get("v2", "")
    if not first and not second:
        if latest < 2:
            raise InputError(
                f"Model card `{job.card}` has only version 1: nothing to compare yet. "
                f"Versions are made by content edits (`/modelcard edit {job.card}`)."
            )
        return latest - 1, latest
    try:
        old_v, new_v = sorted((int(first), int(second)))
    except ValueError:
        old_v = new_v = 0
    if old_v < 1 or old_v == new_v:
        raise InputError(
            f"Compare two different versions of `{job.card}`: `/modelcard diff {job.card} 1 2`."
        )
    missing = [v for v in (old_v, new_v) if v > latest]
    if missing:
        raise InputError(
            f"Model card `{job.card}` has versions 1 to {latest}; version "
            f"{missing[-1]} does not exist. Try `/modelcard diff {job.card} "
            f"{max(latest - 1, 1)} {latest}`."
        )
    return old_v, new_v
