"""Jobs that only talk to Slack: send an answer decided at the edge, post a channel message
the worker decided (App Home is `bot.worker.jobs.home`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from bot.jobs import Job, JobKind
from bot.slack.notifier import SlackNotifier


class SlackOnly:
    def __init__(self, notifier: SlackNotifier) -> None:
        self._notifier = notifier

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return {JobKind.REPLY: self.reply, JobKind.ANNOUNCE: self.announce}

    def reply(self, job: Job) -> None:
        extra = json.loads(job.args["blocks"]) if job.args.get("blocks") else None
        self._notifier.reply(job, job.args["text"], extra, replace=job.args.get("replace") == "1")

    def announce(self, job: Job) -> None:
        args = job.args
        blocks = json.loads(args["blocks"])
        self._notifier.post_once(args["key"], args["channel"], args["text"], blocks)
