"""The reference for bench/ack.py: a bare Bolt app whose listeners only ack.

Same Bolt settings as the project (`process_before_response=True`, no token verification at
start, a WebClient on SLACK_API_URL), same signing secret, same WSGI adapter and the same
tiny /healthz wrapper, served by gunicorn with the Procfile's flags:

    gunicorn 'bench.bare_bolt:application' --bind 127.0.0.1:PORT --workers 2 --threads 8 ...
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.web import WebClient

# Like the project: a bot token and SLACK_API_URL (Bolt calls auth.test once per process to
# authorize requests; here it goes to the local fake Slack, never to slack.com).
app = App(
    client=WebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=10
    ),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    process_before_response=True,
    token_verification_enabled=False,
)


@app.command("/modelcard")
def command(ack: Ack) -> None:
    ack()


@app.action(re.compile(".*"))
def action(ack: Ack) -> None:
    ack()


@app.view(re.compile(".*"))
def view(ack: Ack) -> None:
    ack()


@app.event("app_home_opened")
def home_opened() -> None:
    pass


_handler = SlackRequestHandler(app)


def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok":true}']
    return _handler(environ, start_response)
