"""The Web API methods the bot calls, answering with Slack's documented shapes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from bot.local.fake_slack.state import SlackState
from bot.local.fake_slack.workspace import (
    BOT_ID,
    BOT_USER_ID,
    BOT_USER_NAME,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    decode_json_param,
    fail,
)


class WebApiMethods(SlackState):
    """One method per Web API method; `METHODS` maps the names to them."""

    def _api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"args": {k: v for k, v in params.items() if k != "token"}}

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_USER_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if channel in self._left:
            raise fail("not_in_channel")
        content = self._message_content(params, require=True)
        if "metadata" in params:
            content["metadata"] = decode_json_param(params, "metadata", "invalid_metadata_format")
        message = self._store_message(channel, content, thread_ts=params.get("thread_ts"))
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("ts"))
        content = self._message_content(params, require=True)
        message.update(content)  # omitted blocks/attachments keep their previous value
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": copy.deepcopy(message),
        }

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("ts"))
        del self._messages[channel][message["ts"]]
        return {"channel": channel, "ts": message["ts"]}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        user = params.get("user")
        if not isinstance(user, str) or not user:
            raise fail("user_not_in_channel")
        content = self._message_content(params, require=True)
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "message_ts": ts,
                "thread_ts": params.get("thread_ts"),
                "via": "chat.postEphemeral",
                **content,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        message = self._find_message(channel, params.get("message_ts"))
        link = (
            f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"
        )
        return {"channel": channel, "permalink": link}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view_param(params, "modal")
        self._consume_trigger(params)
        return {"view": copy.deepcopy(self._new_view(view))}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._views_open(params)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._existing_view(params)
        view = self._view_param(params, stored["type"])
        updated = self._new_view(view, view_id=stored["id"], root=stored["root_view_id"])
        return {"view": copy.deepcopy(updated)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise fail("invalid_arguments", "[ERROR] missing required field: user_id")
        view = self._view_param(params, "home")
        previous = self._homes.get(user_id)
        if previous is not None and params.get("hash") and params["hash"] != previous["hash"]:
            raise fail("hash_conflict")
        stored = self._new_view(view, view_id=previous["id"] if previous else None)
        self._homes[user_id] = stored
        return {"view": copy.deepcopy(stored)}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        name = (self.channels or {}).get(channel, channel.lower())
        return {
            "channel": {
                "id": channel,
                "name": name,
                "name_normalized": name,
                "is_channel": channel[:1] == "C",
                "is_group": channel[:1] == "G",
                "is_im": channel[:1] == "D",
                "is_private": channel[:1] != "C",
                "is_archived": False,
                "is_general": False,
                "is_member": channel not in self._left,
                "created": 1_700_000_000,
                "context_team_id": TEAM_ID,
            }
        }

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """{"ok": true, "users": ["U…"]}; args usergroup (required), include_disabled."""
        group = params.get("usergroup")
        if not isinstance(group, str) or not group:
            raise fail("invalid_arguments", "[ERROR] missing required field: usergroup")
        include = params.get("include_disabled", False)
        booleans = {"true", "false", "0", "1"}
        if not isinstance(include, bool) and str(include).lower() not in booleans:
            raise fail("invalid_arguments", "[ERROR] include_disabled must be a boolean")
        if group not in self._usergroups:
            raise fail("no_such_subteam")
        return {"users": list(self._usergroups[group])}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = params.get("user")
        if not isinstance(user, str) or not user:
            raise fail("user_not_found")
        name = user.lower()
        return {
            "user": {
                "id": user,
                "team_id": TEAM_ID,
                "name": name,
                "real_name": name,
                "deleted": False,
                "is_bot": user == BOT_USER_ID,
                "tz": "UTC",
                "profile": {"real_name": name, "display_name": name},
            }
        }


MethodHandler = Callable[[WebApiMethods, dict[str, Any]], dict[str, Any]]


METHODS: dict[str, MethodHandler] = {
    "api.test": WebApiMethods._api_test,
    "auth.test": WebApiMethods._auth_test,
    "chat.postMessage": WebApiMethods._chat_post_message,
    "chat.update": WebApiMethods._chat_update,
    "chat.delete": WebApiMethods._chat_delete,
    "chat.postEphemeral": WebApiMethods._chat_post_ephemeral,
    "chat.getPermalink": WebApiMethods._chat_get_permalink,
    "views.open": WebApiMethods._views_open,
    "views.push": WebApiMethods._views_push,
    "views.update": WebApiMethods._views_update,
    "views.publish": WebApiMethods._views_publish,
    "conversations.info": WebApiMethods._conversations_info,
    "users.info": WebApiMethods._users_info,
    "usergroups.users.list": WebApiMethods._usergroups_users_list,
}
