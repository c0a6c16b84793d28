"""Submit, approve, reject and archive: the compare-and-set move as the person, `min_approvals`,
the model registry link (governance `registry`), then the effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.aws.cards import CardRecord
from bot.aws.registry import ApprovalStatus, ModelRegistry, PackageUpdate, package_arn
from bot.aws.sessions import Actor
from bot.domain.status import TRANSITIONS, Action, CardStatus
from bot.errors import AwsError, ModelCardBotError, RetryLater
from bot.gatekeeper import Gatekeeper
from bot.jobs import Job, JobKind
from bot.slack.block_kit import section
from bot.slack.text import inline
from bot.worker.effects import Change, Effects
from bot.worker.outcomes import job_event
from bot.worker.services import JobFamily, WorkerServices

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


class Transitions(JobFamily):
    def __init__(
        self,
        services: WorkerServices,
        effects: Effects,
        registry: ModelRegistry,
    ) -> None:
        super().__init__(services)
        self._effects = effects
        self._registry = registry
        self._gates = Gatekeeper(services.governance)

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return dict.fromkeys(TRANSITION_ACTIONS, self.transition)

    def transition(self, job: Job) -> None:
        action = TRANSITION_ACTIONS[job.kind]
        actor = self._authz.actor(job.user, action, job.card)
        if self._gates.required(action):
            self._gates.check(job.card, action, self._cards.describe(actor, job.card).content)
        desk, version, held, decided = self._effects.desk, None, False, False
        if action in (Action.APPROVE, Action.REJECT):
            version = desk.version_for(job)
            if action is Action.APPROVE and not desk.approvals_reached(job, version):
                return
            round_ = desk.reviews.current(job.card)
            settled = self._state.get(job.card)
            held = bool(settled and settled.held)
            if round_ is not None and round_.is_open and round_.version == version:
                # Before AWS: the move into Approved is then the bot's, not out-of-band.
                decision = "Approved" if action is Action.APPROVE else "Rejected"
                desk.reviews.decide(job.card, decision, version, job.user)
                decided = True
        try:
            outcome = self._cards.transition(
                actor,
                job.card,
                action,
                expect_version=version,
                also_from=frozenset({CardStatus.APPROVED}) if held else frozenset(),
            )
        except ModelCardBotError as err:
            if decided and not _retryable(err):
                desk.reviews.undecide(job.card)  # refused: nothing was decided
            raise
        if action is Action.APPROVE and outcome.card.status is CardStatus.APPROVED:
            desk.reviews.mark_approved(job.card, outcome.card.version)
        reason = job.args.get("reason", "")
        if action is Action.SUBMIT:
            self._state.add_person(job.card, job.user)
        change = Change(
            card=outcome.card,
            # A held card is Approved in AWS already: its settled status is Redis's.
            previous=outcome.previous
            if outcome.changed and not held
            else self._last_seen(job.card),
            user=job.user,
            reason=reason,
            action=str(action),
        )
        # Before the effects: a replay after a crash still sees the old status in Redis and
        # runs this (idempotent) step again; a failure here never undoes the card's move.
        package_note = self.sync_registry(job, actor, action, change)
        snapshot = self._effects.settle(actor, change)
        self._audit.record(
            job_event(
                job,
                result="ok" if outcome.changed or held else "already",
                detail=(f"v{outcome.card.version} " if version else "") + reason[:480],
                request_id=outcome.request_id,
                source=str(change.previous or ""),
                target=str(outcome.card.status),
            )
        )
        where = ", ".join(snapshot.shared_stages)
        shared = f" Shared with: {where}." if where else ""
        verb = _DONE[action] if outcome.changed or held else f"already {outcome.card.status}"
        which = f" v{outcome.card.version}" if version else ""
        self._notifier.reply(
            job,
            f":white_check_mark: Model card `{job.card}`{which} {verb}.{shared}{package_note}",
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
            job_event(
                job,
                result="updated" if update.changed else "already",
                # Not source/target: those are card moves (App Home "recent moves").
                detail=f"model package {update.previous or '?'} → {update.status}: {update.arn}",
                request_id=update.request_id,
                action="registry",
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
            job_event(
                job,
                result="failed",
                detail=f"{arn}: {err}",
                request_id=getattr(err, "request_id", ""),
                action="registry",
                target=str(target),
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

    def _last_seen(self, card: str) -> CardStatus | None:
        # Already at the target: a replay after a crash (the snapshot, written last, still
        # holds the old status, so effects are settled again) or someone else's move
        # (the snapshot is current and nothing is posted twice).
        snapshot = self._state.get(card)
        return snapshot.status if snapshot else None


def _retryable(err: ModelCardBotError) -> bool:
    """The job will be tried again (the decision stands meanwhile)."""
    return isinstance(err, RetryLater) or (isinstance(err, AwsError) and err.retryable)
