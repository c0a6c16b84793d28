"""Changes made outside Slack reach the same effects: the reconciler, EventBridge events
from SQS, and dead letters with `admin retry`."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest

from bot.aws import ModelCards
from bot.aws.sessions import Actor
from bot.domain.status import Action
from bot.local import moto_ext
from bot.slack.ids import APPROVE_ACTION
from bot.worker.reconciler import EVENT_DETAIL_TYPE, EventConsumer, Reconciler, card_from_event
from tests.aws_fixtures import REGION
from tests.slack_stack import Stack

CONTENT = {"model_overview": {"model_owner": "o", "problem_type": "p"}}
AUTOMATION = Actor("modelcard-bot", "arn:aws:iam::111111111111:role/mc-automation")


def reconciler(stack: Stack) -> Reconciler:
    c = stack.core
    return Reconciler(ModelCards(stack.aws.sessions), c.state, c.outbox, c.redis, AUTOMATION)


def tick(stack: Stack) -> int:
    stack.core.redis.delete(stack.core.keys.claim("reconcile"))  # a new interval
    return reconciler(stack).tick()


def create_outside_slack(stack: Stack, name: str) -> str:
    lead = stack.aws.actor("U0LEAD", Action.CREATE)
    return stack.aws.cards.create(lead, name, CONTENT)


def posts(stack: Stack, channel: str, card: str) -> list[dict[str, Any]]:
    return [m for m in stack.fake.messages(channel) if card in json.dumps(m)]


def test_first_pass_is_a_silent_baseline_then_new_cards_are_announced(stack: Stack) -> None:
    old_arn = create_outside_slack(stack, "existing-card")
    assert tick(stack) == 1
    stack.drain()
    assert posts(stack, "C0DEV", "existing-card") == []  # existed before the bot
    assert stack.core.state.status_of("existing-card") == "Draft"
    assert [s.stage for s in stack.aws.shares.card_shares(AUTOMATION, old_arn)] == ["dev"]

    create_outside_slack(stack, "console-card")
    assert tick(stack) == 1
    stack.drain()
    dev = posts(stack, "C0DEV", "console-card")
    assert len(dev) == 1
    assert "outside Slack" in json.dumps(dev[0])
    assert tick(stack) == 0  # nothing new


def test_status_change_from_the_dev_account_drives_test_share_and_approval(stack: Stack) -> None:
    arn = create_outside_slack(stack, "sdk-card")
    tick(stack)
    stack.drain()
    dev_client: Any = stack.aws.account_client("222222222222", "sagemaker", user="U0DEVSDK")
    dev_client.update_model_card(ModelCardName=arn, ModelCardStatus="PendingReview")
    assert tick(stack) == 1
    stack.drain()
    assert len(posts(stack, "C0TEST", "sdk-card")) == 1
    approvals = posts(stack, "C0APPROVE", "sdk-card")
    assert len(approvals) == 1
    assert [s.stage for s in stack.aws.shares.card_shares(AUTOMATION, arn)] == ["dev", "test"]


def test_reconciler_racing_a_button_posts_once(stack: Stack) -> None:
    assert stack.command("create raced --owner o --problem-type p", "U0LEAD").status == 200
    stack.drain()
    stack.command("submit raced", "U0DS")
    stack.drain()
    approval = posts(stack, "C0APPROVE", "raced")[0]
    stack.click(APPROVE_ACTION, "U0APPR", approval, "C0APPROVE")
    # The reconciler runs between the click's job being queued and it running, and twice.
    lead = stack.aws.actor("U0LEAD", Action.CREATE)
    stack.aws.cards.transition(stack.aws.actor("U0APPR", Action.APPROVE), "raced", Action.APPROVE)
    tick(stack)
    tick(stack)
    stack.drain()
    assert str(stack.aws.cards.describe(lead, "raced").status) == "Approved"
    assert len(posts(stack, "C0PROD", "raced")) == 1
    decided = posts(stack, "C0APPROVE", "raced")
    assert len(decided) == 1
    assert not [b for b in decided[0]["blocks"] if b["type"] == "actions"]


def test_card_deleted_outside_slack_is_forgotten(stack: Stack) -> None:
    create_outside_slack(stack, "short-lived")
    tick(stack)
    stack.drain()
    stack.aws.cards.delete(stack.aws.actor("U0ADMIN", Action.DELETE), "short-lived")
    tick(stack)
    assert stack.core.state.get("short-lived") is None


def event(name: str, status: str, event_id: str) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": event_id,
            "detail-type": EVENT_DETAIL_TYPE,
            "source": "aws.sagemaker",
            "account": "111111111111",
            "region": REGION,
            "resources": [f"arn:aws:sagemaker:{REGION}:111111111111:model-card/{name}"],
            "detail": {"ModelCardName": name, "ModelCardStatus": status},
        }
    )


def test_eventbridge_events_repeat_and_arrive_out_of_order(stack: Stack) -> None:
    tick(stack)  # baseline of an empty account
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="modelcard-events")["QueueUrl"]
    consumer = EventConsumer(sqs, queue, stack.core.outbox)

    arn = create_outside_slack(stack, "evented")
    sqs.send_message(QueueUrl=queue, MessageBody=event("evented", "Draft", "e-1"))
    assert consumer.poll(wait_seconds=0) == 1
    stack.drain()
    assert len(posts(stack, "C0DEV", "evented")) == 1

    dev: Any = stack.aws.account_client("222222222222", "sagemaker", user="U0DEVSDK")
    dev.update_model_card(ModelCardName=arn, ModelCardStatus="PendingReview")
    for body in [
        event("evented", "PendingReview", "e-2"),
        event("evented", "PendingReview", "e-2"),  # delivered twice
        event("evented", "Draft", "e-1"),  # a late repeat of the first
        event("evented", "Draft", "e-0"),  # an older state arriving last
        "not json",
    ]:
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    queued = sum(consumer.poll(wait_seconds=0) for _ in range(3))
    assert queued == 2  # e-2 and e-0 once each; repeats and junk are dropped
    stack.drain()
    assert len(posts(stack, "C0DEV", "evented")) == 1
    assert len(posts(stack, "C0TEST", "evented")) == 1
    assert len(posts(stack, "C0APPROVE", "evented")) == 1
    assert stack.core.state.status_of("evented") == "PendingReview"
    assert sqs.receive_message(QueueUrl=queue).get("Messages") is None


def test_card_from_event_shapes() -> None:
    assert card_from_event(json.loads(event("a-b", "Draft", "1"))) == "a-b"
    no_detail = {"detail-type": EVENT_DETAIL_TYPE, "resources": ["arn:x:model-card/zz"]}
    assert card_from_event(no_detail) == "zz"
    assert card_from_event({"detail-type": "Other", "detail": {"ModelCardName": "a"}}) is None


def test_failing_job_is_dead_lettered_reported_and_retried(stack: Stack) -> None:
    assert stack.command("create doomed --owner o --problem-type p", "U0LEAD").status == 200
    moto_ext.fail_next("CreateModelCard", 50, code="ConcurrentModificationException")
    stack.drain()
    dead = stack.core.outbox.dead_letters()
    assert [job.card for _, job, _ in dead] == ["doomed"]
    ops = [m for m in stack.fake.messages("C0OPS") if "doomed" in json.dumps(m)]
    assert len(ops) == 1
    assert any("could not be completed" in t for t in stack.ephemeral_texts("U0LEAD"))
    assert stack.core.state.get("doomed") is None

    moto_ext.clear_failures()
    refused = stack.command("admin retry", "U0LEAD")
    assert "cannot retry" in refused.json["text"]
    answer = stack.command("admin retry", "U0ADMIN")
    assert "Re-queued 1 dead-letter job(s)" in answer.json["text"]
    stack.drain()
    assert stack.card_status("doomed") == "Draft"
    assert stack.core.outbox.dead_letters() == []


def test_a_dead_letter_slack_refuses_to_report_is_still_buried_and_done(stack: Stack) -> None:
    assert stack.command("create unreported --owner o --problem-type p", "U0LEAD").status == 200
    moto_ext.fail_next("CreateModelCard", 50, code="ConcurrentModificationException")
    stack.fake.fail_next("chat.postMessage", 1, error="channel_not_found")  # the ops report
    stack.fake.fail_next("chat.postEphemeral", 1, error="channel_not_found")
    stack.fake.fail_next("response_url", 1, error="internal_error")
    stack.drain()
    assert [job.card for _, job, _ in stack.core.outbox.dead_letters()] == ["unreported"]
    assert [e.result for e in stack.core.audit.for_card("unreported")][-1] == "dead"
    moto_ext.clear_failures()
    # The stream entry was acknowledged: nothing is handed out again.
    assert stack.drain() == 0
    assert stack.core.outbox.dead_letters()[0][1].card == "unreported"


def test_the_consumer_loop_outlives_an_unexpected_error(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stop, calls = threading.Event(), []

    def run_once(block_ms: int = 0) -> int:
        calls.append(block_ms)
        if len(calls) == 1:
            raise ValueError("a bug in one job's path")
        stop.set()
        return 0

    monkeypatch.setattr(stack.worker, "run_once", run_once)
    stack.worker.run_forever(stop)
    assert len(calls) == 2
