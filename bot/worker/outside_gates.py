"""Gates for moves made outside Slack (console, SDK): a card moved into a status whose
`gates.<Status>.require` its content does not meet is refused like an unauthorized move.

Gates are about content, which the bot reads itself, so they hold whoever made the move and
whatever `outside_changes.approve` says about trusting people: a move into Approved is held
under `hold` and reverted otherwise (`trust` included); a move into PendingReview is always
reverted, since no review can start on such a card and Draft is where it is filled. A hub
copy of a spoke card is not gated on entering PendingReview: it mirrors the spoke's own
process, as it does for four-eyes (its move into Approved is backed by the spoke's decision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.aws.cards import CardRecord
from bot.domain.gates import missing_summary
from bot.domain.review import OutsideApprove, needs_approval, through_draft
from bot.domain.status import Action, CardStatus
from bot.gatekeeper import Gatekeeper
from bot.governance import Governance, Topology
from bot.slack.text import card_link, inline, status_label

# What to do in Slack once the fields are filled, by the status the card was moved into.
_THEN = {
    CardStatus.PENDING_REVIEW: "Fill them, then submit it in Slack (`/modelcard submit {card}`).",
    CardStatus.APPROVED: "Fill them, then an approver can approve it in Slack "
    "(`/modelcard approve {card}`).",
}


@dataclass(frozen=True)
class GateRefusal:
    """A move outside Slack into `status` that its gate refuses: the paths it lacks, and
    whether the move is held (left as is, nothing shared) rather than reverted."""

    status: CardStatus
    missing: list[str]
    hold: bool


class OutsideGates:
    def __init__(self, governance: Governance, gates: Gatekeeper | None = None) -> None:
        self._gov = governance
        self._gates = gates or Gatekeeper(governance)

    def judge(self, record: CardRecord, previous: CardStatus | None) -> GateRefusal | None:
        """The refusal of the move `previous` → `record.status`, None when its gate holds."""
        if previous == record.status:
            return None
        if record.status is CardStatus.PENDING_REVIEW and self._is_spoke_copy(record.content):
            return None
        missing = self._gates.missing(record.status, record.content)
        if not missing:
            return None
        hold = self._gov.outside_changes.approve is OutsideApprove.HOLD and needs_approval(
            previous, record.status
        )
        return GateRefusal(record.status, missing, hold)

    def report(
        self,
        record: CardRecord,
        previous: CardStatus | None,
        who: str,
        refusal: GateRefusal,
        did: str,
    ) -> str:
        """The approvals / ops message: the move, who, every missing path and where to fill
        it (the Slack-side refusal's wording), what the bot did and what to do next."""
        status = str(refusal.status)
        lines = [
            f":no_entry: Gate not met: model card {card_link(record.name, self._gov.region)} "
            f"(v{record.version}) was set {status_label(previous) if previous else '_new_'} → "
            f"{status_label(record.status)} outside Slack, by {inline(who, 600)}, but "
            f"{missing_summary(status, refusal.missing)}:"
        ]
        lines += self._gates.how_to_fill(record.name, refusal.missing)
        lines.append(f"The bot {did}. {self._then(record.name, refusal)}")
        return "\n".join(lines)

    def _then(self, card: str, refusal: GateRefusal) -> str:
        if refusal.hold:  # Approved in AWS, and Approved content cannot be edited in Slack
            return f"Approved content cannot be edited in Slack: {through_draft(card)}."
        if refusal.status is CardStatus.APPROVED:  # reverted: back in review
            frozen = self._gates.then(Action.APPROVE, card)
            if frozen is not None:
                return frozen
        return _THEN[refusal.status].format(card=card)

    def _is_spoke_copy(self, content: dict[str, Any]) -> bool:
        if self._gov.topology is not Topology.HUB_AND_SPOKE:
            return False
        extra = content.get("additional_information")
        details = extra.get("custom_details") if isinstance(extra, dict) else None
        if not isinstance(details, dict) or not details.get("source_card_arn"):
            return False
        return details.get("source_account") in {s.account for s in self._gov.spokes.values()}
