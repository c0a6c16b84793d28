"""Jobs that only talk to Slack: publish the App Home tab, send an answer decided at the edge."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping

from bot.domain.status import Action, CardStatus
from bot.governance import Governance
from bot.jobs import Job, JobKind
from bot.slack.home import home_view
from bot.slack.notifier import SlackNotifier
from bot.store.audit import AuditLog
from bot.store.cards import CardState

log = logging.getLogger("modelcard_bot.worker")


class SlackOnly:
    def __init__(
        self,
        governance: Governance,
        state: CardState,
        audit: AuditLog,
        notifier: SlackNotifier,
    ) -> None:
        self._gov = governance
        self._state = state
        self._audit = audit
        self._notifier = notifier

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return {JobKind.PUBLISH_HOME: self.publish_home, JobKind.REPLY: self.reply}

    def publish_home(self, job: Job) -> None:
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

    def reply(self, job: Job) -> None:
        extra = json.loads(job.args["blocks"]) if job.args.get("blocks") else None
        self._notifier.reply(job, job.args["text"], extra, replace=job.args.get("replace") == "1")
