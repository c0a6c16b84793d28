"""`python -m bot` / `modelcard-bot`: the process entry points."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from bot.errors import ConfigError
from bot.governance import describe_lifecycle, governance_warnings, load_governance


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
    for warning in governance_warnings(gov):
        print(f"WARNING: {warning}", file=sys.stderr)
    return 0


def _render_cfn(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.deploy_params import (
        Parameters,
        central_parameters,
        spoke_parameters,
        stage_parameters,
    )
    from bot.governance import Topology

    try:
        gov = load_governance(args.file)
        files: dict[str, Parameters] = {
            "central": central_parameters(
                gov,
                create_export_bucket=not args.existing_export_bucket,
                trusted_principal=args.operator_principal or "",
                source=args.file,
            ),
            "stage-account": stage_parameters(gov, source=args.file),
        }
        # With topology central there is no spoke stack: asking for it is the error.
        if gov.topology is Topology.HUB_AND_SPOKE or args.template == "spoke-account":
            files["spoke-account"] = spoke_parameters(gov, source=args.file)
    except ConfigError as err:
        print(f"{err.source}: {len(err.problems)} problem(s):", file=sys.stderr)
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    chosen = list(files) if args.out else [args.template]
    for name in chosen:
        for note in files[name].notes:
            print(f"render-cfn: {name}: {note}", file=sys.stderr)
    if not args.out:
        sys.stdout.write(files[args.template].json())
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        target = out / f"{name}.parameters.json"
        target.write_text(files[name].json())
        print(target)
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor
    from bot.settings import Settings

    return run_doctor(Settings())


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

        core = build_core(Settings())
        process = build_worker_process(core, consumers=args.consumers)
        for warning in governance_warnings(core.gov):  # once per process, not per job
            logging.getLogger("modelcard_bot.worker").warning(warning)
            print(f"modelcard-bot worker: WARNING: {warning}", file=sys.stderr, flush=True)
        return process.run

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


def _migrate_keys(args: argparse.Namespace) -> int:
    from bot.settings import Settings
    from bot.store.cards import CardState
    from bot.store.connect import connect
    from bot.store.keys import Keys
    from bot.store.migrate import LEGACY_PREFIX, migrate_legacy_keys
    from bot.store.migrate_timers import migrate_review_timers

    settings = Settings()
    try:
        client = connect(settings.redis_url, settings.redis_cluster)
    except ConfigError as err:
        print(f"modelcard-bot migrate-keys: {err}", file=sys.stderr)
        return 1
    prefix = Keys().prefix
    result = migrate_legacy_keys(client)
    print(f"moved {result.moved} key(s) from {LEGACY_PREFIX}:* to {prefix}:*")
    for name in result.kept:
        print(f"  kept {name}: its new name exists already (not overwritten)")
    timers = migrate_review_timers(client)
    print(
        f"review timers: {timers.carried} open review(s) keep their timers, "
        f"{timers.dropped} ended review(s) had old timers removed"
    )
    indexed = CardState(client).index_listed()
    print(f"list index: {indexed} card(s) indexed (the worker also does this when it starts)")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo.run import run

    return run(keep_running=args.keep_running, as_json=args.json)


# (name, handler, help in the command list, description in `COMMAND --help`)
_COMMANDS: tuple[tuple[str, Callable[[argparse.Namespace], int], str, str], ...] = (
    (
        "check-config",
        _check_config,
        "validate a governance file and print the lifecycle it defines",
        "Validate a governance YAML file; exit 1 and list every problem if wrong.",
    ),
    (
        "render-cfn",
        _render_cfn,
        "print the CloudFormation parameter file(s) for a governance file",
        "Print the parameters of deploy/cloudformation/central.yaml (default), "
        "stage-account.yaml or (topology hub-and-spoke) spoke-account.yaml as a JSON list "
        "for `aws cloudformation create-stack --parameters file://...`; with --out DIR "
        "write each of them. Exit 1 and list every problem when the governance file does "
        "not fit the templates.",
    ),
    (
        "doctor",
        _doctor,
        "preflight: roles, RAM, shares, bucket, queue, Slack channels, Redis; changes nothing",
        "Check the environment the worker runs in (MODELCARD_CONFIG, AWS_*, SLACK_*, "
        "REDIS_URL, MODELCARD_EVENTS_QUEUE_URL): one line per check, ok or the problem and "
        "its fix. Exit 1 when any check fails. Makes no create or update call.",
    ),
    (
        "worker",
        _worker,
        "run the worker: jobs from the Redis outbox, AWS calls, Slack posts",
        "Run the worker (reads REDIS_URL, MODELCARD_CONFIG, SLACK_*, AWS_* env vars).",
    ),
    (
        "socket",
        _socket,
        "serve Slack over Socket Mode instead of HTTP (needs SLACK_APP_TOKEN=xapp-...)",
        "Serve the Slack app over Socket Mode: the same handlers as the HTTP web process, "
        "without a public URL. Replaces the web process; run the worker separately. Reads "
        "SLACK_APP_TOKEN (app-level xapp- token) and the web process's env vars.",
    ),
    (
        "migrate-keys",
        _migrate_keys,
        "move Redis keys written before cluster support (mcb:*) to {mcb}:*",
        "Move the Redis keys of an earlier version (prefix mcb:) to the hash-tagged prefix "
        "{mcb}: (reads REDIS_URL, REDIS_CLUSTER). Stop the web and worker processes first. "
        "A key whose new name exists already is kept and listed.",
    ),
    (
        "demo",
        _demo,
        "play the governance story locally (no AWS account, no Slack workspace)",
        "",  # bot.demo.run.DESCRIPTION, loaded only for `demo`
    ),
)


def build_parser(*, with_demo: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modelcard-bot",
        description="Slack bot for SageMaker Model Card governance across AWS accounts.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands: dict[str, argparse.ArgumentParser] = {}
    for name, handler, summary, description in _COMMANDS:
        commands[name] = sub.add_parser(name, help=summary, description=description or None)
        commands[name].set_defaults(handler=handler)
    commands["check-config"].add_argument("file", help="path to the governance YAML file")
    render = commands["render-cfn"]
    render.add_argument("file", help="path to the governance YAML file")
    render.add_argument(
        "--template",
        choices=["central", "stage-account", "spoke-account"],
        default="central",
        help="which (spoke-account: topology hub-and-spoke only)",
    )
    render.add_argument(
        "--out",
        help="write central.parameters.json, stage-account.parameters.json (and, with "
        "hub-and-spoke, spoke-account.parameters.json)",
    )
    render.add_argument(
        "--existing-export-bucket",
        action="store_true",
        help="the export bucket exists already: grant on it, do not create it",
    )
    render.add_argument(
        "--operator-principal",
        metavar="ARN",
        help="a principal that may assume the bot role too (to run `doctor` from a laptop/CI)",
    )
    commands["worker"].add_argument(
        "--consumers", type=int, default=2, help="concurrent consumers (default 2)"
    )
    if with_demo:  # only then: the web, worker and socket paths never load bot.demo
        from bot.demo.run import DESCRIPTION, add_arguments

        demo = commands["demo"]
        demo.formatter_class = argparse.RawDescriptionHelpFormatter
        demo.description = DESCRIPTION
        add_arguments(demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(with_demo=command == "demo").parse_args(argv)
    code: int = args.handler(args)
    return code
