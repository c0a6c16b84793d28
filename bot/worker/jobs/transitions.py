"""Submit, approve, reject and archive: the compare-and-set move as the person, `min_approvals`,
the model registry link (governance `registry`), then the effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.authz import Authorizer
from bot.aws.cards import CardRecord, ModelCards
from bot.aws.registry import ApprovalStatus, ModelRegistry, PackageUpdate, package_arn
from bot.aws.sessions import Actor
from bot.domain.status import TRANSITIONS, Action, CardStatus
from bot.errors import ModelCardBotError
from bot.gatekeeper import Gatekeeper
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.slack.block_kit import section
from bot.slack.messages.approvals import approval_request_blocks
from bot.slack.notifier import SlackNotifier
from bot.slack.text import inline
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardState
from bot.worker.effects import Change, Effects

log = logging.getLogger("modelcard_bot.worker")


TRANSITION_TARGETS = {action: target for action, (_sources, target) in TRANSITIONS.items()}
TRANSITION_ACTIONS = {JobKind(action): action for action in TRANSITIONS}
_DONE = {
    Action.SUBMIT: "submitted for review",
    Action.APPROVE: "approved",
    Action.REJECT: "rejected and returned to Draft",
    Action.ARCHIVE: "archived",
}
# The model package status that follows a decision (governance `registry`).
PACKAGE_STATUS = {Action.APPROVE: ApprovalStatus.APPROVED, Action.REJECT: ApprovalStatus.REJECTED}


class Transitions:
    def __init__(
        self,
        governance: Governance,
        authz: Authorizer,
        cards: ModelCards,
        state: CardState,
        audit: AuditLog,
        notifier: SlackNotifier,
        effects: Effects,
        registry: ModelRegistry,
    ) -> None:
        self._gov = governance
        self._authz = authz
        self._cards = cards
        self._state = state
        self._audit = audit
        self._notifier = notifier
        self._effects = effects
        self._registry = registry
        self._gates = Gatekeeper(governance)

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return dict.fromkeys(TRANSITION_ACTIONS, self.transition)

    def transition(self, job: Job) -> None:
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
        package_note = self.sync_registry(job, actor, action, change)
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

    def sync_registry(self, job: Job, actor: Actor, action: Action, change: Change) -> str:
        """Approve / Reject: set the card's model package to Approved / Rejected (governance
        `registry.update_model_package`). Returns a sentence for the person's answer; a
        failure is told to them and to the ops channel, and the card stays decided."""
        target = PACKAGE_STATUS.get(action)
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
