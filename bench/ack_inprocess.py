"""CPU per ack of the project's WSGI app against a bare Bolt app, in process (no HTTP).

    .venv/bin/python bench/ack_inprocess.py [--requests 400] [--rounds 5] [--kinds show,list]
                                            [--cold] [--parts]

Starts a Redis-protocol server and the fake Slack Web API, builds the project's WSGI app
(`bot.app:wsgi_from_env()`, as gunicorn does) and bench/bare_bolt.py's, and calls each
directly with the same signed requests (a WSGI environ like gunicorn's). Per kind
(bench/_ack_kinds.py), rounds alternate project/bare; each request's CPU is
`time.process_time()` around the call (the app's own CPU: Bolt, the edge, the handlers and
redis-py's client side; the Redis server is another process). Also counts the project's Redis
round trips per request of each kind (tests/redis_counting.py). Prints µs per request and
the ratio; writes bench/results/ack_inprocess.json (ack_inprocess_cold.json with --cold). No
target: the HTTP benchmark (bench/ack.py) holds them; this one says where the app's CPU goes
while iterating.

`--cold` evicts the CPU caches before each request (16 MiB written and a list walked, not
timed), as the load generator, gunicorn, Redis and the other app do between two requests of
one thread over HTTP; it also times one Redis round trip (a SET) on a bare socket and through
bot/store/wire.py, hot and cold. `--parts` runs each app once more per kind with the
thread's CPU read around Bolt's dispatch and body parsing, the signature check, the listener
and the bot's Redis round trips (bench/_parts.py), and prints µs per request of each.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.local.fake_slack import FakeSlack
from bot.local.redis_server import RedisServer
from bot.local.slack_requests import SIGNING_SECRET
from bot.local.stack import governance_file

from bench._ack_kinds import EXPECT, KINDS, Requests, seed
from bench._stack import Prepared, write_results

Wsgi = Callable[[dict[str, Any], Any], Iterable[bytes]]


def environ(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """What gunicorn hands a WSGI app for a Slack POST."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "REMOTE_ADDR": "127.0.0.1",
        "SCRIPT_NAME": "",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:3000",
        "HTTP_ACCEPT_ENCODING": "identity",
    }
    for name, value in headers.items():
        if name.lower() == "content-type":
            env["CONTENT_TYPE"] = value
        else:
            env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app: Wsgi, req: Prepared) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(code)
        return lambda data: None

    body = b"".join(app(environ(*req), start_response))
    return status[0], body


_JUNK = [str(i) * 3 for i in range(200_000)]


def evict_caches() -> int:
    """Touch more memory than the CPU caches hold: what runs between two requests over HTTP."""
    filler = b"x" * (16 << 20)
    return len(filler) + sum(len(s) for s in _JUNK[::7])


def cpu_per_request(
    app: Wsgi, reqs: list[Prepared], cold: bool = False
) -> tuple[list[float], float]:
    """CPU seconds of each call, and the wall time of the batch."""
    cpu: list[float] = []
    started = time.perf_counter()
    for req in reqs:
        if cold:
            evict_caches()
        before = time.process_time()
        status, _ = call(app, req)
        cpu.append(time.process_time() - before)
        if not status.startswith("200"):
            raise SystemExit(f"HTTP {status}")
    return cpu, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per kind")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--cold", action="store_true", help="evict CPU caches before each call")
    parser.add_argument(
        "--parts", action="store_true", help="also time Bolt's, slack_sdk's and the bot's parts"
    )
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]

    tmp = Path(tempfile.mkdtemp(prefix="mcb-bench-"))
    redis_server = RedisServer().start()
    fake = FakeSlack().start()
    try:
        os.environ.update(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench-token",
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.api_url,
                "REDIS_URL": redis_server.url,
                "MODELCARD_CONFIG": str(governance_file(tmp / "governance.yml")),
            }
        )
        # Both apps take fresh cards, in every round and in the parts' run.
        fresh = args.requests * (args.rounds + args.parts) * 2 + 200
        seed(redis_server.url, fresh)
        import logging

        from bot.app import build_core, create_wsgi
        from bot.settings import Settings
        from tests.redis_counting import RoundTrips, counting_client

        from bench import bare_bolt

        logging.disable(logging.WARNING)  # the apps' logs are not what is measured
        apps: dict[str, Wsgi] = {
            "project": create_wsgi(build_core(Settings())),
            "bare": bare_bolt.application,
        }
        trips = RoundTrips()
        counted = create_wsgi(build_core(Settings(), counting_client(redis_server.url, trips)))
        requests = Requests(fake.base_url)
        round_trips: dict[str, list[list[str]]] = {}
        for kind in kinds:  # sanity, warm-up and round trips
            if kind == "approve_claimed":  # the first click claims the decision
                call(apps["project"], requests.one(kind))
            _status, body = call(apps["project"], requests.one(kind))
            if EXPECT[kind] and EXPECT[kind] not in body.decode() + last_job_text(redis_server):
                raise SystemExit(f"{kind}: unexpected answer {body[:300]!r}")
            for app in apps.values():
                cpu_per_request(app, requests.build(kind, 50))
            call(counted, requests.one(kind))
            with trips.measure():
                call(counted, requests.one(kind))
            round_trips[kind] = trips.measured or []

        samples: dict[tuple[str, str], list[float]] = {}
        for kind in kinds:
            for r in range(args.rounds):
                order = ("project", "bare") if r % 2 == 0 else ("bare", "project")
                for name in order:
                    reqs = requests.build(kind, args.requests)
                    cpu, _wall = cpu_per_request(apps[name], reqs, args.cold)
                    samples.setdefault((name, kind), []).extend(cpu)
        trip = round_trip_cpu(redis_server.url) if args.cold else {}
        parts = time_parts(apps, requests, kinds, args.requests, args.cold) if args.parts else {}
    finally:
        fake.stop()
        redis_server.stop()

    rows = []
    print("\nCPU per request, µs: median (mean); the median is the steadier on a shared machine")
    print(f"{'kind':16} {'project':>13} {'bare':>11} {'ratio':>6} {'RTs':>4}  commands")
    for kind in kinds:
        p = statistics.mean(samples[("project", kind)]) * 1e6
        b = statistics.mean(samples[("bare", kind)]) * 1e6
        p50 = statistics.median(samples[("project", kind)]) * 1e6
        b50 = statistics.median(samples[("bare", kind)]) * 1e6
        sent = round_trips[kind]
        shown = " | ".join(" ".join(t) for t in sent)
        print(
            f"{kind:16} {p50:>5.0f} ({p:>5.0f}) {b50:>4.0f} ({b:>4.0f}) {p50 / b50:>6.2f} "
            f"{len(sent):>4}  {shown}"
        )
        rows.append(
            {
                "kind": kind,
                "project_cpu_us_mean": round(p, 1),
                "bare_cpu_us_mean": round(b, 1),
                "project_cpu_us_p50": round(p50, 1),
                "bare_cpu_us_p50": round(b50, 1),
                "ratio_mean": round(p / b, 3),
                "ratio_p50": round(p50 / b50, 3),
                "redis_round_trips": len(sent),
                "redis_commands": sent,
            }
        )
    if parts:
        print_parts(parts, kinds)
    for what, us in trip.items():
        print(f"one Redis round trip (SET), client CPU µs, {what}: {us:.0f}")
    path = write_results(
        "ack_inprocess_cold" if args.cold else "ack_inprocess",
        {
            "requests_per_round": args.requests,
            "rounds": args.rounds,
            "cold": args.cold,
            "rows": rows,
            "round_trip_cpu_us": trip,
            "parts_cpu_us_per_request": parts,
        },
    )
    print(f"\nwrote {path}")
    return 0


