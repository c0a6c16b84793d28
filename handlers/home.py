"""App Home: opening the tab or paging it queues a refresh; the worker builds and publishes
the view."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.jobs import Job, JobKind
from bot.slack.home import HOME_PAGE_ACTION
from handlers.common import WebServices, enqueue

MAX_PAGE = 50


def handle_home_opened(web: WebServices, event: dict[str, Any]) -> None:
    if event.get("tab") != "home":
        return
    user = str(event.get("user", ""))
    # Opening the tab twice in a few seconds needs one refresh.
    enqueue(web.begin(), Job(kind=JobKind.PUBLISH_HOME, user=user), f"home:{user}", ttl=5)


def handle_home_page(web: WebServices, body: dict[str, Any]) -> None:
    user = str((body.get("user") or {}).get("id", ""))
    value = str(((body.get("actions") or [{}])[0]).get("value", ""))
    # The value is only a page number; anything else shows the first page.
    page = int(value) if value.isdigit() and int(value) <= MAX_PAGE else 0
    job = Job(kind=JobKind.PUBLISH_HOME, user=user, args={"page": str(page)})
    enqueue(web.begin(), job, f"home:{user}:{page}", ttl=5)


def register(app: App, web: WebServices) -> None:
    def home_opened(event: dict[str, Any]) -> None:
        handle_home_opened(web, event)

    def home_page(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        handle_home_page(web, body)

    app.event("app_home_opened")(home_opened)
    app.action(re.compile(f"^{HOME_PAGE_ACTION}_(prev|next)$"))(home_page)
