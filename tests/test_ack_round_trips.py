"""Redis round trips per ack, counted on the wire (tests/redis_counting.py) against the real
Redis-protocol server, through the real WSGI app served over HTTP: at most two for every
kind, the replay-cache entry included. Each test also checks that the ack did its job."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from werkzeug.serving import make_server

from bot.app import Core, build_core, create_wsgi
from bot.domain.content import minimal_content
from bot.domain.status import CardStatus
from bot.local.fake_slack import FakeSlack
from bot.local.redis_server import RedisServer
from bot.local.slack_driver import SlackDriver
from bot.local.slack_payloads import (
    app_home_opened,
    plain_text_value,
    slash_command,
    static_select_value,
)
from bot.local.slack_requests import FORM, SIGNING_SECRET, Response, SlackSender, sign
from bot.settings import Settings
from bot.slack.forms.edit import edit_modal
from bot.slack.forms.reject import reject_modal
from bot.slack.ids import (
    ADMIN_DELETE_ACTION,
    APPROVE_ACTION,
    CREATE_VIEW,
    EDIT_VIEW,
    LIST_NEXT_ACTION,
    REJECT_ACTION,
    REJECT_VIEW,
)
from bot.slack.messages.cards import list_page_value
from bot.store.cards import CardSnapshot
from tests.conftest import EXAMPLE_CONFIG
from tests.redis_counting import RoundTrips, counting_client
from tests.test_slack_features import modal_values

MAX_TRIPS = 2
LEAD, DS, APPR, ADMIN = "U0LEAD", "U0DS", "U0APPR", "U0ADMIN"
DRAFT, PENDING, APPROVED = "rt-draft", "rt-pending", "rt-approved"
ARN = "arn:aws:sagemaker:us-east-1:111111111111:model-card/"


@dataclass
class Edge(SlackDriver):
    fake: FakeSlack
    sender: SlackSender
    core: Core
    trips: RoundTrips

    def jobs(self) -> list[dict[str, Any]]:
        rows = self.core.redis.xrange(self.core.keys.jobs)
        return [json.loads(fields["job"]) for _id, fields in rows]

    def audit(self) -> list[dict[str, str]]:
        return [fields for _id, fields in self.core.redis.xrange(self.core.keys.audit)]

    def counted(self, send: Any, *args: Any, **kwargs: Any) -> Response:
        with self.trips.measure():
            answer = send(*args, **kwargs)
        assert answer.status == 200, answer.body
        assert self.trips.count <= MAX_TRIPS, self.trips.measured
        return answer


def seed(core: Core) -> None:
    now = time.time()
    for name, status, submitted in (
        (DRAFT, CardStatus.DRAFT, ""),
        (PENDING, CardStatus.PENDING_REVIEW, DS),
        (APPROVED, CardStatus.APPROVED, DS),
    ):
        core.state.put(
            CardSnapshot(
                name=name,
                arn=ARN + name,
                status=status,
                owner="churn-team",
                problem_type="Churn",
                created_by=LEAD,
                submitted_by=submitted,
                updated_at=now,
            )
        )
        core.state.add_person(name, LEAD)
        core.state.put_content(name, json.dumps(minimal_content("churn-team", "Churn")))


GATES = """
gates:
  PendingReview: {require: [model_overview.model_owner]}
  Approved: {require: [intended_uses.risk_rating], min_approvals_by_risk: {High: 2}}
