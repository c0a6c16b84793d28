"""The PUBLISH_HOME job: gather the dashboard from Redis (snapshots, review rounds, audit)
and publish it with views.publish. Pages hold PAGE_SIZE items of each list."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.domain.status import Action, CardStatus
from bot.jobs import Job
from bot.slack.home import PAGE_SIZE, Page, Waiting, home_view
from bot.store.cards import CardSnapshot
from bot.store.reviews import Reviews
from bot.worker.services import JobFamily, WorkerServices

MAX_PAGES = 50  # beyond, `/modelcard list` pages through everything
_SCAN = 200  # PendingReview cards read per round trip while looking for mine to decide


class HomeDashboard(JobFamily):
    def __init__(
        self,
        services: WorkerServices,
        reviews: Reviews,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(services)
        self._reviews = reviews
        self._clock = clock

    def publish(self, job: Job) -> None:
        number = min(max(int(job.args.get("page", "0") or 0), 0), MAX_PAGES)
        wanted = (number + 1) * PAGE_SIZE + 1  # one more tells whether a next page exists
        mine, _ = self._state.created_by(job.user, limit=wanted)
        waiting: list[CardSnapshot] = []
        can_approve = Action.APPROVE in self._authz.capabilities(job.user)
        if can_approve:
            waiting = self._waiting_for(job.user, wanted)
        has_next = len(mine) >= wanted or len(waiting) >= wanted
        start = number * PAGE_SIZE
        mine, waiting = mine[start : start + PAGE_SIZE], waiting[start : start + PAGE_SIZE]
        rounds = self._reviews.rounds([c.name for c in waiting])
        items = []
        for card in waiting:
            review = rounds.get(card.name)
            items.append(
                Waiting(
                    card=card,
                    # Since the request, or the edit that rebound the round to this version.
                    started_at=(review.timers_from or review.opened_at) if review else None,
                    version=review.version if review else card.version,
                    reminded=bool(review and review.reminded_at),
                    escalated=bool(review and review.escalated_at),
                )
            )
        stages = {str(s.on_status): name for name, s in self._gov.stages.items()}
        recent = [e for e in self._audit.recent(60) if e.target and e.result == "ok"][-15:]
        view = home_view(
            user=job.user,
            counts={str(s): self._state.count(s) for s in CardStatus},
            my_cards=mine,
            waiting=items,
            recent=recent,
            region=self._gov.region,
            stages=stages,
            now=self._clock(),
            page=Page(number=number, has_next=has_next),
        )
        self._notifier.publish_home(job.user, view)

    def _waiting_for(self, user: str, wanted: int) -> list[CardSnapshot]:
        found: list[CardSnapshot] = []
        after = ""
        while len(found) < wanted:
            batch, cursor = self._state.page(CardStatus.PENDING_REVIEW, after=after, limit=_SCAN)
            found += [c for c in batch if user not in self._authz.authors(c.name)]
            if cursor is None:
                break
            after = cursor
        return found[:wanted]
