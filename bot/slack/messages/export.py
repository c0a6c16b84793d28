"""The answer to `/modelcard export`: a download link, privately or in the prod channel."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.block_kit import MAX_SECTION_TEXT, Blocks, bound, context, section
from bot.slack.text import by, escape, inline, status_label


@dataclass(frozen=True)
class ExportLink:
    """A finished PDF export: where to download it, for how long, and what it shows."""

    card: str
    version: int
    status: str
    url: str
    expires_minutes: int
    by: str = ""


def _download_link(url: str, label: str) -> str:
    # Slack reads `&` in a link as `&amp;` (and decodes it); a URL holding `<`, `>` or `|`
    # would break the link syntax, so it is shown as text instead.
    if any(mark in url for mark in "<>|"):
        return escape(url)
    return f"<{escape(url)}|{escape(label)}>"


def download_link(url: str, label: str) -> str:
    """A mrkdwn link to a presigned URL (shown as text when it cannot be a link)."""
    return _download_link(url, label)


def export_text(link: ExportLink) -> str:
    """Fallback `text` of an export answer: it carries the link itself."""
    name = inline(link.card, 80)
    return (
        f"PDF of model card {name} (v{link.version}, {inline(link.status, 40)}): "
        f"{_download_link(link.url, 'download')} (expires within {link.expires_minutes} min)"
    )


def export_blocks(link: ExportLink, *, for_channel: bool = False) -> Blocks:
    """The private answer to `/modelcard export`, or its post in the prod channel."""
    name = inline(link.card, 80)
    title = f":page_facing_up: *PDF of model card `{name}`* · v{link.version} · "
    title += status_label(link.status)
    download = _download_link(link.url, f"Download {link.card}.pdf")
    if len(title) + len(download) + 1 > MAX_SECTION_TEXT:
        download = "The link is in this message's text (too long for a block)."
    note = (
        f"The link expires within {link.expires_minutes} minutes; "
        f"`/modelcard export {name}` makes a fresh one."
    )
    if for_channel and link.by:
        note = f"Exported {by(link.by)}. " + note
    return bound([section(f"{title}\n{download}"), context(note)], "the link is in the text.")
