"""Review timers: the Redis store (claim once, lease, stop, replay) and the runner (reminder,
escalation with DMs, expiry as the automation role), driven with a test clock."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import redis
from slack_sdk.models.views import View

from bot.app import build_timer_runner, slack_client
from bot.local import moto_ext
from bot.local.slack_payloads import app_home_opened
from bot.slack.home import PAGE_SIZE
from bot.slack.ids import APPROVE_ACTION, EDIT_VIEW
from bot.store.keys import Keys
from bot.store.reviews import Reviews
from bot.store.timers import ReviewTimers, Timer
from bot.worker.review_timers import ReviewTimerRunner
from tests.aws_fixtures import AwsWorld
from tests.gov_override import governed
from tests.slack_helpers import (
    APPR,
    click_button,
    create_card,
    submit_card,
    text_of,
)
from tests.slack_stack import Stack
from tests.test_outside_changes import AUTOMATION
from tests.test_slack_features import modal_values

# ---------------------------------------------------------------------------- store


def test_each_due_timer_goes_to_one_claimer_until_its_lease_ends(
    redis_client: redis.Redis,
) -> None:
    timers, reviews = ReviewTimers(redis_client, Keys()), Reviews(redis_client, Keys())
    reviews.open("c", 1)
    assert timers.start("c", "100.0", 100.0, {"remind": 10, "expire": 50})
    assert not timers.start("c", "100.0", 100.0, {"remind": 10})  # a replay: unchanged
    assert timers.claim_due(105.0, 5, "w1") == []
    assert timers.claim_due(110.0, 5, "w1") == [Timer("c", "remind", "100.0")]
    assert timers.claim_due(111.0, 5, "w2") == []  # held by w1
    assert timers.owner(Timer("c", "remind", "100.0")) == "w1"
    # w1 died: after the lease, w2 takes it.
    assert timers.claim_due(115.0, 5, "w2") == [Timer("c", "remind", "100.0")]
    timers.fired(Timer("c", "remind", "100.0"), 116.0)
    assert timers.claim_due(200.0, 5, "w2") == [Timer("c", "expire", "100.0")]
    # The round's own hash says what fired, next to the version under review.
    review = reviews.current("c")
    assert review is not None
    assert (review.timers_round, review.timers_from) == ("100.0", 100.0)
    assert review.reminded_at == 116.0
    assert review.escalated_at is None
    assert review.version == 1


def test_a_new_round_replaces_the_old_and_stop_ends_it(redis_client: redis.Redis) -> None:
    timers, reviews = ReviewTimers(redis_client, Keys()), Reviews(redis_client, Keys())
    reviews.open("c", 1)
    timers.start("c", "1.0", 1.0, {"remind": 10, "escalate": 20})
    timers.fired(Timer("c", "remind", "1.0"), 11.0)
    timers.start("c", "50.0", 50.0, {"remind": 10})
    assert list(timers.scheduled("c")) == ["c|remind|50.0"]
    review = reviews.current("c")
    assert review is not None
    assert (review.timers_round, review.timers_from, review.reminded_at) == ("50.0", 50.0, None)
    assert timers.stop("c")
    assert timers.scheduled("c") == {}
    review = reviews.current("c")
    assert review is not None  # the round itself stays (its decision, approved version)
    assert (review.timers_round, review.timers_from) == ("", 0.0)
    assert not timers.stop("c")


def test_many_claimers_at_once_share_out_timers_exactly_once(redis_client: redis.Redis) -> None:
    timers = ReviewTimers(redis_client, Keys())
    for n in range(30):
        timers.start(f"card{n}", "1.0", 1.0, {"remind": 1})
    seen: list[Timer] = []
    for worker in range(6):
        seen += timers.claim_due(10.0, 60, f"w{worker}", limit=7)
    assert len(seen) == len(set(seen)) == 30


# ---------------------------------------------------------------------------- runner

REVIEW = {
    "remind_after": "1h",
    "escalate_after": "2h",
    "escalate_to": ["U0LEAD", "S0LEADS"],
    "expire_after": "3d",
}


@pytest.fixture
def aws(aws: AwsWorld) -> AwsWorld:
    return governed(aws, {"review": REVIEW})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def runner_for(stack: Stack, clock: Clock) -> ReviewTimerRunner:
    runner = build_timer_runner(
        stack.core, slack_client(stack.core.settings), stack.aws.sessions, stack.aws.shares
    )
    runner._clock = clock  # a test clock instead of time.time
    return runner


def thread_replies(stack: Stack, request: dict) -> list[dict]:
    return stack.fake.replies("C0APPROVE", request["ts"])


def started(stack: Stack, card: str) -> float:
    review = Reviews(stack.core.redis, stack.core.keys).current(card)
    assert review is not None
    return review.timers_from


def test_reminder_escalation_and_expiry(stack: Stack) -> None:
    stack.fake.set_group_members("S0LEADS", ["U0LEAD2", "U0LEAD"])
    clock = Clock()
    runner = runner_for(stack, clock)
    create_card(stack, "waiting")
    request = submit_card(stack, "waiting")
    t0 = started(stack, "waiting")

    clock.now = t0 + 3599
    assert runner.poll() == 0
    clock.now = t0 + 3600
    assert runner.poll() == 1
    [reminder] = thread_replies(stack, request)
    text = text_of(reminder)
    assert "Reminder" in text
    assert "`waiting` *v1* has waited *1h*" in text
    assert "<@U0APPR>" in text
    assert "<@U0DSAP>" in text
    assert "<@U0DS>" not in text
    assert "<@U0LEAD>" not in text
    assert runner.poll() == 0  # once

    clock.now = t0 + 7200
    assert runner.poll() == 1
    escalation = thread_replies(stack, request)[-1]
    assert "Escalation" in text_of(escalation)
    assert "<@U0LEAD>" in text_of(escalation)
    assert "<!subteam^S0LEADS>" in text_of(escalation)
    # A DM to each person escalated to, the group's members included, once each.
    dms = [m for channel in ("D0LEAD", "D0LEAD2") for m in stack.fake.messages(channel)]
    assert len(dms) == 2
    assert all("`waiting` *v1* has waited *2h*" in text_of(m) for m in dms)

    moto_ext.clear_calls()
    clock.now = t0 + 3 * 86400
    assert runner.poll() == 1
    stack.drain()  # the dev stage's post is a job of its own (ANNOUNCE)
    assert stack.card_status("waiting") == "Draft"
    updates = [c for c in moto_ext.calls() if c["action"] == "UpdateModelCard"]
    assert [(c["caller_arn"].split("/")[1], c["source_identity"]) for c in updates] == [
        ("mc-automation", "modelcard-bot")
    ]
    closed = next(m for m in stack.fake.messages("C0APPROVE") if m["ts"] == request["ts"])
    assert not [b for b in closed["blocks"] if b["type"] == "actions"]
    assert "Expired by modelcard-bot" in text_of(closed)
    assert "review expired after 3d" in text_of(closed)
    [dev] = [m for m in stack.fake.messages("C0DEV") if "PendingReview" in text_of(m)]
    assert "review expired after 3d" in text_of(dev)
    assert ReviewTimers(stack.core.redis, stack.core.keys).scheduled("waiting") == {}
    events = [e.action for e in stack.core.audit.for_card("waiting")]
    assert [e for e in events if e in ("remind", "escalate", "expire")] == [
        "remind",
        "escalate",
        "expire",
    ]


@dataclass
class InReview:
    """A card just submitted, with its review round started on a test clock."""

    card: str
    clock: Clock
    runner: ReviewTimerRunner
    request: dict
    t0: float


@pytest.fixture
def in_review(stack: Stack) -> InReview:
    clock = Clock()
    runner = runner_for(stack, clock)
    card = "in-review"
    create_card(stack, card)
    request = submit_card(stack, card)
    return InReview(card, clock, runner, request, started(stack, card))


def test_a_decision_stops_the_timers(stack: Stack, in_review: InReview) -> None:
    card, request = in_review.card, in_review.request
    click_button(stack, APPROVE_ACTION, APPR, request)
    stack.drain()
    assert stack.card_status(card) == "Approved"
    in_review.clock.now = in_review.t0 + 4 * 86400
    assert in_review.runner.poll() == 0
    assert thread_replies(stack, request) == []


def test_a_timer_for_a_card_that_left_review_fires_nothing(
    stack: Stack, in_review: InReview
) -> None:
    card, t0 = in_review.card, in_review.t0
    # The snapshot says Draft (e.g. rejected outside Slack, seen by the reconciler) while the
    # round is still open: the timer is dropped without a post.
    stack.core.redis.hset(stack.core.keys.card(card), "status", "Draft")
    in_review.clock.now = t0 + 3600
    assert in_review.runner.poll() == 1
    assert thread_replies(stack, in_review.request) == []
    left = ReviewTimers(stack.core.redis, stack.core.keys).scheduled(card)
    assert json.dumps(sorted(left)) == f'["{card}|escalate|{t0}", "{card}|expire|{t0}"]'


def test_app_home_is_the_review_dashboard(stack: Stack) -> None:
    clock = Clock()
    runner = runner_for(stack, clock)
    create_card(stack, "dash")
    submit_card(stack, "dash")
    clock.now = started(stack, "dash") + 3600
    assert runner.poll() == 1
    assert stack.sender.event(app_home_opened(APPR)).status == 200
    stack.drain()
    view = stack.fake.home(APPR)
    assert view is not None
    View(**view).to_dict()
    text = json.dumps(view)
    assert "dash" in text
    assert "v1" in text
    assert "waiting " in text
    assert ":alarm_clock: reminded" in text
    assert "PendingReview` *1*" in text  # the count per status


def my_cards(view: dict) -> str:
    return "".join(
        b["text"]["text"]
        for b in view["blocks"]
        if "*My cards*" in b.get("text", {}).get("text", "")
    )


def test_app_home_pages(stack: Stack) -> None:
    for n in range(PAGE_SIZE + 1):
        stack.command(f"create page-{n:02d} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    assert stack.sender.event(app_home_opened("U0LEAD")).status == 200
    stack.drain()
    first = stack.fake.home("U0LEAD")
    assert first is not None
    assert "page-00" in my_cards(first)
    assert f"page-{PAGE_SIZE:02d}" not in my_cards(first)
    [pager] = [b for b in first["blocks"] if b["type"] == "actions"]
    [button] = pager["elements"]
    answer = stack.sender.action(button["action_id"], button["value"], "U0LEAD", view=first)
    assert answer.status == 200
    stack.drain()
    second = stack.fake.home("U0LEAD")
    assert second is not None
    assert f"page-{PAGE_SIZE:02d}" in my_cards(second)
    assert "page-00" not in json.dumps(second)


def test_an_edit_in_review_restarts_the_timers_for_the_new_version(
    stack: Stack, in_review: InReview
) -> None:
    card, clock, runner, t0 = in_review.card, in_review.clock, in_review.runner, in_review.t0
    assert stack.command(f"edit {card}", "U0MLE").status == 200
    view = stack.fake.views(EDIT_VIEW)[-1]
    stack.sender.submit(EDIT_VIEW, modal_values(view, overview="more evidence"), "U0MLE", view=view)
    stack.drain()
    review = Reviews(stack.core.redis, stack.core.keys).current(card)
    assert review is not None
    assert review.version == 2
    # The timers count from the edit that rebound the round, not from the first request.
    t1 = stack.core.state.get(card).updated_at  # type: ignore[union-attr]
    assert review.timers_from == t1
    assert t1 >= t0
    left = ReviewTimers(stack.core.redis, stack.core.keys).scheduled(card)
    assert left == {
        f"{card}|remind|{t1}": t1 + 3600,
        f"{card}|escalate|{t1}": t1 + 7200,
        f"{card}|expire|{t1}": t1 + 3 * 86400,
    }
    clock.now = t1 + 3599
    assert runner.poll() == 0
    clock.now = t1 + 3600
    assert runner.poll() == 1
    # In the thread of the round's request (updated in place for v2), about v2.
    [reminder] = thread_replies(stack, in_review.request)
    assert f"`{card}` *v2* has waited *1h*" in text_of(reminder)
    assert [e.detail for e in stack.core.audit.for_card(card) if e.action == "remind"] == [
        "v2 waited 1h"
    ]
    # Expiry is about v2 as well: it sends v2 back to Draft, 3 days after the edit.
    clock.now = t1 + 3 * 86400
    assert runner.poll() == 2  # the escalation, then the expiry
    assert stack.card_status(card) == "Draft"
    [expired] = [e for e in stack.core.audit.for_card(card) if e.action == "expire"]
    assert expired.detail == "v2: review expired after 3d"


def test_an_expiry_is_refused_for_a_version_no_longer_under_review(
    stack: Stack, in_review: InReview
) -> None:
    card, clock, runner = in_review.card, in_review.clock, in_review.runner
    # The content changed in AWS and the bot has not seen it yet: the round is still on v1.
    stack.aws.cards.update_content(
        AUTOMATION, card, {"model_overview": {"model_owner": "o", "problem_type": "changed"}}
    )
    clock.now = in_review.t0 + 3 * 86400
    runner.poll()
    assert stack.card_status(card) == "PendingReview"
    assert [e for e in stack.core.audit.for_card(card) if e.action == "expire"] == []
