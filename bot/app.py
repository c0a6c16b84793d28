"""Composition: the one place that wires settings, governance, Redis, AWS and Slack.

`create_wsgi` serves the Bolt app (POST /slack/events) and GET /healthz; gunicorn runs
`bot.app:wsgi_from_env()`. `build_worker` assembles the worker's collaborators.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import WebClient

from bot.audit_roles import audit_enricher
from bot.authz import Authorizer
from bot.aws import Actor, ModelCards, RoleSessions, StageShares
from bot.edge import Replayed
from bot.gatekeeper import Gatekeeper
from bot.governance import Governance, load_governance
from bot.jobs import JobKind
from bot.logs import configure_logging
from bot.outbox import Outbox
from bot.settings import Settings
from bot.slack.notifier import SlackNotifier
from bot.store import AuditLog, CardState, Keys
from bot.store.callers import CallerLog
from bot.store.connect import connect
from bot.store.reviews import Reviews
from bot.store.timers import ReviewTimers
from bot.store.usergroups import GroupMembers, QueuedGroupRefresh
from bot.store.wire import Wire
from bot.web import SlackGuard
from bot.worker.effects import Effects
from bot.worker.executor import JobExecutor
from bot.worker.jobs.audit import AuditExport
from bot.worker.jobs.home import HomeDashboard
from bot.worker.outcomes import DeadLetters
from bot.worker.process import WorkerProcess
from bot.worker.reconciler import EventConsumer, Reconciler
from bot.worker.review_timers import ReviewTimerRunner
from bot.worker.runner import Worker
from bot.worker.services import WorkerServices
from bot.worker.spokes import SpokeSync
from bot.worker.usergroups import SlackGroupSync
from handlers import actions, commands, home, usergroups, views
from handlers.common import WebServices

DEFAULT_SLACK_API = "https://slack.com/api/"
AUTOMATION_IDENTITY = "modelcard-bot"
TIMER_POLL_SECONDS = 1.0  # how often each worker process looks for due review timers
GROUPS_CHECK_SECONDS = 60.0  # how often it refreshes user groups past half their TTL
# How often it checks that every card's listed columns are indexed (at start, then rarely:
# only snapshots written before the index existed, or a restored backup, lack them).
LIST_INDEX_SECONDS = 3600.0


@dataclass(frozen=True)
class Core:
    settings: Settings
    gov: Governance
    redis: Any
    keys: Keys
    state: CardState
    audit: AuditLog
    outbox: Outbox


def build_core(settings: Settings, redis_client: Any | None = None) -> Core:
    gov = load_governance(settings.modelcard_config)
    client = redis_client
    if client is None:
        client = connect(settings.redis_url, settings.redis_cluster)
    keys = Keys()
    state = CardState(client, keys)
    # Audit entries name the roles that acted; group members come from the cache only.
    roles = Authorizer(gov, state, GroupMembers(client, keys))
    return Core(
        settings=settings,
        gov=gov,
        redis=client,
        keys=keys,
        state=state,
        audit=AuditLog(client, keys, enrich=audit_enricher(gov, state, roles)),
        outbox=Outbox(client, keys),
    )


def watched_groups(gov: Governance) -> list[str]:
    """User groups whose members the bot needs: role groups and escalation groups."""
    escalation = [g for g in gov.review.escalate_to if g.startswith("S")]
    return list(dict.fromkeys([*gov.usergroups, *escalation]))


def slack_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.slack_bot_token.get_secret_value() or None,
        base_url=settings.slack_api_url or DEFAULT_SLACK_API,
        timeout=10,  # below the notifier's posting lock
    )
    # slack_sdk's own retry handlers: 429 with Retry-After, 5xx, connection resets.
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ]
    )
    return client


def create_bolt_app(core: Core) -> App:
    web = WebServices(
        gov=core.gov,
        state=core.state,
        audit=core.audit,
        outbox=core.outbox,
        authz=Authorizer(
            core.gov,
            core.state,
            QueuedGroupRefresh(GroupMembers(core.redis, core.keys), core.outbox),
        ),
        gates=Gatekeeper(core.gov),
        wire=Wire(core.redis),
        keys=core.keys,
    )
    app = App(
        client=slack_client(core.settings),
        signing_secret=core.settings.slack_signing_secret.get_secret_value(),
        process_before_response=True,
        token_verification_enabled=False,
        # SlackGuard (bot/web.py) verifies every POST with the same secret and 5-minute
        # window before Bolt runs, and adds the replay cache; Socket Mode has no signatures.
        request_verification_enabled=False,
    )

    @app.error
    def on_error(error: Exception, logger: logging.Logger) -> None:
        if isinstance(error, Replayed):  # answered 401 by SlackGuard
            logger.warning("replayed request stopped before any side effect")
            return
        logger.exception(f"Failed to run listener function (error: {error})")

    for module in (commands, actions, views, home, usergroups):
        module.register(app, web)
    return app


def create_wsgi(core: Core) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    handler = SlackGuard(
        SlackRequestHandler(create_bolt_app(core)),
        core.settings.slack_signing_secret.get_secret_value(),
        core.redis,
        core.keys,
    )

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            try:
                core.redis.ping()
                status, body = "200 OK", b'{"ok":true}'
            except redis.RedisError:
                status, body = "503 Service Unavailable", b'{"ok":false,"error":"redis"}'
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        return handler(environ, start_response)

    return application


def wsgi_from_env() -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    """gunicorn entry point: `gunicorn 'bot.app:wsgi_from_env()'`."""
    configure_logging()
    app = create_wsgi(build_core(Settings()))
    freeze_startup_objects()
    return app


def freeze_startup_objects() -> None:
    """Leave what start-up built (modules, governance, the Bolt app: ~76,000 objects) out of
    the garbage collector's full passes: each one walked them all, 80-90 ms of a web
    worker's CPU on the benchmark machine, stalling the request that set it off. Request
    garbage is still collected."""
    gc.collect()
    gc.freeze()


def _aws_sessions(core: Core) -> RoleSessions:
    return RoleSessions(
        region=core.settings.aws_region or core.gov.region,
        endpoint_url=core.settings.aws_endpoint_url,
        bot_role_arn=core.gov.bot_role_arn,
    )


def _automation(core: Core) -> Actor | None:
    arn = core.gov.automation_role_arn
    return Actor(user_id=AUTOMATION_IDENTITY, role_arn=arn) if arn else None


def build_worker(
    core: Core,
    consumer: str | None = None,
    client: WebClient | None = None,
    sessions: RoleSessions | None = None,
    shares: StageShares | None = None,
) -> Worker:
    sessions = sessions or _aws_sessions(core)
    # Shared by a process's consumers: the stage share lookups are cached in it.
    shares = shares or StageShares(sessions, core.gov)
    client = client or slack_client(core.settings)
    notifier = SlackNotifier(client, core.redis, core.keys)
    groups = group_sync(core, client)
    services = WorkerServices(
        governance=core.gov,
        authz=Authorizer(core.gov, core.state, groups),
        cards=ModelCards(sessions),
        shares=shares,
        state=core.state,
        audit=core.audit,
        notifier=notifier,
        outbox=core.outbox,
    )
    audit_export = AuditExport(services)
    timers = ReviewTimers(core.redis, core.keys)
    reviews = Reviews(core.redis, core.keys)
    dashboard = HomeDashboard(services, reviews)
    executor = JobExecutor(
        services,
        automation=_automation(core),
        timers=timers,
        handlers={
            JobKind.REFRESH_GROUPS: groups.run_job,
            JobKind.AUDIT: audit_export.run,
            JobKind.PUBLISH_HOME: dashboard.publish,
        },
    )

    return Worker(
        core.outbox,
        executor,
        consumer or consumer_name(),
        reclaim_idle=core.settings.modelcard_reclaim_seconds,
        on_dead=DeadLetters(core.outbox, core.audit, notifier, core.gov.ops_channel),
    )


def group_sync(core: Core, client: WebClient) -> SlackGroupSync:
    return SlackGroupSync(client, GroupMembers(core.redis, core.keys), watched_groups(core.gov))


def consumer_name(role: str = "") -> str:
    """host-pid-random (ops and tests read the pid from it)."""
    suffix = f"{role}{uuid.uuid4().hex[:6]}"
    return f"{socket.gethostname()}-{os.getpid()}-{suffix}"


def build_timer_runner(
    core: Core, client: WebClient, sessions: RoleSessions, shares: StageShares
) -> ReviewTimerRunner:
    notifier = SlackNotifier(client, core.redis, core.keys)
    timers = ReviewTimers(core.redis, core.keys)
    groups = group_sync(core, client)
    authz = Authorizer(core.gov, core.state, groups)
    effects = Effects(
        core.gov, shares, core.state, core.audit, notifier, core.outbox, core.keys, timers
    )
    return ReviewTimerRunner(
        core.gov,
        core.state,
        timers,
        notifier,
        ModelCards(sessions),
        effects,
        core.audit,
        automation=_automation(core),
        approvers=authz.approvers,
        members_of=groups.members_now,
        owner=consumer_name("timers"),
        lease=max(2.0, core.settings.modelcard_reclaim_seconds),
    )


def build_worker_process(core: Core, consumers: int = 2) -> WorkerProcess:
    sessions = _aws_sessions(core)
    client = slack_client(core.settings)
    shares = StageShares(sessions, core.gov)
    workers = [
        build_worker(core, client=client, sessions=sessions, shares=shares)
        for _ in range(consumers)
    ]
    automation = _automation(core)
    reconciler = None
    spoke_sync = None
    if automation is not None:
        reconciler = Reconciler(
            ModelCards(sessions), core.state, core.outbox, core.redis, automation, core.keys
        )
        spokes = SpokeSync(ModelCards(sessions), core.gov, core.redis, automation, core.keys)
        spoke_sync = spokes.sync if spokes.enabled else None
    events = None
    if core.settings.modelcard_events_queue_url:
        events = EventConsumer(
            sessions.bot_client("sqs"),
            core.settings.modelcard_events_queue_url,
            core.outbox,
            CallerLog(core.redis, core.keys),
        )
    periodic: list[tuple[str, Callable[[], object], float]] = [
        ("list-index", core.state.index_listed, LIST_INDEX_SECONDS)
    ]
    if core.gov.review.plan():
        runner = build_timer_runner(core, client, sessions, shares)
        periodic.append(("review-timers", runner.poll, TIMER_POLL_SECONDS))
    groups = group_sync(core, client)
    if groups.groups:
        periodic.append(("usergroups", groups.refresh_stale, GROUPS_CHECK_SECONDS))
    return WorkerProcess(
        workers,
        reconciler,
        core.settings.modelcard_reconcile_seconds,
        events,
        before_reconcile=spoke_sync,
        periodic=periodic,
    )
