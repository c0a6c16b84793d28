"""The Slack surface feature by feature, driven by signed requests: what people see in
answers, modals, channels and the App Home tab, and what AWS holds afterwards."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from bot.app import build_worker
from bot.domain.status import Action, CardStatus
from bot.errors import CardNotFound
from bot.local import moto_ext
from bot.local.slack_payloads import app_home_opened, plain_text_value, static_select_value
from bot.local.slack_requests import FORM, JSON, Response
from bot.slack.ids import (
    ADMIN_DELETE_ACTION,
    APPROVE_ACTION,
    EDIT_VIEW,
    LIST_NEXT_ACTION,
    REJECT_ACTION,
    REJECT_VIEW,
)
from bot.store.cards import CardSnapshot
from tests.slack_helpers import (
    ADMIN,
    APPR,
    DS,
    DSAP,
    LEAD,
    NOBODY,
    Quiet,
    actions_of,
    answer_text,
    approve_card,
    button_texts,
    card_content,
    click_button,
    create_card,
    submit_card,
    text_of,
)
from tests.slack_stack import Stack

CARD = "customer-churn-v1"
ALL_SUBCOMMANDS = (
    "create <name>",
    "edit <name>",
    "submit <name>",
    "approve <name>",
    "reject <name> <reason>",
    "archive <name>",
    "show <name>",
    "list [status]",
    "history <name>",
    "shares <name>",
    "export <name>",
    "admin delete <name>",
    "admin retry",
    "help",
)


def click_in_answer(
    stack: Stack, action_id: str, user: str, blocks: list[dict[str, Any]], name: str
) -> Response:
    """Click a button in an ephemeral answer, as Slack sends it (with its response_url)."""
    message = {"type": "message", "ts": "1700000000.000200", "text": "", "blocks": blocks}
    [value] = [e["value"] for e in actions_of(message) if e["action_id"] == action_id]
    url = stack.fake.response_url(name, channel="C0GENERAL", user=user)
    return stack.sender.action(
        action_id,
        value,
        user,
        response_url=url,
        channel_id="C0GENERAL",
        message=message,
        is_ephemeral=True,
    )


def modal_values(view: dict[str, Any], **changes: str | None) -> dict[str, Any]:
    """`state.values` as Slack sends them for the modal: what it was pre-filled with,
    except the inputs named in `changes` (block id -> new text or option value)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        block_id, element = block["block_id"], block["element"]
        if element["type"] == "static_select":
            initial = (element.get("initial_option") or {}).get("value")
            value = static_select_value(changes.get(block_id, initial))
        else:
            value = plain_text_value(changes.get(block_id, element.get("initial_value")))
        values[block_id] = {element["action_id"]: value}
    return values


def seed(stack: Stack, count: int, status: CardStatus = CardStatus.DRAFT) -> list[str]:
    """Cards as the worker records them after seeing them in AWS (listing tests only)."""
    names = [f"card-{i:02d}" for i in range(1, count + 1)]
    for name in names:
        arn = f"arn:aws:sagemaker:us-east-1:111111111111:model-card/{name}"
        stack.core.state.put(
            CardSnapshot(name=name, arn=arn, status=status, owner=f"owner-of-{name}")
        )
    return names


