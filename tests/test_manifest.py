"""manifest.yml: a Slack app manifest whose URLs, command and scopes match what the code does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "bot", ROOT / "handlers"]

# Slack Web API method -> bot scopes it needs. A method the code calls that is missing here
# fails the test: look its scope up (https://docs.slack.dev/reference/methods) and add it.
SCOPES_BY_METHOD: dict[str, set[str]] = {
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.delete": {"chat:write"},
    "views.open": set(),
    "views.update": set(),
    "views.push": set(),
    "views.publish": set(),
    "auth.test": set(),
    "users.info": {"users:read"},
    "conversations.info": {"channels:read", "groups:read"},
    "files.upload": {"files:write"},
    "files.uploadV2": {"files:write"},
    "files_upload_v2": {"files:write"},
    "reactions.add": {"reactions:write"},
    "usergroups.users.list": {"usergroups:read"},
}
_FAMILIES = (
    "admin|apps|auth|bookmarks|bots|calls|chat|conversations|dnd|emoji|files|pins|reactions"
    "|reminders|search|stars|team|usergroups|users|views"
)
# client.chat_postMessage(...), api_call("chat.postMessage"), and Bolt's say(...).
_CLIENT_CALL = re.compile(rf"\.({_FAMILIES})_([A-Za-z0-9_]+)\s*\(")
_API_CALL = re.compile(rf"api_call\(\s*[\"']((?:{_FAMILIES})\.[A-Za-z0-9.]+)[\"']")
_SAY = re.compile(r"(?<![\w.])say\s*\(")


def _manifest() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _methods_used() -> set[str]:
    found: set[str] = set()
    for root in SOURCES:
        for path in root.rglob("*.py"):
            if {"demo", "local"} & set(path.relative_to(root).parts):
                continue  # the demo and the local stack drive the fake Slack, not the app
            source = path.read_text(encoding="utf-8")
            for family, name in _CLIENT_CALL.findall(source):
                # usergroups_users_list -> usergroups.users.list (slack_sdk's naming)
                method = f"{family}.{name.replace('_', '.')}"
                found.add("files.uploadV2" if method == "files.upload.v2" else method)
            found.update(_API_CALL.findall(source))
            if _SAY.search(source):
                found.add("chat.postMessage")
    return found


def test_manifest_shape():
    manifest = _manifest()
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    info = manifest["display_information"]
    assert info["name"] == "Model Card Bot"
    assert 0 < len(info["name"]) <= 35
    assert 0 < len(info["description"]) <= 140
    features = manifest["features"]
    assert features["app_home"]["home_tab_enabled"] is True
    # Escalation DMs are shown in the Messages tab; nobody can write to the bot there.
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["messages_tab_read_only_enabled"] is True
    assert features["bot_user"] == {"display_name": "modelcard-bot", "always_online": True}
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "subteam_members_changed",
        "subteam_updated",
    ]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_every_request_url_is_slack_events():
    manifest = _manifest()
    [command] = [c for c in manifest["features"]["slash_commands"] if c["command"] == "/modelcard"]
    urls = [
        command["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    for url in urls:
        assert url.startswith("https://")
        assert url.endswith("/slack/events")


def test_modelcard_command():
    [command] = _manifest()["features"]["slash_commands"]
    assert command["command"] == "/modelcard"
    assert command["should_escape"] is False
    assert 0 < len(command["description"]) <= 2000
    subcommands = (
        "create edit submit approve reject archive show list history shares export admin help"
    )
    for word in subcommands.split():
        assert word in command["usage_hint"]


def test_scopes_are_exactly_what_the_code_uses():
    methods = _methods_used()
    if not methods:
        pytest.skip("no Slack Web API call found in bot/ or handlers/")
    unknown = sorted(methods - set(SCOPES_BY_METHOD))
    assert not unknown, f"add the scopes of {unknown} to SCOPES_BY_METHOD"
    needed = {"commands"} | {scope for method in methods for scope in SCOPES_BY_METHOD[method]}
    granted = set(_manifest()["oauth_config"]["scopes"]["bot"])
    assert granted - needed == set(), f"scopes not used by the code: {granted - needed}"
    assert needed - granted == set(), f"scopes the code needs: {needed - granted}"


def test_scope_scan_sees_the_calls():
    methods = _methods_used()
    assert {"chat.postMessage", "views.open"} <= methods, methods
