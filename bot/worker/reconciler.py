"""Changes made outside Slack: the reconciler lists cards in the central account and
queues an OBSERVE job for every card whose status or modification time differs from what
Redis last saw; EventBridge events from SQS queue the same jobs.

OBSERVE jobs read AWS (the source of truth) when they run, so repeated or out-of-order
events are harmless, and their idempotency keys make repeats free.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from bot.aws.cards import ModelCards
from bot.aws.sessions import Actor
from bot.domain.identity import CallRecord, from_cloudtrail
from bot.jobs import Job, JobKind
from bot.outbox import Outbox
from bot.store.callers import CallerLog
from bot.store.cards import CardState
from bot.store.keys import Keys

log = logging.getLogger("modelcard_bot.reconciler")
_BATCH = 500
EVENT_DETAIL_TYPE = "SageMaker Model Card State Change"
# The second EventBridge rule forwards CloudTrail's record of each UpdateModelCard (and
# CreateModelCard): who made the call, which the out-of-band approval check needs.
CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"


class Reconciler:
    def __init__(
        self,
        cards: ModelCards,
        state: CardState,
        outbox: Outbox,
        redis_client: Any,
        actor: Actor,
        keys: Keys | None = None,
    ) -> None:
        self._cards = cards
        self._state = state
        self._outbox = outbox
        self._redis = redis_client
        self._actor = actor
        self._keys = keys or Keys()

    def tick(self, lock_seconds: int = 30) -> int:
        """One pass per `lock_seconds` across all workers; returns the OBSERVE jobs queued
        (0 when another worker made this interval's pass)."""
        if not self._redis.set(self._keys.claim("reconcile"), "1", nx=True, ex=lock_seconds):
            return 0
        baseline = not self._redis.exists(self._keys.reconcile_baseline)
        summaries = list(self._cards.list_cards(self._actor))
        queued = 0
        for start in range(0, len(summaries), _BATCH):
            chunk = summaries[start : start + _BATCH]
            seen = self._state.last_seen([s.name for s in chunk])
            for summary in chunk:
                at = summary.modified_at.timestamp() if summary.modified_at else 0.0
                known = seen.get(summary.name)
                if known and known[0] == summary.status and at <= known[1] + 0.001:
                    continue
                args = {"status": str(summary.status), "at": str(at)}
                if baseline and known is None:
                    args["baseline"] = "1"  # existed before the bot: share, don't announce
                job = Job(kind=JobKind.OBSERVE, user="", card=summary.name, args=args)
                if self._outbox.enqueue(job, f"observe:{summary.name}:{summary.status}:{at}"):
                    queued += 1
        listed = {s.name for s in summaries}
        for name in self._state.names():
            if name not in listed:
                log.info("card gone from AWS; forgetting it", extra={"card": name})
                self._state.remove(name)
        self._redis.set(self._keys.reconcile_baseline, "1")
        # After this pass's OBSERVE jobs: the share check skips cards they have not settled.
        pass_id = str(int(time.time()))
        check = Job(kind=JobKind.CHECK_SHARES, user="", card="", args={"pass": pass_id})
        self._outbox.enqueue(check, f"check-shares:{pass_id}")
        # The lock is left to expire: one pass per interval across all workers.
        return queued


def card_from_event(event: dict[str, Any]) -> str | None:
    """The card name in a "SageMaker Model Card State Change" event, or None."""
    if event.get("detail-type") != EVENT_DETAIL_TYPE:
        return None
    detail = event.get("detail") or {}
    name = detail.get("ModelCardName") or detail.get("modelCardName")
    if isinstance(name, str) and name:
        return name.rsplit("/", 1)[-1]
    for resource in event.get("resources") or []:
        if isinstance(resource, str) and ":model-card/" in resource:
            return resource.rsplit("/", 1)[-1]
    return None


def call_from_event(event: dict[str, Any]) -> CallRecord | None:
    """The model card call in an "AWS API Call via CloudTrail" event from SageMaker, or None."""
    if event.get("detail-type") != CLOUDTRAIL_DETAIL_TYPE or event.get("source") != "aws.sagemaker":
        return None
    return from_cloudtrail(event.get("detail"))


class EventConsumer:
    """Long-polls the SQS queue the EventBridge rules feed; one OBSERVE job per event id.
    CloudTrail events also record who called (`callers`) before their OBSERVE job runs."""

    def __init__(
        self, sqs: Any, queue_url: str, outbox: Outbox, callers: CallerLog | None = None
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._outbox = outbox
        self._callers = callers

    def poll(self, wait_seconds: int = 10) -> int:
        answer = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        )
        queued = 0
        for message in answer.get("Messages", []):
            try:
                event = json.loads(message["Body"])
                card = self._card_of(event) if isinstance(event, dict) else None
            except ValueError:
                card = None
            if card is None:
                log.warning("ignoring an SQS message that is not a model card event")
            else:
                job = Job(kind=JobKind.OBSERVE, user="", card=card, args={"event": "1"})
                key = f"event:{event.get('id') or message['MessageId']}"
                if self._outbox.enqueue(job, key):
                    queued += 1
            # Deleted after the job is safely in Redis; a crash before this redelivers it.
            self._sqs.delete_message(
                QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
        return queued

    def _card_of(self, event: dict[str, Any]) -> str | None:
        call = call_from_event(event)
        if call is None:
            return card_from_event(event)
        if self._callers is not None:
            self._callers.record(call)
        return call.card
