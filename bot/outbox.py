"""The outbox: a Redis stream of jobs read by a consumer group of workers.

Enqueueing and taking the idempotency claim happen in one Lua script, so a double click or
two approvers at once put exactly one job in the stream. The same script writes the request's
audit entries, the duplicate's private refusal and (at the HTTP edge) the replay-cache entry
of the request's signature: one round trip, atomic together.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis

from bot.jobs import Job, JobKind
from bot.store.audit import AuditEvent
from bot.store.keys import Keys
from bot.store.wire import Wire

GROUP = "workers"


@dataclass(frozen=True)
class Delivery:
    entry_id: str
    job: Job
    # How many times the stream handed this entry out (more than 1 after a reclaim).
    deliveries: int


def replay_first(key: str, ttl: str) -> str:
    """Lua opening a script with the request's replay-cache SET of `key` for `ttl` seconds
    (none when `ttl` is '0'): a signature seen already answers 'replayed', nothing written."""
    return f"""
if {ttl} ~= '0' then
  if not redis.call('SET', {key}, '1', 'NX', 'EX', {ttl}) then
    return 'replayed'
  end
end"""


# KEYS: 1 jobs stream, 2 claim key, 3 seen-signature key, 4 audit stream, 5 the card's audit
# stream (= KEYS[4] when the job names no card).
# ARGV: 1 job json, 2 claim owner, 3 claim ttl ('0': no claim), 4 replay ttl ('0': no replay
# check), 5 the refusal job json queued instead when the claim is taken ('' for none),
# 6.. audit entry fields (name, value, ...; none: no entry), to which the script adds
# `result` = queued | duplicate.
# Returns the job's entry id, false for a duplicate, 'replayed' when the signature was seen
# (then nothing at all is written). Public for the benchmarks' floor (bench/floor_bolt.py).
SUBMIT = (
    replay_first("KEYS[3]", "ARGV[4]")
    + """
local added = true
if ARGV[3] ~= '0' then
  added = redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3])
end
local id = false
if added then
  id = redis.call('XADD', KEYS[1], '*', 'job', ARGV[1])
elseif ARGV[5] ~= '' then
  redis.call('XADD', KEYS[1], '*', 'job', ARGV[5])
end
if #ARGV > 5 then
  local entry = {}
  for i = 6, #ARGV do
    entry[#entry + 1] = ARGV[i]
  end
  entry[#entry + 1] = 'result'
  entry[#entry + 1] = added and 'queued' or 'duplicate'
  redis.call('XADD', KEYS[4], '*', unpack(entry))
  if KEYS[5] ~= KEYS[4] then
    redis.call('XADD', KEYS[5], '*', unpack(entry))
  end
end
return id
"""
)
SUBMIT_SHA = hashlib.sha1(SUBMIT.encode(), usedforsecurity=False).hexdigest()
REPLAYED = "replayed"


@dataclass(frozen=True)
class Submission:
    """A job to queue, under an idempotency claim if `idempotency_key` is set (held
    `ttl_seconds`), with its audit entry and the `refusal` queued instead when the claim is
    taken: what the edge forwards to the outbox unchanged."""

    job: Job
    idempotency_key: str = ""
    ttl_seconds: int = 86400
    audit: AuditEvent | None = None
    refusal: Job | None = None


class Submitted(StrEnum):
    QUEUED = "queued"
    DUPLICATE = "duplicate"
    REPLAYED = "replayed"


class Outbox:
    def __init__(self, redis_client: Any, keys: Keys | None = None) -> None:
        self._redis = redis_client
        self._keys = keys or Keys()
        self._wire = Wire(redis_client)

    def announce(
        self, key: str, channel: str, text: str, blocks: list[dict[str, Any]], card: str = ""
    ) -> bool:
        """Queue a channel message for an ANNOUNCE job to post once per `key`: a post Slack
        refuses is retried (or dead-lettered) on its own, not with the job that decided it."""
        args = {"key": key, "channel": channel, "text": text, "blocks": json.dumps(blocks)}
        job = Job(kind=JobKind.ANNOUNCE, user="", card=card, args=args)
        return self.enqueue(job, f"announce:{key}")

    def enqueue(self, job: Job, idempotency_key: str = "", ttl_seconds: int = 86400) -> bool:
        """Add the job unless `idempotency_key` was claimed already; True if it was added."""
        return self.submit(Submission(job, idempotency_key, ttl_seconds)) is Submitted.QUEUED

    def submit(self, sub: Submission, replay: tuple[str, int] | None = None) -> Submitted:
        """One round trip: the replay-cache entry (`replay`: key and ttl) if given, then the
        job under its idempotency claim, else `refusal`; and `audit` (its `result` set to
        queued or duplicate) in the global and the card's audit stream."""
        job, idempotency_key, ttl_seconds = sub.job, sub.idempotency_key, sub.ttl_seconds
        audit, refusal = sub.audit, sub.refusal
        k = self._keys
        claim = k.claim(idempotency_key) if idempotency_key else k.claim("-")
        ttl = ttl_seconds if idempotency_key else 0
        seen, seen_ttl = replay if replay else (k.seen_signature("-"), 0)
        card_audit = k.card_audit(audit.card) if audit is not None and audit.card else k.audit
        args: list[str | int] = [
            job.to_json(),
            job.id,
            ttl,
            seen_ttl,
            refusal.to_json() if refusal is not None else "",
        ]
        if audit is not None:
            for name, value in audit.to_fields().items():
                if name != "result":
                    args += (name, value)
        answer = self._wire.script(
            SUBMIT, SUBMIT_SHA, [k.jobs, claim, seen, k.audit, card_audit], args
        )
        if answer is None:
            return Submitted.DUPLICATE
        return Submitted.REPLAYED if answer in (REPLAYED, REPLAYED.encode()) else Submitted.QUEUED

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
