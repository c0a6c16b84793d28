"""What a stage channel is told when a card moves into (or out of) its status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.status import CardStatus
from bot.slack.block_kit import MAX_SECTION_TEXT, Blocks, bound, context, section
from bot.slack.text import by, card_link, clip_mrkdwn, inline, safe, slack_date, status_label


@dataclass(frozen=True)
class StageMove:
    """What a stage channel is told: a card moved from `source` to `target`."""

    card: str
    source: str | None
    target: str
    stage: str
    account: str
    access: str
    actor: str
    at: float
    region: str
    reason: str | None = None
    revoked: Sequence[str] = ()
    version: int | None = None  # the card version that moved (e.g. the one approved)


def _notification_lines(m: StageMove) -> tuple[str, str, str | None, str]:
    move = f"{status_label(m.source) if m.source else '_new_'} → {status_label(m.target)}"
    shown = f" v{m.version}" if m.version else ""
    title = f"*{card_link(m.card, m.region)}*{shown}: {move}"
    if m.target == CardStatus.ARCHIVED:
        names = ", ".join(inline(name, 40) for name in m.revoked[:20])
        shared = f"Shares revoked: {names}" if names else "No shares to revoke."
    elif m.account:
        shared = (
            f"Shared with account {inline(m.account, 20)} (stage {inline(m.stage, 40)}), "
            f"{inline(m.access, 20)}"
        )
    else:
        shared = f"Stage {inline(m.stage, 40)}: no account to share with."
    reason = m.reason.strip() if m.reason else ""
    why = f"Reason: {safe(reason, 2000)}" if reason else None
    who = f"Changed {by(m.actor)} on {slack_date(m.at)}"
    return title, shared, why, who


def stage_notification_blocks(move: StageMove) -> Blocks:
    """The one message a stage channel gets when a card moves into (or out of) its status."""
    title, shared, why, who = _notification_lines(move)
    blocks: Blocks = [section(f"{title}\n{shared}")]
    if why:
        blocks.append(section(why))
    blocks.append(context(who))
    return bound(blocks, "see the card in the SageMaker console.", head=1, tail=1)


def notification_text(move: StageMove) -> str:
    """Fallback `text` of the stage notification (notifications, screen readers)."""
    change = f"{inline(move.source, 40) if move.source else 'new'} → {inline(move.target, 40)}"
    _title, shared, why, who = _notification_lines(move)
    parts = [f"Model card {inline(move.card, 80)}: {change}.", f"{shared}.", why, f"{who}."]
    return clip_mrkdwn(" ".join(part for part in parts if part), MAX_SECTION_TEXT)
