"""The reference for bench/ack.py: a bare Bolt app whose listeners only ack.

Same Bolt settings as the project (`process_before_response=True`, no token verification at
start, a WebClient on SLACK_API_URL), same signing secret, same WSGI adapter and the same
tiny /healthz wrapper, served by gunicorn with the Procfile's flags:

    gunicorn 'bench.bare_bolt:application' --bind 127.0.0.1:PORT --workers 2 --threads 8 ...
"""

from __future__ import annotations

import re

from slack_bolt import Ack

from bench._bare_app import new_app, served

app = new_app()


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


application = served(app)
