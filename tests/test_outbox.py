"""The outbox on its own: the enqueue script's claim, the consumer group, and the take-over of
a job whose consumer stopped renewing it (XAUTOCLAIM) while a live one's heartbeat keeps it."""

from __future__ import annotations

import time

import redis

from bot.jobs import Job, JobKind
from bot.outbox import Outbox


def test_one_intent_one_job(redis_client: redis.Redis) -> None:
    outbox = Outbox(redis_client)
    job = Job(kind=JobKind.CREATE, user="U0LEAD", card="a")
    assert outbox.enqueue(job, "create:a")
    assert not outbox.enqueue(job, "create:a")  # the claim holds
    assert outbox.enqueue(job)  # no idempotency key: always queued
    assert outbox.length() == 2
    outbox.release("create:a")
    assert outbox.enqueue(job, "create:a")
    assert outbox.length() == 3


def test_a_silent_consumers_job_is_taken_over_and_a_live_ones_is_not(
    redis_client: redis.Redis,
) -> None:
    outbox = Outbox(redis_client)
    outbox.ensure_group()
    outbox.ensure_group()  # a second worker starting: BUSYGROUP is fine
    outbox.enqueue(Job(kind=JobKind.SUBMIT, user="U0DS", card="a"), "submit:a")
    [first] = outbox.read("w1", block_ms=10)
    assert (first.job.card, first.deliveries) == ("a", 1)
    assert outbox.read("w2", block_ms=10) == []  # handed out once

    time.sleep(0.3)
    outbox.touch("w1", first.entry_id)  # w1's heartbeat
    assert outbox.reclaim("w2", min_idle_ms=250) == []
    time.sleep(0.3)  # w1 went silent
    [taken] = outbox.reclaim("w2", min_idle_ms=250)
    assert (taken.entry_id, taken.job.card, taken.deliveries) == (first.entry_id, "a", 2)
    assert outbox.pending_count() == 1
    outbox.ack(taken.entry_id)
    assert outbox.pending_count() == 0
    assert outbox.reclaim("w3", min_idle_ms=0) == []
