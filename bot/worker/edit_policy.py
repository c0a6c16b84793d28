"""Content that changed while a card was under review or after it was approved, whoever
changed it (a Slack edit or an outside one): governance `edits_in_review` and
`edits_after_approval` say what follows."""

from __future__ import annotations

from bot.aws.cards import CardRecord, ModelCards
from bot.aws.sessions import Actor
from bot.aws.sharing import StageShares
from bot.domain.review import EditsAfterApproval, EditsInReview
from bot.domain.status import CardStatus
from bot.governance import Governance
from bot.slack.block_kit import section
from bot.slack.messages.approvals import approval_decided_blocks
from bot.slack.notifier import SlackNotifier
from bot.slack.text import card_link
from bot.store.audit import AuditEvent, AuditLog
from bot.worker.effects import Change, Effects, snapshot_from
from bot.worker.review_desk import by_whom, changed_sections, sections_text

RETURN_TO_DRAFT = "return-to-draft"
REOPEN = "reopen"


class EditPolicy:
    def __init__(
        self,
        governance: Governance,
        cards: ModelCards,
        shares: StageShares,
        effects: Effects,
        notifier: SlackNotifier,
        audit: AuditLog,
    ) -> None:
        self._gov = governance
        self._cards = cards
        self._shares = shares
        self._effects = effects
        self._notifier = notifier
        self._audit = audit

    def in_review(
        self,
        actor: Actor,
        old_content: dict[str, object],
        record: CardRecord,
        editor: str,
        who: str,
        old_version: int,
    ) -> str:
        """A card under review got new content (`record`). Returns what happened, for the
        person who edited (Slack) or the outside-change report. `editor` is the Slack user
        ("" outside Slack), `who` how to name them."""
        desk = self._effects.desk
        policy = self._gov.edits_in_review
        if policy is EditsInReview.RETURN_TO_DRAFT:
            reason = (
                f"content changed during review (v{old_version} → v{record.version}); "
                "edits during review return the card to Draft: submit it again"
            )
            self._cards.update_status(actor, record.name, CardStatus.DRAFT)
            back = self._cards.describe(actor, record.name)
            desk.reviews.decide(record.name, "Draft", record.version, editor or actor.user_id)
            self._effects.settle(
                actor,
                Change(
                    card=back,
                    previous=CardStatus.PENDING_REVIEW,
                    user=editor,
                    reason=reason,
                    action=RETURN_TO_DRAFT,
                ),
            )
            return (
                f"Model card `{record.name}` went back to Draft: its content changed during "
                f"review (v{old_version} → v{record.version}) and this workspace returns such "
                f"cards to Draft. Submit it again with `/modelcard submit {record.name}`."
            )
        snapshot = snapshot_from(record, self._effects.state.get(record.name))
        note = desk.rebind(snapshot, old_content, record.content, who)
        if note is None:
            return ""
        if policy is EditsInReview.REFUSE and not editor:
            # Slack edits were refused at the edge; an outside one cannot be: report it.
            text = (
                f":warning: Model card {card_link(record.name, self._gov.region)} was "
                f"edited during review {by_whom(who)} although this workspace refuses edits "
                f"in review (v{old_version} → v{record.version}). The review was reset: "
                "approvals so far no longer count."
            )
            self._report(f"edit-in-review:{record.name}:v{record.version}", text)
        return (
            f"Model card `{record.name}` is under review: the approval request now shows "
            f"v{record.version} and approvals given on v{old_version} no longer count."
        )

    def after_approval(
        self,
        actor: Actor,
        old_content: dict[str, object],
        record: CardRecord,
        approved_version: int,
        who: str,
    ) -> str:
        """An Approved card's content changed (a read-write stage account or central)."""
        names = changed_sections(old_content, record.content)
        desk = self._effects.desk
        link = card_link(record.name, self._gov.region)
        if self._gov.edits_after_approval is EditsAfterApproval.REOPEN:
            stage = self._gov.stage_for_status(CardStatus.APPROVED)
            suspended = stage is not None and self._shares.unshare_from(
                actor, stage[0], record.arn, f"suspend:v{record.version}"
            )
            self._cards.update_status(actor, record.name, CardStatus.PENDING_REVIEW)
            back = self._cards.describe(actor, record.name)
            reason = (
                f"content changed after approval (v{approved_version} → v{record.version}); "
                "back in review"
            )
            self._effects.settle(
                actor,
                Change(
                    card=back,
                    previous=CardStatus.APPROVED,
                    user="",
                    reason=reason,
                    action=REOPEN,
                ),
            )
            did = (
                f"sent it back to PendingReview; the {stage[0]} share is suspended until an "
                f"approver approves v{record.version}"
                if stage
                else "sent it back to PendingReview"
            )
            if stage and suspended:
                self._notifier.post_once(
                    f"suspended:{record.name}:v{record.version}",
                    stage[1].channel,
                    f"Model card {record.name}: access suspended",
                    [
                        section(
                            f":no_entry: {link}: access from account {stage[1].account} is "
                            f"suspended: v{approved_version} was approved but the content is "
                            f"now v{record.version}, which goes through review again."
                        )
                    ],
                )
        else:
            did = "left it Approved (edits_after_approval: alert)"
        text = (
            f":warning: Model card {link}: v{approved_version} approved, now "
            f"*v{record.version}*: content changed after approval {by_whom(who)}; sections "
            f"changed: {sections_text(names)}. The bot {did}."
        )
        self._report(f"after-approval:{record.name}:v{record.version}", text)
        round_ = desk.reviews.current(record.name)
        if round_ is not None and round_.message is not None and round_.decision == "Approved":
            snapshot = snapshot_from(record, self._effects.state.get(record.name))
            self._notifier.update(
                round_.message[0],
                round_.message[1],
                f"Model card {record.name}: v{approved_version} approved, now v{record.version}",
                approval_decided_blocks(
                    snapshot,
                    decision="Approved",
                    decided_by=round_.decided_by,
                    decided_at=round_.decided_at,
                    region=self._gov.region,
                    version=approved_version,
                    notes=[f":warning: v{approved_version} approved, now v{record.version}."],
                ),
            )
        self._audit.record(
            AuditEvent(
                actor=who or "outside-slack",
                action="edit-after-approval",
                card=record.name,
                result=str(self._gov.edits_after_approval),
                detail=f"v{approved_version} → v{record.version}: {', '.join(names)}"[:500],
            )
        )
        return text

    def _report(self, key: str, text: str) -> None:
        for channel in dict.fromkeys([self._gov.approvals_channel, self._gov.ops_channel]):
            if channel:
                self._notifier.post_once(f"{key}:{channel}", channel, text, [section(text)])
