"""The worker retries a job whose Redis call times out or loses its connection (a stalled
server, a failover), as it retries a throttled AWS call, instead of dead-lettering it."""

from __future__ import annotations

import json

import redis

from bot.jobs import Job, JobKind
from bot.local.redis_server import RedisServer
from bot.outbox import Outbox
from bot.store.connect import connect
from bot.store.keys import Keys
from bot.worker.runner import Worker


class PausingAnnouncer:
    """Stands in for the executor: each run queues the same channel post (claimed once), and
    the first run pauses the server's writes first, so its write outlasts the timeout."""

    def __init__(self, outbox: Outbox, admin: redis.Redis, pause_ms: int) -> None:
        self._outbox, self._admin, self._pause_ms = outbox, admin, pause_ms
        self.runs = 0

    def run(self, job: Job) -> None:
        self.runs += 1
        if self.runs == 1:
            self._admin.execute_command("CLIENT", "PAUSE", self._pause_ms, "WRITE")
        self._outbox.announce(f"retried:{job.id}", "C0OPS", "posted once", [])


def test_a_redis_timeout_in_a_job_is_retried_and_its_write_lands_once(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    client = connect(f"{redis_server.url}?socket_timeout=0.3")
    outbox = Outbox(client)
    outbox.ensure_group()
    outbox.enqueue(Job(kind=JobKind.REPLY, user="U0DS", args={"text": "hello"}))
    executor = PausingAnnouncer(outbox, redis_client, pause_ms=700)
    dead: list[str] = []
    worker = Worker(
        outbox,
        executor,  # type: ignore[arg-type]
        "retrying-worker",
        base_delay=0.4,
        max_delay=0.4,
        on_dead=lambda _job, reason: dead.append(reason),
    )
    try:
        assert worker.run_once(block_ms=100) == 1
    finally:
        redis_client.execute_command("CLIENT", "UNPAUSE")
        client.close()
    assert dead == []
    assert executor.runs >= 2  # the first run timed out while the writes were paused
    kinds = [json.loads(f["job"])["kind"] for _id, f in redis_client.xrange(Keys().jobs)]
    assert kinds == ["reply", "announce"]  # the post is queued once, whatever was retried
    assert outbox.dead_letters() == []
