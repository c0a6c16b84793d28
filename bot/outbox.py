"""The outbox: a Redis stream of jobs read by a consumer group of workers.

Enqueueing and taking the idempotency claim happen in one Lua script, so a double click or
two approvers at once put exactly one job in the stream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import redis

from bot.jobs import Job
from bot.store.keys import Keys

GROUP = "workers"


@dataclass(frozen=True)
class Delivery:
    entry_id: str
    job: Job
    # How many times the stream handed this entry out (more than 1 after a reclaim).
    deliveries: int


# KEYS[1] stream, KEYS[2] claim key; ARGV[1] job json, ARGV[2] claim owner, ARGV[3] ttl.
_ENQUEUE = """
if ARGV[3] ~= '0' then
  if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then
    return false
  end
end
return redis.call('XADD', KEYS[1], '*', 'job', ARGV[1])
"""


class Outbox:
    def __init__(self, redis_client: Any, keys: Keys | None = None) -> None:
        self._redis = redis_client
        self._keys = keys or Keys()
        self._enqueue = redis_client.register_script(_ENQUEUE)

    def enqueue(self, job: Job, idempotency_key: str = "", ttl_seconds: int = 86400) -> bool:
        """Add the job unless `idempotency_key` was claimed already; True if it was added."""
        claim = self._keys.claim(idempotency_key) if idempotency_key else self._keys.claim("-")
        ttl = ttl_seconds if idempotency_key else 0
        added = self._enqueue(keys=[self._keys.jobs, claim], args=[job.to_json(), job.id, ttl])
        return added is not None

    def length(self) -> int:
        return int(self._redis.xlen(self._keys.jobs))

    def ensure_group(self) -> None:
        try:
            self._redis.xgroup_create(self._keys.jobs, GROUP, id="0", mkstream=True)
        except redis.ResponseError as err:
            if "BUSYGROUP" not in str(err):
                raise

    def read(self, consumer: str, count: int = 1, block_ms: int = 1000) -> list[Delivery]:
        """New jobs for this consumer; each stays pending until `ack`."""
        answer = self._redis.xreadgroup(
            GROUP, consumer, {self._keys.jobs: ">"}, count=count, block=block_ms
        )
        found: list[Delivery] = []
        for _stream, entries in answer or []:
            for entry_id, data in entries:
                found.append(Delivery(str(entry_id), Job.from_json(data["job"]), 1))
        return found

    def reclaim(self, consumer: str, min_idle_ms: int, count: int = 10) -> list[Delivery]:
        """Take over jobs another consumer left pending longer than `min_idle_ms` (it died)."""
        answer = self._redis.xautoclaim(
            self._keys.jobs, GROUP, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
        )
        entries = [(i, d) for i, d in answer[1] if d] if answer else []
        if not entries:
            return []
        counts = {
            str(row["message_id"]): int(row["times_delivered"])
            for row in self._redis.xpending_range(
                self._keys.jobs,
                GROUP,
                min=entries[0][0],
                max=entries[-1][0],
                count=len(entries) * 4,
                consumername=consumer,
            )
        }
        return [
            Delivery(str(i), Job.from_json(d["job"]), counts.get(str(i), 2)) for i, d in entries
        ]

    def touch(self, consumer: str, entry_id: str) -> None:
        """Reset the entry's idle time: the job is still running, don't reclaim it."""
        self._redis.xclaim(self._keys.jobs, GROUP, consumer, 0, [entry_id], justid=True)

    def ack(self, entry_id: str) -> None:
        self._redis.xack(self._keys.jobs, GROUP, entry_id)

    def pending_count(self) -> int:
        info = self._redis.xpending(self._keys.jobs, GROUP)
        return int(info["pending"])

    def release(self, idempotency_key: str) -> None:
        """Let the same intent be enqueued again (after a permanent failure)."""
        self._redis.delete(self._keys.claim(idempotency_key))

    def bury(self, job: Job, reason: str) -> str:
        """Move a job that keeps failing to the dead-letter stream."""
        entry = {"job": job.to_json(), "reason": reason[:1000], "at": str(time.time())}
        return str(self._redis.xadd(self._keys.dead_letters, entry))

    def dead_letters(self, count: int = 100) -> list[tuple[str, Job, str]]:
        rows = self._redis.xrange(self._keys.dead_letters, count=count)
        return [(str(i), Job.from_json(d["job"]), d.get("reason", "")) for i, d in rows]

    def requeue_dead(self) -> int:
        """Put every dead letter back in the outbox (admin retry); returns how many."""
        moved = 0
        for entry_id, job, _reason in self.dead_letters(count=1000):
            pipe = self._redis.pipeline(transaction=True)
            pipe.xadd(self._keys.jobs, {"job": job.to_json()})
            pipe.xdel(self._keys.dead_letters, entry_id)
            pipe.execute()
            moved += 1
        return moved
