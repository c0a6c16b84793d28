"""Changes nobody made in Slack (OBSERVE jobs from the reconciler and EventBridge), judged
before any effect.

Moves that reduce access or ask for review (→ PendingReview, → Draft, → Archived) are
followed. A move into Approved that no decision recorded by the bot backs is an out-of-band
approval: honoured only when the identity that made it is known (DescribeModelCard's
LastModifiedBy, else the CloudTrail record of the call) and maps through a governance role's
`role_arn` and its SourceIdentity to an approver who is not an author of the card. Otherwise
governance `outside_changes.approve` decides: `revert` (the automation role sets the previous
status back), `hold` (left as is, nothing shared, until an approver decides in Slack) or
`trust`. Each out-of-band approval is reported once in the approvals (and ops) channel and
recorded in the audit trail. A move into a gated status whose content lacks a required field
is refused the same way (`bot.worker.outside_gates`), whoever made it. Content changed during
review or after approval goes to the edit policy.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from bot.aws.cards import CardRecord, ModelCards
from bot.aws.sessions import Actor
from bot.domain.identity import Identity, from_user_context, same_role
from bot.domain.review import OutsideApprove, needs_approval
from bot.domain.status import CardStatus
from bot.errors import CardNotFound, RetryLater
from bot.governance import Governance
from bot.jobs import Job
from bot.outbox import Outbox
from bot.slack.text import OUTSIDE_SLACK
from bot.store.audit import AuditEvent, AuditLog
from bot.store.callers import CallerLog
from bot.store.cards import CardSnapshot
from bot.store.claims import Claims
from bot.store.own_moves import OwnMoves
from bot.worker.edit_policy import EditPolicy
from bot.worker.effects import Change, Effects, snapshot_from
from bot.worker.outside_approvers import Verdict, approver_for
from bot.worker.outside_gates import GateRefusal, OutsideGates
from bot.worker.outside_reports import OutsideReports, describe

log = logging.getLogger("modelcard_bot.worker")

AUTOMATION_IDENTITY = "modelcard-bot"
OBSERVE_LOCK_SECONDS = 60  # longer than one judgement takes; a crashed worker frees it soon


class OutsideJudge:
    def __init__(
        self,
        governance: Governance,
        cards: ModelCards,
        effects: Effects,
        edits: EditPolicy,
        outbox: Outbox,
        audit: AuditLog,
        callers: CallerLog,
        claims: Claims,
        automation: Actor,
    ) -> None:
        self._gov = governance
        self._cards = cards
        self._effects = effects
        self._edits = edits
        self._audit = audit
        self._callers = callers
        self._claims = claims
        self._automation = automation
        self._gates = OutsideGates(governance)
        self._reports = OutsideReports(governance, outbox, audit, self._gates)
        self._own = OwnMoves(effects.state.redis, effects.state.keys)

    def observe(self, job: Job) -> None:
        """Settle what AWS says now, after judging who made the change. One job per card at
        a time (an event and a reconciler pass may see the same change at once)."""
        lock = f"observing:{job.card}"
        if not self._claims.claim(lock, job.id, OBSERVE_LOCK_SECONDS):
            raise RetryLater(f"another worker is judging {job.card}", retry_after=1.0)
        try:
            self._observe(job)
        finally:
            self._claims.release(lock)

    def _observe(self, job: Job) -> None:
        state = self._effects.state
        try:
            record = self._cards.describe(self._automation, job.card)
        except CardNotFound:
            state.remove(job.card)
            return
        known = state.get(job.card)
        if known is not None and known.held and known.held == held_note(record):
            return  # a held move, judged and reported once: nothing new until the card changes
        previous = known.status if known else None
        if known is None and job.args.get("baseline"):
            previous = record.status  # existed before the bot: share silently
        cached = state.content(job.card) if known else None
        old_content = json.loads(cached) if cached else {}
        identity = self._who(record, previous)
        edited = known is not None and record.version != known.version
        submitted = previous != record.status and record.status is CardStatus.PENDING_REVIEW
        if identity is not None and known is not None and (edited or submitted):
            self._note_author(job.card, identity)  # four-eyes: they authored this version
        user = ""
        backer = self._backer(record)
        refusal = self._gates.judge(record, previous)
        if self._own_change(record):
            previous = record.status  # the bot's revert, seen again: nothing to announce
        elif needs_approval(previous, record.status) and backer is not None:
            # The bot's own decision, seen before its job settled it: announced as theirs.
            user = backer if self._gov.is_mapped(backer) else ""
        elif refusal is not None:
            gated = self._refuse_gate(record, previous, identity, refusal, known)
            if gated is None:
                return  # held: nothing shared, nothing settled
            record, previous = gated, gated.status
        elif needs_approval(previous, record.status):
            judged = self._judge_approval(record, previous, identity, known)
            if judged is None:
                return  # held: nothing shared, nothing settled
            record, previous, user = judged
        self._effects.settle(self._automation, Change(card=record, previous=previous, user=user))
        if previous != record.status:
            self._audit.record(
                AuditEvent(
                    actor="outside-slack",
                    action="observe",
                    card=job.card,
                    source=str(previous or ""),
                    target=str(record.status),
                )
            )
        if known is not None and record.version != known.version:
            self._content_changed(record, old_content, identity)

    # ------------------------------------------------------------------ who did it
    def _who(self, record: CardRecord, previous: CardStatus | None) -> Identity | None:
        found = from_user_context(record.modified_by)
        if found is not None:
            return found
        at = record.modified_at.timestamp() if record.modified_at else 0.0
        if previous != record.status:
            return self._callers.find(record.name, status=str(record.status), at=at)
        return self._callers.find(record.name, content=True, at=at)

    def _note_author(self, card: str, identity: Identity) -> None:
        """A governance user who changed the card outside Slack is one of its authors."""
        person = identity.source_identity
        if person and self._gov.is_mapped(person) and self._is_theirs(identity, person):
            self._effects.state.add_person(card, person)

    def _is_theirs(self, identity: Identity, person: str) -> bool:
        return any(
            same_role(identity.role_arn, self._gov.roles[name].role_arn)
            for name in self._gov.roles_of(person)
        )

    def _own_change(self, record: CardRecord) -> bool:
        """The bot's revert: the card is as the bot's last move left it."""
        return self._own.is_own(record)

    def _backer(self, record: CardRecord) -> str | None:
        """Who decided this very version in Slack (or "spoke …" for the spoke's review), when
        a recorded decision backs the card's status; None otherwise."""
        round_ = self._effects.desk.reviews.current(record.name)
        if (
            round_ is not None
            and round_.decision == str(record.status)
            and round_.version == record.version
        ):
            return round_.decided_by
        return None

    # ------------------------------------------------------------------ approvals
    def _judge_approval(
        self,
        record: CardRecord,
        previous: CardStatus | None,
        identity: Identity | None,
        known: CardSnapshot | None,
    ) -> tuple[CardRecord, CardStatus | None, str] | None:
        """(the record to settle, its previous status, the approver it is announced as), or
        None when the move is held."""
        state, reviews = self._effects.state, self._effects.desk.reviews
        seen_version = known.version if known else record.version
        snapshot = state.get(record.name)
        authors = state.people(record.name)
        if snapshot is not None:
            authors |= {snapshot.created_by, snapshot.submitted_by} - {""}
        verdict = approver_for(self._gov, identity, authors)
        if verdict.honoured and seen_version != record.version:
            # LastModifiedBy names the last call only: whoever changed the content in the
            # same window is unknown, so four-eyes cannot be shown for this version.
            verdict = Verdict(
                False,
                user=verdict.user,
                reason=f"the content also changed (v{seen_version} → v{record.version}) "
                "before it was approved; approve the new version in Slack",
            )
        risk = snapshot.risk if snapshot else ""
        needed = self._gov.approvals_needed(risk)
        if verdict.honoured:
            round_ = reviews.current(record.name)
            counted = (
                reviews.add_approval(record.name, record.version, verdict.user)
                if round_ is not None and round_.is_open and round_.version == record.version
                else None
            )
            approvals = counted if counted is not None else [verdict.user]
            if len(approvals) >= needed:
                reviews.decide(record.name, str(record.status), record.version, verdict.user)
                reviews.mark_approved(record.name, record.version)
                self._reports.approval(
                    record,
                    previous,
                    identity,
                    verdict,
                    "honoured",
                    "honoured it: shared as approved",
                )
                return record, previous, verdict.user  # shared and announced as theirs
            verdict = Verdict(
                False,
                user=verdict.user,
                reason=f"{verdict.user}'s approval is {len(approvals)} of {needed} needed "
                f"(recorded for v{record.version})",
            )
        policy = self._gov.outside_changes.approve
        if policy is OutsideApprove.TRUST:
            reviews.decide(record.name, str(record.status), record.version, "outside Slack")
            reviews.mark_approved(record.name, record.version)
            self._reports.approval(
                record, previous, identity, verdict, "trusted", f"trusted it ({verdict.reason})"
            )
            return record, previous, ""
        if policy is OutsideApprove.HOLD:
            self._hold(record, known)
            self._reports.approval(
                record,
                previous,
                identity,
                verdict,
                "held",
                f"held it ({verdict.reason}): nothing is shared with the next stage until an "
                f"approver {_decides(record.name, previous)} in Slack",
            )
            return None
        target = _revert_target(record, previous)
        reverted = self._revert(record, target)
        self._reports.approval(
            record,
            previous,
            identity,
            verdict,
            "reverted",
            f"reverted it to {target} ({verdict.reason}); nothing was shared with the next "
            "stage. An approver can approve it in Slack",
        )
        return reverted, reverted.status, ""  # settled silently: no stage announcement

    def _hold(self, record: CardRecord, known: CardSnapshot | None) -> None:
        """Mark the card's settled state held for this very move (`show` and `list` say so,
        and the next look at the unchanged card judges nothing). A card the bot never
        settled is held from Draft, where a rejection sends it."""
        note = held_note(record)
        state = self._effects.state
        if known is None:
            draft = replace(snapshot_from(record, None), status=CardStatus.DRAFT, held=note)
            state.put(draft)
        else:
            state.put(replace(known, held=note))

    def _revert(self, record: CardRecord, target: CardStatus) -> CardRecord:
        """Set `target` back as the automation role and mark the result as the bot's own, so
        the next look at the card (a reconcile pass, the event of this very call) knows it.
        The observe lock keeps other judges of the card out between the two."""
        self._cards.update_status(self._automation, record.name, target)
        reverted = self._cards.describe(self._automation, record.name)
        self._own.mark(reverted)
        return reverted

    # ------------------------------------------------------------------ gates
    def _refuse_gate(
        self,
        record: CardRecord,
        previous: CardStatus | None,
        identity: Identity | None,
        refusal: GateRefusal,
        known: CardSnapshot | None,
    ) -> CardRecord | None:
        """Hold or revert a move whose gate the content does not meet; the reverted record
        (settled silently), or None when held."""
        if refusal.hold:
            self._hold(record, known)
            did = "held it: nothing is shared with the next stage"
            after: CardRecord | None = None
        else:
            target = _revert_target(record, previous)
            after = self._revert(record, target)
            did = f"reverted it to {target}; nothing was shared with the next stage"
        self._reports.gate(record, previous, identity, refusal, did)
        return after

    # ------------------------------------------------------------------ content
    def _content_changed(
        self, record: CardRecord, old_content: dict[str, object], identity: Identity | None
    ) -> None:
        reviews = self._effects.desk.reviews
        round_ = reviews.current(record.name)
        who = f"outside Slack ({describe(identity)})" if identity else OUTSIDE_SLACK
        if record.status is CardStatus.PENDING_REVIEW and round_ is not None and round_.is_open:
            if round_.version != record.version:
                self._edits.in_review(
                    self._automation, old_content, record, "", who, round_.version
                )
        elif record.status is CardStatus.APPROVED and round_ is not None:
            approved = round_.approved_version
            if approved and approved != record.version:
                self._edits.after_approval(self._automation, old_content, record, approved, who)


def _decides(card: str, previous: CardStatus | None) -> str:
    """What an approver does in Slack with a held move: a card in review can be approved; one
    that jumped past review is rejected back to Draft, to be submitted."""
    if previous is CardStatus.PENDING_REVIEW:
        return f"approves or rejects it (`/modelcard approve {card}`)"
    return f"rejects it back to Draft (`/modelcard reject {card} REASON`), to be submitted"


def held_note(record: CardRecord) -> str:
    """Names one move outside Slack: the status set, the version and when."""
    return f"{record.status} v{record.version} at {record.modified_at}"


def _revert_target(record: CardRecord, previous: CardStatus | None) -> CardStatus:
    """The status a refused move goes back to: the one before it, else Draft."""
    back = previous if previous is not None and previous != record.status else None
    return back or CardStatus.DRAFT
