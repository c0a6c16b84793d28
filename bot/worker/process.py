"""`python -m bot worker`: consumer threads, the reconciler timer and the EventBridge poller."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from bot.worker.reconciler import EventConsumer, Reconciler
from bot.worker.runner import Worker

log = logging.getLogger("modelcard_bot.worker")


FAILURE_PAUSE = 5.0  # after a failed step (a missing queue, AWS down): not a tight loop


def _forever(name: str, step: Callable[[], object], stop: threading.Event, pause: float) -> None:
    while not stop.is_set():
        try:
            step()
        except Exception:
            log.exception("%s failed; trying again in %.0f s", name, max(pause, FAILURE_PAUSE))
            stop.wait(max(pause, FAILURE_PAUSE))
            continue
        stop.wait(pause)


class WorkerProcess:
    def __init__(
        self,
        workers: list[Worker],
        reconciler: Reconciler | None = None,
        reconcile_seconds: float = 60.0,
        events: EventConsumer | None = None,
        before_reconcile: Callable[[int], object] | None = None,
        periodic: Sequence[tuple[str, Callable[[], object], float]] = (),
    ) -> None:
        self._workers = workers
        self._reconciler = reconciler
        self._interval = reconcile_seconds
        self._events = events
        # Hub-and-spoke: SpokeSync.sync, run (with the pass lock seconds) before each tick
        # so the reconciler sees this interval's hub copies.
        self._before_reconcile = before_reconcile
        # (name, step, pause): review timers, user group refresh.
        self._periodic = list(periodic)

    def reconcile_once(self, lock_seconds: int) -> int:
        """One interval: the spoke sync (if any), then the reconciler's tick."""
        if self._reconciler is None:
            return 0
        if self._before_reconcile is not None:
            try:
                self._before_reconcile(lock_seconds)
            except Exception:
                log.exception("spoke sync failed; reconciling the hub anyway")
        return self._reconciler.tick(lock_seconds)

    def run(self, stop: threading.Event) -> None:
        threads = [
            threading.Thread(target=w.run_forever, args=(stop,), name=w.consumer, daemon=True)
            for w in self._workers
        ]
        reconciler = self._reconciler
        if reconciler is not None:
            lock = max(1, int(self._interval * 0.9))
            threads.append(
                threading.Thread(
                    target=_forever,
                    args=("reconciler", lambda: self.reconcile_once(lock), stop, self._interval),
                    daemon=True,
                )
            )
        events = self._events
        if events is not None:
            threads.append(
                threading.Thread(
                    target=_forever, args=("events", events.poll, stop, 0.0), daemon=True
                )
            )
        for name, step, pause in self._periodic:
            threads.append(
                threading.Thread(
                    target=_forever, args=(name, step, stop, pause), name=name, daemon=True
                )
            )
        for thread in threads:
            thread.start()
        stop.wait()
        for thread in threads:
            thread.join(timeout=15)
