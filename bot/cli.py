"""`python -m bot` / `modelcard-bot`: the process entry points."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from bot.errors import ConfigError
from bot.governance import describe_lifecycle, load_governance


def _check_config(args: argparse.Namespace) -> int:
    try:
        gov = load_governance(args.file)
    except ConfigError as err:
        print(f"{err.source}: {len(err.problems)} problem(s):", file=sys.stderr)
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{args.file}: OK")
    for line in describe_lifecycle(gov):
        print(line)
    return 0


def _serve(name: str, start: Callable[[], Callable[[threading.Event], None]], ready: str) -> int:
    """Build what `start` builds (a bad config is a clear message and exit 1), then run it
    until SIGTERM or SIGINT."""
    from bot.logs import configure_logging

    configure_logging(logging.INFO)
    try:
        run = start()
    except ConfigError as err:
        print(f"modelcard-bot {name}: {err}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"modelcard-bot {name}: {ready}; Ctrl-C to stop", flush=True)
    run(stop)
    return 0


def _worker(args: argparse.Namespace) -> int:
    def start() -> Callable[[threading.Event], None]:
        from bot.app import build_core, build_worker_process
        from bot.settings import Settings

        return build_worker_process(build_core(Settings()), consumers=args.consumers).run

    return _serve("worker", start, f"{args.consumers} consumer(s) running")


def _socket(args: argparse.Namespace) -> int:
    def start() -> Callable[[threading.Event], None]:
        from bot.app import build_core
        from bot.settings import Settings
        from bot.socket_mode import app_token, run_socket

        settings = Settings()
        app_token(settings)
        core = build_core(settings)
        return lambda stop: run_socket(core, stop)

    return _serve("socket", start, "Socket Mode connecting")


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run

    return run(keep_running=args.keep_running, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modelcard-bot",
        description="Slack bot for SageMaker Model Card governance across AWS accounts.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = sub.add_parser(
        "check-config",
        help="validate a governance file and print the lifecycle it defines",
        description="Validate a governance YAML file; exit 1 and list every problem if wrong.",
    )
    check.add_argument("file", help="path to the governance YAML file")
    check.set_defaults(handler=_check_config)
    worker = sub.add_parser(
        "worker",
        help="run the worker: jobs from the Redis outbox, AWS calls, Slack posts",
        description="Run the worker (reads REDIS_URL, MODELCARD_CONFIG, SLACK_*, AWS_* env vars).",
    )
    worker.add_argument("--consumers", type=int, default=2, help="concurrent consumers (default 2)")
    worker.set_defaults(handler=_worker)
    socket = sub.add_parser(
        "socket",
        help="serve Slack over Socket Mode instead of HTTP (needs SLACK_APP_TOKEN=xapp-...)",
        description=(
            "Serve the Slack app over Socket Mode: the same handlers as the HTTP web process, "
            "without a public URL. Replaces the web process; run the worker separately. Reads "
            "SLACK_APP_TOKEN (app-level xapp- token) and the web process's env vars."
        ),
    )
    socket.set_defaults(handler=_socket)
    from bot.demo import DESCRIPTION, add_arguments

    demo = sub.add_parser(
        "demo",
        help="play the governance story locally (no AWS account, no Slack workspace)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(demo)
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code
