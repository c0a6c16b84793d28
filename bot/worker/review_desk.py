"""The approval request of a review round bound to a card version: posted once per
submission, updated in place when approvals come in or the content changes, closed with
the version decided on. Decisions are checked against the version under review. The round's
review timers start with the request and start again when an edit rebinds the round."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.diff import compare
from bot.domain.review import check_version
from bot.domain.status import CardStatus
from bot.errors import StaleReview
from bot.governance import Governance
from bot.jobs import Job
from bot.slack.block_kit import Blocks
from bot.slack.messages.approvals import approval_decided_blocks, approval_request_blocks
from bot.slack.notifier import SlackNotifier
from bot.slack.text import OUTSIDE_SLACK, by, inline
from bot.store.audit import AuditEvent, AuditLog
from bot.store.cards import CardSnapshot, CardState
from bot.store.reviews import ReviewRound, Reviews
from bot.store.timers import ReviewTimers
from bot.worker.outcomes import job_event

MAX_SECTIONS_NAMED = 12


def changed_sections(old: dict[str, object], new: dict[str, object]) -> list[str]:
    """Names of the content sections that differ (the diff's grouping)."""
    return [section.name for section in compare(old, new)]


def by_whom(who: str) -> str:
    """ "by <@U…>" for a Slack user; an outside change's description in full (not clipped)."""
    return inline(who, 500) if who.startswith("outside ") else by(who)


def sections_text(names: Sequence[str]) -> str:
    if not names:
        return "no section (metadata only)"
    shown = ", ".join(f"`{inline(n, 60)}`" for n in names[:MAX_SECTIONS_NAMED])
    more = len(names) - MAX_SECTIONS_NAMED
    return shown + (f" and {more} more" if more > 0 else "")


class ReviewDesk:
    def __init__(
        self,
        governance: Governance,
        reviews: Reviews,
        state: CardState,
        notifier: SlackNotifier,
        audit: AuditLog,
        timers: ReviewTimers | None = None,
    ) -> None:
        self._gov = governance
        self._reviews = reviews
        self._state = state
        self._notifier = notifier
        self._audit = audit
        self._timers = timers

    @property
    def reviews(self) -> Reviews:
        return self._reviews

    # ------------------------------------------------------------------ the request
    def request(self, snapshot: CardSnapshot, key: str) -> None:
        """Open the round at the snapshot's version (once per submission) and post its
        request once."""
        round_ = self._reviews.current(snapshot.name)
        if round_ is None or round_.opened_for != key:
            round_ = self._reviews.open(snapshot.name, snapshot.version, key)
        ts = self._notifier.post_once(
            f"approval:{key}",
            self._gov.approvals_channel,
            f"Model card {snapshot.name} v{round_.version} is waiting for approval",
            self.request_blocks(snapshot, round_),
        )
        posted = self._notifier.posted(f"approval:{key}")
        self._reviews.set_message(
            snapshot.name, posted[0] if posted else self._gov.approvals_channel, ts
        )

    def start_timers(self, card: str, at: float) -> None:
        """Schedule the round's timers (`review`) from `at`; the same `at` again (a replayed
        job) changes nothing, a later one replaces them."""
        plan = self._gov.review.plan()
        if self._timers is not None and plan:
            self._timers.start(card, str(at), at, plan)

    def stop_timers(self, card: str) -> None:
        if self._timers is not None:
            self._timers.stop(card)

    def request_blocks(
        self, snapshot: CardSnapshot, round_: ReviewRound, notes: Sequence[str] = ()
    ) -> Blocks:
        return approval_request_blocks(
            snapshot,
            requested_by=snapshot.submitted_by,
            region=self._gov.region,
            needed=self._gov.approvals_needed(snapshot.risk),
            approvals=self._reviews.approvals(snapshot.name, round_.version),
            version=round_.version,
            notes=notes,
        )

    def refresh(self, snapshot: CardSnapshot, notes: Sequence[str] = ()) -> bool:
        """Update the open request in place (chat.update); False when there is none."""
        round_ = self._reviews.current(snapshot.name)
        if round_ is None or not round_.is_open or round_.message is None:
            return False
        channel, ts = round_.message
        self._notifier.update(
            channel,
            ts,
            f"Model card {snapshot.name} v{round_.version} is waiting for approval",
            self.request_blocks(snapshot, round_, notes),
        )
        return True

    def close(
        self,
        snapshot: CardSnapshot,
        *,
        decided_by: str,
        at: float,
        reason: str = "",
        notes: Sequence[str] = (),
        decision: str = "",
    ) -> None:
        """The request once decided: no buttons, who, when, and the version decided on."""
        round_ = self._reviews.current(snapshot.name)
        if round_ is None or round_.message is None:
            return
        if not decision:
            decision = "Approved" if snapshot.status is CardStatus.APPROVED else "Rejected"
            if snapshot.status not in (CardStatus.APPROVED, CardStatus.DRAFT):
                decision = str(snapshot.status)
        channel, ts = round_.message
        self._notifier.update(
            channel,
            ts,
            f"Model card {snapshot.name}: {decision} (v{snapshot.version})",
            approval_decided_blocks(
                snapshot,
                decision=decision,
                decided_by=decided_by or OUTSIDE_SLACK,
                decided_at=at,
                region=self._gov.region,
                reason=reason or None,
                # The version decided on; an expiry or a return to Draft decided none.
                version=snapshot.version if decision in ("Approved", "Rejected") else None,
                notes=notes,
            ),
        )

    # ------------------------------------------------------------------ decisions
    def version_for(self, job: Job) -> int | None:
        """The version a decision job is about: the one its button showed (StaleReview if
        that is no longer under review), else the one under review now."""
        raw = job.args.get("version", "")
        asked = int(raw) if raw.isdigit() else None
        round_ = self._reviews.current(job.card)
        if round_ is not None and round_.is_open:
            check_version(job.card, asked, round_.version)
            return round_.version
        return asked

    def approvals_reached(self, job: Job, version: int | None) -> bool:
        """With more than one approval needed (`min_approvals`, `min_approvals_by_risk`),
        collect distinct approvers of this version first."""
        snapshot = self._state.get(job.card)
        if snapshot is None or snapshot.status is not CardStatus.PENDING_REVIEW:
            return True  # the transition itself refuses or skips with the right message
        needed = self._gov.approvals_needed(snapshot.risk)
        if needed <= 1:
            return True
        version = snapshot.version if version is None else version
        approvals = self._reviews.add_approval(job.card, version, job.user)
        if approvals is None:
            round_ = self._reviews.current(job.card)
            raise StaleReview(job.card, version, round_.version if round_ else snapshot.version)
        if len(approvals) >= needed:
            return True
        self.refresh(snapshot)
        self._audit.record(
            job_event(job, result="recorded", detail=f"v{version}: {len(approvals)} of {needed}")
        )
        self._notifier.reply(
            job,
            f":ballot_box_with_check: Your approval of `{job.card}` v{version} is recorded "
            f"({len(approvals)} of {needed}); it needs {needed - len(approvals)} more.",
        )
        return False

    # ------------------------------------------------------------------ edits in review
    def rebind(
        self,
        snapshot: CardSnapshot,
        old_content: dict[str, object],
        new_content: dict[str, object],
        editor: str,
    ) -> str | None:
        """Content changed during review: the round and its request move to the new version
        and approvals so far stop counting; its timers count again from the edit. Returns
        the note shown (None: nothing open)."""
        round_ = self._reviews.current(snapshot.name)
        if round_ is not None and round_.is_open and round_.version != snapshot.version:
            # Before the rebind: a replay after a crash in between finds the round still on
            # the old version and does both (the same edit time starts the same timers).
            self.start_timers(snapshot.name, snapshot.updated_at)
        before = self._reviews.rebind(snapshot.name, snapshot.version)
        if before is None:
            return None
        names = changed_sections(old_content, new_content)
        note = (
            f":pencil2: Content changed during review {by_whom(editor)}: "
            f"v{before.version} → *v{snapshot.version}*; sections changed: "
            f"{sections_text(names)}. Approvals given on v{before.version} no longer count; "
            f"review v{snapshot.version}."
        )
        self.refresh(snapshot, [note])
        self._audit.record(
            AuditEvent(
                actor=editor or "outside-slack",
                action="review-reset",
                card=snapshot.name,
                detail=f"v{before.version} → v{snapshot.version}: {', '.join(names)}"[:500],
            )
        )
        return note