"""


def start_edge(redis_server: RedisServer, config: Path) -> Iterator[Edge]:
    fake = FakeSlack().start()
    settings = Settings(
        slack_bot_token="xoxb-test-token",  # type: ignore[arg-type]
        slack_signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        slack_api_url=fake.api_url,
        modelcard_config=config,
        redis_url=redis_server.url,
    )
    trips = RoundTrips()
    client = counting_client(redis_server.url, trips)
    core = build_core(settings, client)
    seed(core)
    server = make_server("127.0.0.1", 0, create_wsgi(core), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    found = Edge(fake, SlackSender(f"http://127.0.0.1:{server.server_port}"), core, trips)
    try:
        # Warm-up: the connection's handshake, Bolt's auth.test, the scripts' first loads.
        assert found.command("help", DS).status == 200
        assert found.command("list", DS).status == 200
        assert found.sender.event(app_home_opened(ADMIN)).status == 200
        client.delete(core.keys.jobs, core.keys.audit)
        yield found
    finally:
        server.shutdown()
        fake.stop()
        client.close()


@pytest.fixture
def edge(redis_server: RedisServer, redis_client: Any, tmp_path: Path) -> Iterator[Edge]:
    config = tmp_path / "governance.yml"
    config.write_text(EXAMPLE_CONFIG.read_text())
    yield from start_edge(redis_server, config)


@pytest.fixture
def gated_edge(redis_server: RedisServer, redis_client: Any, tmp_path: Path) -> Iterator[Edge]:
    config = tmp_path / "governance.yml"
    config.write_text(EXAMPLE_CONFIG.read_text() + GATES)
    yield from start_edge(redis_server, config)


@pytest.fixture
def grouped_edge(redis_server: RedisServer, redis_client: Any, tmp_path: Path) -> Iterator[Edge]:
    config = tmp_path / "governance.yml"
    groups = "\nusergroups:\n  S0APPROVERS: [approver]\n  S0LEADS: [lead-data-scientist]\n"
    config.write_text(EXAMPLE_CONFIG.read_text() + groups)
    yield from start_edge(redis_server, config)


def approval_message(card: str, version: int = 1) -> dict[str, Any]:
    """The buttons carry the card and the version they were shown for (card@vN)."""
    value = f"{card}@v{version}"
    buttons = [
        {
            "type": "button",
            "action_id": a,
            "text": {"type": "plain_text", "text": t},
            "value": value,
        }
        for a, t in ((APPROVE_ACTION, "Approve"), (REJECT_ACTION, "Reject"))
    ]
    return {"ts": "1700000000.000100", "blocks": [{"type": "actions", "elements": buttons}]}


def text(answer: Response) -> str:
    return json.dumps(answer.json)


# ---------------------------------------------------------------- read-only answers


def test_show(edge: Edge) -> None:
    answer = edge.counted(edge.command, f"show {PENDING}", DS)
    assert PENDING in text(answer)
    assert "PendingReview" in text(answer)


def test_show_unknown_card(edge: Edge) -> None:
    answer = edge.counted(edge.command, "show nothing-here", DS)
    assert "does not exist" in text(answer)


@pytest.mark.parametrize("status", ["", "PendingReview"])
def test_list(edge: Edge, status: str) -> None:
    answer = edge.counted(edge.command, f"list {status}".strip(), DS)
    shown = text(answer)
    assert PENDING in shown
    assert (DRAFT in shown) is (status == "")
    assert "churn-team" in shown  # the owner, read with the status only


def test_help(edge: Edge) -> None:
    answer = edge.counted(edge.command, "help", DS)
    assert "/modelcard create" in text(answer)


def test_shares(edge: Edge) -> None:
    assert APPROVED in text(edge.counted(edge.command, f"shares {APPROVED}", DS))


def test_app_home_opened(edge: Edge) -> None:
    edge.counted(edge.sender.event, app_home_opened(LEAD))
    assert [j["kind"] for j in edge.jobs()] == ["publish_home"]


# ---------------------------------------------------------------- decisions


def test_approve_click(edge: Edge) -> None:
    edge.counted(edge.click, APPROVE_ACTION, APPR, approval_message(PENDING), "C0APPROVE")
    assert [(j["kind"], j["card"]) for j in edge.jobs()] == [("approve", PENDING)]
    entry = edge.audit()[-1]
    assert (entry["action"], entry["result"], entry["card"]) == (
        "request:approve",
        "queued",
        PENDING,
    )


def test_duplicate_approve_click(edge: Edge) -> None:
    message = approval_message(PENDING)
    edge.click(APPROVE_ACTION, APPR, message, "C0APPROVE")
    edge.counted(edge.click, APPROVE_ACTION, "U0DSAP", message, "C0APPROVE")
    kinds = [j["kind"] for j in edge.jobs()]
    assert kinds == ["approve", "reply"]
    assert "in progress" in edge.jobs()[-1]["args"]["text"]
    assert edge.jobs()[-1]["user"] == "U0DSAP"
    assert [e["result"] for e in edge.audit()] == ["queued", "duplicate"]
    card_audit = edge.core.redis.xrange(edge.core.keys.card_audit(PENDING))
    assert [f["result"] for _i, f in card_audit] == ["queued", "duplicate"]


def test_approve_click_on_an_approved_card_is_refused(edge: Edge) -> None:
    edge.counted(edge.click, APPROVE_ACTION, APPR, approval_message(APPROVED), "C0APPROVE")
    [job] = edge.jobs()
    assert job["kind"] == "reply"
    assert "already Approved" in job["args"]["text"]


def test_four_eyes_click_is_refused(edge: Edge) -> None:
    edge.counted(edge.click, APPROVE_ACTION, "U0DSAP", approval_message(APPROVED), "C0APPROVE")
    edge.core.state.add_person(PENDING, "U0DSAP")
    edge.counted(edge.click, APPROVE_ACTION, "U0DSAP", approval_message(PENDING), "C0APPROVE")
    assert "four-eyes" in edge.jobs()[-1]["args"]["text"]


@pytest.mark.parametrize(
    ("line", "user", "kind"),
    [
        (f"approve {PENDING}", APPR, "approve"),
        (f"reject {PENDING} AUC is too low", APPR, "reject"),
        (f"submit {DRAFT}", DS, "submit"),
        (f"archive {APPROVED}", LEAD, "archive"),
        (f"export {APPROVED}", LEAD, None),  # not configured: answered in the ack
        (f"diff {APPROVED}", DS, "diff"),
        (f"create rt-new --owner team --problem-type {json.dumps('Churn model')}", LEAD, "create"),
    ],
    ids=["approve", "reject", "submit", "archive", "export", "diff", "create"],
)
def test_commands_that_queue(edge: Edge, line: str, user: str, kind: str | None) -> None:
    answer = edge.counted(edge.command, line, user)
    assert ":warning:" not in text(answer), text(answer)
    assert [j["kind"] for j in edge.jobs()] == ([kind] if kind else [])


def test_gated_submit_and_approve_read_content_in_the_same_round_trip(gated_edge: Edge) -> None:
    edge = gated_edge
    answer = edge.counted(edge.command, f"submit {DRAFT}", DS)
    assert "Submitting" in text(answer)
    edge.counted(edge.click, APPROVE_ACTION, APPR, approval_message(PENDING), "C0APPROVE")
    [submit, refusal] = edge.jobs()
    assert submit["kind"] == "submit"
    assert refusal["kind"] == "reply"
    assert "intended_uses.risk_rating" in refusal["args"]["text"]  # the gate, not a move


def test_roles_from_user_groups_are_read_in_the_first_round_trip(grouped_edge: Edge) -> None:
    edge = grouped_edge
    edge.core.redis.set(edge.core.keys.group_members("S0APPROVERS"), json.dumps(["U0GRPAPPR"]))
    edge.core.redis.set(edge.core.keys.group_members("S0LEADS"), json.dumps(["U0GRPLEAD"]))
    edge.counted(edge.click, APPROVE_ACTION, "U0GRPAPPR", approval_message(PENDING), "C0APPROVE")
    assert [(j["kind"], j["user"]) for j in edge.jobs()] == [("approve", "U0GRPAPPR")]
    answer = edge.counted(edge.command, f"submit {DRAFT}", "U0GRPLEAD")
    assert "Submitting" in text(answer)
    assert edge.trips.measured is not None
    assert "GET" in edge.trips.measured[0]  # the groups ride on the first round trip


def test_duplicate_command_is_answered_in_the_ack(edge: Edge) -> None:
    edge.command(f"submit {DRAFT}", DS)
    answer = edge.counted(edge.command, f"submit {DRAFT}", LEAD)
    assert "in progress" in text(answer)
    assert [j["kind"] for j in edge.jobs()] == ["submit"]


def test_reject_click_opens_the_reason_modal(edge: Edge) -> None:
    edge.counted(edge.click, REJECT_ACTION, APPR, approval_message(PENDING), "C0APPROVE")
    [modal] = edge.fake.views(REJECT_VIEW)
    assert PENDING in json.dumps(modal)
    assert edge.jobs() == []


def test_edit_command_opens_the_modal(edge: Edge) -> None:
    edge.counted(edge.command, f"edit {DRAFT}", DS)
    [modal] = edge.fake.views(EDIT_VIEW)
    assert "churn-team" in json.dumps(modal)


def test_create_command_without_arguments_opens_the_modal(edge: Edge) -> None:
    edge.counted(edge.command, "create", LEAD)
    assert len(edge.fake.views(CREATE_VIEW)) == 1


def test_list_next_page_click(edge: Edge) -> None:
    for i in range(25):
        edge.core.state.put(
            CardSnapshot(name=f"rt-many-{i:02d}", arn=ARN, status=CardStatus.DRAFT, owner="t")
        )
    message = {
        "ts": "1700000000.000300",
        "blocks": [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": LIST_NEXT_ACTION,
                        "text": {"type": "plain_text", "text": "Next page"},
                        "value": list_page_value("Draft", "rt-many-10"),
                    }
                ],
            }
        ],
    }
    # The page (names, count and fields in one script), then the reply built from it; the
    # bound allows one more, as when a page's fields took a round trip of their own.
    with edge.trips.measure():
        assert edge.click(LIST_NEXT_ACTION, DS, message, "C0GENERAL").status == 200
    assert edge.trips.count <= MAX_TRIPS + 1, edge.trips.measured
    [job] = edge.jobs()
    assert "rt-many-11" in job["args"]["blocks"]
    assert "rt-many-10" not in job["args"]["blocks"]


# ---------------------------------------------------------------- modal submissions


def test_create_modal_submission(edge: Edge) -> None:
    values = {
        "name": {"name": plain_text_value("rt-created")},
        "owner": {"owner": plain_text_value("team")},
        "problem_type": {"problem_type": plain_text_value("Churn")},
        "description": {"description": plain_text_value(None)},
        "risk": {"risk": static_select_value(None)},
    }
    answer = edge.counted(edge.sender.submit, CREATE_VIEW, values, LEAD)
    assert answer.body == ""
    assert [(j["kind"], j["card"]) for j in edge.jobs()] == [("create", "rt-created")]


def test_create_modal_submission_for_a_card_being_created(edge: Edge) -> None:
    values = {
        "name": {"name": plain_text_value("rt-twice")},
        "owner": {"owner": plain_text_value("team")},
        "problem_type": {"problem_type": plain_text_value("Churn")},
    }
    edge.sender.submit(CREATE_VIEW, values, LEAD)
    edge.counted(edge.sender.submit, CREATE_VIEW, values, LEAD)
    assert [j["kind"] for j in edge.jobs()] == ["create", "reply"]
    assert "already being created" in edge.jobs()[-1]["args"]["text"]


def test_edit_modal_submission(edge: Edge) -> None:
    view = edit_modal(DRAFT, minimal_content("churn-team", "Churn"))
    values = modal_values(view, overview="Predicts churn from usage")
    answer = edge.counted(edge.sender.submit, EDIT_VIEW, values, DS, view=view)
    assert answer.body == ""
    assert [(j["kind"], j["card"]) for j in edge.jobs()] == [("edit", DRAFT)]


def test_reject_reason_submission(edge: Edge) -> None:
    view = reject_modal(PENDING)
    reason = {"reason": {"reason": plain_text_value("AUC is below the agreed 0.80")}}
    answer = edge.counted(edge.sender.submit, REJECT_VIEW, reason, APPR, view=view)
    assert answer.body == ""
    [job] = edge.jobs()
    assert (job["kind"], job["args"]["reason"]) == ("reject", "AUC is below the agreed 0.80")


def test_admin_delete_click(edge: Edge) -> None:
    message = {
        "ts": "1700000000.000400",
        "blocks": [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ADMIN_DELETE_ACTION,
                        "text": {"type": "plain_text", "text": "Delete"},
                        "value": DRAFT,
                    }
                ],
            }
        ],
    }
    edge.counted(edge.click, ADMIN_DELETE_ACTION, ADMIN, message, "C0GENERAL")
    edge.counted(edge.click, ADMIN_DELETE_ACTION, ADMIN, message, "C0GENERAL")
    assert [j["kind"] for j in edge.jobs()] == ["delete", "reply"]


# ---------------------------------------------------------------- the edge still refuses


@pytest.mark.parametrize(
    "send",
    [
        lambda e: e.command(f"approve {PENDING}", APPR),
        lambda e: e.click(APPROVE_ACTION, APPR, approval_message(PENDING), "C0APPROVE"),
        lambda e: e.command("create", LEAD),  # views.open, no Redis write
        lambda e: e.command("help", DS),  # no Redis call in the listener
    ],
    ids=["command", "click", "modal-open", "help"],
)
def test_a_replayed_request_is_refused_and_changes_nothing(edge: Edge, send: Any) -> None:
    sent: list[tuple[bytes, dict[str, str]]] = []
    original = edge.sender._send

    def keep(request: Any) -> Response:
        sent.append((request.data, dict(request.header_items())))
        return original(request)

    edge.sender._send = keep  # type: ignore[method-assign]
    assert send(edge).status == 200
    jobs, opened = edge.jobs(), len(edge.fake.calls_to("views.open"))
    body, headers = sent[-1]
    with edge.trips.measure():
        again = edge.sender.post(
            body,
            FORM,
            headers={k: v for k, v in headers.items() if k.startswith("X-slack")},
            signed=False,
        )
    assert again.status == 401
    assert again.json == {"ok": False, "error": "replayed_request"}
    assert edge.jobs() == jobs
    assert len(edge.fake.calls_to("views.open")) == opened
    assert edge.trips.count <= 1, edge.trips.measured  # the SET that found it, nothing after


def test_forged_stale_and_unsigned_requests_never_reach_bolt(edge: Edge) -> None:
    """Bolt's own verification is off (the edge verifies with the same secret and window):
    a bad signature is refused before any listener, any Redis call, any Slack call."""
    calls = len(edge.fake.calls)
    body = slash_command(f"approve {PENDING}", APPR, response_url=edge.fake.response_url("f"))
    with edge.trips.measure():
        forged = edge.sender.post(body, FORM, sign_with="not-the-secret")
        stale = edge.sender.post(body, FORM, timestamp=int(time.time()) - 6 * 60)
        unsigned = edge.sender.post(body, FORM, signed=False)
        tampered = edge.sender.post(
            body.replace(PENDING.encode(), APPROVED.encode()),
            FORM,
            headers=sign(body),
            signed=False,
        )
    assert [r.status for r in (forged, stale, unsigned, tampered)] == [401] * 4
    assert forged.json == {"ok": False, "error": "invalid_signature"}
    assert edge.trips.count == 0
    assert edge.jobs() == []
    assert len(edge.fake.calls) == calls


def test_redis_down_at_the_first_round_trip_is_a_503(edge: Edge) -> None:
    from werkzeug.test import Client

    from bot.local.stack import free_port

    dead = redis.Redis(port=free_port(), decode_responses=True)  # nothing listens there
    app = Client(create_wsgi(build_core(edge.core.settings, dead)))
    url = edge.fake.response_url("down", user=APPR)
    for body in (
        slash_command(f"approve {PENDING}", APPR, response_url=url),  # reads first
        slash_command("help", APPR, response_url=url),  # no Redis in the listener
    ):
        answer = app.post("/slack/events", data=body, headers={"Content-Type": FORM, **sign(body)})
        assert answer.status_code == 503
        assert answer.json == {"ok": False, "error": "state_unavailable"}
    assert edge.fake.calls_to("views.open") == []
