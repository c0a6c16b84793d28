"""Fire due review timers: remind the approvers, escalate, expire the review.

Each worker process polls; the store's claim gives every due timer to one worker. A fired
timer is checked against the card's review round first: a review that ended (decision,
return to Draft, archive, a newer round) or timers started again (an edit rebound the round)
fire nothing. What fires speaks of the round: the version under review, how long since the
request or the last rebind, in the thread of the round's approval request. Posts are keyed by
card, kind and timers, so a timer fired again after its worker died updates its message
instead of posting twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from bot.aws.cards import ModelCards
from bot.aws.sessions import Actor
from bot.domain.durations import format_age
from bot.domain.status import Action, CardStatus
from bot.errors import AwsError, ModelCardBotError, RetryLater
from bot.governance import Governance
from bot.slack.messages import reviews as review_messages
from bot.slack.notifier import SlackNotifier
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardSnapshot, CardState
from bot.store.reviews import ReviewRound
from bot.store.timers import ReviewTimers, Timer
from bot.worker.effects import EXPIRE_ACTION, Change, Effects

log = logging.getLogger("modelcard_bot.worker")


class ReviewTimerRunner:
    def __init__(
        self,
        governance: Governance,
        state: CardState,
        timers: ReviewTimers,
        notifier: SlackNotifier,
        cards: ModelCards,
        effects: Effects,
        audit: AuditLog,
        *,
        automation: Actor | None,
        approvers: Callable[[str], list[str]],
        members_of: Callable[[str], Sequence[str]],
        owner: str,
        lease: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._gov = governance
        self._state = state
        self._timers = timers
        self._notifier = notifier
        self._cards = cards
        self._effects = effects
        self._audit = audit
        self._automation = automation
        self._approvers = approvers
        self._members_of = members_of
        self._owner = owner
        self._lease = lease
        self._clock = clock

    def poll(self) -> int:
        """Fire the timers due now; returns how many were fired or dropped."""
        done = 0
        for timer in self._timers.claim_due(self._clock(), self._lease, self._owner):
            try:
                self._fire(timer)
            except (RetryLater, AwsError) as err:
                if isinstance(err, AwsError) and not err.retryable:
                    log.warning("review timer refused by AWS: %s", err, extra={"card": timer.card})
                else:
                    # Left claimed: it comes due again when the lease ends.
                    log.warning(
                        "review timer failed (%s); retried later", err, extra={"card": timer.card}
                    )
                    continue
            except ModelCardBotError as err:
                # e.g. the card left review outside Slack meanwhile: the reconciler follows it.
                log.warning("review timer dropped: %s", err, extra={"card": timer.card})
            self._timers.fired(timer, self._clock())
            done += 1
        return done

    def _fire(self, timer: Timer) -> None:
        snapshot = self._state.get(timer.card)
        review = self._effects.desk.reviews.current(timer.card)
        if (
            snapshot is None
            or snapshot.status is not CardStatus.PENDING_REVIEW
            or review is None
            or not review.is_open
            or review.timers_round != timer.round_id
        ):
            return  # the review ended or its timers started again: nothing to say
        waited = format_age(self._clock() - review.timers_from)
        if timer.kind == "remind":
            self._remind(review, waited)
        elif timer.kind == "escalate":
            self._escalate(review, waited)
        elif timer.kind == "expire":
            self._expire(snapshot, review)

    def _thread(self, review: ReviewRound) -> tuple[str, str]:
        """The round's approval request, whose thread the timer replies in."""
        return review.message or (self._gov.approvals_channel, "")

    def _remind(self, review: ReviewRound, waited: str) -> None:
        channel, ts = self._thread(review)
        text, blocks = review_messages.reminder(
            review.card, review.version, waited, self._approvers(review.card)
        )
        self._notifier.post_once(
            f"remind:{review.card}:{review.timers_round}", channel, text, blocks, thread_ts=ts
        )
        self._record(review.card, "remind", f"v{review.version} waited {waited}")

    def _escalate(self, review: ReviewRound, waited: str) -> None:
        to = self._gov.review.escalate_to
        channel, ts = self._thread(review)
        text, blocks = review_messages.escalation(review.card, review.version, waited, to)
        self._notifier.post_once(
            f"escalate:{review.card}:{review.timers_round}", channel, text, blocks, thread_ts=ts
        )
        people: list[str] = []
        for who in to:
            for person in self._members_of(who) if who.startswith("S") else [who]:
                if person not in people:
                    people.append(person)
        dm_text, dm_blocks = review_messages.escalation_dm(
            review.card, review.version, waited, channel
        )
        for person in people:
            # chat.postMessage to a user id posts in the app's DM with that person.
            self._notifier.post_once(
                f"escalate-dm:{review.card}:{review.timers_round}:{person}",
                person,
                dm_text,
                dm_blocks,
            )
        self._record(review.card, "escalate", f"v{review.version} to {', '.join(to)}")

    def _expire(self, snapshot: CardSnapshot, review: ReviewRound) -> None:
        if self._automation is None:
            return  # check-config refuses expire_after without automation_role_arn
        reason = f"review expired after {self._gov.review.written('expire')}"
        # Only the version under review expires: content changed in AWS meanwhile (not yet
        # seen) refuses it, and the rebind that follows starts the timers again.
        outcome = self._cards.transition(
            self._automation, snapshot.name, Action.REJECT, expect_version=review.version
        )
        change = Change(
            card=outcome.card,
            previous=outcome.previous if outcome.changed else snapshot.status,
            user=self._automation.user_id,
            reason=reason,
            action=EXPIRE_ACTION,
        )
        self._effects.settle(self._automation, change)
        self._audit.record(
            AuditEvent(
                actor=self._automation.user_id,
                action=EXPIRE_ACTION,
                card=snapshot.name,
                source=str(change.previous or ""),
                target=str(outcome.card.status),
                result="ok" if outcome.changed else "already",
                detail=f"v{review.version}: {reason}",
                request_id=outcome.request_id,
            )
        )

    def _record(self, card: str, action: str, detail: str) -> None:
        self._audit.record(
            AuditEvent(actor="modelcard-bot", action=action, card=card, detail=detail)
        )
