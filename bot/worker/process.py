"""`python -m bot worker`: consumer threads, the reconciler timer and the EventBridge poller."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.worker.reconciler import EventConsumer, Reconciler
from bot.worker.runner import Worker

log = logging.getLogger("modelcard_bot.worker")


def _forever(name: str, step: Callable[[], object], stop: threading.Event, pause: float) -> None:
    while not stop.is_set():
        try:
            step()
        except Exception:
            log.exception("%s failed; trying again", name)
        stop.wait(pause)


class WorkerProcess:
    def __init__(
        self,
        workers: list[Worker],
        reconciler: Reconciler | None = None,
        reconcile_seconds: float = 60.0,
        events: EventConsumer | None = None,
    ) -> None:
        self._workers = workers
        self._reconciler = reconciler
        self._interval = reconcile_seconds
        self._events = events

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
                    args=("reconciler", lambda: reconciler.tick(lock), stop, self._interval),
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
        for thread in threads:
            thread.start()
        stop.wait()
        for thread in threads:
            thread.join(timeout=15)
