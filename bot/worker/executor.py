"""Carry out one job: re-authorize from governance and Redis, act on AWS as the person,
then settle the effects. A permanent failure is told to the person; a transient one is
raised as RetryLater / retryable AwsError for the worker to retry."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from bot.authz import Authorizer
from bot.aws.cards import ModelCards
from bot.aws.sessions import Actor
from bot.aws.sharing import StageShares
from bot.domain.content import minimal_content, serialize
from bot.domain.status import Action, CardStatus, check_editable
from bot.errors import (
    AwsError,
    CardAlreadyExists,
    CardNotFound,
    ModelCardBotError,
    RetryLater,
)
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.outbox import Outbox
from bot.slack import blocks
from bot.slack.home import home_view
from bot.slack.modals import apply_edit
from bot.slack.notifier import SlackNotifier
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardState
from bot.worker.effects import Change, Effects, snapshot_from

log = logging.getLogger("modelcard_bot.worker")

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
    ) -> None:
        self._gov = governance
        self._automation = automation
        self._cards = cards
        self._shares = shares
        self._state = state
        self._audit = audit
        self._notifier = notifier
        self._outbox = outbox
        self._authz = Authorizer(governance, state)
        self._effects = Effects(governance, shares, state, audit, notifier)
        self._handlers: dict[JobKind, Callable[[Job], None]] = {
            JobKind.CREATE: self._create,
            JobKind.EDIT: self._edit,
            JobKind.DELETE: self._delete,
            JobKind.PUBLISH_HOME: self._publish_home,
            JobKind.REPLY: self._reply,
            JobKind.OBSERVE: self._observe,
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
            blocks.card_blocks(snapshot, region=self._gov.region),
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
        self._notifier.reply(job, f":white_check_mark: Model card `{job.card}` {verb}.{shared}")

    def _approvals_reached(self, job: Job) -> bool:
        """With `min_approvals` > 1, collect distinct approvers before moving the card."""
        needed = self._gov.min_approvals
        if needed <= 1:
            return True
        snapshot = self._state.get(job.card)
        if snapshot is None or snapshot.status is not CardStatus.PENDING_REVIEW:
            return True  # the transition itself refuses or skips with the right message
        approvals = self._state.add_approval(job.card, str(snapshot.updated_at), job.user)
        if len(approvals) >= needed:
            return True
        message = self._notifier.approval_message(job.card)
        if message is not None:
            self._notifier.update(
                message[0],
                message[1],
                f"Model card {job.card}: {len(approvals)} of {needed} approvals",
                blocks.approval_request_blocks(
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
