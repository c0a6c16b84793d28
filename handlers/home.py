"""App Home: opening the tab queues a refresh; the worker builds and publishes the view."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.jobs import Job, JobKind
from handlers.common import deps, enqueue


def handle_home_opened(event: dict[str, Any], context: BoltContext) -> None:
    if event.get("tab") != "home":
        return
    user = str(event.get("user", ""))
    # Opening the tab twice in a few seconds needs one refresh.
    enqueue(deps(context), Job(kind=JobKind.PUBLISH_HOME, user=user), f"home:{user}", ttl=5)


def register(app: App) -> None:
    app.event("app_home_opened")(handle_home_opened)
