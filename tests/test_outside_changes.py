"""Changes nobody made in Slack are judged before any effect: out-of-band approvals (who made
them, as LastModifiedBy or CloudTrail says), edits during review and after approval."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from bot.aws import ModelCards
from bot.aws.sessions import Actor
from bot.domain.identity import Identity, from_cloudtrail, from_user_context, same_role
from bot.governance import parse_governance
from bot.local import moto_ext as moto_shim
from bot.slack.ids import APPROVE_ACTION, EDIT_VIEW
from bot.store.callers import CallerLog
from bot.worker.outside_approvers import approver_for
from bot.worker.reconciler import EventConsumer, Reconciler
from tests.aws_fixtures import REGION, AwsWorld
from tests.slack_stack import Stack
from tests.test_blocks import texts
from tests.test_slack_features import modal_values

pytestmark = pytest.mark.usefixtures("shared_botocore_loader")

AUTOMATION = Actor("modelcard-bot", "arn:aws:iam::111111111111:role/mc-automation")
APPROVER_ROLE = "arn:aws:iam::111111111111:role/mc-approver"
DS_ROLE = "arn:aws:iam::111111111111:role/mc-ds"


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def aws(aws: AwsWorld, overrides: dict[str, Any]) -> AwsWorld:
    data = aws.gov.model_dump(mode="json")
    data.update(overrides)
    aws.gov = parse_governance(data)
    return aws


@pytest.fixture(autouse=True)
def iam_identity() -> Iterator[None]:
    moto_shim.set_iam_identity(True)
    yield
    moto_shim.set_iam_identity(True)


def sagemaker_as(role_arn: str, person: str) -> Any:
    """A person's own SDK client in the central account (their role, their SourceIdentity)."""
    creds = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=role_arn, RoleSessionName=person, SourceIdentity=person
    )["Credentials"]
    return boto3.client(
        "sagemaker",
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def tick(stack: Stack) -> int:
    c = stack.core
    c.redis.delete(c.keys.claim("reconcile"))  # a new interval
    queued = Reconciler(ModelCards(stack.aws.sessions), c.state, c.outbox, c.redis, AUTOMATION)
    found = queued.tick()
    stack.drain()
    return found


def posts(stack: Stack, channel: str, card: str) -> list[dict[str, Any]]:
    return [m for m in stack.fake.messages(channel) if card in json.dumps(m)]


def outside_reports(stack: Stack, channel: str, card: str) -> list[str]:
    return [texts(m["blocks"]) for m in posts(stack, channel, card) if "Out-of-band" in str(m)]


def in_review(stack: Stack, card: str, submitter: str = "U0DS") -> dict[str, Any]:
    stack.command(f"create {card} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    stack.command(f"submit {card}", submitter)
    stack.drain()
    tick(stack)  # the reconciler's baseline
    [request] = posts(stack, "C0APPROVE", card)
    return request


def prod_holds(stack: Stack, card: str) -> bool:
    arn = stack.aws.cards.describe(AUTOMATION, card).arn
    return "prod" in [s.stage for s in stack.aws.shares.card_shares(AUTOMATION, arn)]


# ---------------------------------------------------------------------------- pure rules


def approved_outside(stack: Stack, card: str) -> int:
    """A data scientist sets the card Approved with their own SDK client, then a reconcile
    pass (how many changes it saw)."""
    sagemaker_as(DS_ROLE, "U0DS").update_model_card(ModelCardName=card, ModelCardStatus="Approved")
    return tick(stack)


def settles_quietly(stack: Stack, card: str, status: str) -> None:
    """The bot's own revert is not another outside change: later passes post nothing more
    and the card stays settled at `status`."""
    before = len(stack.fake.calls_to("chat.postMessage"))
    tick(stack)
    tick(stack)
    assert len(stack.fake.calls_to("chat.postMessage")) == before
    assert stack.core.state.status_of(card) == status


def test_identities_from_user_context_and_cloudtrail() -> None:
    context = {
        "IamIdentity": {
            "Arn": "arn:aws:sts::111111111111:assumed-role/mc-approver/U0APPR",
            "PrincipalId": "AROAX:U0APPR",
            "SourceIdentity": "U0APPR",
        }
    }
    found = from_user_context(context)
    assert found is not None
    assert (found.account, found.role_arn, found.source_identity) == (
        "111111111111",
        APPROVER_ROLE,
        "U0APPR",
    )
    assert from_user_context({}) is None
    assert from_user_context({"UserProfileName": "studio-user"}) is None
    assert same_role(found.role_arn, "arn:aws:iam::111111111111:role/team/mc-approver")
    assert not same_role(found.role_arn, "arn:aws:iam::222222222222:role/mc-approver")

    detail = {
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": "UpdateModelCard",
        "eventTime": "2026-12-01T10:00:00Z",
        "eventID": "e-1",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::222222222222:assumed-role/stage-user/U0X",
            "accountId": "222222222222",
            "sessionContext": {
                "sessionIssuer": {"arn": "arn:aws:iam::222222222222:role/path/stage-user"},
                "sourceIdentity": "U0X",
            },
        },
        "requestParameters": {
            "modelCardName": "arn:aws:sagemaker:us-east-1:111111111111:model-card/churn",
            "modelCardStatus": "Approved",
        },
    }
    call = from_cloudtrail(detail)
    assert call is not None
    assert (call.card, call.status, call.content) == ("churn", "Approved", False)
    assert call.identity.role_arn == "arn:aws:iam::222222222222:role/path/stage-user"
    assert call.identity.account == "222222222222"
    assert from_cloudtrail({**detail, "errorCode": "AccessDenied"}) is None
    assert from_cloudtrail({**detail, "eventName": "DescribeModelCard"}) is None
    assert from_cloudtrail({**detail, "eventTime": "yesterday"}) is None


def test_only_a_mapped_approver_who_is_not_an_author_is_honoured(aws: AwsWorld) -> None:
    gov = aws.gov

    def who(role: str, person: str) -> Identity:
        return Identity(arn=f"x/{person}", role_arn=role, source_identity=person)

    assert approver_for(gov, who(APPROVER_ROLE, "U0APPR"), set()).honoured
    assert approver_for(gov, who(APPROVER_ROLE, "U0APPR"), set()).user == "U0APPR"
    refusals = {
        "not known": approver_for(gov, None, set()),
        "not the role of a governance approver": approver_for(gov, who(DS_ROLE, "U0DS"), set()),
        "no SourceIdentity": approver_for(gov, who(APPROVER_ROLE, ""), set()),
        "not a governance user holding approver": approver_for(
            gov, who(APPROVER_ROLE, "U0DS"), set()
        ),
        "four-eyes": approver_for(gov, who(APPROVER_ROLE, "U0DSAP"), {"U0DSAP"}),
    }
    for words, verdict in refusals.items():
        assert not verdict.honoured
        assert words in verdict.reason


def test_caller_log_matches_the_call_by_status_and_time(redis_client: Any) -> None:
    log = CallerLog(redis_client)
    detail = json.loads(json.dumps(moto_cloudtrail_detail()))
    call = from_cloudtrail(detail)
    assert call is not None
    log.record(call)
    assert log.find("churn", status="Approved", at=call.at + 5) == call.identity
    assert log.find("churn", status="Draft", at=call.at) is None
    assert log.find("churn", status="Approved", at=call.at + 600) is None


def moto_cloudtrail_detail() -> dict[str, Any]:
    return {
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": "UpdateModelCard",
        "eventTime": "2026-12-01T10:00:00Z",
        "userIdentity": {
            "arn": "arn:aws:sts::111111111111:assumed-role/mc-approver/U0APPR",
            "sessionContext": {"sourceIdentity": "U0APPR"},
        },
        "requestParameters": {"modelCardName": "churn", "modelCardStatus": "Approved"},
    }


# ---------------------------------------------------------------------------- judged


def test_an_out_of_band_approval_by_a_non_approver_is_reverted_once(stack: Stack) -> None:
    card = "sneaky"
    in_review(stack, card)
    assert approved_outside(stack, card) == 1
    assert stack.card_status(card) == "PendingReview"
    assert not prod_holds(stack, card)
    assert posts(stack, "C0PROD", card) == []
    [report] = outside_reports(stack, "C0APPROVE", card)
    assert "reverted it to `PendingReview`" in report or "reverted it to PendingReview" in report
    assert "role arn:aws:iam::111111111111:role/mc-ds" in report
    assert "source identity U0DS" in report
    assert len(outside_reports(stack, "C0OPS", card)) == 1
    [event] = [e for e in stack.core.audit.for_card(card) if e.action == "outside-approval"]
    assert (event.result, event.target) == ("reverted", "Approved")
    settles_quietly(stack, card, "PendingReview")


def test_reports_slack_fails_to_take_at_first_are_posted_on_a_retry(stack: Stack) -> None:
    """Each report is a job of its own, queued after the audit entry: Slack failing the first
    post past slack_sdk's own retries (three HTTP 500s) delays that report to the job's
    retry; the revert stands, and the job that judged the move is not run again (it would
    find no move left to report)."""
    card = "sneaky-slack-down"
    in_review(stack, card)
    stack.fake.fail_next("chat.postMessage", 3, error="internal_error")
    assert approved_outside(stack, card) == 1
    assert stack.card_status(card) == "PendingReview"
    [report] = outside_reports(stack, "C0APPROVE", card)
    assert "reverted it to" in report
    assert len(outside_reports(stack, "C0OPS", card)) == 1
    [event] = [e for e in stack.core.audit.for_card(card) if e.action == "outside-approval"]
    assert (event.result, event.target) == ("reverted", "Approved")
    assert stack.core.outbox.dead_letters() == []
    settles_quietly(stack, card, "PendingReview")


def test_a_report_slack_refuses_for_good_does_not_undo_the_judgement(stack: Stack) -> None:
    """A channel Slack refuses (the bot was removed from it): that report is dead-lettered on
    its own; the move is still reverted and audited, the other channel still told."""
    card = "sneaky-no-channel"
    in_review(stack, card)
    stack.fake.fail_next("chat.postMessage", 1, error="channel_not_found")
    assert approved_outside(stack, card) == 1
    assert stack.card_status(card) == "PendingReview"
    assert outside_reports(stack, "C0APPROVE", card) == []
    assert len(outside_reports(stack, "C0OPS", card)) == 1
    [event] = [e for e in stack.core.audit.for_card(card) if e.action == "outside-approval"]
    assert event.result == "reverted"
    [(_id, job, reason)] = stack.core.outbox.dead_letters()
    assert (job.kind, job.card, job.args["channel"]) == ("announce", card, "C0APPROVE")
    assert "channel_not_found" in reason
    settles_quietly(stack, card, "PendingReview")


def test_an_approver_who_is_not_an_author_is_honoured_and_announced(stack: Stack) -> None:
    card = "by-approver"
    in_review(stack, card)
    sagemaker_as(APPROVER_ROLE, "U0APPR").update_model_card(
        ModelCardName=card, ModelCardStatus="Approved"
    )
    tick(stack)
    assert stack.card_status(card) == "Approved"
    assert prod_holds(stack, card)
    [prod] = posts(stack, "C0PROD", card)
    assert "<@U0APPR>" in json.dumps(prod)
    [report] = outside_reports(stack, "C0APPROVE", card)
    assert "honoured it" in report
    decided = [m for m in posts(stack, "C0APPROVE", card) if "Review closed" in json.dumps(m)]
    assert "Approved v1 by <@U0APPR>" in texts(decided[0]["blocks"])


def test_an_authors_own_out_of_band_approval_is_reverted(stack: Stack) -> None:
    card = "own-work"
    in_review(stack, card, submitter="U0DSAP")
    sagemaker_as(APPROVER_ROLE, "U0DSAP").update_model_card(
        ModelCardName=card, ModelCardStatus="Approved"
    )
    tick(stack)
    assert stack.card_status(card) == "PendingReview"
    [report] = outside_reports(stack, "C0APPROVE", card)
    assert "four-eyes" in report


def test_without_a_known_identity_the_revert_holds_then_cloudtrail_names_the_approver(
    stack: Stack,
) -> None:
    card = "anonymous"
    in_review(stack, card)
    moto_shim.set_iam_identity(False)  # SageMaker may not fill IamIdentity for model cards
    moto_shim.clear_calls()
    approver = sagemaker_as(APPROVER_ROLE, "U0APPR")
    approver.update_model_card(ModelCardName=card, ModelCardStatus="Approved")
    tick(stack)
    assert stack.card_status(card) == "PendingReview"
    [report] = outside_reports(stack, "C0APPROVE", card)
    assert "unknown" in report
    assert "not known" in report

    # With the CloudTrail rule forwarding the call, the same move by the approver stands.
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="modelcard-events")["QueueUrl"]
    consumer = EventConsumer(sqs, queue, stack.core.outbox, CallerLog(stack.core.redis))
    moto_shim.clear_calls()
    approver.update_model_card(ModelCardName=card, ModelCardStatus="Approved")
    [event] = moto_shim.cloudtrail_events()
    assert event["detail"]["userIdentity"]["sessionContext"]["sourceIdentity"] == "U0APPR"
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(event))
    assert consumer.poll(wait_seconds=0) == 1
    stack.drain()
    assert stack.card_status(card) == "Approved"
    assert prod_holds(stack, card)
    assert any("honoured it" in r and "CloudTrail" in r for r in outside_reports(
        stack, "C0APPROVE", card))  # fmt: skip


