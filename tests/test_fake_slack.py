"""The test infrastructure itself: the fake Slack Web API (driven by the real slack_sdk
clients) and the signed Slack request builders (checked with slack_sdk's verifier and by a
real Bolt app)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.local.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack
from bot.local.slack_payloads import (
    app_home_opened,
    block_action,
    event_callback,
    plain_text_value,
    slash_command,
    static_select_value,
    url_verification,
    view_submission,
)
from bot.local.slack_requests import FORM, SIGNING_SECRET, SlackSender, sign


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def buttons(*pairs: tuple[str, str], block_id: str = "decide") -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            {
                "type": "button",
                "action_id": action_id,
                "text": {"type": "plain_text", "text": label},
                "value": "card-1",
            }
            for action_id, label in pairs
        ],
    }


def modal(title: str = "Create model card", **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "create_card",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Create"},
        "blocks": [
            {
                "type": "input",
                "block_id": "name",
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    view.update(extra)
    return view


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


# ------------------------------------------------------------------------ Web API basics


def test_auth_test_answers_the_bot_identity_and_records_the_call(
    fake: FakeSlack, client: WebClient
) -> None:
    resp = client.auth_test()
    assert resp["ok"] is True
    assert (resp["bot_id"], resp["user_id"], resp["team_id"]) == (BOT_ID, BOT_USER_ID, TEAM_ID)
    assert resp["url"].startswith("https://")
    [call] = fake.calls_to("auth.test")
    assert call.token == "xoxb-test"
    assert call.ok
    assert fake.api_url.endswith("/api/")


def test_tokens_missing_or_not_bot_are_rejected(fake: FakeSlack) -> None:
    assert api_error(WebClient(base_url=fake.api_url).auth_test).response["error"] == "not_authed"
    bad = WebClient(token="xoxp-user", base_url=fake.api_url)
    assert api_error(bad.auth_test).response["error"] == "invalid_auth"
    assert [c.ok for c in fake.calls_to("auth.test")] == [False, False]


def test_form_encoded_call_with_token_param_and_json_blocks(fake: FakeSlack) -> None:
    blocks = json.dumps([section("*hello*")])
    body = f"token=xoxb-form&channel=C0DEV&text=hi&blocks={quote(blocks)}".encode()
    req = urllib.request.Request(fake.api_url + "chat.postMessage", data=body)
    req.add_header("Content-Type", FORM)
    with urllib.request.urlopen(req) as resp:
        answer = json.loads(resp.read())
    assert answer["ok"] is True, answer
    [call] = fake.calls_to("chat.postMessage")
    assert call.token == "xoxb-form"
    assert "token" not in call.params
    assert fake.messages("C0DEV")[0]["blocks"] == [section("*hello*")]


def test_json_body_token_is_not_accepted_without_the_header(fake: FakeSlack) -> None:
    body = json.dumps({"token": "xoxb-json", "channel": "C0DEV", "text": "hi"}).encode()
    req = urllib.request.Request(fake.api_url + "chat.postMessage", data=body)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as resp:
        answer = json.loads(resp.read())
    assert answer == {"ok": False, "error": "not_authed"}
    assert fake.messages("C0DEV") == []


def test_unknown_method(client: WebClient) -> None:
    err = api_error(lambda: client.api_call("chat.teleport", json={"channel": "C1"}))
    assert err.response.status_code == 200
    assert err.response["error"] == "unknown_method"


# ------------------------------------------------------------------------ messages


def test_post_update_delete_are_recorded_and_messages_show_what_users_see(
    fake: FakeSlack, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C0APPROVE", text="card 1", blocks=[section("one")])
    second = client.chat_postMessage(channel="C0APPROVE", text="card 2")
    assert first["channel"] == "C0APPROVE"
    assert first["message"]["text"] == "card 1"
    assert first["message"]["bot_id"] == BOT_ID
    assert float(second["ts"]) > float(first["ts"])
    assert second["ts"] != first["ts"]

    updated = client.chat_update(channel="C0APPROVE", ts=first["ts"], text="card 1 approved")
    assert (updated["channel"], updated["ts"], updated["text"]) == (
        "C0APPROVE",
        first["ts"],
        "card 1 approved",
    )
    seen = fake.messages("C0APPROVE")
    assert [m["text"] for m in seen] == ["card 1 approved", "card 2"]
    # chat.update without blocks keeps the previous blocks, as on Slack
    assert seen[0]["blocks"] == [section("one")]
    assert "edited" in seen[0]

    client.chat_update(channel="C0APPROVE", ts=first["ts"], text="gone buttons", blocks=[])
    assert fake.messages("C0APPROVE")[0]["blocks"] == []

    client.chat_delete(channel="C0APPROVE", ts=second["ts"])
    assert [m["ts"] for m in fake.messages("C0APPROVE")] == [first["ts"]]
    assert [c.method for c in fake.calls] == [
        "chat.postMessage",
        "chat.postMessage",
        "chat.update",
        "chat.update",
        "chat.delete",
    ]
    assert fake.calls_to("chat.update")[0].params["ts"] == first["ts"]


def test_update_or_delete_of_an_unknown_message(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0DEV", text="x")
    err = api_error(lambda: client.chat_update(channel="C0DEV", ts="1.000001", text="y"))
    assert err.response["error"] == "message_not_found"
    err = api_error(lambda: client.chat_update(channel="C0TEST", ts=posted["ts"], text="y"))
    assert err.response["error"] == "message_not_found"
    err = api_error(lambda: client.chat_delete(channel="C0DEV", ts="1.000001"))
    assert err.response["error"] == "message_not_found"
    assert [m["text"] for m in fake.messages("C0DEV")] == ["x"]


def test_post_message_requires_channel_and_content(client: WebClient) -> None:
    err = api_error(lambda: client.api_call("chat.postMessage", json={"channel": "C0DEV"}))
    assert err.response["error"] == "no_text"
    err = api_error(lambda: client.api_call("chat.postMessage", json={"text": "hi"}))
    assert err.response["error"] == "channel_not_found"


def test_thread_replies_are_not_top_level(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0DEV", text="parent")
    client.chat_postMessage(channel="C0DEV", text="reply", thread_ts=parent["ts"])
    assert [m["text"] for m in fake.messages("C0DEV")] == ["parent"]
    assert [m["text"] for m in fake.replies("C0DEV", parent["ts"])] == ["reply"]


def test_ephemeral_is_recorded_for_its_user(fake: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postEphemeral(channel="C0GENERAL", user="U0DS", text="not allowed")
    assert resp["ok"] is True
    assert resp["message_ts"]
    [shown] = fake.ephemerals(user="U0DS")
    assert (shown["channel"], shown["text"], shown["via"]) == (
        "C0GENERAL",
        "not allowed",
        "chat.postEphemeral",
    )
    assert fake.ephemerals(user="U0LEAD") == []
    assert fake.messages("C0GENERAL") == []  # ephemerals are not channel messages
    err = api_error(
        lambda: client.api_call("chat.postEphemeral", json={"channel": "C1", "text": "x"})
    )
    assert err.response["error"] == "user_not_in_channel"


def test_channel_registry_and_conversations_info() -> None:
    with FakeSlack(channels={"C0DEV": "mc-dev"}) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        info = client.conversations_info(channel="C0DEV")
        assert info["channel"]["id"] == "C0DEV"
        assert info["channel"]["name"] == "mc-dev"
        err = api_error(lambda: client.conversations_info(channel="C0NOPE"))
        assert err.response["error"] == "channel_not_found"
        err = api_error(lambda: client.chat_postMessage(channel="C0NOPE", text="x"))
        assert err.response["error"] == "channel_not_found"
        assert fake.calls_to("conversations.info")[0].params == {"channel": "C0DEV"}


def test_permalink(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0DEV", text="x")
    link = client.chat_getPermalink(channel="C0DEV", message_ts=posted["ts"])["permalink"]
    assert link.endswith("/archives/C0DEV/p" + posted["ts"].replace(".", ""))


# ------------------------------------------------------------------------ views


def test_views_open_update_and_publish(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="123.456.abc", view=modal())
    view = opened["view"]
    assert view["id"].startswith("V")
    assert view["callback_id"] == "create_card"
    assert view["title"]["text"] == "Create model card"
    assert view["state"] == {"values": {}}
    assert fake.calls_to("views.open")[0].params["trigger_id"] == "123.456.abc"
    assert fake.view(view["id"]) == view
    assert [v["id"] for v in fake.views("create_card")] == [view["id"]]

    # a trigger_id is single-use
    err = api_error(lambda: client.views_open(trigger_id="123.456.abc", view=modal()))
    assert err.response["error"] == "exchanged_trigger_id"

    updated = client.views_update(view_id=view["id"], view=modal(title="Edit model card"))
    assert updated["view"]["id"] == view["id"]
    assert fake.view(view["id"])["title"]["text"] == "Edit model card"  # type: ignore[index]
    err = api_error(lambda: client.views_update(view_id=view["id"], hash="stale", view=modal()))
    assert err.response["error"] == "hash_conflict"
    err = api_error(lambda: client.views_update(view_id="V404", view=modal()))
    assert err.response["error"] == "not_found"

    home = {"type": "home", "blocks": [section("My cards")]}
    published = client.views_publish(user_id="U0LEAD", view=home)
    assert published["view"]["type"] == "home"
    assert fake.home("U0LEAD")["blocks"] == [section("My cards")]  # type: ignore[index]
    assert fake.home("U0DS") is None
    [call] = fake.calls_to("views.publish")
    assert call.params["user_id"] == "U0LEAD"
    err = api_error(lambda: client.views_publish(user_id="U0LEAD", view=modal()))
    assert err.response["error"] == "invalid_arguments"


def test_views_open_requires_trigger_id(client: WebClient) -> None:
    err = api_error(lambda: client.api_call("views.open", json={"view": modal()}))
    assert err.response["error"] == "invalid_arguments"


# ------------------------------------------------------------------------ limits


def many_sections(n: int) -> list[dict[str, Any]]:
    return [section(f"line {i}") for i in range(n)]


@pytest.mark.parametrize(
    ("blocks", "ok"),
    [
        pytest.param(many_sections(50), True, id="50-blocks"),
        pytest.param(many_sections(51), False, id="51-blocks"),
        pytest.param([section("x" * 3000)], True, id="section-3000"),
        pytest.param([section("x" * 3001)], False, id="section-3001"),
        pytest.param([section("")], False, id="section-empty"),
        pytest.param([buttons(("approve", "Approve"))], True, id="button"),
        pytest.param([section("a", "same"), section("b", "same")], False, id="dup-block-id"),
        pytest.param([{"type": "sectoin", "text": "x"}], False, id="unknown-type"),
        pytest.param(
            [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], False, id="header-mrkdwn"
        ),
    ],
)
def test_message_block_limits(
    fake: FakeSlack, client: WebClient, blocks: list[dict[str, Any]], ok: bool
) -> None:
    if ok:
        assert client.chat_postMessage(channel="C0DEV", text="t", blocks=blocks)["ok"] is True
        assert len(fake.messages("C0DEV")) == 1
    else:
        err = api_error(lambda: client.chat_postMessage(channel="C0DEV", text="t", blocks=blocks))
        assert err.response["error"] == "invalid_blocks"
        assert err.response["response_metadata"]["messages"]
        assert fake.messages("C0DEV") == []


def test_button_value_limit(fake: FakeSlack, client: WebClient) -> None:
    block = buttons(("approve", "Approve"))
    block["elements"][0]["value"] = "v" * 2000
    client.chat_postMessage(channel="C0DEV", text="t", blocks=[block])
    block["elements"][0]["value"] = "v" * 2001
    err = api_error(lambda: client.chat_postMessage(channel="C0DEV", text="t", blocks=[block]))
    assert err.response["error"] == "invalid_blocks"
    assert "/blocks/0/elements/0/value" in err.response["response_metadata"]["messages"][0]
    # the same limits apply to chat.update
    posted = fake.messages("C0DEV")[0]
    err = api_error(
        lambda: client.chat_update(channel="C0DEV", ts=posted["ts"], text="t", blocks=[block])
    )
    assert err.response["error"] == "invalid_blocks"


def test_message_text_limit(client: WebClient) -> None:
    assert client.chat_postMessage(channel="C0DEV", text="x" * 40_000)["ok"] is True
    err = api_error(lambda: client.chat_postMessage(channel="C0DEV", text="x" * 40_001))
    assert err.response["error"] == "msg_too_long"


@pytest.mark.parametrize(
    ("view", "ok"),
    [
        pytest.param(modal(title="x" * 24), True, id="title-24"),
        pytest.param(modal(title="x" * 25), False, id="title-25"),
        pytest.param(modal(private_metadata="m" * 3000), True, id="metadata-3000"),
        pytest.param(modal(private_metadata="m" * 3001), False, id="metadata-3001"),
        pytest.param(modal(callback_id=""), False, id="no-callback-id"),
        pytest.param(modal(blocks=many_sections(100)), True, id="100-blocks"),
        pytest.param(modal(blocks=many_sections(101)), False, id="101-blocks"),
        pytest.param({k: v for k, v in modal().items() if k != "submit"}, False, id="no-submit"),
    ],
)
def test_modal_limits(fake: FakeSlack, client: WebClient, view: dict[str, Any], ok: bool) -> None:
    if ok:
        assert client.views_open(trigger_id="1.2.3", view=view)["ok"] is True
        assert len(fake.views()) == 1
    else:
        err = api_error(lambda: client.views_open(trigger_id="1.2.3", view=view))
        assert err.response["error"] == "invalid_arguments"
        assert fake.views() == []


# ------------------------------------------------------------------------ failure injection


def test_rate_limit_raises_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", 1, retry_after=7)
    err = api_error(lambda: client.chat_postMessage(channel="C0DEV", text="x"))
    assert err.response.status_code == 429
    assert err.response.headers["Retry-After"] == "7"
    assert err.response["error"] == "ratelimited"
    assert fake.messages("C0DEV") == []
    # only the next call was failed
    assert client.chat_postMessage(channel="C0DEV", text="x")["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]


def test_rate_limit_retry_handler_then_succeeds(fake: FakeSlack, client: WebClient) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.fail_next("chat.postMessage", 1, retry_after=1)
    resp = client.chat_postMessage(channel="C0DEV", text="once")
    assert resp["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in fake.messages("C0DEV")] == ["once"]


def test_injected_error_and_server_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("views.publish", 1, error="not_enabled")
    fake.fail_next("chat.update", 1, error="internal_error")
    home = {"type": "home", "blocks": []}
    err = api_error(lambda: client.views_publish(user_id="U1", view=home))
    assert (err.response.status_code, err.response["error"]) == (200, "not_enabled")
    err = api_error(lambda: client.chat_update(channel="C0DEV", ts="1.1", text="x"))
    assert (err.response.status_code, err.response["error"]) == (500, "internal_error")
    assert client.views_publish(user_id="U1", view=home)["ok"] is True


# ------------------------------------------------------------------------ response_url


def test_response_url_records_webhook_posts(fake: FakeSlack) -> None:
    url = fake.response_url("cmd1")
    assert url.startswith(fake.base_url + "/response/")
    resp = WebhookClient(url).send(text="Created customer-churn-v1")
    assert resp.status_code == 200
    assert fake.responses("cmd1") == [{"text": "Created customer-churn-v1"}]
    assert fake.responses("other") == []
    [call] = fake.calls_to("response_url")
    assert (call.method, call.url, call.token) == ("response_url", "cmd1", None)


def test_response_url_acts_on_what_users_see(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0APPROVE", text="approve?", blocks=[section("a")])
    url = fake.response_url("act", channel="C0APPROVE", user="U0APPR", message_ts=posted["ts"])
    WebhookClient(url).send(text="Approved by <@U0APPR>", replace_original=True)
    [seen] = fake.messages("C0APPROVE")
    assert seen["text"] == "Approved by <@U0APPR>"
    assert "blocks" not in seen  # replace_original replaces the whole message

    WebhookClient(url).send(text="only you see this")
    assert [e["text"] for e in fake.ephemerals(user="U0APPR")] == ["only you see this"]

    WebhookClient(url).send(text="for everyone", response_type="in_channel")
    assert [m["text"] for m in fake.messages("C0APPROVE")] == [
        "Approved by <@U0APPR>",
        "for everyone",
    ]
    WebhookClient(url).send_dict({"delete_original": True})
    assert [m["text"] for m in fake.messages("C0APPROVE")] == ["for everyone"]


def test_response_url_use_limit_and_block_validation(fake: FakeSlack) -> None:
    hook = WebhookClient(fake.response_url("r"))
    assert hook.send(blocks=many_sections(51)).status_code == 400
    statuses = [hook.send(text=str(i)).status_code for i in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 404]


# ------------------------------------------------------------------------ wait_for, clear


def test_wait_for_sees_calls_from_other_threads(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel="C0PROD", text="shared read-only")

    thread = threading.Thread(target=later)
    thread.start()
    calls = fake.wait_for(lambda cs: any(c.method == "chat.postMessage" for c in cs), timeout=5)
    thread.join()
    assert any(c.params.get("channel") == "C0PROD" for c in calls)


def test_wait_for_timeout_dumps_the_calls(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0DEV", text="something else")
    with pytest.raises(AssertionError, match=r"chat\.postMessage") as info:
        fake.wait_for(lambda cs: any(c.method == "views.open" for c in cs), timeout=0.3)
    assert "something else" in str(info.value)


def test_clear_forgets_everything(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C0DEV", text="x")
    fake.fail_next("auth.test", 1)
    fake.clear()
    assert fake.calls == []
    assert fake.messages("C0DEV") == []
    assert client.auth_test()["ok"] is True  # the pending failure is gone too
    assert isinstance(fake.calls[0], Call)


# ------------------------------------------------------------------------ request builders


def test_signatures_verify_with_slack_sdk_and_fail_with_a_wrong_secret() -> None:
    body = slash_command("help", "U0LEAD", response_url="http://x/response/r")
    headers = sign(body)
    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert sig.startswith("v0=")
    assert SignatureVerifier(SIGNING_SECRET).is_valid(body, ts, sig)
    assert not SignatureVerifier("another-secret").is_valid(body, ts, sig)
    assert not SignatureVerifier(SIGNING_SECRET).is_valid(body + b"x", ts, sig)
    stale = sign(body, timestamp=int(time.time()) - 600)
    assert not SignatureVerifier(SIGNING_SECRET).is_valid_request(body, stale)
    other = sign(body, secret="another-secret")
    assert not SignatureVerifier(SIGNING_SECRET).is_valid_request(body, other)


SLASH_FIELDS = {
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "command",
    "text",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
}


def test_slash_command_has_the_documented_fields() -> None:
    body = slash_command(
        "create churn-v1 --owner ana & co", "U0LEAD", response_url="http://h/response/c"
    )
    fields = parse_qs(body.decode(), keep_blank_values=True, strict_parsing=True)
    assert set(fields) == SLASH_FIELDS
    assert all(len(v) == 1 for v in fields.values())
    assert fields["command"] == ["/modelcard"]
    assert fields["text"] == ["create churn-v1 --owner ana & co"]
    assert fields["user_id"] == ["U0LEAD"]
    assert fields["channel_id"] == ["C0GENERAL"]
    assert fields["response_url"] == ["http://h/response/c"]
    assert fields["is_enterprise_install"] == ["false"]
    assert len(fields["trigger_id"][0].split(".")) == 3
    grid = parse_qs(slash_command("help", "U1", response_url="u", enterprise_id="E1").decode())
    assert set(grid) == SLASH_FIELDS | {"enterprise_id", "enterprise_name"}
    assert slash_command("a", "U1", response_url="u") != slash_command("a", "U1", response_url="u")


def payload_of(body: bytes) -> dict[str, Any]:
    fields = parse_qs(body.decode(), strict_parsing=True)
    assert set(fields) == {"payload"}
    parsed: dict[str, Any] = json.loads(fields["payload"][0])
    return parsed


def test_block_action_from_a_message_has_the_documented_keys() -> None:
    payload = payload_of(
        block_action("approve", "card-1", "U0APPR", response_url="http://h/response/a")
    )
    assert set(payload) == {
        "type",
        "user",
        "api_app_id",
        "token",
        "container",
        "trigger_id",
        "team",
        "enterprise",
        "is_enterprise_install",
        "channel",
        "message",
        "state",
        "response_url",
        "actions",
    }
    assert payload["type"] == "block_actions"
    assert set(payload["user"]) == {"id", "username", "name", "team_id"}
    assert payload["user"]["id"] == "U0APPR"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": "C0APPROVE",
        "is_ephemeral": False,
    }
    assert payload["channel"]["id"] == "C0APPROVE"
    assert payload["response_url"] == "http://h/response/a"
    [action] = payload["actions"]
    assert set(action) == {"action_id", "block_id", "text", "value", "type", "action_ts"}
    assert (action["action_id"], action["value"], action["type"]) == ("approve", "card-1", "button")
    assert action["text"]["type"] == "plain_text"


def test_block_action_on_a_fake_message_and_on_a_view(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(
        channel="C0APPROVE",
        text="approve?",
        blocks=[buttons(("approve", "Approve"), ("reject", "Reject"), block_id="decide-1")],
    )
    [message] = fake.messages("C0APPROVE")
    payload = payload_of(
        block_action("reject", "card-1", "U0APPR", response_url="u", message=message)
    )
    assert payload["container"]["message_ts"] == posted["ts"]
    assert payload["message"] == message
    [action] = payload["actions"]
    assert (action["block_id"], action["text"]["text"]) == ("decide-1", "Reject")

    home = {"id": "V0HOME", "type": "home", "blocks": [buttons(("refresh", "Refresh"))]}
    payload = payload_of(block_action("refresh", "r", "U0LEAD", view=home))
    assert payload["container"] == {"type": "view", "view_id": "V0HOME"}
    assert payload["view"] == home
    assert "response_url" not in payload
    assert "channel" not in payload
    assert "message" not in payload


def test_view_submission_shape() -> None:
    values = {
        "name": {"value": plain_text_value("customer-churn-v1")},
        "risk": {"value": static_select_value("low", "Low")},
        "problem": {"value": static_select_value(None)},
    }
    payload = payload_of(
        view_submission("create_card", values, "U0LEAD", private_metadata='{"c":"x"}')
    )
    assert payload["type"] == "view_submission"
    assert {"team", "user", "api_app_id", "token", "trigger_id", "view", "response_urls"} <= set(
        payload
    )
    view = payload["view"]
    assert {"id", "type", "callback_id", "private_metadata", "state", "hash", "title"} <= set(view)
    assert (view["type"], view["callback_id"]) == ("modal", "create_card")
    assert view["private_metadata"] == '{"c":"x"}'
    state = view["state"]["values"]
    assert state["name"]["value"] == {"type": "plain_text_input", "value": "customer-churn-v1"}
    assert state["risk"]["value"]["selected_option"]["value"] == "low"
    assert state["problem"]["value"] == {"type": "static_select", "selected_option": None}


def test_event_callback_and_url_verification_shapes() -> None:
    event = app_home_opened("U0LEAD")
    assert event["type"] == "app_home_opened"
    assert (event["user"], event["tab"]) == ("U0LEAD", "home")
    assert {"channel", "event_ts"} <= set(event)
    envelope = json.loads(event_callback(event))
    assert {
        "token",
        "team_id",
        "api_app_id",
        "event",
        "type",
        "event_id",
        "event_time",
        "authorizations",
    } <= set(envelope)
    assert envelope["type"] == "event_callback"
    assert envelope["event"] == event
    assert isinstance(envelope["event_time"], int)
    assert json.loads(url_verification("c-123"))["challenge"] == "c-123"


# ------------------------------------------------------------------------ a real Bolt app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture
def bolt(fake: FakeSlack) -> Iterator[tuple[SlackSender, dict[str, Any]]]:
    """A minimal Bolt app (the bot's own stack: Bolt over WSGI) that records what it got."""
    seen: dict[str, Any] = {}
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token="xoxb-test", base_url=fake.api_url),
        process_before_response=True,
    )

    @app.command("/modelcard")
    def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        seen["command"] = command
        respond(text=f"got {command['text']}")

    @app.action("approve")
    def on_action(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        seen["action"] = action

    @app.view("create_card")
    def on_view(ack: Any, view: dict[str, Any]) -> None:
        ack()
        seen["view"] = view

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        seen["event"] = event
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    server = make_server(
        "127.0.0.1",
        0,
        SlackRequestHandler(app),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield SlackSender(f"http://127.0.0.1:{server.server_port}"), seen
    finally:
        server.shutdown()
        server.server_close()


def test_bolt_accepts_every_builder(
    fake: FakeSlack, bolt: tuple[SlackSender, dict[str, Any]]
) -> None:
    sender, seen = bolt
    resp = sender.command("show churn", "U0DS", response_url=fake.response_url("c"))
    assert resp.status == 200, resp.body
    assert seen["command"]["text"] == "show churn"
    assert seen["command"]["user_id"] == "U0DS"
    assert fake.responses("c") == [{"text": "got show churn"}]

    resp = sender.action("approve", "card-1", "U0APPR", response_url=fake.response_url("a"))
    assert resp.status == 200, resp.body
    assert seen["action"]["value"] == "card-1"

    values = {"name": {"value": plain_text_value("churn")}}
    resp = sender.submit("create_card", values, "U0LEAD")
    assert resp.status == 200, resp.body
    assert seen["view"]["state"]["values"] == values

    resp = sender.event(app_home_opened("U0LEAD"))
    assert resp.status == 200, resp.body
    assert seen["event"]["user"] == "U0LEAD"
    assert fake.home("U0LEAD") is not None

    resp = sender.verify_url("xyz")
    assert resp.status == 200
    assert resp.json == {"challenge": "xyz"}


def test_bolt_rejects_bad_signatures(bolt: tuple[SlackSender, dict[str, Any]]) -> None:
    sender, seen = bolt
    assert sender.command("help", "U0DS", response_url="u", sign_with="wrong").status == 401
    stale = int(time.time()) - 600
    assert sender.command("help", "U0DS", response_url="u", timestamp=stale).status == 401
    assert sender.command("help", "U0DS", response_url="u", signed=False).status == 401
    assert "command" not in seen
