"""Approve click -> prod notification, through the real worker, against the same AWS and
Slack calls made directly in a loop.

    .venv/bin/python bench/transition.py [--cards 20] [--sequential 8] [--app-root PATH]

Starts a Redis-protocol server, the fake Slack Web API, the moto server extended by
bot.local.moto_ext, the project's web process (Procfile flags) and `python -m bot worker`.
Cards are prepared through the bot itself (`/modelcard create` as the lead, `submit` as a
data scientist; approval requests posted), then for N = 1 and N = 8 consumers
(`python -m bot worker --consumers N`, a fresh process each):

- warm-up: one Approve (fills the role-session and share caches of the new process);
- sequential: S clicks one after another, each waiting for its end -> unloaded latency;
- burst: M clicks sent at once -> per-card latency under load and throughput
  (M / (last end - first click)).

A card's end is the later of its prod-channel `chat.postMessage` and the `chat.update` of its
approval message, as recorded by the fake Slack (the last of "status updated, share
associated, message posted"); its start is just before the signed click is sent.

The direct loop (a child process, like the worker) makes, per card, the calls a transition
needs, with boto3 and slack_sdk on role sessions assumed once: DescribeModelCard,
UpdateModelCard(Approved), DescribeModelCard, GetResourceShareAssociations,
AssociateResourceShare, chat.postMessage (prod), chat.update (approval message) -- with 1
thread and with 8 threads over M cards created directly in moto as PendingReview.

Prints per-card latency and throughput of both, the overhead ratios, AWS calls per card, and
PASS/FAIL per target; writes bench/results/transition.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import (
    REGION,
    ROOT,
    BenchStack,
    cpu_seconds,
    summary_ms,
    verdict,
    write_results,
)

OVERHEAD_MAX = 1.3
SETTLE_S = 2.0
SCALING_SHARE_MIN = 0.8  # the bot's 8-vs-1 speedup must reach 80% of the direct loop's
WORKER_COUNTS = (1, 8)
APPROVER = "U0APPR"
PROD_CHANNEL = "C0PROD"
APPROVALS = "C0APPROVE"
CONTENT = json.dumps(
    {"model_overview": {"model_owner": "bench-team", "problem_type": "Churn"}},
    separators=(",", ":"),
)


# --------------------------------------------------------------------------- AWS helpers


def role_client(moto_url: str, service: str, role_arn: str, user: str) -> Any:
    """A client on an assumed role, as the bot makes them (standard retries, same config)."""
    import boto3
    from bot.aws.sessions import BOTO_CONFIG

    sts = boto3.client(
        "sts", region_name=REGION, endpoint_url=moto_url, config=BOTO_CONFIG,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=user, SourceIdentity=user)[
        "Credentials"
    ]
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=REGION,
        endpoint_url=moto_url,
        config=BOTO_CONFIG,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


APPROVER_ROLE = "arn:aws:iam::111111111111:role/mc-approver"
LEAD_ROLE = "arn:aws:iam::111111111111:role/mc-lead-ds"


# --------------------------------------------------------------------------- direct loop


def message_blocks(card: str, headline: str, when: str, detail: str) -> list[dict[str, Any]]:
    """A message of the size and shape of the bot's notifications (header, fields, context);
    kept here so the direct loop does not depend on the bot's internal block builders."""
    link = f"https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-cards/{card}"
    return [
        {"type": "header", "text": {"type": "plain_text", "text": f"{card}: {headline}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*<{link}|{card}>* {headline}"},
         "fields": [{"type": "mrkdwn", "text": "*Owner*\nbench-team"},
                    {"type": "mrkdwn", "text": "*Problem type*\nChurn"},
                    {"type": "mrkdwn", "text": "*Account*\n444444444444"},
                    {"type": "mrkdwn", "text": "*Access*\nread-only"}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{detail} · {when}"}]},
    ]  # fmt: skip


def direct_child(spec_path: str) -> int:
    """Run inside a child process: the direct loop over the cards in the spec file."""
    from slack_sdk.web import WebClient

    spec = json.loads(Path(spec_path).read_text())
    moto, share = spec["moto_url"], spec["prod_share_arn"]
    sm = role_client(moto, "sagemaker", APPROVER_ROLE, APPROVER)
    ram = role_client(moto, "ram", APPROVER_ROLE, APPROVER)
    slack = WebClient(token="xoxb-bench-token", base_url=spec["slack_api_url"], timeout=10)

    def one(card: dict[str, str]) -> dict[str, float]:
        started = time.time()
        name = card["name"]
        before = sm.describe_model_card(ModelCardName=name)
        assert before["ModelCardStatus"] == "PendingReview", before["ModelCardStatus"]
        sm.update_model_card(ModelCardName=name, ModelCardStatus="Approved")
        after = sm.describe_model_card(ModelCardName=name)
        assert after["ModelCardStatus"] == "Approved"
        arn = after["ModelCardArn"]
        rows = ram.get_resource_share_associations(
            associationType="RESOURCE", resourceShareArns=[share], resourceArn=arn
        )["resourceShareAssociations"]
        if not any(r["status"] in ("ASSOCIATED", "ASSOCIATING") for r in rows):
            ram.associate_resource_share(
                resourceShareArn=share, resourceArns=[arn], clientToken=f"bench-{name}"
            )
        when = after["LastModifiedTime"].strftime("%Y-%m-%d %H:%M UTC")
        slack.chat_postMessage(
            channel=PROD_CHANNEL, text=f"Model card {name}: PendingReview → Approved.",
            blocks=message_blocks(name, "PendingReview → Approved", when,
                                  "Shared with prod (444444444444, read-only)"),
        )  # fmt: skip
        slack.chat_update(
            channel=APPROVALS, ts=card["ts"], text=f"Model card {name}: Approved",
            blocks=message_blocks(name, "Approved", when, f"Approved by <@{APPROVER}>"),
        )  # fmt: skip
        return {"start": started, "end": time.time()}

    one(spec["warmup"])
    time.sleep(SETTLE_S)
    print("ready", flush=True)
    sys.stdin.readline()  # the parent starts its CPU meter, then says go
    cpu = time.process_time()
    started = time.time()
    with ThreadPoolExecutor(max_workers=spec["threads"]) as pool:
        timings = list(pool.map(one, spec["cards"]))
    out = {"start": started, "end": time.time(), "cards": timings,
           "cpu_s": time.process_time() - cpu}  # fmt: skip
    print(json.dumps(out), flush=True)
    return 0


def prepare_direct(stack: BenchStack, n: int, prefix: str) -> list[dict[str, str]]:
    """Cards created straight in moto as PendingReview, shared to dev and test like the bot's,
    each with an approval message in the fake Slack to update."""
    assert stack.fake is not None
    sm = role_client(stack.moto_url, "sagemaker", LEAD_ROLE, "U0LEAD")
    ram = role_client(stack.moto_url, "ram", LEAD_ROLE, "U0LEAD")
    shares = {
        s["name"]: s["resourceShareArn"]
        for s in ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]
    }
    from slack_sdk.web import WebClient

    slack = WebClient(token="xoxb-bench-token", base_url=stack.fake.api_url)
    cards = []
    for i in range(n):
        name = f"{prefix}-{i:03d}"
        arn = sm.create_model_card(
            ModelCardName=name, Content=CONTENT, ModelCardStatus="PendingReview"
        )["ModelCardArn"]
        for stage in ("dev", "test"):
            ram.associate_resource_share(
                resourceShareArn=shares[f"modelcard-bot-{stage}"], resourceArns=[arn]
            )
        ts = slack.chat_postMessage(channel=APPROVALS, text=f"{name} waits for approval")["ts"]
        cards.append({"name": name, "ts": str(ts)})
    return cards


# --------------------------------------------------------------------------- bot side


class BotDriver:
    def __init__(self, stack: BenchStack) -> None:
        from bot.local.slack_requests import SlackSender

        self.stack = stack
        assert stack.fake is not None
        self.fake = stack.fake
        self.sender = SlackSender(f"http://127.0.0.1:{stack.ports['web']}", timeout=30)
        self._n = 0
        self._lock = threading.Lock()
        self._approvals: dict[str, dict[str, Any]] = {}

    def _url(self, **kw: Any) -> str:
        with self._lock:
            self._n += 1
            n = self._n
        return self.fake.response_url(f"tr{n}", **kw)

    def command(self, text: str, user: str) -> None:
        url = self._url(channel="C0GENERAL", user=user)
        answer = self.sender.command(text, user, response_url=url, channel_id="C0GENERAL")
        if answer.status != 200:
            raise SystemExit(f"{text}: HTTP {answer.status} {answer.body[:300]}")

    def refresh_approvals(self) -> None:
        """Index the approval requests (with buttons) by the card their Approve button names;
        done once, not per click: scanning the channel loads this driver, which hosts the fake
        Slack."""
        from bot.slack.ids import APPROVE_ACTION

        for m in self.fake.messages(APPROVALS):
            for block in m.get("blocks") or []:
                for element in block.get("elements") or []:
                    if isinstance(element, dict) and element.get("action_id") == APPROVE_ACTION:
                        self._approvals.setdefault(str(element.get("value")), m)

    def approval(self, card: str) -> dict[str, Any]:
        if card not in self._approvals:
            self.refresh_approvals()
        return self._approvals[card]

    def click(self, card: str) -> float:
        from bot.local.slack_driver import message_value
        from bot.slack.ids import APPROVE_ACTION

        message = self.approval(card)
        url = self._url(channel=APPROVALS, user=APPROVER, message_ts=message["ts"])
        value = message_value(message, APPROVE_ACTION)
        started = time.time()
        answer = self.sender.action(
            APPROVE_ACTION, value, APPROVER, response_url=url, channel_id=APPROVALS,
            message=message,
        )  # fmt: skip
        if answer.status != 200:
            raise SystemExit(f"click {card}: HTTP {answer.status} {answer.body[:300]}")
        return started

    def ends(self, cards: list[str], since: float, timeout: float = 240.0) -> dict[str, float]:
        """For each card, when its prod post and approval update were both recorded (scans
        only the fake's calls recorded since the last look)."""
        deadline = time.monotonic() + timeout
        wanted = set(cards)
        prod: dict[str, float] = {}
        update: dict[str, float] = {}
        pos = self._pos_before(since)
        while True:
            calls = self.fake.calls[pos:]
            pos += len(calls)
            for call in calls:
                if call.at < since or call.method not in ("chat.postMessage", "chat.update"):
                    continue
                channel = call.params.get("channel")
                text = str(call.params.get("text", ""))
                card = next((c for c in wanted if c in text), None)
                if card is None:
                    continue
                if call.method == "chat.postMessage" and channel == PROD_CHANNEL:
                    prod.setdefault(card, call.at)
                elif call.method == "chat.update" and "Approved" in text:
                    update.setdefault(card, call.at)
            done = {c: max(prod[c], update[c]) for c in wanted if c in prod and c in update}
            if len(done) == len(wanted):
                return done
            if time.monotonic() > deadline:
                missing = sorted(wanted - set(done))
                raise SystemExit(f"timed out waiting for the prod notification of {missing[:5]}")
            time.sleep(0.01)

    def _pos_before(self, since: float) -> int:
        calls = self.fake.calls
        pos = len(calls)
        while pos > 0 and calls[pos - 1].at >= since:
            pos -= 1
        return pos

    def prepare(self, cards: list[str]) -> None:
        """create (lead) then submit (data scientist) through the bot, in parallel."""
        started = time.time()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(
                pool.map(
                    lambda c: self.command(f'create {c} --owner bench-team --problem-type Churn',
                                           "U0LEAD"),
                    cards,
                )
            )  # fmt: skip
        self._wait(lambda: all(self._posted("C0DEV", c) for c in cards), "dev posts", started)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda c: self.command(f"submit {c}", "U0DS"), cards))

        def approvals_posted() -> bool:
            self.refresh_approvals()
            return all(c in self._approvals for c in cards)

        self._wait(approvals_posted, "approvals", started)

    def _posted(self, channel: str, card: str) -> bool:
        return any(card in json.dumps(m) for m in self.fake.messages(channel))

    def _wait(self, check: Any, what: str, started: float, timeout: float = 300) -> None:
        while not check():
            if time.time() - started > timeout:
                raise SystemExit(f"timed out preparing cards ({what})")
            time.sleep(0.1)


