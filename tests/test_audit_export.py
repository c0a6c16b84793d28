"""`/modelcard audit [NAME] [--since YYYY-MM-DD]`: a CSV of the audit trail in S3, written as
the person's role, answered with a presigned link; bad input is answered at once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
import requests

from bot.domain.status import Action
from bot.store.audit import AuditEvent
from bot.worker.jobs.audit import COLUMNS, csv_row, to_csv
from tests.aws_fixtures import AwsWorld
from tests.gov_override import governed
from tests.slack_helpers import (
    ADMIN,
    APPR,
    DS,
    NOBODY,
    Quiet,
    answer_text,
    approve_card,
    create_card,
    submit_card,
    text_of,
)
from tests.slack_stack import Stack

BUCKET = "mc-governance-exports"
_LINK = re.compile(r"<(https://[^|>]+)\|")


@pytest.fixture
def gov_changes() -> dict[str, Any]:
    return {"export_s3_uri": f"s3://{BUCKET}/model-cards"}


@pytest.fixture
def aws(aws: AwsWorld, gov_changes: dict[str, Any]) -> AwsWorld:
    return governed(aws, gov_changes)


def rows_of(url: str) -> list[list[str]]:
    answer = requests.get(url.replace("&amp;", "&"), timeout=10)
    assert answer.status_code == 200
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))


def test_csv_shape() -> None:
    event = AuditEvent(
        actor="U0APPR",
        action="approve",
        card="c",
        source="PendingReview",
        target="Approved",
        role="approver",
        role_arn="arn:aws:iam::111111111111:role/mc-approver",
        version="2",
        request_id="req-1",
        detail='with "quotes", commas',
        at=0.0,
    )
    rows = list(csv.reader(io.StringIO(to_csv([event]))))
    assert rows[0] == list(COLUMNS)
    assert rows[1] == csv_row(event)
    assert rows[1][0] == "1970-01-01T00:00:00+00:00"
    assert rows[1][7] == "PendingReview → Approved"
    assert rows[1][10] == 'with "quotes", commas'


def test_audit_of_a_card_matches_its_stream(stack: Stack) -> None:
    s3 = stack.aws.sessions.client(stack.aws.actor(ADMIN, Action.DELETE), "s3")
    s3.create_bucket(Bucket=BUCKET)
    create_card(stack, "audited")
    submit_card(stack, "audited")
    approve_card(stack, "audited")
    answer = answer_text(stack.command("audit audited", APPR))
    assert "Exporting the audit trail of `audited` as CSV" in answer
    stack.drain()
    [reply] = [e for e in stack.fake.ephemerals(user=APPR) if "Audit export" in text_of(e)]
    rows = rows_of(_LINK.findall(text_of(reply))[0])
    stream = stack.core.audit.since("audited", 0.0)
    assert rows[0] == list(COLUMNS)
    # The export's own entry is written after the file.
    assert rows[1:] == [csv_row(e) for e in stream if e.action != "audit"]
    by_action = {r[4]: r for r in rows[1:]}
    assert by_action["approve"][1:4] == [
        APPR,
        "approver",
        "arn:aws:iam::111111111111:role/mc-approver",
    ]
    assert by_action["approve"][7] == "PendingReview → Approved"
    assert by_action["submit"][2] == "data-scientist"
    assert "X-Amz-Security-Token" in text_of(reply)  # signed with the person's role session


def test_since_filters_and_the_whole_trail_by_default(stack: Stack) -> None:
    s3 = stack.aws.sessions.client(stack.aws.actor(ADMIN, Action.DELETE), "s3")
    s3.create_bucket(Bucket=BUCKET)
    create_card(stack, "one")
    create_card(stack, "two")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    stack.command(f"audit --since {today}", ADMIN)
    stack.drain()
    [reply] = [e for e in stack.fake.ephemerals(user=ADMIN) if "Audit export" in text_of(e)]
    assert f"since {today}" in text_of(reply)
    cards = {r[5] for r in rows_of(_LINK.findall(text_of(reply))[0])[1:]}
    assert {"one", "two"} <= cards


@pytest.mark.parametrize(
    ("text", "user", "says"),
    [
        (
            "audit --since 01/11/2026",
            APPR,
            "`--since 01/11/2026` is not a date: write it as YYYY-MM-DD",
        ),
        ("audit --since 2999-01-01", APPR, "is in the future"),
        ("audit a b", APPR, "takes at most one card name"),
        ("audit --until 2026-01-01", APPR, "Unknown option `--until`. Options here: --since."),
        ("audit", DS, "You cannot audit model cards: your role (data-scientist)"),
        ("audit", NOBODY, "is not mapped to a governance role"),
        ("audit ghost", APPR, "Model card `ghost` does not exist"),
    ],
)
def test_bad_audit_requests_are_answered_at_once(
    stack: Stack, text: str, user: str, says: str
) -> None:
    quiet = Quiet(stack)
    answer = answer_text(stack.command(text, user))
    assert says in answer, answer
    quiet.check()


@pytest.mark.parametrize("gov_changes", [{}])
def test_audit_not_configured(stack: Stack) -> None:
    quiet = Quiet(stack)
    answer = answer_text(stack.command("audit", ADMIN))
    assert "`export_s3_uri: s3://BUCKET/PREFIX`" in answer
    quiet.check()


@pytest.mark.parametrize(
    "gov_changes",
    [
        {
            "export_s3_uri": f"s3://{BUCKET}/x",
            "roles": {
                "lead-data-scientist": {
                    "role_arn": "arn:aws:iam::111111111111:role/mc-lead-ds",
                    "can": ["create", "edit", "submit", "archive", "audit"],
                },
                "data-scientist": {
                    "role_arn": "arn:aws:iam::111111111111:role/mc-ds",
                    "can": ["edit", "submit"],
                },
                "ml-engineer": {
                    "role_arn": "arn:aws:iam::111111111111:role/mc-mle",
                    "can": ["edit"],
                },
                "approver": {
                    "role_arn": "arn:aws:iam::111111111111:role/mc-approver",
                    "can": ["approve", "reject"],
                },
                "admin": {
                    "role_arn": "arn:aws:iam::111111111111:role/mc-admin",
                    "can": ["delete", "retry"],
                },
            },
        }
    ],
)
def test_once_a_role_lists_audit_only_listed_roles_may(stack: Stack) -> None:
    assert "You cannot audit" in answer_text(stack.command("audit", APPR))
    assert "Exporting the audit trail" in answer_text(stack.command("audit", "U0LEAD"))