@pytest.mark.parametrize("overrides", [{"outside_changes": {"approve": "hold"}}])
def test_hold_leaves_the_status_shares_nothing_and_slack_completes_it(stack: Stack) -> None:
    card = "held"
    request = in_review(stack, card)
    approved_outside(stack, card)
    assert stack.card_status(card) == "Approved"
    assert not prod_holds(stack, card)
    [report] = outside_reports(stack, "C0APPROVE", card)
    assert "held it" in report
    tick(stack)
    assert len(outside_reports(stack, "C0APPROVE", card)) == 1
    stack.click(APPROVE_ACTION, "U0APPR", request, "C0APPROVE")
    stack.drain()
    assert prod_holds(stack, card)
    assert len(posts(stack, "C0PROD", card)) == 1
    assert any("`held` v1 approved" in t for t in stack.ephemeral_texts("U0APPR"))


@pytest.mark.parametrize("overrides", [{"outside_changes": {"approve": "trust"}}])
def test_trust_follows_the_move_and_still_reports_it(stack: Stack) -> None:
    card = "trusted"
    in_review(stack, card)
    approved_outside(stack, card)
    assert stack.card_status(card) == "Approved"
    assert prod_holds(stack, card)
    assert "trusted it" in outside_reports(stack, "C0APPROVE", card)[0]


