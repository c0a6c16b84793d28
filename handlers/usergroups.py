"""User group events: a member joined or left, or the group changed. The listener only
queues a refresh; the worker reads the members from Slack."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.jobs import Job, JobKind
from handlers.common import WebServices, enqueue

REFRESH_KEY_SECONDS = 600


def refresh(web: WebServices, group: str, body: dict[str, Any]) -> None:
    watched = set(web.gov.usergroups) | {g for g in web.gov.review.escalate_to if g[:1] == "S"}
    if group not in watched:
        return
    job = Job(kind=JobKind.REFRESH_GROUPS, user="", args={"groups": group})
    # Slack retries an event it thinks was not received: one refresh per event id.
    key = f"usergroups:event:{body.get('event_id', group)}"
    enqueue(web.begin(), job, key, ttl=REFRESH_KEY_SECONDS)


def register(app: App, web: WebServices) -> None:
    def members_changed(event: dict[str, Any], body: dict[str, Any]) -> None:
        refresh(web, str(event.get("subteam_id", "")), body)

    def subteam_updated(event: dict[str, Any], body: dict[str, Any]) -> None:
        subteam = event.get("subteam")
        refresh(web, str(subteam.get("id", "")) if isinstance(subteam, dict) else "", body)

    app.event("subteam_members_changed")(members_changed)
    app.event("subteam_updated")(subteam_updated)
