"""Jobs: the intents the web process writes to the outbox and the worker carries out."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.status import Action


class JobKind(StrEnum):
    # A job per governance action, spelled as the action (the worker re-authorizes it).
    CREATE = Action.CREATE.value
    EDIT = Action.EDIT.value
    SUBMIT = Action.SUBMIT.value
    APPROVE = Action.APPROVE.value
    REJECT = Action.REJECT.value
    ARCHIVE = Action.ARCHIVE.value
    DELETE = Action.DELETE.value
    # A PDF of the card through CreateModelCardExportJob, answered with a presigned link.
    EXPORT = Action.EXPORT.value
    # A readable diff between two versions of a card (args: v1, v2; both empty: the last two).
    DIFF = "diff"
    PUBLISH_HOME = "publish_home"
    # Read Slack user groups' members into the cache (args: groups, comma-separated).
    REFRESH_GROUPS = "refresh_groups"
    # The audit trail as CSV in S3, answered with a presigned link (args: since YYYY-MM-DD).
    AUDIT = Action.AUDIT.value
    # A change seen outside Slack (reconciler or EventBridge): settle it from AWS state.
    OBSERVE = "observe"
    # Once per reconcile pass: compare the stage shares with the settled statuses and put
    # share drift right (args: pass).
    CHECK_SHARES = "check_shares"
    # A private answer decided at the edge, posted by the worker to keep Slack calls out of
    # the ack path (args: text, optional blocks JSON, replace "1" to replace the original).
    REPLY = "reply"
    # A channel message the worker decided (a stage post, a report of a change made outside
    # Slack), posted by a job of its own so a post Slack refuses is retried or dead-lettered
    # alone, never with the move (args: key: the post's once-only key, channel, text, blocks
    # JSON; Outbox.announce queues it).
    ANNOUNCE = "announce"


_dumps = json.JSONEncoder(separators=(",", ":")).encode


@dataclass(frozen=True)
class Job:
    kind: JobKind
    user: str
    card: str = ""
    args: dict[str, str] = field(default_factory=dict)
    # Where to answer the person: a response_url, else an ephemeral in `channel`.
    reply_to: str = ""
    channel: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    requested_at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        # Explicit fields: dataclasses.asdict deep-copies every value (several times slower).
        return _dumps(
            {
                "kind": str(self.kind),
                "user": self.user,
                "card": self.card,
                "args": self.args,
                "reply_to": self.reply_to,
                "channel": self.channel,
                "id": self.id,
                "requested_at": self.requested_at,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Job:
        data: dict[str, Any] = json.loads(text)
        data["kind"] = JobKind(data["kind"])
        return cls(**data)