class CpuMeter:
    """CPU seconds used by each process of the stack (and this driver, which hosts the fake
    Slack) between construction and stop()."""

    def __init__(self, stack: BenchStack, extra: dict[str, int]) -> None:
        assert stack.redis is not None
        assert stack.redis is not None
        self.pids = {
            "moto": stack.procs["moto"].pid,
            "web": stack.procs["web"].pid,
            "redis": stack.redis.pid,
            **extra,
        }
        self.before = {k: cpu_seconds(p) for k, p in self.pids.items()}
        self.driver = time.process_time()
        self.wall = time.time()

    def stop(self) -> dict[str, float]:
        used = {k: cpu_seconds(p) - self.before[k] for k, p in self.pids.items()}
        used["driver+fake_slack"] = time.process_time() - self.driver
        used["wall"] = time.time() - self.wall
        return used


def moto_actions(stack: BenchStack) -> Counter[str]:
    calls = stack.moto_calls()
    assert calls is not None, "the moto server does not answer"
    return Counter(f"{c['service']}:{c['action']}" for c in calls)


def per_card(
    cards: int, makespan: float, calls: Counter[str], cpu_used: dict[str, float], cpu_key: str
) -> dict[str, Any]:
    """Throughput, AWS calls and CPU per card of one measured run."""
    return {
        "throughput_cards_per_s": round(cards / makespan, 3),
        "aws_calls_per_card": {k: round(v / cards, 2) for k, v in sorted(calls.items())},
        "aws_calls_per_card_total": round(sum(calls.values()) / cards, 2),
        cpu_key: {k: round(v * 1000 / cards, 1) for k, v in cpu_used.items()},
    }


