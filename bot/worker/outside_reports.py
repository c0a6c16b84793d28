"""What the bot says about a change made outside Slack that it refused, held or honoured:
one message in the approvals channel and the ops channel per move, and an audit entry.

The audit entry is written first, then each message is queued as an ANNOUNCE job of its own
(bot/worker/jobs/slack_only.py): a post Slack refuses is retried (and dead-lettered, with
the ops channel told, if it keeps failing) without the job that judged the move. That job,
retried after its revert, would see no move left to report."""

from __future__ import annotations

from bot.aws.cards import CardRecord
from bot.domain.identity import Identity
from bot.domain.status import CardStatus
from bot.governance import Governance
from bot.outbox import Outbox
from bot.slack.block_kit import section
from bot.slack.text import card_link, inline, status_label
from bot.store.audit import AuditEvent, AuditLog
from bot.worker.outside_approvers import Verdict
from bot.worker.outside_gates import GateRefusal, OutsideGates

UNKNOWN_CALLER = "unknown (no IAM identity recorded)"


def describe(identity: Identity | None) -> str:
    return identity.describe() if identity else UNKNOWN_CALLER


class OutsideReports:
    def __init__(
        self,
        governance: Governance,
        outbox: Outbox,
        audit: AuditLog,
        gates: OutsideGates,
    ) -> None:
        self._gov = governance
        self._outbox = outbox
        self._audit = audit
        self._gates = gates

    def approval(
        self,
        record: CardRecord,
        previous: CardStatus | None,
        identity: Identity | None,
        verdict: Verdict,
        result: str,
        did: str,
    ) -> None:
        """An out-of-band approval and what the bot did (`result`: honoured, trusted, held,
        reverted)."""
        text = (
            f":rotating_light: Out-of-band approval: model card "
            f"{card_link(record.name, self._gov.region)} (v{record.version}) was set "
            f"{status_label(previous) if previous else '_new_'} → "
            f"{status_label(record.status)} outside Slack, by "
            f"{inline(describe(identity), 600)}. The bot {inline(did, 900)}."
        )
        who = identity.describe() if identity else "unknown"
        self._audit.record(
            AuditEvent(
                actor=verdict.user
                or (identity.source_identity if identity else "")
                or "outside-slack",
                action="outside-approval",
                card=record.name,
                source=str(previous or ""),
                target=str(record.status),
                result=result,
                detail=f"v{record.version} by {who}; {verdict.reason or 'approver'}"[:500],
            )
        )
        self._announce(
            record,
            f"outside:{record.name}",
            f"Out-of-band approval of model card {record.name}",
            text,
        )

    def gate(
        self,
        record: CardRecord,
        previous: CardStatus | None,
        identity: Identity | None,
        refusal: GateRefusal,
        did: str,
    ) -> None:
        """A move whose gate the content does not meet: every missing path, and what the bot
        did."""
        who = describe(identity)
        text = self._gates.report(record, previous, who, refusal, did)
        self._audit.record(
            AuditEvent(
                actor=(identity.source_identity if identity else "") or "outside-slack",
                action="outside-gate",
                card=record.name,
                source=str(previous or ""),
                target=str(record.status),
                result="held" if refusal.hold else "reverted",
                detail=f"v{record.version} by {who}; missing {', '.join(refusal.missing)}"[:500],
            )
        )
        self._announce(record, f"gate:{record.name}", f"Gate not met by {record.name}", text)

    def _announce(self, record: CardRecord, key: str, title: str, text: str) -> None:
        """Once per move, in the approvals channel and the ops channel: a job per channel."""
        at = record.modified_at.timestamp() if record.modified_at else 0.0
        for channel in dict.fromkeys([self._gov.approvals_channel, self._gov.ops_channel]):
            if channel:
                effect = f"{key}:{record.status}:{at}:{channel}"
                self._outbox.announce(effect, channel, title, [section(text)], record.name)
