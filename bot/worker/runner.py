"""The worker loop: read jobs from the outbox's consumer group, run them, ack after the
effect. Jobs a dead worker left pending are reclaimed after `reclaim_idle` seconds.
Transient failures are retried with exponential backoff and jitter; a job that keeps
failing, or that was handed out too often (it crashes its worker), goes to the
dead-letter stream and is reported."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

import redis

from bot.errors import AwsError, RetryLater
from bot.jobs import Job
from bot.outbox import Delivery, Outbox
from bot.worker.executor import JobExecutor

log = logging.getLogger("modelcard_bot.worker")

# Redis unreachable or not answering in time (a failover, a restart, a stalled server): the
# job is retried like a throttled AWS call. Every job is safe to run again (its writes are
# claimed or compared first), and a timed-out connection is dropped, so the retry starts on
# a fresh one.
_REDIS_TRANSIENT = (redis.ConnectionError, redis.TimeoutError)


class Worker:
    def __init__(
        self,
        outbox: Outbox,
        executor: JobExecutor,
        consumer: str,
        *,
        max_attempts: int = 5,
        max_deliveries: int = 3,
        reclaim_idle: float = 60.0,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        on_dead: Callable[[Job, str], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._executor = executor
        self._consumer = consumer
        self._max_attempts = max_attempts
        self._max_deliveries = max_deliveries
        self._reclaim_ms = int(reclaim_idle * 1000)
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep
        self._on_dead = on_dead
        self._group_ready = False

    @property
    def consumer(self) -> str:
        return self._consumer

    def run_once(self, block_ms: int = 1000) -> int:
        """Handle stuck jobs first, then one new job; returns how many.

        One at a time: a consumer that took a batch would run it in turn while the other
        consumers sit idle."""
        if not self._group_ready:
            self._outbox.ensure_group()
            self._group_ready = True
        batch = self._outbox.reclaim(self._consumer, self._reclaim_ms)
        if not batch:
            batch = self._outbox.read(self._consumer, count=1, block_ms=block_ms)
        for delivery in batch:
            self._handle(delivery)
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
            except redis.ResponseError as err:
                if "NOGROUP" in str(err):  # Redis lost the group (restart without AOF)
                    self._group_ready = False
                else:
                    log.exception("worker loop error")
                stop.wait(0.5)
            except redis.RedisError:
                log.warning("Redis unavailable; reconnecting in 1s")
                stop.wait(1.0)
            except Exception:
                log.exception("worker loop error")
                stop.wait(0.5)

    def _handle(self, delivery: Delivery) -> None:
        job = delivery.job
        if delivery.deliveries > self._max_deliveries:
            reason = (
                f"handed out {delivery.deliveries} times without finishing "
                "(its worker keeps dying?)"
            )
            self._dead(job, reason)
        else:
            done = threading.Event()
            beat = threading.Thread(
                target=self._heartbeat, args=(delivery.entry_id, done), daemon=True
            )
            beat.start()
            try:
                self._process(job)
            finally:
                done.set()
                beat.join()
        self._outbox.ack(delivery.entry_id)

    def _heartbeat(self, entry_id: str, done: threading.Event) -> None:
        # A live worker keeps its job's idle time low, so only a dead one's job is reclaimed.
        while not done.wait(self._reclaim_ms / 3000):
            try:
                self._outbox.touch(self._consumer, entry_id)
            except redis.RedisError:
                log.warning("heartbeat failed", extra={"entry": entry_id})

    def _process(self, job: Job) -> None:
        reason = ""
        for attempt in range(1, self._max_attempts + 1):
            try:
                self._executor.run(job)
                return
            except (RetryLater, AwsError, *_REDIS_TRANSIENT) as err:
                reason = str(err)
                if attempt == self._max_attempts:
                    break
                hinted = err.retry_after if isinstance(err, RetryLater) else 0.0
                backoff = min(self._max_delay, self._base_delay * 2 ** (attempt - 1))
                delay = max(hinted, random.uniform(backoff / 2, backoff))  # noqa: S311 - jitter
                log.info("job retry", extra={"job": job.id, "attempt": attempt, "delay": delay})
                self._sleep(delay)
            except Exception as err:
                log.exception("job crashed", extra={"job": job.id, "kind": str(job.kind)})
                reason = f"{type(err).__name__}: {err}"
                break
        self._dead(job, reason)

    def _dead(self, job: Job, reason: str) -> None:
        log.error("job dead-lettered", extra={"job": job.id, "reason": reason[:200]})
        if self._on_dead:
            self._on_dead(job, reason)
