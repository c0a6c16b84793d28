"""10,000 cards: the reconciler's pass over them, `list`, `list PendingReview` and App Home
answered from Redis, and Redis memory per card.

    .venv/bin/python bench/scale.py [--cards 10000] [--app-root PATH]

Steps (each timed):
1. Cards in the central account of the moto server: 200 through the real CreateModelCard
   API (8 threads, to show its rate), the rest through the moto server's
   `/_shim/seed-cards` fast path (straight into the same SageMaker backend). Statuses: 60%
   Draft, 25% PendingReview, 10% Approved, 5% Archived.
2. `Reconciler.tick` in this process, built as `python -m bot worker` builds it (automation
   role, per-role sessions against moto): lists every card and queues an OBSERVE job per card
   it has no snapshot for. Target: < 30 s. The listing alone is timed too.
3. OBSERVE throughput: `python -m bot worker --consumers 8` runs the queued jobs for a fixed
   window (each describes the card, shares it to its stage, writes its snapshot); the rate and
   the projected time to snapshot every card are reported (not a target).
4. The remaining snapshots are written with the bot's own CardState methods (what a settled
   OBSERVE job leaves: snapshot hash and indexes, content, version, authors); Redis
   `used_memory` before/after gives bytes per card; MEMORY USAGE of one card's keys gives the
   breakdown. A second tick then measures the steady state (nothing changed).
5. Answers from Redis: `/modelcard list`, `/modelcard list PendingReview`, `/modelcard show`
   and `app_home_opened` through the web process (gunicorn, Procfile flags) at 1 and 16
   clients; the App Home build (the worker's publish_home job minus views.publish) called
   directly for an approver, an approver who also submits, and a lead with 6,000 cards;
   and App Home end to end (event -> views.publish at the fake Slack) with a worker running.
   Target: p99 < 300 ms.

Writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import (
    CENTRAL,
    REGION,
    ROOT,
    BenchStack,
    Prepared,
    run_load,
    summary_ms,
    verdict,
    write_results,
)

TICK_MAX_S = 30.0
ANSWER_P99_MAX_MS = 300.0
API_CREATED = 200
CONTENT = json.dumps(
    {
        "model_overview": {
            "model_owner": "team-{i}",
            "problem_type": "Binary classification",
            "model_description": "Scores customers for churn risk; bench card number {i}.",
        }
    },
    separators=(",", ":"),
)
CREATORS = ("U0LEAD",)
SUBMITTERS = ("U0DS", "U0DSAP")


def status_of(i: int) -> str:
    slot = i % 20
    if slot < 12:
        return "Draft"
    if slot < 17:
        return "PendingReview"
    if slot < 19:
        return "Approved"
    return "Archived"


def card_name(i: int) -> str:
    return f"scale-{i:05d}"


def post_json(url: str, body: Any, timeout: float = 300) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
        method="POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


def create_cards(stack: BenchStack, n: int) -> dict[str, Any]:
    from bench.transition import LEAD_ROLE, role_client

    api = min(API_CREATED, n)
    local = threading.local()

    def create(i: int) -> None:
        if not hasattr(local, "sm"):
            local.sm = role_client(stack.moto_url, "sagemaker", LEAD_ROLE, "U0LEAD")
        local.sm.create_model_card(
            ModelCardName=card_name(i),
            Content=CONTENT.replace("{i}", str(i)),
            ModelCardStatus=status_of(i),
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(api)))
    api_s = time.perf_counter() - started
    started = time.perf_counter()
    batch = 2000
    for lo in range(api, n, batch):
        cards = [
            {
                "name": card_name(i),
                "status": status_of(i),
                "content": CONTENT.replace("{i}", str(i)),
            }
            for i in range(lo, min(n, lo + batch))
        ]
        post_json(
            stack.moto_url + "/_shim/seed-cards",
            {"account": CENTRAL, "region": REGION, "cards": cards},
        )
    seed_s = time.perf_counter() - started
    return {
        "api_created": api,
        "api_seconds": round(api_s, 2),
        "api_cards_per_s": round(api / api_s, 1) if api_s else None,
        "seeded": n - api,
        "seed_seconds": round(seed_s, 2),
    }


def used_memory(r: Any) -> int:
    return int(r.info("memory")["used_memory"])


def build_reconciler(core: Any) -> tuple[Any, Any]:
    """As bot.app.build_worker_process builds it."""
    from bot.aws import ModelCards, RoleSessions
    from bot.aws.sessions import Actor
    from bot.worker.reconciler import Reconciler

    sessions = RoleSessions(
        region=core.settings.aws_region or core.gov.region,
        endpoint_url=core.settings.aws_endpoint_url,
        bot_role_arn=core.gov.bot_role_arn,
    )
    actor = Actor(user_id="modelcard-bot", role_arn=core.gov.automation_role_arn)
    cards = ModelCards(sessions)
    return Reconciler(cards, core.state, core.outbox, core.redis, actor, core.keys), (cards, actor)


def fill_snapshots(core: Any, n: int) -> int:
    """Write, with the bot's CardState methods, what a settled OBSERVE job leaves for every
    card that has no snapshot yet; returns how many were written."""
    from bot.domain.status import CardStatus
    from bot.store.cards import CardSnapshot

    state = core.state
    names = [card_name(i) for i in range(n)]
    have = state.last_seen(names)
    todo = [i for i in range(n) if card_name(i) not in have]
    stages = {"Draft": "dev", "PendingReview": "dev,test", "Approved": "dev,test,prod"}
    now = time.time()

    def one(i: int) -> None:
        name, status = card_name(i), status_of(i)
        submitter = SUBMITTERS[i % len(SUBMITTERS)] if status != "Draft" else ""
        snapshot = CardSnapshot(
            name=name,
            arn=f"arn:aws:sagemaker:{REGION}:{CENTRAL}:model-card/{name}",
            status=CardStatus(status),
            version=1,
            owner=f"team-{i}",
            problem_type="Binary classification",
            description=f"Scores customers for churn risk; bench card number {i}.",
            created_by=CREATORS[i % len(CREATORS)],
            submitted_by=submitter,
            updated_by=submitter,
            updated_at=now,
            shared=stages.get(status, ""),
        )
        state.add_person(name, snapshot.created_by)
        if submitter:
            state.add_person(name, submitter)
        state.add_version(name, 1, status, now, submitter)
        state.put_content(name, CONTENT.replace("{i}", str(i)))
        state.put(snapshot)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, todo))
    return len(todo)


def key_breakdown(r: Any, core: Any, name: str) -> dict[str, int]:
    k = core.keys
    keys = {
        "snapshot hash": k.card(name),
        "content": k.card_content(name),
        "versions list": k.card_versions(name),
        "authors set": k.card_people(name),
    }
    out = {label: int(r.memory_usage(key) or 0) for label, key in keys.items()}
    return out


def home_builds(core: Any, users: list[str], n: int) -> dict[str, Any]:
    """The publish_home job's work without views.publish: the executor the worker builds,
    with the Slack call replaced by a capture."""
    from bot.app import build_worker
    from bot.jobs import Job, JobKind

    worker = build_worker(core)
    executor = worker._executor
    captured: list[dict[str, Any]] = []
    executor._notifier.publish_home = lambda user, view: captured.append(view)  # type: ignore[method-assign]
    out: dict[str, Any] = {}
    for user in users:
        job = Job(kind=JobKind.PUBLISH_HOME, user=user)
        for _ in range(10):
            executor.run(job)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            executor.run(job)
            times.append(time.perf_counter() - started)
        view = captured[-1]
        out[user] = {**summary_ms(times), "blocks": len(view["blocks"]),
                     "view_bytes": len(json.dumps(view))}  # fmt: skip
    return out


def web_requests(kind: str, n: int, base: str) -> list[Prepared]:
    from bot.local.slack_payloads import app_home_opened, event_callback, slash_command
    from bot.local.slack_requests import FORM, JSON, sign

    out: list[Prepared] = []
    for i in range(n):
        url = f"{base}/response/scale{kind}{i}"
        if kind == "list":
            body, ctype = slash_command("list", "U0DS", response_url=url), FORM
        elif kind == "list_pending":
            body, ctype = slash_command("list PendingReview", "U0APPR", response_url=url), FORM
        elif kind == "show":
            body, ctype = slash_command(f"show {card_name(i * 7 % 10000)}", "U0DS",
                                        response_url=url), FORM  # fmt: skip
        else:
            user = ("U0APPR", "U0DSAP", "U0LEAD")[i % 3]
            body, ctype = event_callback(app_home_opened(user)), JSON
        out.append((body, {"Content-Type": ctype, "User-Agent": "Slackbot 1.0", **sign(body)}))
    return out


def check_list(status: int, data: bytes) -> bool:
    return status == 200 and b"model card" in data


def home_end_to_end(stack: BenchStack, users: list[str]) -> dict[str, Any]:
    """One tab opening per user (handlers/home.py coalesces a user's openings within 5 s)."""
    from bot.local.slack_payloads import app_home_opened
    from bot.local.slack_requests import SlackSender

    assert stack.fake is not None
    sender = SlackSender(f"http://127.0.0.1:{stack.ports['web']}")
    times = []
    for user in users:
        before = len(stack.fake.calls_to("views.publish"))
        started = time.time()
        answer = sender.event(app_home_opened(user))
        if answer.status != 200:
            raise SystemExit(f"app_home_opened: HTTP {answer.status}")
        stack.fake.wait_for(
            lambda calls, b=before: len([c for c in calls if c.method == "views.publish"]) > b,
            timeout=30,
        )
        published = stack.fake.calls_to("views.publish")[-1]
        times.append(published.at - started)
    return summary_ms(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--observe-window", type=float, default=20.0,
                        help="seconds the worker runs OBSERVE jobs (step 3)")  # fmt: skip
    parser.add_argument("--app-root", type=Path, default=ROOT, help="checkout to benchmark")
    args = parser.parse_args()
    n = args.cards

    stack = BenchStack(app_root=args.app_root.resolve()).start(moto=True)
    assert stack.redis is not None
    assert stack.fake is not None
    os.environ.update(stack.env())
    sys.path.insert(0, str(args.app_root.resolve()))
    from bot.app import build_core
    from bot.settings import Settings
    from bot.store.connect import connect

    core = build_core(Settings())
    r = connect(stack.redis.url)
    results: dict[str, Any] = {"cards": n}
    t0 = time.monotonic()
    with stack:  # on failure: the processes' logs, then stop
        results["create"] = create_cards(stack, n)
        print(f"created {n} cards in moto: {results['create']}")

        reconciler, (cards, actor) = build_reconciler(core)
        started = time.perf_counter()
        listed = sum(1 for _ in cards.list_cards(actor))
        list_s = time.perf_counter() - started
        assert listed == n, listed
        mem0 = used_memory(r)
        started = time.perf_counter()
        queued = reconciler.tick()
        tick_s = time.perf_counter() - started
        mem1 = used_memory(r)
        results["tick_first"] = {
            "seconds": round(tick_s, 2),
            "list_only_seconds": round(list_s, 2),
            "queued_observe_jobs": queued,
            "outbox_bytes_per_card": round((mem1 - mem0) / max(queued, 1), 1),
        }
        print(f"first reconciler tick: {tick_s:.2f}s (listing alone {list_s:.2f}s), "
              f"{queued} OBSERVE jobs queued")  # fmt: skip

        # 3. OBSERVE jobs through a real worker for a fixed window.
        r.set(core.keys.claim("reconcile"), "1", ex=3600)  # keep its own tick out of the way
        before = len(core.state.last_seen([card_name(i) for i in range(n)]))
        stack.start_bench_worker("worker", 8)
        started = time.perf_counter()
        time.sleep(args.observe_window)
        done = len(core.state.last_seen([card_name(i) for i in range(n)])) - before
        window = time.perf_counter() - started
        stack.stop_proc("worker")
        rate = done / window
        results["observe"] = {
            "consumers": 8,
            "window_s": round(window, 1),
            "snapshots_written": done,
            "cards_per_s": round(rate, 2),
            "projected_s_for_all": round(n / rate, 0) if rate else None,
        }
        print(f"OBSERVE jobs, 8 consumers: {rate:.1f} cards/s -> "
              f"{results['observe']['projected_s_for_all']} s to snapshot all {n}")  # fmt: skip
        r.delete(core.keys.jobs)  # the rest is filled directly below

        # 4. Snapshots for the rest, memory per card.
        mem2 = used_memory(r)
        started = time.perf_counter()
        filled = fill_snapshots(core, n)
        fill_s = time.perf_counter() - started
        mem3 = used_memory(r)
        results["memory"] = {
            "bytes_per_card": round((mem3 - mem2) / max(filled, 1), 1),
            "cards_filled": filled,
            "fill_seconds": round(fill_s, 2),
            "used_memory_total_mb": round(mem3 / 2**20, 1),
            "breakdown_one_card": key_breakdown(r, core, card_name(n - 1)),
            "index_bytes_per_card_estimate": None,
        }
        breakdown = sum(results["memory"]["breakdown_one_card"].values())
        results["memory"]["index_bytes_per_card_estimate"] = round(
            results["memory"]["bytes_per_card"] - breakdown, 1
        )
        print(f"Redis memory: {results['memory']['bytes_per_card']:.0f} bytes per card "
              f"(one card's keys: {results['memory']['breakdown_one_card']})")  # fmt: skip
        r.delete(core.keys.claim("reconcile"))
        started = time.perf_counter()
        steady = reconciler.tick()
        results["tick_steady"] = {"seconds": round(time.perf_counter() - started, 2),
                                  "queued_observe_jobs": steady}  # fmt: skip
        print(f"steady reconciler tick: {results['tick_steady']['seconds']}s, {steady} queued")
        r.delete(core.keys.jobs)

        # 5. Answers.
        results["home_build"] = home_builds(core, ["U0APPR", "U0DSAP", "U0LEAD"], 200)
        for user, row in results["home_build"].items():
            print(f"App Home build for {user}: p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms "
                  f"({row['blocks']} blocks)")  # fmt: skip
        stack.ports["web"] = stack.start_procfile_web("web")
        port = stack.ports["web"]
        for kind in ("list", "list_pending", "show", "home_opened"):
            run_load(port, web_requests(kind, 100, stack.fake.base_url), 8)  # warm-up
        web: dict[str, Any] = {}
        for clients in (1, 16):
            for kind in ("list", "list_pending", "show", "home_opened"):
                check = check_list if kind.startswith("list") else None
                res = run_load(port, web_requests(kind, 400, stack.fake.base_url), clients,
                               check=check)  # fmt: skip
                web[f"{kind}@{clients}"] = {
                    **summary_ms(res.latencies),
                    "throughput_rps": round(res.throughput, 1),
                    "statuses": res.statuses,
                    "errors": res.errors,
                }
        results["web"] = web
        r.set(core.keys.claim("reconcile"), "1", ex=3600)
        r.delete(core.keys.jobs)  # home refreshes queued by the load above
        users = ["U0APPR", "U0DSAP", "U0LEAD", "U0DS", "U0MLE", "U0ADMIN"]
        r.delete(*[core.keys.claim(f"home:{u}") for u in users])
        stack.start_bench_worker("worker-home", 1)
        results["home_end_to_end"] = home_end_to_end(stack, users)
        stack.stop_proc("worker-home")
    results["elapsed_s"] = round(time.monotonic() - t0, 1)

    print(f"\n{'through the web process':28} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'req/s':>8} {'non-200':>7}")  # fmt: skip
    for key, row in results["web"].items():
        bad = sum(v for c, v in row["statuses"].items() if c != 200) + row["errors"]
        print(f"{key:28} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['max_ms']:>8.2f} "
              f"{row['throughput_rps']:>8.1f} {bad:>7}")  # fmt: skip
    e2e = results["home_end_to_end"]
    print(f"App Home end to end (event -> views.publish, 1 consumer): p50 {e2e['p50_ms']} ms, "
          f"max {e2e['max_ms']} ms")  # fmt: skip

    worst_web = max(row["p99_ms"] for row in results["web"].values())
    web_bad = sum(
        sum(v for c, v in row["statuses"].items() if c != 200) + row["errors"]
        for row in results["web"].values()
    )
    worst_home = max(row["p99_ms"] for row in results["home_build"].values())
    targets = [
        {"target": f"first reconciler tick over {n} cards < {TICK_MAX_S:.0f} s",
         "measured": results["tick_first"]["seconds"],
         "pass": results["tick_first"]["seconds"] < TICK_MAX_S},
        {"target": f"list / list PendingReview / show / app_home_opened acks p99 < "
                   f"{ANSWER_P99_MAX_MS:.0f} ms (1 and 16 clients, no error)",
         "measured": worst_web, "non_200": web_bad,
         "pass": worst_web < ANSWER_P99_MAX_MS and web_bad == 0},
        {"target": f"App Home build (Redis + blocks) p99 < {ANSWER_P99_MAX_MS:.0f} ms",
         "measured": worst_home, "pass": worst_home < ANSWER_P99_MAX_MS},
    ]  # fmt: skip
    results["targets"] = targets
    print()
    for t in targets:
        print(f"{verdict(t['pass'])}  {t['target']}: measured {t['measured']}")
    print(f"INFO  Redis memory per card: {results['memory']['bytes_per_card']:.0f} bytes; "
          f"steady tick {results['tick_steady']['seconds']} s; OBSERVE convergence "
          f"{results['observe']['projected_s_for_all']} s")  # fmt: skip
    path = write_results("scale", {"app_root": str(args.app_root.resolve()), **results})
    print(f"\nwrote {path}")
    return 0 if all(t["pass"] for t in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
