"""Request bodies shaped like Slack's documented payloads, as the raw bytes Slack sends:

- slash commands: ``application/x-www-form-urlencoded`` fields
  (https://docs.slack.dev/interactivity/implementing-slash-commands);
- interactivity (``block_actions``, ``view_submission``): a form body ``payload=<json>``
  (https://docs.slack.dev/reference/interaction-payloads/);
- Events API: a JSON ``event_callback`` envelope, and ``url_verification``
  (https://docs.slack.dev/reference/objects/event-object).

The workspace is the fake Slack's (bot.local.fake_slack); signing and sending is
bot.local.slack_requests.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from bot.local.fake_slack import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

VERIFICATION_TOKEN = "test-verification-token"  # the deprecated `token` field Slack still sends
DEFAULT_MESSAGE_TS = "1700000000.000100"

_seq = itertools.count(1)

# Channel names for the ids used by the example governance config and these builders.
CHANNEL_NAMES = {
    "C0GENERAL": "general",
    "C0DEV": "mc-dev",
    "C0TEST": "mc-test",
    "C0PROD": "mc-prod",
    "C0APPROVE": "mc-approvals",
    "C0OPS": "mc-ops",
}


def _channel_name(channel_id: str) -> str:
    if channel_id.startswith("D"):
        return "directmessage"
    return CHANNEL_NAMES.get(channel_id, channel_id.lower())


def _user_name(user_id: str) -> str:
    return user_id.lower()


def new_trigger_id() -> str:
    """A unique trigger id in Slack's format (``<digits>.<digits>.<hex>``)."""
    return f"{int(time.time())}{next(_seq):04d}.1700000000.{secrets.token_hex(16)}"


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _user(user_id: str, team_id: str, user_name: str | None = None) -> dict[str, str]:
    name = user_name or _user_name(user_id)
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _form_payload(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()


# ------------------------------------------------------------------------- slash command


def slash_command(
    text: str,
    user_id: str,
    *,
    response_url: str,
    command: str = "/modelcard",
    channel_id: str = "C0GENERAL",
    channel_name: str | None = None,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    enterprise_id: str | None = None,
    enterprise_name: str | None = None,
    user_name: str | None = None,
    api_app_id: str = APP_ID,
) -> bytes:
    """A slash command invocation: form fields in the order Slack sends them."""
    fields: list[tuple[str, str]] = [
        ("token", VERIFICATION_TOKEN),
        ("team_id", team_id),
        ("team_domain", team_domain),
    ]
    if enterprise_id is not None:
        fields += [
            ("enterprise_id", enterprise_id),
            ("enterprise_name", enterprise_name or "Modelcard Grid"),
        ]
    fields += [
        ("channel_id", channel_id),
        ("channel_name", channel_name or _channel_name(channel_id)),
        ("user_id", user_id),
        ("user_name", user_name or _user_name(user_id)),
        ("command", command),
        ("text", text),
        ("api_app_id", api_app_id),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", trigger_id or new_trigger_id()),
    ]
    return urlencode(fields).encode()


# ------------------------------------------------------------------------- block actions


def _find_element(message: dict[str, Any], action_id: str) -> tuple[str | None, dict[str, Any]]:
    """The (block_id, element) of an interactive element in a message or view."""
    for block in message.get("blocks") or []:
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if key in block:
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, {}


def block_action(
    action_id: str,
    value: str,
    user_id: str,
    *,
    response_url: str | None = None,
    channel_id: str = "C0APPROVE",
    message_ts: str | None = None,
    message: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    block_id: str | None = None,
    button_text: str | None = None,
    view: dict[str, Any] | None = None,
    is_ephemeral: bool = False,
    team_id: str = TEAM_ID,
    user_name: str | None = None,
    api_app_id: str = APP_ID,
) -> bytes:
    """A button click (``block_actions``), form body ``payload=<json>``.

    From a message (default): container ``{type: message, message_ts, channel_id,
    is_ephemeral}``, ``channel``, ``message`` and ``response_url``. Pass the message as the
    fake shows it (``fake.messages(ch)[i]``): its ts is the default ``message_ts`` and the
    button's block_id/text are taken from it.
    With ``view`` (a modal or App Home): container ``{type: view, view_id}``, ``view`` and no
    ``channel``/``message``/``response_url``.
    """
    message = copy.deepcopy(message) if message is not None else None
    if message_ts is None:
        message_ts = str((message or {}).get("ts") or DEFAULT_MESSAGE_TS)
    source = view if view is not None else message
    found_block, element = _find_element(source or {}, action_id)
    block_id = block_id or found_block or "b1"
    text = button_text or (element.get("text") or {}).get("text") or "Button"
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "value": value,
        "type": "button",
        "action_ts": _action_ts(),
    }
    if element.get("style"):
        action["style"] = element["style"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0001")}
    else:
        if response_url is None:
            raise ValueError("a block action from a message needs its response_url")
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
    payload["trigger_id"] = trigger_id or new_trigger_id()
    payload["team"] = {"id": team_id, "domain": TEAM_DOMAIN}
    payload["enterprise"] = None
    payload["is_enterprise_install"] = False
    if view is not None:
        payload["view"] = view
        payload["state"] = view.get("state") or {"values": {}}
    else:
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
        payload["message"] = message if message is not None else _default_message(action, text)
        payload["message"].setdefault("ts", message_ts)
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url
    payload["actions"] = [action]
    return _form_payload(payload)


def _default_message(action: dict[str, Any], text: str) -> dict[str, Any]:
    """A bot message holding the clicked button, for callers that do not pass one."""
    return {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "text": "",
        "team": TEAM_ID,
        "blocks": [
            {
                "type": "actions",
                "block_id": action["block_id"],
                "elements": [
                    {
                        "type": "button",
                        "action_id": action["action_id"],
                        "text": {"type": "plain_text", "text": text, "emoji": True},
                        "value": action["value"],
                    }
                ],
            }
        ],
    }


# ------------------------------------------------------------------------- view submission


def plain_text_value(text: str | None) -> dict[str, Any]:
    """A ``state.values`` entry of a plain_text_input (``None`` when left empty)."""
    return {"type": "plain_text_input", "value": text}


def static_select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A ``state.values`` entry of a static_select (``selected_option: null`` if none)."""
    selected = None
    if value is not None:
        selected = {
            "text": {"type": "plain_text", "text": text or value, "emoji": True},
            "value": value,
        }
    return {"type": "static_select", "selected_option": selected}


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    user_id: str,
    *,
    private_metadata: str | None = None,
    view_id: str | None = None,
    view: dict[str, Any] | None = None,
    response_urls: list[dict[str, str]] | None = None,
    trigger_id: str | None = None,
    title: str = "Model card",
    team_id: str = TEAM_ID,
    user_name: str | None = None,
    api_app_id: str = APP_ID,
) -> bytes:
    """A modal submitted (``view_submission``), form body ``payload=<json>``.

    ``values`` is ``state.values``: ``{block_id: {action_id: plain_text_value(...)}}``.
    ``view``: the modal as the fake holds it (``fake.views(callback_id)[-1]``); its id,
    blocks, title, hash and private_metadata are carried over unless given here.
    """
    base = view or {}
    view_id = view_id or base.get("id") or "V0001"
    if private_metadata is None:
        private_metadata = base.get("private_metadata", "")
    submitted: dict[str, Any] = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": base.get("blocks", []),
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": values},
        "hash": base.get("hash") or f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": base.get("title") or {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": bool(base.get("clear_on_close", False)),
        "notify_on_close": bool(base.get("notify_on_close", False)),
        "close": base.get("close") or {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": base.get("submit") or {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": base.get("previous_view_id"),
        "root_view_id": base.get("root_view_id") or view_id,
        "app_id": api_app_id,
        "external_id": base.get("external_id", ""),
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": submitted,
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form_payload(payload)


# ------------------------------------------------------------------------- Events API


def event_callback(
    event: dict[str, Any], *, team_id: str = TEAM_ID, api_app_id: str = APP_ID
) -> bytes:
    """The Events API envelope around one event (JSON body)."""
    now = int(time.time())
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{now}{next(_seq):04d}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }
    return json.dumps(envelope).encode()


def app_home_opened(user_id: str, *, view: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``app_home_opened`` event for the Home tab (``view`` once one was published)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D" + user_id[1:],
        "tab": "home",
        "event_ts": _action_ts(),
    }
    if view is not None:
        event["view"] = view
    return event


def url_verification(challenge: str) -> bytes:
    """The handshake Slack sends when the Events request URL is saved (JSON body)."""
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    ).encode()
