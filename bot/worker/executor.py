"""Carry out one job: route it to its family (`bot.worker.jobs`), which re-authorizes from
governance and Redis, acts on AWS as the person, then settles the effects. A permanent
failure is told to the person; a transient one is raised as RetryLater / retryable AwsError
for the worker to retry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.authz import Authorizer
from bot.aws.cards import ModelCards
from bot.aws.registry import ModelRegistry
from bot.aws.sessions import Actor
from bot.aws.sharing import StageShares
from bot.errors import AwsError, ModelCardBotError, ReadOnlyPermissionRefused, RetryLater
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.outbox import Outbox
from bot.slack.notifier import SlackNotifier
from bot.slack.text import refusal
from bot.store.audit import AuditLog
from bot.store.callers import CallerLog
from bot.store.cards import CardState
from bot.store.claims import Claims
from bot.store.reviews import Reviews
from bot.store.timers import ReviewTimers
from bot.store.usergroups import GroupDirectory
from bot.worker.drift import ShareDrift
from bot.worker.edit_policy import EditPolicy
from bot.worker.effects import Effects
from bot.worker.jobs.authoring import Authoring
from bot.worker.jobs.diff import Diffs
from bot.worker.jobs.export import Exports
from bot.worker.jobs.observe import Observer
from bot.worker.jobs.slack_only import SlackOnly
from bot.worker.jobs.transitions import Transitions
from bot.worker.outcomes import job_event, release_claim
from bot.worker.outside import OutsideJudge
from bot.worker.permission_refusal import report_refusal

log = logging.getLogger("modelcard_bot.worker")


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
        timers: ReviewTimers | None = None,
        groups: GroupDirectory | None = None,
        handlers: Mapping[JobKind, Callable[[Job], None]] | None = None,
        reviews: Reviews | None = None,
    ) -> None:
        self._gov = governance
        self._cards = cards
        self._audit = audit
        self._notifier = notifier
        self._outbox = outbox
        authz = Authorizer(governance, state, groups)
        self._effects = Effects(
            governance, shares, state, audit, notifier, timers=timers, reviews=reviews
        )
        effects = self._effects
        edits = EditPolicy(governance, cards, shares, effects, notifier, audit)
        self._transitions = Transitions(
            governance,
            authz,
            cards,
            state,
            audit,
            notifier,
            effects,
            registry or ModelRegistry(cards.sessions),
        )
        families = (
            Authoring(governance, authz, cards, shares, state, audit, notifier, effects, edits),
            self._transitions,
            self._observer(governance, cards, shares, state, audit, notifier, edits, automation),
            Exports(governance, authz, cards, audit, notifier, outbox),
            Diffs(governance, authz, cards, state, notifier),
            SlackOnly(notifier),
        )
        self._handlers: dict[JobKind, Callable[[Job], None]] = {
            **{k: handler for family in families for k, handler in family.handlers().items()},
            # Families built by the composition root (user groups, audit export, App Home).
            **(handlers or {}),
        }

    def _observer(
        self,
        gov: Governance,
        cards: ModelCards,
        shares: StageShares,
        state: CardState,
        audit: AuditLog,
        notifier: SlackNotifier,
        edits: EditPolicy,
        automation: Actor | None,
    ) -> Observer:
        """Changes outside Slack are followed only as the automation role."""
        if automation is None:
            return Observer(None, None)
        judge = OutsideJudge(
            gov,
            cards,
            self._effects,
            edits,
            notifier,
            audit,
            CallerLog(state.redis, state.keys),
            Claims(state.redis, state.keys),
            automation,
        )
        drift = ShareDrift(gov, cards, shares, state, notifier, audit, automation)
        return Observer(judge, drift)

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
        self._audit.record(job_event(job, "refused", str(err), getattr(err, "request_id", "")))
        release_claim(self._outbox, job)
        if isinstance(err, ReadOnlyPermissionRefused):
            report_refusal(self._gov, self._notifier, err, job.card)
        self._notifier.reply(job, refusal(err))