def section_with(view: dict[str, Any], title: str) -> str:
    """The text of the section block that starts with the bold `title`."""
    found = [
        b["text"]["text"]
        for b in view["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith(f"*{title}*")
    ]
    assert len(found) == 1, view["blocks"]
    return str(found[0])


# ---------------------------------------------------------------------------- read


@pytest.mark.parametrize("text", ["help", ""])
def test_help_lists_every_subcommand(stack: Stack, text: str) -> None:
    answer = stack.command(text, NOBODY)
    shown = answer_text(answer)
    assert answer.json["response_type"] == "ephemeral"
    for usage in ALL_SUBCOMMANDS:
        assert f"/modelcard {usage}" in shown
    assert "Anyone may show, list, history, shares and help" in shown


def test_show_summarizes_the_card(stack: Stack) -> None:
    create_card(stack, CARD, extra='--description "Predicts churn" --risk medium')
    submit_card(stack, CARD, user=DS)
    answer = stack.command(f"show {CARD}", NOBODY)
    shown = answer_text(answer)
    assert f"Model card {CARD}: PendingReview" in answer.json["text"]
    assert "`PendingReview`" in shown
    assert "*Owner*\\nmodel-owner" in shown
    assert "Customer Churn Model" in shown
    assert "Predicts churn" in shown
    assert "Medium" in shown
    console = "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1"
    assert f"<{console}#/model-cards/{CARD}|{CARD}>" in shown
    assert "*Shared with*" in shown
    assert "dev: account `222222222222`, read-write" in shown
    assert "test: account `333333333333`, read-write" in shown
    assert "444444444444" not in shown
    assert "*Created by*\\n<@U0LEAD>" in shown
    assert "*Submitted by*\\n<@U0DS>" in shown


def test_list_and_list_by_status(stack: Stack) -> None:
    seed(stack, 3)
    stack.core.state.put(
        CardSnapshot(name="in-review", arn="arn:x", status=CardStatus.PENDING_REVIEW, owner="o")
    )
    everything = answer_text(stack.command("list", NOBODY))
    assert "*4 model cards*" in everything
    for name in ("card-01", "card-02", "card-03", "in-review"):
        assert f"|{name}>" in everything
    assert LIST_NEXT_ACTION not in everything  # one page only
    pending = answer_text(stack.command("list PendingReview", NOBODY))
    assert "*1 PendingReview model card*" in pending
    assert "|in-review>" in pending
    assert "card-01" not in pending
    approved = answer_text(stack.command("list approved", NOBODY))
    assert "No cards are Approved." in approved


def test_list_with_an_unknown_status(stack: Stack) -> None:
    quiet = Quiet(stack)
    answer = stack.command("list bogus", NOBODY)
    text = answer.json["text"]
    assert text.startswith(":warning:")
    assert "'bogus' is not a card status; use one of Draft, PendingReview, Approved, Archived" in (
        text
    )
    quiet.check()


def test_list_pages_with_next_page_button(stack: Stack) -> None:
    names = seed(stack, 25)
    first = stack.command("list", NOBODY).json
    shown = text_of(first)
    assert "*25 model cards* (showing 20)" in shown
    assert all(f"|{n}>" in shown for n in names[:20])
    assert not any(f"|{n}>" in shown for n in names[20:])
    [button] = [e for e in actions_of(first) if e["action_id"] == LIST_NEXT_ACTION]
    assert button["text"]["text"] == "Next page"

    assert click_in_answer(stack, LIST_NEXT_ACTION, NOBODY, first["blocks"], "page2").status == 200
    stack.drain()
    [page] = stack.fake.ephemerals(user=NOBODY)
    shown = text_of(page)
    assert "*25 model cards* (showing 5)" in shown
    assert all(f"|{n}>" in shown for n in names[20:])
    assert not any(f"|{n}>" in shown for n in names[:20])
    assert button_texts(page) == []  # the last page has no Next button
    [sent] = stack.fake.responses("page2")
    assert sent["replace_original"] is True  # the page replaces the one clicked


def test_shares_lists_accounts_and_access(stack: Stack) -> None:
    create_card(stack, CARD)
    draft = answer_text(stack.command(f"shares {CARD}", NOBODY))
    assert f"*Shares of `{CARD}`*" in draft
    assert "dev: account `222222222222`, read-write, ASSOCIATED" in draft
    assert "333333333333" not in draft
    submit_card(stack, CARD)
    pending = answer_text(stack.command(f"shares {CARD}", NOBODY))
    assert "dev: account `222222222222`, read-write, ASSOCIATED" in pending
    assert "test: account `333333333333`, read-write, ASSOCIATED" in pending


# ---------------------------------------------------------------------------- edit


def test_edit_modal_saves_a_new_version_and_history_shows_it(stack: Stack) -> None:
    create_card(stack, CARD, extra='--description "Predicts churn" --risk Medium')
    assert stack.command(f"edit {CARD}", DS).status == 200
    [view] = stack.fake.views(EDIT_VIEW)
    assert view["title"]["text"] == "Edit model card"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["owner"]["initial_value"] == "model-owner"
    assert inputs["problem_type"]["initial_value"] == "Customer Churn Model"
    assert inputs["overview"]["initial_value"] == "Predicts churn"
    assert inputs["risk_rating"]["initial_option"]["value"] == "Medium"
    assert "initial_value" not in inputs["business_problem"]

    values = modal_values(
        view, overview="Predicts churn from usage", business_problem="Customers leave"
    )
    answer = stack.sender.submit(EDIT_VIEW, values, DS, view=view)
    assert answer.status == 200
    assert answer.body == ""  # the modal closes
    stack.drain()
    version, content = card_content(stack, CARD)
    assert version == 2
    assert content["model_overview"] == {
        "model_owner": "model-owner",
        "problem_type": "Customer Churn Model",
        "model_description": "Predicts churn from usage",
    }
    assert content["intended_uses"] == {"risk_rating": "Medium"}  # untouched section kept
    assert content["business_details"] == {"business_problem": "Customers leave"}
    assert stack.card_status(CARD) == "Draft"
    assert any(f"Saved model card `{CARD}` as version 2" in t for t in stack.ephemeral_texts(DS))

    history = answer_text(stack.command(f"history {CARD}", NOBODY))
    assert f"*History of `{CARD}`*" in history
    assert "• v1 · :pencil2: `Draft`" in history
    assert "• v2 · :pencil2: `Draft`" in history
    assert "<@U0DS>" in history
    assert "*Audit trail*" in history
    assert "<@U0LEAD> · create · _new_ → :pencil2: `Draft`" in history
    assert "<@U0DS> · edit" in history


def test_edit_modal_refuses_content_the_schema_rejects(stack: Stack) -> None:
    create_card(stack, CARD)
    stack.command(f"edit {CARD}", DS)
    [view] = stack.fake.views(EDIT_VIEW)
    quiet = Quiet(stack)
    answer = stack.sender.submit(EDIT_VIEW, modal_values(view, owner="o" * 1025), DS, view=view)
    assert answer.status == 200
    assert answer.json["response_action"] == "errors"
    [(block, error)] = answer.json["errors"].items()
    assert block == "owner"
    assert "`model_overview.model_owner` is 1,025 characters long" in error
    quiet.check()
    assert card_content(stack, CARD)[0] == 1


# ---------------------------------------------------------------------------- decisions


def test_reject_asks_for_a_reason_and_returns_the_card_to_draft(stack: Stack) -> None:
    create_card(stack, CARD)
    request = submit_card(stack, CARD, user=DS)
    assert click_button(stack, REJECT_ACTION, APPR, request).status == 200
    [modal] = stack.fake.views(REJECT_VIEW)
    assert CARD in text_of(modal)
    assert modal["submit"]["text"] == "Reject"
    stack.drain()
    assert stack.card_status(CARD) == "PendingReview"  # nothing decided before the reason

    reason = {"reason": {"reason": plain_text_value("AUC is below the agreed 0.80")}}
    answer = stack.sender.submit(REJECT_VIEW, reason, APPR, view=modal)
    assert answer.status == 200
    assert answer.body == ""
    stack.drain()
    assert stack.card_status(CARD) == "Draft"
    [decided] = stack.fake.messages("C0APPROVE")
    assert button_texts(decided) == []
    shown = text_of(decided)
    assert "Rejected v1 by <@U0APPR>" in shown
    assert "AUC is below the agreed 0.80" in shown
    dev = stack.fake.messages("C0DEV")
    assert len(dev) == 2  # created, then rejected back to Draft
    assert f"Model card {CARD}: PendingReview → Draft." in dev[-1]["text"]
    assert "AUC is below the agreed 0.80" in text_of(dev[-1])
    assert len(stack.fake.messages("C0TEST")) == 1  # no second post in test
    assert stack.fake.messages("C0PROD") == []


def test_reject_without_a_reason_keeps_the_modal_open(stack: Stack) -> None:
    create_card(stack, CARD)
    request = submit_card(stack, CARD, user=DS)
    click_button(stack, REJECT_ACTION, APPR, request)
    stack.drain()
    [modal] = stack.fake.views(REJECT_VIEW)
    quiet = Quiet(stack)
    for empty in (None, "  "):
        reason = {"reason": {"reason": plain_text_value(empty)}}
        answer = stack.sender.submit(REJECT_VIEW, reason, APPR, view=modal)
        assert answer.json["response_action"] == "errors"
        assert set(answer.json["errors"]) == {"reason"}
        assert "Say why" in answer.json["errors"]["reason"]
    quiet.check()


def test_two_approvers_at_once_make_one_decision(stack: Stack) -> None:
    create_card(stack, CARD)
    request = submit_card(stack, CARD, user=DS)
    moto_ext.clear_calls()
    start = threading.Barrier(2)
    answers: dict[str, Response] = {}

    def click(user: str) -> None:
        start.wait()
        answers[user] = click_button(stack, APPROVE_ACTION, user, request)

    threads = [threading.Thread(target=click, args=(user,)) for user in (APPR, DSAP)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answers[u].status for u in (APPR, DSAP)] == [200, 200]
    stack.drain()
    updates = [
        c
        for c in moto_ext.calls()
        if c["action"] == "UpdateModelCard" and c["service"] == "sagemaker"
    ]
    assert len(updates) == 1
    winner = updates[0]["source_identity"]
    loser = DSAP if winner == APPR else APPR
    assert stack.card_status(CARD) == "Approved"
    assert len(stack.fake.messages("C0PROD")) == 1
    assert len(stack.fake.calls_to("chat.update")) == 1
    [decided] = stack.fake.messages("C0APPROVE")
    assert button_texts(decided) == []
    assert f"Approved v1 by <@{winner}>" in text_of(decided)
    assert any(
        f"Model card `{CARD}` already has a decision or move in progress" in t
        for t in stack.ephemeral_texts(loser)
    )
    assert any(f"Model card `{CARD}` v1 approved" in t for t in stack.ephemeral_texts(winner))


def test_a_click_while_the_worker_settles_the_decision_is_a_duplicate(stack: Stack) -> None:
    """The worker records the decision (closing the round) before the AWS update and writes
    the snapshot last: a click in between is the same decision, not a second approve job
    that a second worker would take for a crash replay and settle again."""
    create_card(stack, CARD)
    request = submit_card(stack, CARD, user=DS)
    moto_ext.clear_calls()
    updates = len(stack.fake.calls_to("chat.update"))
    stack.fake.stall_next("chat.update", 2.0)  # the request's close, before the snapshot
    assert click_button(stack, APPROVE_ACTION, APPR, request).status == 200
    first = threading.Thread(target=stack.drain)
    first.start()
    deadline = time.monotonic() + 20
    # Approved in AWS: the worker is past the update and held in the request's close.
    while stack.card_status(CARD) != "Approved" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stack.core.state.status_of(CARD) == "PendingReview"  # the worker is settling
    assert click_button(stack, APPROVE_ACTION, DSAP, request).status == 200
    build_worker(stack.core, consumer="second-worker").drain()  # while the first one settles
    first.join()
    stack.drain()

    assert stack.card_status(CARD) == "Approved"
    aws = [c for c in moto_ext.calls() if c["service"] == "sagemaker"]
    assert len([c for c in aws if c["action"] == "UpdateModelCard"]) == 1
    assert len(stack.fake.messages("C0PROD")) == 1
    assert len(stack.fake.calls_to("chat.update")) - updates == 1  # the request closed, once
    requests = [e.result for e in stack.core.audit.for_card(CARD) if e.action == "request:approve"]
    assert sorted(requests) == ["duplicate", "queued"]
    assert any(
        f"Model card `{CARD}` already has a decision or move in progress" in t
        for t in stack.ephemeral_texts(DSAP)
    )


def test_archive_revokes_shares_and_notifies(stack: Stack) -> None:
    create_card(stack, CARD)
    answer = answer_text(stack.command(f"archive {CARD}", LEAD))
    assert f"Archiving `{CARD}`" in answer
    stack.drain()
    assert stack.card_status(CARD) == "Archived"
    lead = stack.aws.actor(LEAD, Action.CREATE)
    arn = stack.aws.cards.describe(lead, CARD).arn
    assert stack.aws.shares.card_shares(lead, arn) == []
    dev = stack.fake.messages("C0DEV")
    assert len(dev) == 2
    assert f"Model card {CARD}: Draft → Archived." in dev[-1]["text"]
    assert "Shares revoked: dev" in text_of(dev[-1])
    assert any(f"Model card `{CARD}` archived" in t for t in stack.ephemeral_texts(LEAD))
    shares = answer_text(stack.command(f"shares {CARD}", NOBODY))
    assert "is not shared with any account" in shares


def test_a_stage_channel_the_bot_was_removed_from_does_not_stop_the_move(stack: Stack) -> None:
    """Posting to the prod channel is refused (`not_in_channel`): the approval still settles
    (shared with prod, Approved in Redis, the approver told); only that announcement is
    dead-lettered, for `/modelcard admin retry` once the bot is back in the channel."""
    create_card(stack, CARD)
    submit_card(stack, CARD)
    stack.fake.remove_bot_from("C0PROD")
    approve_card(stack, CARD)
    assert stack.core.state.status_of(CARD) == "Approved"
    lead = stack.aws.actor(LEAD, Action.CREATE)
    arn = stack.aws.cards.describe(lead, CARD).arn
    assert "prod" in [s.stage for s in stack.aws.shares.card_shares(lead, arn)]
    told = stack.ephemeral_texts(APPR)
    assert any(f"Model card `{CARD}` v" in t and "approved" in t for t in told), told
    assert stack.fake.messages("C0PROD") == []
    [(_id, job, reason)] = stack.core.outbox.dead_letters()
    assert (job.kind, job.card, job.args["channel"]) == ("announce", CARD, "C0PROD")
    assert "not_in_channel" in reason
    # Back in the channel, the admin's retry posts the announcement, once.
    stack.fake.rejoin("C0PROD")
    assert "Re-queued 1 dead-letter job(s)." in stack.command("admin retry", ADMIN).json["text"]
    stack.drain()
    [posted] = stack.fake.messages("C0PROD")
    assert f"Model card {CARD}: PendingReview → Approved." in posted["text"]


# ---------------------------------------------------------------------------- admin


def test_admin_delete_asks_then_deletes(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    answer = stack.command(f"admin delete {CARD}", ADMIN).json
    assert answer["response_type"] == "ephemeral"
    assert f"Delete model card `{CARD}` for good?" in text_of(answer)
    [button] = actions_of(answer)
    assert button["text"]["text"] == "Delete"
    assert button["style"] == "danger"
    assert button["confirm"]["confirm"]["text"] == "Delete"
    quiet.check()  # asking deletes nothing

    assert click_in_answer(stack, ADMIN_DELETE_ACTION, ADMIN, answer["blocks"], "del").status == 200
    stack.drain()
    with pytest.raises(CardNotFound):
        stack.aws.cards.describe(stack.aws.actor(LEAD, Action.CREATE), CARD)
    assert any(f"Deleted model card `{CARD}`" in t for t in stack.ephemeral_texts(ADMIN))
    gone = stack.command(f"show {CARD}", NOBODY).json["text"]
    assert f"Model card `{CARD}` does not exist" in gone


def test_admin_delete_is_for_admins_only(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    answer = stack.command(f"admin delete {CARD}", LEAD).json
    assert answer["text"].startswith(":warning:")
    assert f"You cannot delete `{CARD}`" in answer["text"]
    assert "Roles that can: admin." in answer["text"]
    assert "blocks" not in answer
    quiet.check()


def test_admin_retry_with_no_dead_letters(stack: Stack) -> None:
    quiet = Quiet(stack)
    answer = stack.command("admin retry", ADMIN).json
    assert "Re-queued 0 dead-letter job(s)." in answer["text"]
    quiet.check()


# ---------------------------------------------------------------------------- App Home


def test_app_home_shows_my_cards_and_what_waits_for_me(stack: Stack) -> None:
    create_card(stack, CARD)
    submit_card(stack, CARD, user=DS)
    for user in (APPR, LEAD):
        assert stack.sender.event(app_home_opened(user)).status == 200
    stack.drain()
    approver = stack.fake.home(APPR)
    assert approver is not None
    assert f"|{CARD}>" in section_with(approver, "Waiting for my approval")
    assert "submitted by <@U0DS>" in section_with(approver, "Waiting for my approval")
    assert "You have not created any card yet." in section_with(approver, "My cards")
    lead = stack.fake.home(LEAD)
    assert lead is not None
    assert f"|{CARD}>" in section_with(lead, "My cards")
    assert "`PendingReview`" in section_with(lead, "My cards")
    assert "Nothing is waiting for you." in section_with(lead, "Waiting for my approval")
    assert CARD in section_with(lead, "Recent moves")


# ---------------------------------------------------------------------------- HTTP edge


def test_healthz(stack: Stack) -> None:
    answer = stack.sender.get("/healthz")
    assert answer.status == 200
    assert answer.json == {"ok": True}


@pytest.mark.parametrize(
    "how",
    [{"signed": False}, {"sign_with": "not-the-secret"}, {"timestamp": 1_600_000_000}],
    ids=["unsigned", "wrong-secret", "stale-timestamp"],
)
def test_requests_not_signed_by_slack_are_refused(stack: Stack, how: dict[str, Any]) -> None:
    quiet = Quiet(stack)
    url = stack.fake.response_url("forged", channel="C0GENERAL", user=LEAD)
    answer = stack.sender.command(
        f"create {CARD} --owner o --problem-type p", LEAD, response_url=url, **how
    )
    assert answer.status == 401
    quiet.check()
    assert stack.fake.snapshot() == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"payload=not-json", FORM), (b"payload=%5B1%5D", FORM), (b"{not json", JSON)],
    ids=["form-payload", "payload-not-an-object", "json-body"],
)
def test_malformed_payload_is_a_client_error(stack: Stack, body: bytes, content_type: str) -> None:
    quiet = Quiet(stack)
    answer = stack.sender.post(body, content_type)
    assert answer.status == 400
    quiet.check()
    assert stack.fake.snapshot() == []
