"""Request authenticity, hostile input, what the bot stores and logs."""

from __future__ import annotations

import json
import logging
import time

from bot.domain.status import Action
from bot.jobs import Job, JobKind
from bot.local.slack_payloads import slash_command
from bot.local.slack_requests import FORM
from bot.logs import JsonFormatter
from bot.slack.ids import APPROVE_ACTION
from tests.slack_stack import Stack


def jobs(stack: Stack) -> int:
    return int(stack.core.redis.xlen(stack.core.keys.jobs))


def test_exact_replay_is_refused(stack: Stack) -> None:
    url = stack.fake.response_url("replay", user="U0LEAD")
    body = slash_command("create replayed --owner o --problem-type p", "U0LEAD", response_url=url)
    ts = int(time.time())
    first = stack.sender.post(body, FORM, timestamp=ts)
    assert first.status == 200
    queued = jobs(stack)
    again = stack.sender.post(body, FORM, timestamp=ts)
    assert again.status == 401
    assert again.json == {"ok": False, "error": "replayed_request"}
    assert jobs(stack) == queued


def test_stale_unsigned_and_wrongly_signed_requests_are_refused(stack: Stack) -> None:
    url = stack.fake.response_url("stale", user="U0LEAD")
    body = slash_command("create stale --owner o --problem-type p", "U0LEAD", response_url=url)
    old = stack.sender.post(body, FORM, timestamp=int(time.time()) - 6 * 60)
    assert old.status == 401
    assert stack.sender.post(body, FORM, signed=False).status == 401
    assert stack.sender.post(body, FORM, sign_with="not-the-secret").status == 401
    assert jobs(stack) == 0
    assert stack.fake.calls == []


def test_oversized_and_malformed_payloads_get_4xx(stack: Stack) -> None:
    huge = b"payload=" + b"x" * 1_100_000
    assert stack.sender.post(huge, FORM).status == 413
    assert stack.sender.post(b"payload=not-json", FORM).status == 400
    assert stack.sender.post(b"payload=%5B1%2C2%5D", FORM).status == 400  # a JSON list
    assert stack.sender.post(b"\xff\xfe", FORM, signed=False).status == 401  # not UTF-8
    assert jobs(stack) == 0


def test_unknown_action_is_a_4xx_and_changes_nothing(stack: Stack) -> None:
    url = stack.fake.response_url("unknown", user="U0APPR")
    answer = stack.sender.action("modelcard_launch_missiles", "x", "U0APPR", response_url=url)
    assert 400 <= answer.status < 500
    assert jobs(stack) == 0


def test_mentions_and_links_in_card_fields_are_escaped_everywhere(stack: Stack) -> None:
    text = (
        'create escaped --owner "<!channel> <@U0APPR>" --problem-type "<https://evil|click> & co"'
    )
    assert stack.command(text, "U0LEAD").status == 200
    stack.drain()
    posted = json.dumps(stack.fake.messages("C0DEV")) + json.dumps(stack.fake.ephemerals())
    assert "<!channel>" not in posted
    assert "<@U0APPR>" not in posted
    assert "<https://evil|click>" not in posted
    assert "&lt;!channel&gt;" in posted
    shown = stack.command("show escaped", "U0DS")
    assert "<!channel>" not in json.dumps(shown.json)


def test_click_for_a_card_that_no_longer_exists(stack: Stack) -> None:
    stack.command("create vanishing --owner o --problem-type p", "U0LEAD")
    stack.drain()
    stack.command("submit vanishing", "U0DS")
    stack.drain()
    approval = next(m for m in stack.fake.messages("C0APPROVE") if "vanishing" in json.dumps(m))
    stack.core.state.remove("vanishing")
    stack.aws.cards.delete(
        stack.aws.actor("U0ADMIN", Action.DELETE),
        "vanishing",
    )
    assert stack.click(APPROVE_ACTION, "U0APPR", approval, "C0APPROVE").status == 200
    stack.drain()
    assert any("`vanishing` does not exist" in t for t in stack.ephemeral_texts("U0APPR"))


def test_forged_private_metadata_is_reauthorized(stack: Stack) -> None:
    stack.command("create guarded --owner o --problem-type p", "U0LEAD")
    stack.drain()
    before = jobs(stack)
    forged = json.dumps({"card": "guarded", "channel": "C0GENERAL"})
    values = {"overview": {"overview": {"type": "plain_text_input", "value": "hijacked"}}}
    answer = stack.sender.submit("modelcard_edit", values, "U0APPR", private_metadata=forged)
    assert answer.status == 200
    assert answer.json["response_action"] == "errors"
    assert "cannot edit" in json.dumps(answer.json)
    assert jobs(stack) == before  # no edit job
    nonsense = stack.sender.submit("modelcard_edit", values, "U0DS", private_metadata="{oops")
    assert nonsense.status == 200
    assert nonsense.json["response_action"] == "errors"


def test_no_token_or_secret_is_stored(stack: Stack) -> None:
    stack.command("create stored --owner o --problem-type p", "U0LEAD")
    stack.drain()
    redis = stack.core.redis
    dump = []
    for key in redis.scan_iter("*"):
        kind = redis.type(key)
        if kind == "string":
            dump.append(str(redis.get(key)))
        elif kind == "hash":
            dump.append(json.dumps(redis.hgetall(key)))
        elif kind == "stream":
            dump.append(json.dumps(redis.xrange(key)))
    everything = "\n".join(dump)
    assert "stored" in everything
    assert "xoxb-" not in everything
    assert "test-signing-secret" not in everything


def test_log_lines_are_json_with_ids() -> None:
    record = logging.LogRecord(
        "modelcard_bot.worker", logging.INFO, __file__, 1, "job retry", None, None
    )
    record.job = "abc"
    record.card = "c1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "job retry"
    assert line["job"] == "abc"
    assert line["card"] == "c1"
    assert line["level"] == "info"


def test_worker_reauthorizes_a_job_that_bypassed_the_edge(stack: Stack) -> None:
    stack.command("create bypass --owner o --problem-type p", "U0LEAD")
    stack.drain()
    stack.command("submit bypass", "U0DS")
    stack.drain()
    # A job written straight into the queue, as if the edge had been skipped or fooled.
    forged = Job(kind=JobKind.APPROVE, user="U0MLE", card="bypass", channel="C0GENERAL")
    assert stack.core.outbox.enqueue(forged)
    stack.drain()
    assert stack.card_status("bypass") == "PendingReview"
    assert any("cannot approve" in t for t in stack.ephemeral_texts("U0MLE"))
    author = Job(kind=JobKind.APPROVE, user="U0DS", card="bypass", channel="C0GENERAL")
    stack.core.outbox.enqueue(author)
    stack.drain()
    assert stack.card_status("bypass") == "PendingReview"
    assert stack.fake.messages("C0PROD") == []


def test_oversized_command_text_is_refused_clearly(stack: Stack) -> None:
    answer = stack.command("create big --owner " + "x" * 5000 + " --problem-type p", "U0LEAD")
    assert answer.status == 200
    assert "characters long" in answer.json["text"]
    assert jobs(stack) == 0
