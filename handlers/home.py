"""App Home: opening the tab queues a refresh; the worker builds and publishes the view."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.jobs import Job, JobKind
from handlers.common import WebServices, enqueue


def handle_home_opened(web: WebServices, event: dict[str, Any]) -> None:
    if event.get("tab") != "home":
        return
    user = str(event.get("user", ""))
    # Opening the tab twice in a few seconds needs one refresh.
    enqueue(web.begin(), Job(kind=JobKind.PUBLISH_HOME, user=user), f"home:{user}", ttl=5)


def register(app: App, web: WebServices) -> None:
    def home_opened(event: dict[str, Any]) -> None:
        handle_home_opened(web, event)

    app.event("app_home_opened")(home_opened)
