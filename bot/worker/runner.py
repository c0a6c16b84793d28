"""The worker loop: read jobs from the outbox's consumer group, run them, ack after the
effect. Transient failures are retried with exponential backoff and jitter; a job that
keeps failing goes to the dead-letter stream and is reported."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from bot.errors import AwsError, RetryLater
from bot.jobs import Job
from bot.outbox import Outbox
from bot.worker.executor import JobExecutor

log = logging.getLogger("modelcard_bot.worker")


class Worker:
    def __init__(
        self,
        outbox: Outbox,
        executor: JobExecutor,
        consumer: str,
        *,
        max_attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_dead: Callable[[Job, str], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._executor = executor
        self._consumer = consumer
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep
        self._on_dead = on_dead
        outbox.ensure_group()

    def run_once(self, block_ms: int = 1000) -> int:
        """Process what is waiting (up to 10 jobs); returns how many were handled."""
        batch = self._outbox.read(self._consumer, count=10, block_ms=block_ms)
        for entry_id, job in batch:
            self._process(job)
            self._outbox.ack(entry_id)
        return len(batch)

    def drain(self, idle_rounds: int = 1) -> int:
        """Run until the stream has no new job (tests and the demo use it)."""
        total, idle = 0, 0
        while idle < idle_rounds:
            handled = self.run_once(block_ms=50)
            total += handled
            idle = idle + 1 if handled == 0 else 0
        return total

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("worker loop error; retrying in 1s")
                stop.wait(1.0)

    def _process(self, job: Job) -> None:
        for attempt in range(1, self._max_attempts + 1):
            try:
                self._executor.run(job)
                return
            except (RetryLater, AwsError) as err:
                reason = str(err)
                if attempt == self._max_attempts:
                    break
                hinted = err.retry_after if isinstance(err, RetryLater) else 0.0
                backoff = min(self._max_delay, self._base_delay * 2 ** (attempt - 1))
                self._sleep(max(hinted, random.uniform(0, backoff)))  # noqa: S311 - jitter
            except Exception as err:
                log.exception("job crashed", extra={"job": job.id, "kind": str(job.kind)})
                reason = f"{type(err).__name__}: {err}"
                break
        if self._on_dead:
            self._on_dead(job, reason)