def time_parts(
    apps: dict[str, Wsgi], requests: Requests, kinds: list[str], n: int, cold: bool
) -> dict[str, dict[str, dict[str, float]]]:
    """Per kind and app: µs per request of the whole call and of each part (bench/_parts.py)."""
    from bench._parts import PartTimer

    found: dict[str, dict[str, dict[str, float]]] = {}
    for kind in kinds:
        for name, app in apps.items():
            reqs = requests.build(kind, n)
            with PartTimer() as timer:
                cpu, _wall = cpu_per_request(app, reqs, cold)
            per = {"whole request": sum(cpu), **timer.cpu}
            found.setdefault(kind, {})[name] = {k: v / n * 1e6 for k, v in per.items()}
    return found


def print_parts(parts: dict[str, dict[str, dict[str, float]]], kinds: list[str]) -> None:
    print("\nWhere the CPU goes, µs per request (mean; a part inside another counts in both):")
    for kind in kinds:
        print(f"  {kind + ':':54} {'project':>7} {'bare':>7}")
        for label, us in parts[kind]["project"].items():
            print(f"    {label:52} {us:>7.0f} {parts[kind]['bare'][label]:>7.0f}")


def round_trip_cpu(url: str, n: int = 400) -> dict[str, float]:
    """Median client CPU of one SET round trip: on a bare socket (the kernel's share) and
    through bot/store/wire.py, with warm and with evicted caches."""
    import socket

    from bot.store.connect import connect
    from bot.store.wire import Wire

    client = connect(url)
    wire = Wire(client)
    where = client.connection_pool.connection_kwargs
    sock = socket.create_connection((where["host"], where["port"]))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    raw = b"*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n$2\r\nNX\r\n$2\r\nEX\r\n$3\r\n600\r\n"

    def bare_socket() -> None:
        sock.sendall(raw)
        sock.recv(64)

    def through_wire() -> None:
        wire.send([("SET", "k", "1", "NX", "EX", 600)])

    found: dict[str, float] = {}
    for name, trip in (("bare socket", bare_socket), ("bot/store/wire.py", through_wire)):
        for cold in (False, True):
            cpu: list[float] = []
            for _ in range(n):
                if cold:
                    evict_caches()
                before = time.process_time()
                trip()
                cpu.append(time.process_time() - before)
            found[f"{name}, {'cold' if cold else 'hot'}"] = statistics.median(cpu) * 1e6
    sock.close()
    client.close()
    return found


def last_job_text(redis_server: RedisServer) -> str:
    import json

    from bot.store.keys import Keys

    client = redis_server.client()
    rows = client.xrevrange(Keys().jobs, count=1)
    client.close()
    if not rows:
        return ""
    job = json.loads(rows[0][1]["job"])
    return f"kind={job['kind']} {job['args'].get('text', '')}"


if __name__ == "__main__":
    raise SystemExit(main())
