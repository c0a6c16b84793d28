"""Governance that holds, on real processes (gunicorn web, two workers with the reconciler,
the moto server, Redis, the fake Slack): out-of-band approvals made with boto3 as a person's
own role are judged, gates hold for them too, and approvals bind to the version under
review. One stack for the module; the reconciler runs every 2 seconds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack.ids import APPROVE_ACTION
from tests.process_stack import ProcessStack, running
from tests.process_stack import wait_until as wait_for
from tests.test_faults import card_associations

pytestmark = pytest.mark.e2e

RECONCILE = 2.0
APPROVER = "arn:aws:iam::111111111111:role/mc-approver"
DATA_SCIENTIST = "arn:aws:iam::111111111111:role/mc-ds"
ENGINEER = "arn:aws:iam::111111111111:role/mc-mle"


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessStack]:
    stack = ProcessStack(
        Path(tmp_path_factory.mktemp("governance")),
        reconcile_seconds=RECONCILE,
        governance={
            "users": {"U0APPR2": ["approver"]},
            # High-risk cards need two approvers; the others one. Every card needs a rating.
            "gates": {
                "Approved": {
                    "require": ["intended_uses.risk_rating"],
                    "min_approvals_by_risk": {"High": 2},
                }
            },
        },
    )
    with running(stack) as started:
        yield started


def wait_until(check: Any, what: str) -> Any:
    """Generous: the reconciler pass, two workers and the moto server share 2 loaded cores."""
    return wait_for(check, timeout=60.0, what=what)


def in_review(procs: ProcessStack, card: str, submitter: str = "U0DS", risk: str = "") -> None:
    extra = f" --risk {risk}" if risk else ""
    answer = procs.command(f'create {card} --owner team --problem-type "Churn"{extra}', "U0LEAD")
    assert answer.status == 200, answer.body
    wait_until(lambda: procs.channel_posts("C0DEV", card), what=f"{card} in dev")
    assert procs.command(f"submit {card}", submitter).status == 200
    wait_until(lambda: procs.channel_posts("C0APPROVE", card), what=f"request for {card}")
    # The request is posted before the worker writes the snapshot (written last): wait for
    # that too, as a click must find the card in review at the edge.
    wait_until(
        lambda: "PendingReview" in json.dumps(procs.command(f"show {card}", "U0DS").json),
        what=f"{card} settled in review",
    )


def outside_reports(procs: ProcessStack, channel: str, card: str) -> list[str]:
    return [json.dumps(m) for m in procs.channel_posts(channel, card) if "Out-of-band" in str(m)]


def request_of(procs: ProcessStack, card: str) -> dict[str, Any]:
    [message] = [m for m in procs.channel_posts("C0APPROVE", card) if "Review requested" in str(m)]
    return message


def approve_outside(procs: ProcessStack, card: str, role: str, person: str) -> None:
    procs.client_as("sagemaker", role, person).update_model_card(
        ModelCardName=card, ModelCardStatus="Approved"
    )


def in_prod(procs: ProcessStack, card: str) -> bool:
    return any("prod" in r["resourceShareName"] for r in card_associations(procs, card))


def test_a_non_approvers_sdk_approval_is_reverted_not_shared_and_alerted_once(
    procs: ProcessStack,
) -> None:
    card = "oob-by-ds"
    in_review(procs, card, risk="Low")
    approve_outside(procs, card, DATA_SCIENTIST, "U0DS")
    wait_until(lambda: outside_reports(procs, "C0APPROVE", card), what="the alert")
    wait_until(lambda: procs.card_status(card) == "PendingReview", what="the revert")
    time.sleep(3 * RECONCILE)  # passes after the revert see nothing new
    assert procs.card_status(card) == "PendingReview"
    assert not in_prod(procs, card)
    assert procs.channel_posts("C0PROD", card) == []
    [alert] = outside_reports(procs, "C0APPROVE", card)
    assert "reverted it to" in alert
    assert "arn:aws:iam::111111111111:role/mc-ds" in alert
    assert "source identity U0DS" in alert
    assert len(outside_reports(procs, "C0OPS", card)) == 1
    # The revert is the automation role's, made with the bot's source identity.
    reverts = [
        c
        for c in procs.moto_calls()
        if c["action"] == "UpdateModelCard" and "mc-automation" in str(c["caller_arn"])
    ]
    assert [c["source_identity"] for c in reverts] == ["modelcard-bot"]


def test_an_approvers_own_sdk_approval_is_honoured_and_announced(procs: ProcessStack) -> None:
    card = "oob-by-approver"
    in_review(procs, card, risk="Low")
    approve_outside(procs, card, APPROVER, "U0APPR")
    [prod] = wait_until(lambda: procs.channel_posts("C0PROD", card), what="the prod post")
    assert "<@U0APPR>" in json.dumps(prod)
    assert f"{card}>* v1:" in json.dumps(prod)  # the version approved
    assert procs.card_status(card) == "Approved"
    assert in_prod(procs, card)
    [report] = wait_until(lambda: outside_reports(procs, "C0APPROVE", card), what="the report")
    assert "honoured it" in report


def test_an_authors_own_sdk_approval_is_reverted(procs: ProcessStack) -> None:
    card = "oob-by-author"
    in_review(procs, card, submitter="U0DSAP", risk="Low")
    approve_outside(procs, card, APPROVER, "U0DSAP")
    [report] = wait_until(lambda: outside_reports(procs, "C0APPROVE", card), what="the alert")
    assert "four-eyes" in report
    wait_until(lambda: procs.card_status(card) == "PendingReview", what="the revert")
    assert not in_prod(procs, card)


def test_an_approvers_sdk_approval_lacking_a_gated_field_is_reverted_naming_it(
    procs: ProcessStack,
) -> None:
    card = "oob-gated"
    in_review(procs, card)  # no risk rating
    approve_outside(procs, card, APPROVER, "U0APPR")
    [report] = wait_until(
        lambda: [
            json.dumps(m) for m in procs.channel_posts("C0APPROVE", card) if "Gate not" in str(m)
        ],
        what="the gate report",
    )
    wait_until(lambda: procs.card_status(card) == "PendingReview", what="the revert")
    assert "`gates.Approved.require`" in report
    assert (
        f"`intended_uses.risk_rating`: `/modelcard edit {card}`, section *Intended uses*" in report
    )
    assert "reverted it to PendingReview" in report
    assert "source identity U0APPR" in report
    assert not in_prod(procs, card)
    assert procs.channel_posts("C0PROD", card) == []
    assert outside_reports(procs, "C0APPROVE", card) == []  # not judged as an approval
    assert len([m for m in procs.channel_posts("C0OPS", card) if "Gate not" in str(m)]) == 1


def test_an_edit_in_review_resets_approvals_and_stale_clicks_are_refused(
    procs: ProcessStack,
) -> None:
    card = "edited-in-review"
    in_review(procs, card, risk="High")  # two approvals needed
    first = request_of(procs, card)
    assert procs.click(APPROVE_ACTION, "U0APPR", first, "C0APPROVE").status == 200
    wait_until(
        lambda: "1 of 2 needed" in json.dumps(request_of(procs, card)), what="1 of 2 recorded"
    )
    content = {
        "model_overview": {"model_owner": "team", "problem_type": "Churn, with test evidence"},
        "intended_uses": {"risk_rating": "High"},
    }
    procs.client_as("sagemaker", ENGINEER, "U0MLE").update_model_card(
        ModelCardName=card, Content=json.dumps(content)
    )
    current = wait_until(
        lambda: (m := request_of(procs, card)) and f'"{card}@v2"' in json.dumps(m) and m,
        what="the request updated in place for v2",
    )
    shown = json.dumps(current)
    assert "Version under review: *v2*" in shown
    assert "0 of 2 needed" in shown  # U0APPR's approval of v1 no longer counts
    assert "model_overview" in shown

    # A click on the v1 request is refused and changes nothing.
    assert procs.click(APPROVE_ACTION, "U0APPR2", first, "C0APPROVE").status == 200
    wait_until(
        lambda: any(
            "v2 is under review now; look at the updated request" in json.dumps(e)
            for e in procs.fake.ephemerals(user="U0APPR2")
        ),
        what="the stale click refused",
    )
    assert "0 of 2 needed" in json.dumps(request_of(procs, card))

    # Two approvals of v2: the card is approved and the prod post names the version.
    assert procs.click(APPROVE_ACTION, "U0APPR2", current, "C0APPROVE").status == 200
    wait_until(lambda: "1 of 2 needed" in json.dumps(request_of(procs, card)), what="1 of 2")
    assert procs.card_status(card) == "PendingReview"
    assert procs.click(APPROVE_ACTION, "U0APPR", request_of(procs, card), "C0APPROVE").status == 200
    [prod] = wait_until(lambda: procs.channel_posts("C0PROD", card), what="the prod post")
    assert f"{card}>* v2:" in json.dumps(prod)  # the version approved
    assert procs.card_status(card) == "Approved"
    [decided] = [m for m in procs.channel_posts("C0APPROVE", card) if "Review closed" in str(m)]
    assert "Approved v2 by" in json.dumps(decided)
