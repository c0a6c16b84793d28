"""A local fake of the Slack Web API, served over real HTTP, that records every call.

Point a real ``slack_sdk.WebClient(token="xoxb-...", base_url=fake.api_url)`` (or the bot's
``SLACK_API_URL``) at it. It answers with Slack's documented response shapes, enforces the
Block Kit / modal limits that matter to this bot, keeps the state users would *see* (channel
messages after post/update/delete, ephemerals, open modals, App Home tabs) and can inject
failures (rate limits with ``Retry-After``, ``ok: false`` errors, HTTP 500).

It also serves Slack-like ``response_url`` endpoints (``fake.response_url(name)``) that record
the JSON posted to them, as a call with method ``"response_url"``.

Only the standard library is used (no pytest): tests, benchmarks and the demo share it.
Rooms: ``workspace`` (identity, calls, refusals), ``block_kit`` (limits), ``state`` (what users
see), ``web_api`` (the methods), ``fake`` (FakeSlack itself), ``server`` (HTTP).

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        client.chat_postMessage(channel="C0DEV", text="hi")
        assert fake.messages("C0DEV")[0]["text"] == "hi"
"""

from bot.local.fake_slack.block_kit import block_errors, view_errors
from bot.local.fake_slack.fake import FakeSlack
from bot.local.fake_slack.workspace import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    BOT_USER_NAME,
    RESPONSE_URL_METHOD,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    Call,
)

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "BOT_USER_NAME",
    "RESPONSE_URL_METHOD",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "TEAM_NAME",
    "Call",
    "FakeSlack",
    "block_errors",
    "view_errors",
]
