"""Carry out one job: route it to its family (`bot.worker.jobs`), which re-authorizes from
governance and Redis, acts on AWS as the person, then settles the effects. A permanent
failure is told to the person; a transient one is raised as RetryLater / retryable AwsError
for the worker to retry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from bot.aws.registry import ModelRegistry
from bot.aws.sessions import Actor
from bot.errors import AwsError, ModelCardBotError, ReadOnlyPermissionRefused, RetryLater
from bot.jobs import Job, JobKind
from bot.slack.text import refusal
from bot.store.callers import CallerLog
from bot.store.claims import Claims
from bot.store.reviews import Reviews
from bot.store.timers import ReviewTimers
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
from bot.worker.services import WorkerServices

log = logging.getLogger("modelcard_bot.worker")


class JobExecutor:
    def __init__(
        self,
        services: WorkerServices,
        automation: Actor | None = None,
        registry: ModelRegistry | None = None,
        timers: ReviewTimers | None = None,
        handlers: Mapping[JobKind, Callable[[Job], None]] | None = None,
        reviews: Reviews | None = None,
    ) -> None:
        s = services
        self._gov = s.governance
        self._audit = s.audit
        self._notifier = s.notifier
        self._outbox = s.outbox
        self._effects = Effects(
            s.governance,
            s.shares,
            s.state,
            s.audit,
            s.notifier,
            s.outbox,
            timers=timers,
            reviews=reviews,
        )
        edits = EditPolicy(s.governance, s.cards, s.shares, self._effects, s.notifier, s.audit)
        self._transitions = Transitions(
            s, self._effects, registry or ModelRegistry(s.cards.sessions)
        )
        families = (
            Authoring(s, self._effects, edits),
            self._transitions,
            self._observer(s, edits, automation),
            Exports(s),
            Diffs(s),
            SlackOnly(s.notifier),
        )
        self._handlers: dict[JobKind, Callable[[Job], None]] = {
            **{k: handler for family in families for k, handler in family.handlers().items()},
            # Families built by the composition root (user groups, audit export, App Home).
            **(handlers or {}),
        }

    def _observer(self, s: WorkerServices, edits: EditPolicy, automation: Actor | None) -> Observer:
        """Changes outside Slack are followed only as the automation role."""
        if automation is None:
            return Observer(None, None)
        judge = OutsideJudge(
            s.governance,
            s.cards,
            self._effects,
            edits,
            s.outbox,
            s.audit,
            CallerLog(s.state.redis, s.state.keys),
            Claims(s.state.redis, s.state.keys),
            automation,
        )
        return Observer(judge, ShareDrift(s, automation))

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
