"""Socket Mode: the same Bolt app as the HTTP `web` process, over Slack's WebSocket.

`python -m bot socket` replaces the `web` process (no public HTTP endpoint needed) when
SLACK_APP_TOKEN (an app-level `xapp-` token with `connections:write`) is set; the worker still
runs separately. `apps.connections.open` goes to SLACK_API_URL, like every Web API call.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import Core, create_bolt_app
from bot.errors import ConfigError
from bot.settings import Settings

log = logging.getLogger(__name__)

APP_TOKEN_PREFIX = "xapp-"  # noqa: S105 (a token type, not a secret)


def app_token(settings: Settings) -> str:
    """The app-level token from SLACK_APP_TOKEN, or a ConfigError saying what is wrong."""
    secret = settings.slack_app_token
    token = secret.get_secret_value().strip() if secret is not None else ""
    if not token:
        raise ConfigError(
            "SLACK_APP_TOKEN", ["is not set: Socket Mode needs an app-level token (xapp-...)"]
        )
    if not token.startswith(APP_TOKEN_PREFIX):
        raise ConfigError(
            "SLACK_APP_TOKEN", [f"must be an app-level token starting with {APP_TOKEN_PREFIX!r}"]
        )
    return token


def build_socket_handler(core: Core, *, ping_interval: float = 10) -> SocketModeHandler:
    """The Bolt app of `create_bolt_app` behind slack_sdk's builtin Socket Mode client."""
    token = app_token(core.settings)
    return SocketModeHandler(create_bolt_app(core), app_token=token, ping_interval=ping_interval)


def run_socket(core: Core, stop: threading.Event, *, ping_interval: float = 10) -> None:
    """Connect, serve envelopes until `stop` is set, then close the connection."""
    handler = build_socket_handler(core, ping_interval=ping_interval)
    handler.client.connect()  # what SocketModeHandler.connect() does, typed
    log.info("socket mode connected")
    try:
        stop.wait()
    finally:
        handler.client.close()
        log.info("socket mode closed")
