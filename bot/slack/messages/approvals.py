"""The approvals-channel message: the request with its two buttons, and once decided."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.review import review_value
from bot.slack.block_kit import Blocks, bound, context, plain, section
from bot.slack.ids import APPROVE_ACTION, REJECT_ACTION
from bot.slack.messages.cards import summary_blocks
from bot.slack.text import by, clip, inline, mention, slack_date
from bot.store.cards import CardSnapshot


def approval_request_blocks(
    card: CardSnapshot,
    *,
    requested_by: str,
    region: str,
    needed: int = 1,
    approvals: Sequence[str] = (),
    version: int | None = None,
    notes: Sequence[str] = (),
) -> Blocks:
    """The approvals-channel message: summary, the version under review (the buttons carry
    it as `card@vN`), `notes` (already safe mrkdwn) and exactly two buttons."""
    version = card.version if version is None else version
    blocks: Blocks = [section(f":mag: Review requested {by(requested_by)}.")]
    blocks += summary_blocks(card, region)
    blocks.append(context(f"Version under review: *v{version}*"))
    blocks += [section(note) for note in notes[:5]]
    if needed > 1:
        who = ", ".join(mention(user) for user in approvals[:20]) or "none yet"
        blocks.append(context(f"Approvals: {len(approvals)} of {needed} needed ({who})"))
    name = review_value(card.name, version)
    confirm = {
        "title": plain("Approve this model card?", 100),
        "text": plain(
            f"{clip(card.name, 100)} becomes Approved and moves on to the next stage.", 300
        ),
        "confirm": plain("Approve", 30),
        "deny": plain("Cancel", 30),
    }
    approve = {
        "type": "button",
        "text": plain("Approve"),
        "style": "primary",
        "action_id": APPROVE_ACTION,
        "value": name,
        "confirm": confirm,
    }
    reject = {
        "type": "button",
        "text": plain("Reject"),
        "style": "danger",
        "action_id": REJECT_ACTION,
        "value": name,
    }
    blocks.append(
        {"type": "actions", "block_id": "modelcard_review", "elements": [approve, reject]}
    )
    return bound(
        blocks, "see the card in the SageMaker console.", head=1, tail=1
    )  # keeps the buttons


def approval_decided_blocks(
    card: CardSnapshot,
    *,
    decision: str,
    decided_by: str,
    decided_at: float,
    region: str,
    reason: str | None = None,
    version: int | None = None,
    notes: Sequence[str] = (),
) -> Blocks:
    """The approval message once decided: same summary, no buttons, who decided and when,
    and the version decided on; `notes` (already safe mrkdwn) say what happened since."""
    word = decision.strip().lower()
    if word.startswith("approv"):
        icon, verb = ":white_check_mark:", "Approved"
    elif word.startswith("reject"):
        icon, verb = ":x:", "Rejected"
    else:
        icon, verb = ":information_source:", inline(decision or "Decided", 40)
    shown = f" v{version}" if version else ""
    outcome = f"{verb}{shown} {by(decided_by)} on {slack_date(decided_at)}"
    if reason and reason.strip():
        outcome += f": {inline(reason, 2000)}"
    blocks: Blocks = [section(f"{icon} Review closed.")]
    blocks += summary_blocks(card, region)
    blocks += [section(note) for note in notes[:5]]
    blocks.append(context(outcome))
    return bound(
        blocks, "see the card in the SageMaker console.", head=1, tail=1
    )  # keeps who decided