def bot_phase(
    driver: BotDriver, stack: BenchStack, consumers: int, cards: dict[str, list[str]]
) -> dict[str, Any]:
    name = f"worker{consumers}"
    stack.start_bench_worker(name, consumers)
    try:
        since = time.time()
        driver.click(cards["warmup"][0])
        driver.ends(cards["warmup"], since)
        time.sleep(SETTLE_S)  # the warm-up job's tail (its reply) and the first reconcile

        seq: list[float] = []
        for card in cards["sequential"]:
            started = driver.click(card)
            seq.append(driver.ends([card], started)[card] - started)

        stack.clear_moto_calls()
        starts: dict[str, float] = {}
        cpu = CpuMeter(stack, {"worker": stack.procs[name].pid})
        first = time.time()
        with ThreadPoolExecutor(max_workers=8) as pool:
            for card, at in zip(
                cards["burst"], pool.map(driver.click, cards["burst"]), strict=True
            ):
                starts[card] = at
        ends = driver.ends(cards["burst"], first)
        cpu_used = cpu.stop()
        time.sleep(0.5)  # let the last replies land before counting calls
        calls = moto_actions(stack)
    finally:
        stack.stop_proc(name)
    makespan = max(ends.values()) - first
    burst = [ends[c] - starts[c] for c in cards["burst"]]
    return {
        "consumers": consumers,
        "sequential_latency": summary_ms(seq),
        "burst_latency": summary_ms(burst),
        "burst_cards": len(burst),
        "burst_makespan_s": round(makespan, 3),
        **per_card(len(burst), makespan, calls, cpu_used, "burst_cpu_ms_per_card"),
    }


