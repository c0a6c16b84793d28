"""Fault tests on real processes: gunicorn web, two `python -m bot worker` processes, a
Redis-protocol server, the moto server and the fake Slack. Each test asserts on the final
AWS state and on the Slack calls that were recorded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack.ids import APPROVE_ACTION
from bot.store.keys import Keys
from tests.process_stack import ProcessStack, running, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessStack]:
    with running(ProcessStack(Path(tmp_path_factory.mktemp("procs")))) as stack:
        yield stack


def card_associations(procs: ProcessStack, card: str) -> list[dict]:
    ram = procs.central("ram")
    arn = procs.central("sagemaker").describe_model_card(ModelCardName=card)["ModelCardArn"]
    rows = ram.get_resource_share_associations(associationType="RESOURCE", resourceArn=arn)
    return [r for r in rows["resourceShareAssociations"] if r["status"] == "ASSOCIATED"]


def test_kill_9_mid_job_completes_once_on_the_other_worker(procs: ProcessStack) -> None:
    card = "killed-mid-job"
    r = procs.redis.client()
    procs.fake.stall_next("chat.postMessage", 8.0)  # the dev notification hangs
    assert (
        procs.command(f'create {card} --owner team --problem-type "Churn"', "U0LEAD").status == 200
    )

    def holder() -> str | None:
        rows = r.xpending_range(Keys().jobs, "workers", min="-", max="+", count=10)
        return str(rows[0]["consumer"]) if rows else None

    consumer = wait_until(holder, what="a worker to take the job")
    wait_until(lambda: procs.card_status(card) == "Draft", what="the card in AWS")
    time.sleep(0.5)  # now blocked on the stalled Slack post
    pid = int(consumer.split("-")[-2])
    procs.kill_worker(pid)

    wait_until(lambda: procs.channel_posts("C0DEV", card), timeout=30, what="the other worker")
    time.sleep(1.0)
    assert len(procs.channel_posts("C0DEV", card)) == 1
    assert procs.card_status(card) == "Draft"
    assert len(card_associations(procs, card)) == 1
    assert r.xpending(Keys().jobs, "workers")["pending"] == 0
    procs.start_worker()  # back to two workers for the next tests


def test_twenty_concurrent_approve_clicks_make_one_transition(procs: ProcessStack) -> None:
    card = "twenty-clicks"
    approval = procs.submitted(card)
    procs.clear_moto_calls()
    before_updates = len(procs.fake.calls_to("chat.update"))
    answers: list[int] = []

    def click() -> None:
        answers.append(procs.click(APPROVE_ACTION, "U0APPR", approval, "C0APPROVE").status)

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 20
    wait_until(lambda: procs.channel_posts("C0PROD", card), what="the prod notification")
    time.sleep(2.0)  # let any duplicate surface

    assert procs.card_status(card) == "Approved"
    calls = procs.moto_calls()
    assert len([c for c in calls if c["action"] == "UpdateModelCard"]) == 1
    assert len([c for c in calls if c["action"] == "AssociateResourceShare"]) == 1
    assert len(procs.channel_posts("C0PROD", card)) == 1
    assert len(procs.fake.calls_to("chat.update")) - before_updates == 1
    decided = procs.channel_posts("C0APPROVE", card)
    assert len(decided) == 1
    assert not [b for b in decided[0]["blocks"] if b["type"] == "actions"]
    assert len(card_associations(procs, card)) == 3


def test_throttling_and_slack_rate_limits_are_retried(procs: ProcessStack) -> None:
    card = "throttled"
    procs.create_card(card)
    procs.clear_moto_calls()
    procs.moto_fail("UpdateModelCard", 3)
    procs.fake.fail_next("chat.postMessage", 2, "ratelimited", retry_after=1)
    assert procs.command(f"submit {card}", "U0DS").status == 200
    wait_until(lambda: procs.channel_posts("C0TEST", card), timeout=40, what="the test post")
    assert procs.card_status(card) == "PendingReview"
    updates = [c for c in procs.moto_calls() if c["action"] == "UpdateModelCard"]
    assert [c["status"] for c in updates] == [400, 400, 400, 200]
    assert len(procs.channel_posts("C0TEST", card)) == 1
    limited = [c for c in procs.fake.calls_to("chat.postMessage") if c.status == 429]
    assert len(limited) == 2


def test_redis_restart_while_idle_loses_nothing(procs: ProcessStack) -> None:
    card = "before-restart"
    procs.create_card(card)
    procs.redis.stop()
    time.sleep(1.0)
    procs.redis.start()
    procs.serves_after_restart(card, "after-restart")