def test_a_jump_from_draft_to_approved_is_reverted_to_draft(stack: Stack) -> None:
    card = "jumped"
    stack.command(f"create {card} --owner o --problem-type p", "U0LEAD")
    stack.drain()
    tick(stack)
    approved_outside(stack, card)
    assert stack.card_status(card) == "Draft"
    assert posts(stack, "C0TEST", card) == []


# ---------------------------------------------------------------------------- content


def outside_edit(card: str, problem: str) -> None:
    sagemaker_as(DS_ROLE, "U0DS").update_model_card(
        ModelCardName=card,
        Content=json.dumps({"model_overview": {"model_owner": "o", "problem_type": problem}}),
    )


def test_an_outside_edit_in_review_updates_the_request_in_place(stack: Stack) -> None:
    card = "sdk-edited"
    in_review(stack, card)
    outside_edit(card, "edited with the SDK")
    tick(stack)
    [request] = posts(stack, "C0APPROVE", card)
    shown = texts(request["blocks"])
    assert "Version under review: *v2*" in shown
    assert "`model_overview`" in shown
    assert "source identity U0DS" in shown
    assert f'"{card}@v2"' in json.dumps(request)


@pytest.mark.parametrize("overrides", [{"edits_in_review": "refuse"}])
def test_refuse_refuses_a_slack_edit_and_reports_an_outside_one(stack: Stack) -> None:
    card = "frozen"
    in_review(stack, card)
    answer = stack.command(f"edit {card}", "U0MLE")
    assert "edits_in_review: refuse" in answer.json["text"]
    assert stack.fake.views(EDIT_VIEW) == []
    outside_edit(card, "edited anyway")
    tick(stack)
    warned = [t for t in (texts(m["blocks"]) for m in posts(stack, "C0APPROVE", card))
              if "refuses edits in review" in t]  # fmt: skip
    assert len(warned) == 1
    assert len([m for m in posts(stack, "C0OPS", card)]) == 1


