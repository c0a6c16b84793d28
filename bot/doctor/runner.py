"""Run every check against the environment the worker would run in (Settings) and print."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.exceptions import AskError

from bot.aws.sessions import RoleSessions
from bot.doctor import aws_checks, slack_checks
from bot.doctor.report import Check, fail, ok, render
from bot.errors import ConfigError
from bot.governance import Governance, ReadOnlyVia, load_governance
from bot.settings import Settings
from bot.store.connect import connect, redacted
from bot.store.keys import Keys
from bot.worker.permission_refusal import refusal_effect


def _governance(settings: Settings) -> tuple[Check, Governance | None]:
    path = settings.modelcard_config
    subject = "governance file"
    try:
        gov = load_governance(path)
    except ConfigError as err:
        return (
            fail(
                subject,
                f"{err.source}: " + "; ".join(err.problems),
                f"fix it (python -m bot check-config {path}) or point MODELCARD_CONFIG at it",
            ),
            None,
        )
    return ok(subject, f"{path} valid ({len(gov.roles)} roles, {len(gov.stages)} stages)"), gov


def _redis(
    settings: Settings, gov: Governance | None, open_client: Callable[[str], Any]
) -> list[Check]:
    subject = "Redis"
    try:
        client = open_client(settings.redis_url)
        client.ping()
        refused = (
            gov is not None
            and gov.read_only_via is ReadOnlyVia.CUSTOMER_MANAGED_PERMISSION
            and bool(client.exists(Keys().posted(refusal_effect(gov.read_only_permission_name))))
        )
    except ConfigError as err:  # the URL, the mode detection or the cluster's slot map
        return [fail(subject, "; ".join(err.problems), "set REDIS_URL (and REDIS_CLUSTER)")]
    except AskError as err:  # MOVED/ASK: a plain client on a cluster node
        where = redacted(settings.redis_url)
        return [
            fail(
                subject,
                f"{where} redirected a key ({err})",
                f"{where} is a cluster node: unset REDIS_CLUSTER or set it to true",
            )
        ]
    except (redis.RedisError, OSError, ValueError) as err:
        return [
            fail(
                subject,
                f"{redacted(settings.redis_url)} unreachable: {err}",
                "set REDIS_URL (rediss:// for TLS); from the bot's network, the port must be open",
            )
        ]
    mode = "cluster" if isinstance(client, RedisCluster) else "single node"
    found = [ok(subject, f"{redacted(settings.redis_url)} answers PING ({mode})")]
    if refused and gov is not None:
        # The worker's ops message about it is on record: RAM said no for this account.
        found.append(
            fail(
                "read-only permission",
                f"RAM refused to create {gov.read_only_permission_name} for "
                "sagemaker:ModelCard (the worker reported it in the ops channel); nothing is "
                "shared with the read-only stages",
                "set `read_only_via: managed-with-guard` and deploy stage-account.yaml (the "
                "prod guard), then run doctor again",
            )
        )
    return found


def checks(
    settings: Settings,
    *,
    sessions: RoleSessions | None = None,
    connect_redis: Callable[[str], Any] | None = None,
) -> list[Check]:
    from bot.app import slack_client  # the worker's own Slack client and retry handlers

    found: list[Check] = []
    governance, gov = _governance(settings)
    found.append(governance)
    if gov is not None:
        ctx = aws_checks.AwsContext(
            gov,
            sessions
            or RoleSessions(
                region=settings.aws_region or gov.region,
                endpoint_url=settings.aws_endpoint_url,
                bot_role_arn=gov.bot_role_arn,
            ),
            settings.modelcard_events_queue_url,
        )
        found += aws_checks.all_checks(ctx)
    client = slack_client(settings)
    token, valid = slack_checks.token(client)
    found.append(token)
    if valid and gov is not None:
        found += slack_checks.channels(client, gov)
    # The processes' own client: on a cluster a plain one is redirected away from the bot's slot.
    found += _redis(
        settings, gov, connect_redis or partial(connect, cluster=settings.redis_cluster)
    )
    return found


def run_doctor(
    settings: Settings,
    out: Callable[[str], None] = print,
    **options: Any,
) -> int:
    """Print one line per check; 1 when any failed. Changes nothing anywhere."""
    lines, code = render(checks(settings, **options))
    for line in lines:
        out(line)
    return code
