"""A change made outside Slack (reconciler or EventBridge): settle it from what AWS says now."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.aws.cards import ModelCards
from bot.aws.sessions import Actor
from bot.errors import CardNotFound
from bot.jobs import Job, JobKind
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardState
from bot.worker.effects import Change, Effects

log = logging.getLogger("modelcard_bot.worker")


class Observer:
    def __init__(
        self,
        cards: ModelCards,
        state: CardState,
        audit: AuditLog,
        effects: Effects,
        automation: Actor | None,
    ) -> None:
        self._cards = cards
        self._state = state
        self._audit = audit
        self._effects = effects
        self._automation = automation

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return {JobKind.OBSERVE: self.observe}

    def observe(self, job: Job) -> None:
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