@pytest.mark.parametrize("overrides", [{"edits_in_review": "return-to-draft"}])
def test_return_to_draft_sends_an_edited_card_back(stack: Stack) -> None:
    card = "sent-back"
    in_review(stack, card)
    assert stack.command(f"edit {card}", "U0MLE").status == 200
    view = stack.fake.views(EDIT_VIEW)[-1]
    stack.sender.submit(EDIT_VIEW, modal_values(view, overview="new evidence"), "U0MLE", view=view)
    stack.drain()
    assert stack.card_status(card) == "Draft"
    assert any("went back to Draft" in t for t in stack.ephemeral_texts("U0MLE"))
    [request] = posts(stack, "C0APPROVE", card)
    assert "Returned to Draft" in texts(request["blocks"])
    assert not [b for b in request["blocks"] if b["type"] == "actions"]


def approved(stack: Stack, card: str) -> None:
    in_review(stack, card)
    stack.command(f"approve {card}", "U0APPR")
    stack.drain()
    assert stack.card_status(card) == "Approved"
    tick(stack)


def test_an_edit_after_approval_is_alerted_once(stack: Stack) -> None:
    card = "changed-later"
    approved(stack, card)
    test_account: Any = stack.aws.account_client("333333333333", "sagemaker", user="U0TESTER")
    arn = stack.aws.cards.describe(AUTOMATION, card).arn
    test_account.update_model_card(
        ModelCardName=arn,
        Content=json.dumps({"model_overview": {"model_owner": "o", "problem_type": "changed"}}),
    )
    tick(stack)
    tick(stack)
    alerts = [t for t in (texts(m["blocks"]) for m in posts(stack, "C0APPROVE", card))
              if "v1 approved, now *v2*" in t]  # fmt: skip
    assert len(alerts) == 1
    assert "account 333333333333" in alerts[0]
    assert "left it Approved" in alerts[0]
    decided = [t for t in (texts(m["blocks"]) for m in posts(stack, "C0APPROVE", card))
               if "Review closed" in t]  # fmt: skip
    assert "v1 approved, now v2" in decided[0]
    assert stack.card_status(card) == "Approved"


