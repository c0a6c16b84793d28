"""What follows a status change, whoever made it: shares, the stage notification, the
approval request or its update, the snapshot and the audit entry.

Each effect is keyed by (card, status, AWS LastModifiedTime) so a replayed job, a second
worker or the reconciler seeing the same change produce it once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.aws.cards import CardRecord
from bot.aws.sessions import Actor
from bot.aws.sharing import StageShares
from bot.domain.content import serialize, summarize
from bot.domain.status import CardStatus
from bot.governance import Governance, Stage
from bot.outbox import Outbox
from bot.slack.messages.stage_moves import StageMove, notification_text, stage_notification_blocks
from bot.slack.notifier import SlackNotifier
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardSnapshot, CardState
from bot.store.keys import Keys
from bot.store.reviews import Reviews
from bot.store.timers import ReviewTimers
from bot.worker.review_desk import ReviewDesk

EXPIRE_ACTION = "expire"  # Change.action of a review that timed out (review.expire_after)


@dataclass(frozen=True)
class Change:
    """A card's move from `previous` to `card.status`, made by `user` ("" when outside Slack)."""

    card: CardRecord
    previous: CardStatus | None
    user: str
    reason: str = ""
    action: str = ""
    # Shown on the closed approval request (e.g. which version an outside change approved).
    notes: tuple[str, ...] = ()

    @property
    def at(self) -> float:
        return self.card.modified_at.timestamp() if self.card.modified_at else time.time()


def snapshot_from(record: CardRecord, base: CardSnapshot | None, **changes: str) -> CardSnapshot:
    summary = summarize(record.content)
    return CardSnapshot(
        name=record.name,
        arn=record.arn,
        status=record.status,
        version=record.version,
        owner=summary.get("owner", ""),
        problem_type=summary.get("problem_type", ""),
        description=summary.get("description", ""),
        risk=summary.get("risk_rating", ""),
        created_by=changes.get("created_by", base.created_by if base else ""),
        submitted_by=changes.get("submitted_by", base.submitted_by if base else ""),
        updated_by=changes.get("updated_by", base.updated_by if base else ""),
        updated_at=record.modified_at.timestamp() if record.modified_at else time.time(),
        shared=changes.get("shared", base.shared if base else ""),
    )


class Effects:
    def __init__(
        self,
        governance: Governance,
        shares: StageShares,
        state: CardState,
        audit: AuditLog,
        notifier: SlackNotifier,
        outbox: Outbox,
        keys: Keys | None = None,
        timers: ReviewTimers | None = None,
        reviews: Reviews | None = None,
    ) -> None:
        self._gov = governance
        self._shares = shares
        self._state = state
        self._audit = audit
        self._notifier = notifier
        self._outbox = outbox
        self._keys = keys or Keys()
        reviews = reviews or Reviews(state.redis, state.keys)
        self.desk = ReviewDesk(governance, reviews, state, notifier, audit, timers)

    @property
    def state(self) -> CardState:
        return self._state

    def settle(self, actor: Actor, change: Change) -> CardSnapshot:
        record, status = change.card, change.card.status
        key = f"{record.name}:{status}:{change.at}"
        revoked: list[str] = []
        stage = self._gov.stage_for_status(status)
        if status is CardStatus.ARCHIVED:
            revoked = self._shares.unshare_card(actor, record.arn)
            shared: list[str] = []
        else:
            if stage is not None:
                self._shares.share_card(actor, stage[0], record.arn, key)
            shared = [name for name, _ in self._gov.stages_up_to(status)]

        base = self._state.get(record.name)
        extra = {"updated_by": change.user, "shared": ",".join(shared)}
        if status is CardStatus.PENDING_REVIEW and change.previous is not CardStatus.PENDING_REVIEW:
            extra["submitted_by"] = change.user
        snapshot = snapshot_from(record, base, **extra)
        if change.previous != status:
            self._notify_stages(change, key, stage, revoked)
            if status is CardStatus.PENDING_REVIEW:
                self._request_approval(snapshot, key)
                self.desk.start_timers(record.name, change.at)
            if change.previous is CardStatus.PENDING_REVIEW:
                self._close_approval(snapshot, change)
                self.desk.stop_timers(record.name)
        # Written last: a job replayed after a crash still sees the old status and
        # settles again (every effect above is keyed, so nothing is doubled).
        self._state.add_version(record.name, record.version, status, change.at, change.user)
        self._state.put_content(record.name, serialize(record.content))
        self._state.put(snapshot)
        return snapshot

    def _notify_stages(
        self,
        change: Change,
        key: str,
        stage: tuple[str, Stage] | None,
        revoked: list[str],
    ) -> None:
        record = change.card
        actor = change.user or "outside Slack (console/SDK)"
        targets = [stage[0]] if stage else revoked
        for name in targets:
            conf = self._gov.stages[name]
            move = StageMove(
                card=record.name,
                source=str(change.previous) if change.previous else None,
                target=str(record.status),
                stage=name,
                account=conf.account,
                access=str(conf.access),
                actor=actor,
                at=change.at,
                region=self._gov.region,
                reason=change.reason or None,
                revoked=revoked,
                version=record.version,
            )
            # A job of its own: a stage channel Slack refuses (the bot removed from it) must
            # not stop the move from settling, and it is retried or dead-lettered alone.
            self._outbox.announce(
                f"notify:{key}:{name}",
                conf.channel,
                notification_text(move),
                stage_notification_blocks(move),
                record.name,
            )

    def _request_approval(self, snapshot: CardSnapshot, key: str) -> None:
        self.desk.request(snapshot, key)

    def _close_approval(self, snapshot: CardSnapshot, change: Change) -> None:
        self.desk.close(
            snapshot,
            decided_by=change.user,
            at=change.at,
            reason=change.reason,
            notes=change.notes,
            decision=_closing(change.action),
        )

    def record(self, event: AuditEvent) -> None:
        self._audit.record(event)


def _closing(action: str) -> str:
    """The closed request's decision when the action says more than the status does."""
    return {EXPIRE_ACTION: "Expired", "return-to-draft": "Returned to Draft"}.get(action, "")
