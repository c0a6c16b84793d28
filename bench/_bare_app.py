"""The bare Bolt app both reference apps of bench/ack.py start from (bench/bare_bolt.py,
bench/floor_bolt.py): the project's Bolt settings, no listeners, the same /healthz wrapper."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.web import WebClient

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def new_app() -> App:
    """Bolt as the project configures it, without listeners."""
    # Like the project: a bot token and SLACK_API_URL (Bolt calls auth.test once per process
    # to authorize requests; here it goes to the local fake Slack, never to slack.com).
    return App(
        client=WebClient(
            token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=10
        ),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
        token_verification_enabled=False,
    )


def served(app: App) -> WsgiApp:
    """The WSGI callable gunicorn serves: Bolt's adapter behind the same /healthz wrapper."""
    handler = SlackRequestHandler(app)

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"ok":true}']
        return handler(environ, start_response)

    return application
