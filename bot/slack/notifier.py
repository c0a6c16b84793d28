"""Posting to Slack from the worker: each effect's message is posted once, then updated."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from slack_sdk.webhook import WebhookClient

from bot.errors import RetryLater
from bot.jobs import Job
from bot.store.keys import Keys

# Longer than one Slack call may take (the client's timeout), so a worker that died
# mid-post frees the lock soon and the job's retry posts.
LOCK_SECONDS = 15
Blocks = list[dict[str, Any]]


def _retry_or_raise(err: SlackApiError, what: str) -> RetryLater:
    response = err.response
    if response.status_code == 429 or response.get("error") == "ratelimited":
        retry_after = float(
            response.headers.get("Retry-After", response.headers.get("retry-after", 1))
        )
        return RetryLater(f"Slack rate-limited {what}", retry_after=retry_after)
    if response.status_code >= 500:
        return RetryLater(f"Slack failed {what} ({response.status_code})")
    raise err


class SlackNotifier:
    def __init__(self, client: WebClient, redis_client: Any, keys: Keys | None = None) -> None:
        self._client = client
        self._redis = redis_client
        self._keys = keys or Keys()

    def post_once(
        self, effect_key: str, channel: str, text: str, blocks: Blocks, thread_ts: str = ""
    ) -> str:
        """Post the effect's message (a reply in `thread_ts`'s thread when given), or update
        it if an earlier attempt posted it already."""
        record_key = self._keys.posted(effect_key)
        record = self._redis.hgetall(record_key)
        if record.get("ts"):
            self.update(record["channel"], record["ts"], text, blocks)
            return str(record["ts"])
        lock = self._keys.claim(f"posting:{effect_key}")
        if not self._redis.set(lock, "1", nx=True, ex=LOCK_SECONDS):
            wait = max(0.5, self._redis.pttl(lock) / 1000)
            raise RetryLater(f"another worker is posting {effect_key}", retry_after=wait)
        try:
            answer = self._client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, thread_ts=thread_ts or None
            )
        except SlackApiError as err:
            self._redis.delete(lock)
            raise _retry_or_raise(err, "chat.postMessage") from err
        ts = str(answer["ts"])
        self._redis.hset(record_key, mapping={"channel": str(answer["channel"]), "ts": ts})
        return ts

    def posted(self, effect_key: str) -> tuple[str, str] | None:
        record = self._redis.hgetall(self._keys.posted(effect_key))
        return (record["channel"], record["ts"]) if record.get("ts") else None

    def update(self, channel: str, ts: str, text: str, blocks: Blocks) -> None:
        try:
            self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as err:
            raise _retry_or_raise(err, "chat.update") from err

    def reply(
        self, job: Job, text: str, blocks: Blocks | None = None, *, replace: bool = False
    ) -> None:
        """Answer the person privately: through the command's response_url, else ephemeral."""
        if job.reply_to:
            answer = WebhookClient(job.reply_to).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=replace
            )
            if answer.status_code < 300:
                return
        if job.channel:
            try:
                self._client.chat_postEphemeral(
                    channel=job.channel, user=job.user, text=text, blocks=blocks
                )
            except SlackApiError as err:
                raise _retry_or_raise(err, "chat.postEphemeral") from err

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        try:
            self._client.views_publish(user_id=user_id, view=view)
        except SlackApiError as err:
            raise _retry_or_raise(err, "views.publish") from err
