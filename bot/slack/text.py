"""mrkdwn text: escaping, clipping, links, mentions and dates. Pure, no I/O.

Every string a person or AWS controls (names, content, reasons, owners) goes through `safe`
or `inline` (escape, then clip) before it lands in mrkdwn, so `<!channel>`, `<@U…>` and
`<url|label>` typed by someone are shown literally.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from bot.domain.status import CardStatus

OUTSIDE_SLACK = "outside Slack (console/SDK)"

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
_MAX_URL = 400
_STATUS_ICONS: Mapping[str, str] = {
    CardStatus.DRAFT: ":pencil2:",
    CardStatus.PENDING_REVIEW: ":hourglass_flowing_sand:",
    CardStatus.APPROVED: ":white_check_mark:",
    CardStatus.ARCHIVED: ":file_cabinet:",
}


def escape(text: str) -> str:
    """Slack mrkdwn escaping: `&`, `<`, `>` become entities, so nothing pings or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" if limit > 0 else ""


def safe(text: object, limit: int) -> str:
    """Escaped and clipped to `limit` chars without leaving half an entity (`&am…`)."""
    escaped = escape(str(text))
    if len(escaped) <= limit:
        return escaped
    if limit <= 0:
        return ""
    return _PARTIAL_ENTITY.sub("", escaped[: limit - 1]) + "…"


def clip_mrkdwn(text: str, limit: int) -> str:
    """`clip` for mrkdwn built here: never ends inside a `<link|label>`, mention or entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    return _PARTIAL_ENTITY.sub("", cut) + "…" if limit > 0 else ""


def inline(text: object, limit: int) -> str:
    """Like `safe`, on one line: runs of whitespace (newlines too) become one space."""
    return safe(" ".join(str(text).split()), limit)


@functools.lru_cache(maxsize=4096)
def console_url(region: str, card: str) -> str:
    """The card's page in the SageMaker console (cached: `list` links every card of a page,
    and quoting is most of what a page of 20 costs to render)."""
    region = quote(region, safe="")
    return (
        f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}"
        f"#/model-cards/{quote(card, safe='')}"
    )


def card_link(card: str, region: str) -> str:
    """mrkdwn link to the console whose label is the (escaped, clipped) card name."""
    url = console_url(region, card)
    if len(url) > _MAX_URL:  # not a real card name: show it, do not link it
        return inline(card, 80)
    return f"<{url}|{inline(card, 80)}>"


def mention(user_id: str) -> str:
    """`<@U123>` for a real Slack user id; anything else (e.g. OUTSIDE_SLACK) as plain text."""
    if _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return inline(user_id, 80)


def by(actor: str) -> str:
    """By whom, as "by <@U…>"; or how, when no Slack user made the change (OUTSIDE_SLACK)."""
    if not actor:
        return "by someone"
    if actor.startswith("outside "):
        return inline(actor, 80)
    return f"by {mention(actor)}"


def slack_date(ts: float | None) -> str:
    """A date each reader sees in their own time zone; the fallback is UTC."""
    if ts is None or ts <= 0:
        return "an unknown time"
    try:
        fallback = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return "an unknown time"
    return f"<!date^{int(ts)}^{{date_short_pretty}} {{time}}|{fallback}>"


@functools.lru_cache(maxsize=32)  # a handful of statuses, on every line of a list
def status_label(status: object) -> str:
    text = str(status)
    return f"{_STATUS_ICONS.get(text, '')} `{inline(text, 40)}`".strip()


def refusal(err: object) -> str:
    """A refusal as mrkdwn: `:warning:` and the error's text, escaped.

    Errors are plain text that may quote what a person typed (a card name holding
    `<!channel>`, an option, a content value), so every refusal that reaches Slack goes
    through here; `response_action: errors` under a form field is plain text and does not.
    """
    return f":warning: {escape(str(err))}"
