"""Changes made outside Slack: an OBSERVE job (reconciler or EventBridge) is judged
(`bot.worker.outside`), then settled from what AWS says now; a CHECK_SHARES job (once per
reconcile pass) puts share drift right (`bot.worker.drift`). Without automation_role_arn
nothing follows such changes; the worker says so once at start, not once per job."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.jobs import Job, JobKind
from bot.worker.drift import ShareDrift
from bot.worker.outside import OutsideJudge


class Observer:
    def __init__(self, judge: OutsideJudge | None, drift: ShareDrift | None) -> None:
        self._judge = judge
        self._drift = drift

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return {JobKind.OBSERVE: self.observe, JobKind.CHECK_SHARES: self.check_shares}

    def observe(self, job: Job) -> None:
        if self._judge is not None:
            self._judge.observe(job)

    def check_shares(self, job: Job) -> None:
        if self._drift is not None:
            self._drift.check(job.args.get("pass", ""))
