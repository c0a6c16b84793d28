"""The ack kinds both ack benchmarks send (bench/ack.py over HTTP, bench/ack_inprocess.py
straight into the WSGI app): the Redis state they need and their signed requests.

- `show`: `/modelcard show bench-approved` (answered from the snapshot in the ack);
- `list`: `/modelcard list` over LISTED cards (a page of 20 and the Next button);
- `help`: `/modelcard help` (no Redis call in the listener; the replay SET alone);
- `approve_fresh`: an Approve click that queues the decision (a new PendingReview card each
  time: its decision key is free);
- `approve_refused`: Approve on an Approved card (refused at the edge, a private reply queued);
- `approve_claimed`: Approve on a PendingReview card whose decision is already claimed (the
  double click: four-eyes, claim refused, audit, the private refusal);
- `reject_modal`: the Reject reason modal submitted (a view_submission that queues the reject,
  a new PendingReview card each time).
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from bench._stack import Prepared

KINDS = (
    "show",
    "list",
    "help",
    "approve_fresh",
    "approve_refused",
    "approve_claimed",
    "reject_modal",
)
APPROVE_KINDS = ("approve_fresh", "approve_refused", "approve_claimed")
SHOWN = "bench-approved"
PENDING = "bench-pending"
LISTED = 40
# Kinds that need a card whose decision is still free: each request takes a new one.
FRESH = {"approve_fresh": "a", "reject_modal": "r"}
ARN = "arn:aws:sagemaker:us-east-1:111111111111:model-card/"


def seed(redis_url: str, fresh: int) -> None:
    """Card snapshots as the worker would have written them: SHOWN (Approved), PENDING,
    LISTED Draft cards, and `fresh` PendingReview cards per kind that needs a free decision."""
    from bot.domain.status import CardStatus
    from bot.store.cards import CardSnapshot, listed_row
    from bot.store.connect import connect
    from bot.store.keys import Keys

    client = connect(redis_url)
    keys = Keys()
    now = time.time()
    common = {
        "version": 2,
        "owner": "churn-team",
        "problem_type": "Binary classification",
        "description": "Predicts which customers are likely to cancel in the next 30 days.",
        "risk": "medium",
        "created_by": "U0LEAD",
        "submitted_by": "U0DS",
        "updated_by": "U0DS",
        "updated_at": now,
    }
    cards = [
        CardSnapshot(
            name=SHOWN, arn=ARN + SHOWN, status=CardStatus.APPROVED, shared="dev,test,prod",
            **common,
        ),
        CardSnapshot(
            name=PENDING, arn=ARN + PENDING, status=CardStatus.PENDING_REVIEW, shared="dev,test",
            **common,
        ),
        *(
            CardSnapshot(name=f"bench-draft-{i:03d}", arn=ARN, status=CardStatus.DRAFT, **common)
            for i in range(LISTED)
        ),
        *(
            CardSnapshot(
                name=f"bench-fresh-{kind}-{i}", arn=ARN, status=CardStatus.PENDING_REVIEW,
                **common,
            )
            for kind in FRESH.values()
            for i in range(fresh)
        ),
    ]  # fmt: skip
    pipe = client.pipeline(transaction=False)
    for snap in cards:  # what CardState.put and add_person write, in bulk
        pipe.hset(keys.card(snap.name), mapping=snap.to_hash())
        pipe.zadd(keys.cards, {snap.name: 0})
        pipe.zadd(keys.cards_with_status(snap.status), {snap.name: 0})
        pipe.hset(keys.listed, snap.name, listed_row(snap.status, snap.owner, snap.held))
        pipe.sadd(keys.card_people(snap.name), "U0LEAD", "U0DS")
        if len(pipe) > 2000:
            pipe.execute()
    pipe.execute()
    client.close()


def approval_message(card: str) -> dict[str, Any]:
    """The approval request as Slack carries it in a click's `message` (about the size and
    shape of the bot's: header, summary fields, context, Approve/Reject buttons). Built here,
    not with the bot's block builders, so both apps get the same bytes whatever the bot's
    internals look like."""
    from bot.slack.ids import APPROVE_ACTION, REJECT_ACTION

    link = f"https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-cards/{card}"
    fields = [
        ("Owner", "churn-team"), ("Problem type", "Binary classification"),
        ("Risk", "medium"), ("Version", "2"), ("Created by", "<@U0LEAD>"),
        ("Submitted by", "<@U0DS>"), ("Shared with", "dev, test"),
    ]  # fmt: skip
    return {
        "type": "message",
        "ts": "1700000000.000200",
        "user": "U0BOT",
        "bot_id": "B0BOT",
        "text": f"Model card {card} is waiting for approval",
        "blocks": [
            {"type": "header", "block_id": "h",
             "text": {"type": "plain_text", "text": f"Approval requested: {card}"}},
            {"type": "section", "block_id": "s",
             "text": {"type": "mrkdwn", "text": f"*<{link}|{card}>* is waiting for approval. "
                      "Predicts which customers are likely to cancel in the next 30 days."},
             "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]},
            {"type": "context", "block_id": "c",
             "elements": [{"type": "mrkdwn", "text": "Four-eyes: the creator and the "
                           "submitter cannot decide. 1 approval needed."}]},
            {"type": "actions", "block_id": "a", "elements": [
                {"type": "button", "action_id": APPROVE_ACTION, "style": "primary",
                 "text": {"type": "plain_text", "text": "Approve"}, "value": f"{card}@v2"},
                {"type": "button", "action_id": REJECT_ACTION, "style": "danger",
                 "text": {"type": "plain_text", "text": "Reject"}, "value": f"{card}@v2"}]},
        ],
    }  # fmt: skip


class Requests:
    """Builds signed requests; fresh-card kinds take the next unused card each time."""

    def __init__(self, response_base: str) -> None:
        self.base = response_base
        self._fresh = {k: itertools.count() for k in FRESH}
        self._n = itertools.count()

    def build(self, kind: str, n: int) -> list[Prepared]:
        return [self.one(kind) for _ in range(n)]

    def one(self, kind: str) -> Prepared:
        from bot.local.slack_payloads import (
            block_action,
            plain_text_value,
            slash_command,
            view_submission,
        )
        from bot.local.slack_requests import FORM, sign
        from bot.slack.ids import APPROVE_ACTION, REJECT_VIEW

        url = f"{self.base}/response/bench{kind}{next(self._n)}"
        if kind in ("show", "list", "help"):
            text = {"show": f"show {SHOWN}", "list": "list", "help": "help"}[kind]
            body = slash_command(text, "U0DS", response_url=url)
        elif kind == "reject_modal":
            card = f"bench-fresh-{FRESH[kind]}-{next(self._fresh[kind])}"
            reason = {"reason": {"reason": plain_text_value("AUC is below the agreed 0.80")}}
            meta = json.dumps({"card": card, "channel": "C0APPROVE"})
            body = view_submission(REJECT_VIEW, reason, "U0APPR", private_metadata=meta)
        else:
            if kind == "approve_fresh":
                card = f"bench-fresh-{FRESH[kind]}-{next(self._fresh[kind])}"
            else:
                card = SHOWN if kind == "approve_refused" else PENDING
            body = block_action(  # the button carries the version it showed (card@vN)
                APPROVE_ACTION, f"{card}@v2", "U0APPR", response_url=url, channel_id="C0APPROVE",
                message=approval_message(card),
            )  # fmt: skip
        return body, {"Content-Type": FORM, "User-Agent": "Slackbot 1.0", **sign(body)}


# What the project must answer: a substring of the ack, or of the last queued job (its kind
# and text).
EXPECT = {
    "show": SHOWN,
    "list": "model cards",
    "help": "/modelcard create",
    "approve_fresh": "kind=approve",
    "approve_refused": "already Approved",
    "approve_claimed": "in progress",
    "reject_modal": "kind=reject",
}
