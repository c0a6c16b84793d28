"""The floor for bench/ack.py (`--floor`): the bare Bolt app of bench/_bare_app.py (as
bench/bare_bolt.py serves it) whose listeners also make the Redis round trips the project's
ack makes for each kind, and nothing else.

The same commands in the same round trips (`bench/ack_inprocess.py` lists the project's),
sent through the project's own bot/store/wire.py, with payloads about the project's size:

- a slash command: `show` SET + HGETALL; `list` the project's page script (bot/edge.py
  `LIST_PAGE`: the SET, the names, the count and their lines from the index); `help` the SET alone;
- an Approve click or the Reject modal: SET + HGETALL + SMEMBERS + HGETALL (the card, its
  authors, its review round), then the project's own write script (bot/outbox.py `SUBMIT`):
  the claim, the job (or for a duplicate the refusal) and two audit entries.

So the project's ratio to this app is what its own code costs beyond the round trips its
design needs, and this app's ratio to bare Bolt is what those round trips cost. Writes go to
keys of their own (`bench-floor` streams and claims): the project's jobs stream is untouched.

    gunicorn 'bench.floor_bolt:application' --bind 127.0.0.1:PORT --workers 2 --threads 8 ...
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from typing import Any

from bot.edge import LIST_PAGE, LIST_PAGE_SHA
from bot.outbox import SUBMIT, SUBMIT_SHA
from bot.store.connect import connect
from bot.store.keys import Keys
from bot.store.wire import Command, Wire
from slack_bolt import Ack, BoltRequest

from bench._bare_app import new_app, served

_KEYS = Keys()
_WIRE = Wire(connect(os.environ["REDIS_URL"]))
_OWN = _KEYS.claim("bench-floor")  # a prefix: {mcb}claim:bench-floor...


def _seen(request: BoltRequest) -> str:
    return _KEYS.seen_signature(request.headers.get("x-slack-signature", [""])[0])


def _first_trip(request: BoltRequest, commands: list[Command]) -> list[Any]:
    """The replay-cache SET of the request's signature and the reads, in one round trip."""
    return _WIRE.send([("SET", _seen(request), "1", "NX", "EX", 600), *commands])[1:]


def _list_page(request: BoltRequest) -> None:
    keys = [_KEYS.cards, _KEYS.listed, _seen(request)]
    _WIRE.script(LIST_PAGE, LIST_PAGE_SHA, keys, ["-", 21, 600])


def _decide(request: BoltRequest, card: str, user: str) -> None:
    """What a decision's ack sends: the reads, then the claim, the job and the audit."""
    k = _KEYS
    _first_trip(
        request,
        [("HGETALL", k.card(card)), ("SMEMBERS", k.card_people(card)), ("HGETALL", k.review(card))],
    )
    job = {
        "kind": "approve",
        "user": user,
        "card": card,
        "args": {"version": "2", "idem": f"decide:{card}:0:v2"},
        "reply_to": "https://hooks.slack.invalid/response/bench",
        "channel": "C0APPROVE",
        "id": uuid.uuid4().hex,
        "requested_at": time.time(),
    }
    refusal = {**job, "kind": "reply", "args": {"text": "already in progress"}}
    audit = ["actor", user, "action", "request:approve", "card", card, "at", str(time.time())]
    # The project's write script, called as the edge calls it (the replay SET went first).
    keys = [
        f"{k.jobs}-bench-floor",
        f"{_OWN}:{card}",
        k.seen_signature("-"),
        f"{k.audit}-bench-floor",
        f"{k.card_audit(card)}-bench-floor",
    ]
    args = [json.dumps(job), job["id"], 3600, 0, json.dumps(refusal), *audit]
    _WIRE.script(SUBMIT, SUBMIT_SHA, keys, args)


app = new_app()


@app.command("/modelcard")
def command(ack: Ack, command: dict[str, Any], request: BoltRequest) -> None:
    words = str(command.get("text", "")).split()
    verb = words[0] if words else "help"
    if verb == "show" and len(words) > 1:
        _first_trip(request, [("HGETALL", _KEYS.card(words[1]))])
    elif verb == "list":
        _list_page(request)
    else:
        _first_trip(request, [])
    ack()


@app.action(re.compile(".*"))
def action(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
    ack()
    value = str(body["actions"][0].get("value", ""))
    _decide(request, value.split("@", 1)[0], body["user"]["id"])


@app.view(re.compile(".*"))
def view(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
    meta = json.loads(body["view"].get("private_metadata") or "{}")
    _decide(request, str(meta.get("card", "")), body["user"]["id"])
    ack()


@app.event("app_home_opened")
def home_opened() -> None:
    pass


application = served(app)