@pytest.mark.parametrize("overrides", [{"edits_after_approval": "reopen"}])
def test_reopen_sends_it_back_to_review_and_suspends_prod(stack: Stack) -> None:
    card = "reopened"
    approved(stack, card)
    assert prod_holds(stack, card)
    outside_edit(card, "changed after approval")
    tick(stack)
    assert stack.card_status(card) == "PendingReview"
    assert not prod_holds(stack, card)
    requests = [m for m in posts(stack, "C0APPROVE", card) if "Version under review" in str(m)]
    assert len(requests) == 1  # a fresh request, for v2
    assert f'"{card}@v2"' in json.dumps(requests[0])
    assert any("suspended" in json.dumps(m) for m in posts(stack, "C0PROD", card))
    stack.click(APPROVE_ACTION, "U0APPR", requests[0], "C0APPROVE")
    stack.drain()
    assert stack.card_status(card) == "Approved"
    assert prod_holds(stack, card)


def test_check_config_warns_when_outside_changes_are_not_followed(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from bot.cli import main
    from tests.conftest import EXAMPLE_CONFIG

    data = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    assert "WARNING" not in capsys.readouterr().err
    del data["automation_role_arn"]
    data.pop("review", None)  # review.expire_after needs the automation role too
    path = tmp_path / "governance.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["check-config", str(path)]) == 0
    err = capsys.readouterr().err
    assert "WARNING: changes made outside Slack are NOT followed" in err
    assert "out-of-band approval checks are all off" in err


def test_the_worker_warns_once_at_start_when_outside_changes_are_not_followed(
    tmp_path: Any, redis_server: Any
) -> None:
    """The same warning as check-config's, said by `python -m bot worker` as it starts (in
    its log and on stderr), once for the process."""
    import os
    import subprocess
    import sys

    import yaml

    from bot.local.fake_slack import FakeSlack
    from bot.local.redis_server import free_port
    from bot.local.slack_requests import SIGNING_SECRET
    from tests.conftest import EXAMPLE_CONFIG, ROOT

    data = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    del data["automation_role_arn"]
    data.pop("review", None)
    path = tmp_path / "governance.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    fake = FakeSlack().start()
    env = {
        **os.environ,
        "MODELCARD_CONFIG": str(path),
        "REDIS_URL": redis_server.url,
        "REDIS_CLUSTER": "false",
        "SLACK_BOT_TOKEN": "xoxb-worker-start",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        # Nothing answers here: an AWS call at start would fail at once, not reach AWS.
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker", "--consumers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        ready = worker.stdout.readline()
        assert "1 consumer(s) running" in ready, ready
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=30)
        fake.stop()
    assert worker.returncode == 0, err[-2000:]
    shown = [line for line in err.splitlines() if line.startswith("modelcard-bot worker: WARNING")]
    assert len(shown) == 1, err[-2000:]
    assert "changes made outside Slack are NOT followed" in shown[0]
    logged = [line for line in err.splitlines() if '"level": "warning"' in line]
    assert any("NOT followed" in line for line in logged), err[-2000:]
