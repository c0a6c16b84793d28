"""Ack latency of the project's web process against a bare Bolt app, interleaved.

    .venv/bin/python bench/ack.py [--rounds 3] [--scale 1.0] [--app-root PATH]

Starts a Redis-protocol server, the fake Slack Web API, the project's web process and
bench/bare_bolt.py, both under gunicorn with the Procfile's `web` flags (bind narrowed to
127.0.0.1). Seeds two card snapshots in Redis, then sends signed Slack requests at 1, 16 and
64 concurrent clients (threads, one keep-alive http.client connection each):

- `show`: `/modelcard show bench-approved` (answered from the Redis snapshot in the ack);
- `approve_refused`: an Approve click on an Approved card (refused at the edge, the refusal
  queued for the worker);
- `approve_claimed`: an Approve click on a PendingReview card whose decision key is already
  claimed (the duplicate-click path: authorize, four-eyes, claim refused, audit, refusal).

No worker runs: only the ack path is measured. Rounds alternate project/bare so drift hits
both. Prints p50/p99/max per (app, kind, clients), throughput, server CPU per request, the
project/bare ratios and PASS/FAIL per target; writes bench/results/ack.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import (
    ROOT,
    BenchStack,
    LoadResult,
    Prepared,
    procfile_flags,
    run_load,
    summary_ms,
    verdict,
    write_results,
)

CONCURRENCY = (1, 16, 64)
REQUESTS = {1: 300, 16: 800, 64: 1600}
KINDS = ("show", "approve_refused", "approve_claimed")
SHOWN = "bench-approved"
PENDING = "bench-pending"

# Targets (issue 8)
P99_RATIO_MAX = 1.5  # at 16 clients
ACK_MAX_S = 1.0  # at 64 clients
THROUGHPUT_RATIO_MAX = 1.5


def seed(stack: BenchStack) -> None:
    """Two card snapshots as the worker would have written them."""
    import redis
    from bot.domain.status import CardStatus
    from bot.store.cards import CardSnapshot, CardState

    assert stack.redis is not None
    client = redis.Redis.from_url(stack.redis.url, decode_responses=True)
    state = CardState(client)
    arn = "arn:aws:sagemaker:us-east-1:111111111111:model-card/"
    now = time.time()
    common = {
        "version": 2,
        "owner": "churn-team",
        "problem_type": "Binary classification",
        "description": "Predicts which customers are likely to cancel in the next 30 days.",
        "risk": "medium",
        "created_by": "U0LEAD",
        "submitted_by": "U0DS",
        "updated_by": "U0DS",
        "updated_at": now,
    }
    approved = CardSnapshot(
        name=SHOWN, arn=arn + SHOWN, status=CardStatus.APPROVED, shared="dev,test,prod", **common
    )
    pending = CardSnapshot(
        name=PENDING, arn=arn + PENDING, status=CardStatus.PENDING_REVIEW, shared="dev,test",
        **common,
    )  # fmt: skip
    for snap in (approved, pending):
        state.put(snap)
        state.add_person(snap.name, "U0LEAD")
        state.add_person(snap.name, "U0DS")
    client.close()


def approval_message(card: str) -> dict[str, Any]:
    """The approval request as Slack carries it in a click's `message` (about the size and
    shape of the bot's: header, summary fields, context, Approve/Reject buttons). Built here,
    not with the bot's block builders, so both apps get the same bytes whatever the bot's
    internals look like."""
    from bot.slack.ids import APPROVE_ACTION, REJECT_ACTION

    link = f"https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/model-cards/{card}"
    fields = [
        ("Owner", "churn-team"), ("Problem type", "Binary classification"),
        ("Risk", "medium"), ("Version", "2"), ("Created by", "<@U0LEAD>"),
        ("Submitted by", "<@U0DS>"), ("Shared with", "dev, test"),
    ]  # fmt: skip
    return {
        "type": "message",
        "ts": "1700000000.000200",
        "user": "U0BOT",
        "bot_id": "B0BOT",
        "text": f"Model card {card} is waiting for approval",
        "blocks": [
            {"type": "header", "block_id": "h",
             "text": {"type": "plain_text", "text": f"Approval requested: {card}"}},
            {"type": "section", "block_id": "s",
             "text": {"type": "mrkdwn", "text": f"*<{link}|{card}>* is waiting for approval. "
                      "Predicts which customers are likely to cancel in the next 30 days."},
             "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]},
            {"type": "context", "block_id": "c",
             "elements": [{"type": "mrkdwn", "text": "Four-eyes: the creator and the "
                           "submitter cannot decide. 1 approval needed."}]},
            {"type": "actions", "block_id": "a", "elements": [
                {"type": "button", "action_id": APPROVE_ACTION, "style": "primary",
                 "text": {"type": "plain_text", "text": "Approve"}, "value": card},
                {"type": "button", "action_id": REJECT_ACTION, "style": "danger",
                 "text": {"type": "plain_text", "text": "Reject"}, "value": card}]},
        ],
    }  # fmt: skip


def build(kind: str, n: int, base: str) -> list[Prepared]:
    from bot.slack.ids import APPROVE_ACTION
    from tests.slack_requests import FORM, block_action, sign, slash_command

    out: list[Prepared] = []
    for i in range(n):
        url = f"{base}/response/bench{kind}{i}"
        if kind == "show":
            body = slash_command(f"show {SHOWN}", "U0DS", response_url=url)
        else:
            card = SHOWN if kind == "approve_refused" else PENDING
            body = block_action(
                APPROVE_ACTION, card, "U0APPR", response_url=url, channel_id="C0APPROVE",
                message=approval_message(card),
            )  # fmt: skip
        out.append((body, {"Content-Type": FORM, "User-Agent": "Slackbot 1.0", **sign(body)}))
    return out


def sanity(stack: BenchStack, port: int) -> dict[str, str]:
    """One request of each kind against the project, checked for the intended path; the first
    Approve on PENDING claims its decision key (so every later one is a duplicate)."""
    import redis
    from bot.store.keys import Keys

    assert stack.redis is not None
    assert stack.fake is not None
    client = redis.Redis.from_url(stack.redis.url, decode_responses=True)
    seen: dict[str, str] = {}

    def last_job_text() -> str:
        rows = client.xrevrange(Keys().jobs, count=1)
        return json.loads(rows[0][1]["job"])["args"].get("text", "") if rows else ""

    claim = build("approve_claimed", 1, stack.fake.base_url)
    first = run_load(port, claim, 1)
    assert first.statuses == {200: 1}, first.statuses
    for kind in KINDS:
        req = build(kind, 1, stack.fake.base_url)
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/slack/events", body=req[0][0], headers=req[0][1])
        answer = conn.getresponse()
        body = answer.read().decode()
        conn.close()
        if answer.status != 200:
            raise SystemExit(f"{kind}: HTTP {answer.status} {body[:300]}")
        text = body if kind == "show" else last_job_text()
        expect = {"show": SHOWN, "approve_refused": "already", "approve_claimed": "in progress"}
        if expect[kind] not in text:
            raise SystemExit(f"{kind}: unexpected answer {text[:300]!r}")
        seen[kind] = text[:120]
    client.close()
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per cell")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply request counts")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="checkout to benchmark")
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]

    stack = BenchStack(app_root=args.app_root.resolve()).start()
    assert stack.fake is not None
    try:
        seed(stack)
        ports = {
            "project": stack.start_web("web-project"),
            "bare": stack.start_web("web-bare", "bench.bare_bolt:application"),
        }
        pids = {app: stack.procs[f"web-{app}"].pid for app in ports}
        print(f"gunicorn flags (Procfile): {procfile_flags(args.app_root / 'Procfile')}")
        print(f"app root: {args.app_root.resolve()}")
        checked = sanity(stack, ports["project"])
        for kind in kinds:
            bare = run_load(ports["bare"], build(kind, 4, stack.fake.base_url), 2)
            if bare.statuses != {200: 4}:
                raise SystemExit(f"bare Bolt app answered {bare.statuses} to {kind}")
        for kind, text in checked.items():
            print(f"  sanity {kind}: {text!r}")
        base = stack.fake.base_url
        for app in ports:  # warm-up: imports, Redis pools, thread pools
            for kind in kinds:
                run_load(ports[app], build(kind, 200, base), 16)

        cells: dict[tuple[str, str, int], list[LoadResult]] = {}
        started = time.monotonic()
        for clients in CONCURRENCY:
            n = max(clients, int(REQUESTS[clients] * args.scale))
            for kind in kinds:
                for r in range(args.rounds):
                    order = ("project", "bare") if r % 2 == 0 else ("bare", "project")
                    for app in order:
                        reqs = build(kind, n, base)
                        res = run_load(ports[app], reqs, clients, server_pid=pids[app])
                        cells.setdefault((app, kind, clients), []).append(res)
                print(f"  done {kind} @ {clients} clients ({time.monotonic() - started:.0f}s)")
        report = analyse(cells, kinds)
    except BaseException:
        for name in list(stack.procs):
            print(f"== {name}\n{stack.log_tail(name)}", file=sys.stderr)
        raise
    finally:
        stack.stop()
    path = write_results(
        "ack",
        {
            "gunicorn_flags": procfile_flags(args.app_root / "Procfile"),
            "app_root": str(args.app_root.resolve()),
            "rounds": args.rounds,
            "requests_per_round": {c: int(REQUESTS[c] * args.scale) for c in CONCURRENCY},
            "sanity": checked,
            **report,
        },
    )
    print(f"\nwrote {path}")
    return 0 if all(t["pass"] for t in report["targets"]) else 1


def analyse(
    cells: dict[tuple[str, str, int], list[LoadResult]], kinds: list[str]
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    merged: dict[tuple[str, str, int], dict[str, Any]] = {}
    for (app, kind, clients), results in cells.items():
        lat = [x for r in results for x in r.latencies]
        wall = sum(r.wall for r in results)
        cpu = sum(r.server_cpu for r in results)
        statuses: dict[int, int] = {}
        for r in results:
            for code, count in r.statuses.items():
                statuses[code] = statuses.get(code, 0) + count
        row = {
            "app": app,
            "kind": kind,
            "clients": clients,
            **summary_ms(lat),
            "throughput_rps": round(len(lat) / wall, 1) if wall else 0.0,
            "server_cpu_ms_per_req": round(cpu * 1000 / len(lat), 3) if lat else 0.0,
            "statuses": statuses,
            "errors": sum(r.errors for r in results),
        }
        rows.append(row)
        merged[(app, kind, clients)] = row

    print(
        f"\n{'app':8} {'kind':16} {'clients':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'req/s':>8} {'cpu ms/req':>10} {'non-200':>7}"
    )
    for clients in CONCURRENCY:
        for kind in kinds:
            for app in ("project", "bare"):
                r = merged[(app, kind, clients)]
                bad = sum(v for k, v in r["statuses"].items() if k != 200) + r["errors"]
                print(
                    f"{app:8} {kind:16} {clients:>7} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
                    f"{r['max_ms']:>8.2f} {r['throughput_rps']:>8.1f} "
                    f"{r['server_cpu_ms_per_req']:>10.3f} {bad:>7}"
                )

    ratios: list[dict[str, Any]] = []
    print(
        f"\n{'ratio project/bare':24} {'clients':>7} {'p50':>6} {'p99':>6} {'max':>6} "
        f"{'bare/proj req/s':>15} {'cpu/req':>8}"
    )
    for clients in CONCURRENCY:
        for kind in kinds:
            p, b = merged[("project", kind, clients)], merged[("bare", kind, clients)]
            ratio = {
                "kind": kind,
                "clients": clients,
                "p50_ratio": round(p["p50_ms"] / b["p50_ms"], 3),
                "p99_ratio": round(p["p99_ms"] / b["p99_ms"], 3),
                "max_ratio": round(p["max_ms"] / b["max_ms"], 3),
                "throughput_ratio_bare_over_project": round(
                    b["throughput_rps"] / p["throughput_rps"], 3
                ),
                "cpu_per_req_ratio": round(
                    p["server_cpu_ms_per_req"] / b["server_cpu_ms_per_req"], 3
                )
                if b["server_cpu_ms_per_req"]
                else None,
            }
            ratios.append(ratio)
            print(
                f"{kind:24} {clients:>7} {ratio['p50_ratio']:>6.2f} {ratio['p99_ratio']:>6.2f} "
                f"{ratio['max_ratio']:>6.2f} {ratio['throughput_ratio_bare_over_project']:>15.2f} "
                f"{ratio['cpu_per_req_ratio'] or 0:>8.2f}"
            )

    def ratio_of(kind: str, clients: int, key: str) -> float:
        return next(r[key] for r in ratios if r["kind"] == kind and r["clients"] == clients)

    targets = []
    worst_p99 = max(ratio_of(k, 16, "p99_ratio") for k in kinds)
    targets.append(
        {
            "target": f"p99 ratio project/bare <= {P99_RATIO_MAX} at 16 clients",
            "measured": worst_p99,
            "per_kind": {k: ratio_of(k, 16, "p99_ratio") for k in kinds},
            "pass": worst_p99 <= P99_RATIO_MAX,
        }
    )
    worst_max = max(merged[("project", k, 64)]["max_ms"] for k in kinds)
    non200 = sum(
        v
        for k in kinds
        for code, v in merged[("project", k, 64)]["statuses"].items()
        if code != 200
    ) + sum(merged[("project", k, 64)]["errors"] for k in kinds)
    targets.append(
        {
            "target": f"no project ack over {ACK_MAX_S * 1000:.0f} ms at 64 clients (and no error)",
            "measured": worst_max,
            "non_200": non200,
            "pass": worst_max <= ACK_MAX_S * 1000 and non200 == 0,
        }
    )
    worst_tput = max(r["throughput_ratio_bare_over_project"] for r in ratios)
    targets.append(
        {
            "target": f"throughput bare/project <= {THROUGHPUT_RATIO_MAX} (every kind, 1/16/64)",
            "measured": worst_tput,
            "per_cell": {
                f"{r['kind']}@{r['clients']}": r["throughput_ratio_bare_over_project"]
                for r in ratios
            },
            "pass": worst_tput <= THROUGHPUT_RATIO_MAX,
        }
    )
    print()
    for t in targets:
        print(f"{verdict(t['pass'])}  {t['target']}: measured {t['measured']}")
    return {"rows": rows, "ratios": ratios, "targets": targets}


if __name__ == "__main__":
    raise SystemExit(main())
