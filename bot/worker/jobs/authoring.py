"""Create, edit and delete a card, as the person who asked."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping

from bot.domain.content import minimal_content, serialize
from bot.domain.review import check_edit_in_review
from bot.domain.status import Action, CardStatus, check_editable
from bot.errors import CardAlreadyExists
from bot.jobs import Job, JobKind
from bot.slack.forms.edit import apply_edit
from bot.slack.messages.cards import card_blocks
from bot.worker.edit_policy import EditPolicy
from bot.worker.effects import Change, Effects, snapshot_from
from bot.worker.outcomes import job_event
from bot.worker.services import JobFamily, WorkerServices

log = logging.getLogger("modelcard_bot.worker")


class Authoring(JobFamily):
    def __init__(
        self,
        services: WorkerServices,
        effects: Effects,
        edits: EditPolicy,
    ) -> None:
        super().__init__(services)
        self._effects = effects
        self._edits = edits

    def handlers(self) -> Mapping[JobKind, Callable[[Job], None]]:
        return {JobKind.CREATE: self.create, JobKind.EDIT: self.edit, JobKind.DELETE: self.delete}

    def create(self, job: Job) -> None:
        actor = self._authz.actor(job.user, Action.CREATE, job.card)
        if "content" in job.args:
            content = json.loads(job.args["content"])
        else:
            content = minimal_content(
                job.args.get("owner", ""),
                job.args.get("problem_type", ""),
                job.args.get("description") or None,
                job.args.get("risk") or None,
            )
        try:
            self._cards.create(actor, job.card, content)
        except CardAlreadyExists:
            # A replay of this very job after a crash finds its own card: go on settling.
            mine = self._state.get(job.card)
            if mine is None or mine.created_by != job.user or mine.status is not CardStatus.DRAFT:
                raise
        record = self._cards.describe(actor, job.card)
        self._state.add_person(job.card, job.user)
        if self._state.get(job.card) is None:
            # Mark the card as ours before effects run (see the replay branch above); the
            # status is left unknown so the Draft notification is still due.
            self._state.put(snapshot_from(record, None, created_by=job.user))
        snapshot = self._effects.settle(actor, Change(card=record, previous=None, user=job.user))
        self._audit.record(job_event(job, target=str(record.status)))
        self._notifier.reply(
            job,
            f":white_check_mark: Created model card `{job.card}` ({record.status}) and shared it "
            f"with {', '.join(snapshot.shared_stages) or 'no stage'}.",
            card_blocks(snapshot, region=self._gov.region),
        )

    def edit(self, job: Job) -> None:
        actor = self._authz.actor(job.user, Action.EDIT, job.card)
        current = self._cards.describe(actor, job.card)
        check_editable(job.card, current.status)
        check_edit_in_review(job.card, current.status, self._gov.edits_in_review)
        values = json.loads(job.args["values"])
        content = apply_edit(current.content, values)
        if content == current.content:
            self._notifier.reply(job, f"No change to model card `{job.card}`: nothing to save.")
            return
        self._cards.update_content(actor, job.card, content)
        record = self._cards.describe(actor, job.card)
        self._state.add_person(job.card, job.user)
        snapshot = snapshot_from(record, self._state.get(job.card), updated_by=job.user)
        self._state.add_version(
            record.name, record.version, record.status, snapshot.updated_at, job.user
        )
        self._state.put_content(record.name, serialize(record.content))
        self._state.put(snapshot)
        self._audit.record(job_event(job, detail=f"v{record.version}"))
        review = ""
        if record.status is CardStatus.PENDING_REVIEW:
            review = self._edits.in_review(
                actor, current.content, record, job.user, job.user, current.version
            )
        self._notifier.reply(
            job,
            f":pencil2: Saved model card `{job.card}` as version {record.version}."
            + (f" {review}" if review else ""),
        )

    def delete(self, job: Job) -> None:
        actor = self._authz.actor(job.user, Action.DELETE, job.card)
        record = self._cards.describe(actor, job.card)
        revoked = self._shares.unshare_card(actor, record.arn)
        self._cards.delete(actor, job.card)
        self._state.remove(job.card)
        self._audit.record(
            job_event(
                job,
                detail=f"revoked {','.join(revoked)}" if revoked else "",
                source=str(record.status),
            )
        )
        self._notifier.reply(job, f":wastebasket: Deleted model card `{job.card}`.")