def direct_phase(
    stack: BenchStack, m: int, prefix: str, latency_ms: float, threads: int
) -> dict[str, Any]:
    assert stack.fake is not None
    ram = role_client(stack.moto_url, "ram", LEAD_ROLE, "U0LEAD")
    prod_share = next(
        s["resourceShareArn"]
        for s in ram.get_resource_shares(resourceOwner="SELF", name="modelcard-bot-prod")[
            "resourceShares"
        ]
    )
    stack.set_aws_latency(0)  # preparing is not measured
    cards = prepare_direct(stack, 1 + m, f"{prefix}t{threads}")
    stack.set_aws_latency(latency_ms)
    spec = {
        "moto_url": stack.moto_url,
        "slack_api_url": stack.fake.api_url,
        "prod_share_arn": prod_share,
        "warmup": cards[0],
        "threads": threads,
        "cards": cards[1:],
    }
    spec_path = stack.workdir / f"{prefix}t{threads}.json"
    spec_path.write_text(json.dumps(spec))
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--direct-child", str(spec_path)],
        cwd=ROOT, env=stack.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdin is not None
    assert child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        raise SystemExit(f"direct loop failed:\n{child.communicate()[1][-3000:]}")
    stack.clear_moto_calls()
    cpu = CpuMeter(stack, {})
    child.stdin.write("go\n")
    child.stdin.flush()
    line = child.stdout.readline()
    cpu_used = cpu.stop()
    err = child.communicate(timeout=60)[1]
    if child.returncode != 0 or not line.strip():
        raise SystemExit(f"direct loop failed:\n{err[-3000:]}")
    calls = moto_actions(stack)
    run = json.loads(line)
    cpu_used["direct_loop"] = run["cpu_s"]
    lat = [c["end"] - c["start"] for c in run["cards"]]
    makespan = run["end"] - run["start"]
    return {
        "threads": threads,
        "latency": summary_ms(lat),
        "makespan_s": round(makespan, 3),
        **per_card(len(lat), makespan, calls, cpu_used, "cpu_ms_per_card"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=20, help="M: cards per burst")
    parser.add_argument("--sequential", type=int, default=8, help="S: one-at-a-time clicks")
    parser.add_argument(
        "--aws-latency-ms", default="0,50",
        help="comma-separated delays added to every AWS call, one full run each (default 0,50)",
    )  # fmt: skip
    parser.add_argument("--app-root", type=Path, default=ROOT, help="checkout to benchmark")
    parser.add_argument("--direct-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.direct_child:
        return direct_child(args.direct_child)

    m, s = args.cards, args.sequential
    latencies = [float(x) for x in args.aws_latency_ms.split(",") if x.strip()]
    stack = BenchStack(app_root=args.app_root.resolve()).start(moto=True)
    t0 = time.monotonic()
    runs: dict[str, Any] = {}
    with stack:  # on failure: the processes' logs, then stop
        stack.ports["web"] = stack.start_procfile_web("web")
        driver = BotDriver(stack)
        plan: dict[tuple[int, float], dict[str, list[str]]] = {}
        for k, lat in enumerate(latencies):
            for n in WORKER_COUNTS:
                tag = f"t{k}w{n}"
                plan[(n, lat)] = {
                    "warmup": [f"{tag}-warm"],
                    "sequential": [f"{tag}-seq-{i:03d}" for i in range(s)],
                    "burst": [f"{tag}-burst-{i:03d}" for i in range(m)],
                }
        every = [c for p in plan.values() for cs in p.values() for c in cs]
        stack.start_bench_worker("prep", 8)
        driver.prepare(every)
        stack.stop_proc("prep")
        print(f"prepared {len(every)} PendingReview cards through the bot "
              f"({time.monotonic() - t0:.0f}s)")  # fmt: skip

        for k, lat in enumerate(latencies):
            stack.set_aws_latency(lat)
            bot: dict[str, Any] = {}
            direct: dict[str, Any] = {}
            for n in WORKER_COUNTS:  # each bot phase right next to its direct counterpart
                bot[str(n)] = bot_phase(driver, stack, n, plan[(n, lat)])
                direct[str(n)] = direct_phase(stack, m, f"d{k}", lat, n)
                print(f"AWS +{lat:g} ms: bot with {n} consumer(s) and direct loop with {n} "
                      f"thread(s) done ({time.monotonic() - t0:.0f}s)")  # fmt: skip
            stack.set_aws_latency(0)
            runs[f"{lat:g}"] = {"aws_latency_ms": lat, "bot": bot, "direct": direct}

    targets: list[dict[str, Any]] = []
    for key, run in runs.items():
        print(f"\n==== AWS calls with +{key} ms each " + ("(raw moto)" if key == "0" else
              "(moto + a sleep standing in for the network round trip of real AWS)"))  # fmt: skip
        run["targets"] = analyse(run["bot"], run["direct"], m, s)
        targets += [{**t, "aws_latency_ms": run["aws_latency_ms"]} for t in run["targets"]]
    path = write_results(
        "transition",
        {"app_root": str(args.app_root.resolve()), "cards_per_burst": m, "sequential": s,
         "runs": runs, "targets": targets},
    )  # fmt: skip
    print(f"\nwrote {path}")
    return 0 if all(t["pass"] for t in targets) else 1


def analyse(bot: dict[str, Any], direct: dict[str, Any], m: int, s: int) -> list[dict[str, Any]]:
    print(f"\nper-card latency (ms) and throughput; burst = {m} clicks at once, "
          f"sequential = {s} one at a time")  # fmt: skip
    print(f"{'':31} {'p50':>8} {'p99':>8} {'max':>8} {'cards/s':>8}")
    for n in WORKER_COUNTS:
        b = bot[str(n)]
        q, u = b["sequential_latency"], b["burst_latency"]
        print(f"bot {n} consumer(s), sequential {q['p50_ms']:>8.1f} {q['p99_ms']:>8.1f} "
              f"{q['max_ms']:>8.1f}")  # fmt: skip
        print(f"bot {n} consumer(s), burst         {u['p50_ms']:>8.1f} {u['p99_ms']:>8.1f} "
              f"{u['max_ms']:>8.1f} {b['throughput_cards_per_s']:>8.2f}")  # fmt: skip
        d = direct[str(n)]
        lat = d["latency"]
        print(f"direct {n} thread(s), burst      {lat['p50_ms']:>8.1f} {lat['p99_ms']:>8.1f} "
              f"{lat['max_ms']:>8.1f} {d['throughput_cards_per_s']:>8.2f}")  # fmt: skip
    print(f"\nAWS calls per card (burst): bot {bot['1']['aws_calls_per_card_total']} "
          f"(1 consumer), direct {direct['1']['aws_calls_per_card_total']} (1 thread)")  # fmt: skip
    for key, value in bot["1"]["aws_calls_per_card"].items():
        print(f"  bot    {key:45} {value}")
    for key, value in direct["1"]["aws_calls_per_card"].items():
        print(f"  direct {key:45} {value}")
    print("\nCPU ms per card during the burst (2 cores = 2000 ms of CPU per wall second)")
    for n in WORKER_COUNTS:
        b, d = bot[str(n)]["burst_cpu_ms_per_card"], direct[str(n)]["cpu_ms_per_card"]
        print(f"  bot {n}:    " + ", ".join(f"{k} {v}" for k, v in b.items() if k != "wall"))
        print(f"  direct {n}: " + ", ".join(f"{k} {v}" for k, v in d.items() if k != "wall"))

    targets: list[dict[str, Any]] = []
    latency_ratio = round(
        bot["1"]["sequential_latency"]["p50_ms"] / direct["1"]["latency"]["p50_ms"], 3
    )
    for n in WORKER_COUNTS:
        ratio = round(
            direct[str(n)]["throughput_cards_per_s"] / bot[str(n)]["throughput_cards_per_s"], 3
        )
        targets.append(
            {
                "target": f"overhead ratio <= {OVERHEAD_MAX} at {n} worker(s) "
                "(direct throughput / bot throughput)",
                "measured": ratio,
                "pass": ratio <= OVERHEAD_MAX,
            }
        )
    targets.append(
        {
            "target": f"unloaded per-card latency ratio <= {OVERHEAD_MAX} "
            "(bot sequential p50 / direct 1-thread p50)",
            "measured": latency_ratio,
            "pass": latency_ratio <= OVERHEAD_MAX,
        }
    )
    bot_speedup = bot["8"]["throughput_cards_per_s"] / bot["1"]["throughput_cards_per_s"]
    direct_speedup = direct["8"]["throughput_cards_per_s"] / direct["1"]["throughput_cards_per_s"]
    targets.append(
        {
            "target": "throughput scales with workers: bot speedup 8 vs 1 >= "
            f"{SCALING_SHARE_MIN} x the direct loop's speedup 8 vs 1 threads (same machine)",
            "measured": round(bot_speedup, 3),
            "direct_speedup": round(direct_speedup, 3),
            "pass": bot_speedup >= SCALING_SHARE_MIN * direct_speedup and bot_speedup > 1.0,
        }
    )
    print()
    for t in targets:
        extra = f" (direct loop: {t['direct_speedup']})" if "direct_speedup" in t else ""
        print(f"{verdict(t['pass'])}  {t['target']}: measured {t['measured']}{extra}")
    return targets


if __name__ == "__main__":
    raise SystemExit(main())
