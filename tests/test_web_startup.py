"""gunicorn's entry point (`bot.app:wsgi_from_env()`), in a fresh interpreter as a worker
runs it: the app answers, and what start-up built is frozen out of the collector's passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.local.redis_server import RedisServer
from bot.local.slack_requests import SIGNING_SECRET
from bot.local.stack import governance_file

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import gc, json
from bot.app import wsgi_from_env
before = gc.get_freeze_count()
app = wsgi_from_env()
frozen = gc.get_freeze_count()
answered = []
environ = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}
body = b"".join(app(environ, lambda status, headers, exc_info=None: answered.append(status)))
garbage = [[] for _ in range(1000)]
for item in garbage:
    item.append(item)  # cycles only the collector frees
del garbage, item
print(json.dumps({"before": before, "frozen": frozen, "collected": gc.collect(),
                  "status": answered[0],
                  "body": body.decode()}))
"""


def test_the_gunicorn_entry_point_freezes_what_start_up_built(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "REDIS_URL": redis_server.url,
        "REDIS_CLUSTER": "false",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": "xoxb-startup-test",
        "MODELCARD_CONFIG": str(governance_file(tmp_path / "governance.yml")),
    }
    out = subprocess.check_output([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, timeout=120)
    found = json.loads(out.decode().strip().splitlines()[-1])
    assert (found["status"], found["body"]) == ("200 OK", '{"ok":true}')
    assert found["before"] == 0
    # Start-up's objects (modules, governance, the Bolt app) are out of the full passes ...
    assert found["frozen"] > 20_000
    # ... and garbage made after start-up is still collected.
    assert found["collected"] >= 1000
