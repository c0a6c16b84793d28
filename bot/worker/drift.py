"""RAM shares are the bot's: once per reconcile pass, each stage share is listed (its cards
and its principals, two listings per stage, not per card) and compared with the statuses
the bot has settled. A card in a share its status does not reach (e.g. put into prod by hand
while in review), a card missing from a share it should be in, or a share missing its stage
account is put right as the automation role and reported once in the approvals (and ops)
channel."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.aws.sessions import Actor
from bot.domain.status import CardStatus
from bot.errors import CardNotFound
from bot.governance import Governance
from bot.slack.block_kit import section
from bot.slack.text import card_link, inline
from bot.store.audit import AuditEvent
from bot.worker.services import JobFamily, WorkerServices

log = logging.getLogger("modelcard_bot.worker")
SETTLING_SECONDS = 60.0


@dataclass(frozen=True)
class Drift:
    stage: str
    kind: str  # "extra-card", "missing-card", "missing-principal"
    card: str = ""
    status: str = ""

    def found(self, account: str) -> str:
        if self.kind == "extra-card":
            return f"`{self.card}` ({self.status}) was in the {self.stage} share"
        if self.kind == "missing-card":
            return f"`{self.card}` ({self.status}) was missing from the {self.stage} share"
        return f"the {self.stage} share had lost its account {account}"

    @property
    def done(self) -> str:
        return {
            "extra-card": "removed it",
            "missing-card": "shared it again",
            "missing-principal": "added the account back",
        }[self.kind]


def reaching(gov: Governance, stage: str) -> set[CardStatus]:
    """Statuses whose cards belong in `stage`'s share (that stage's and every later one's)."""
    return {
        status
        for status in CardStatus
        if status is not CardStatus.ARCHIVED
        and stage in [name for name, _ in gov.stages_up_to(status)]
    }


class ShareDrift(JobFamily):
    """The OBSERVE family's reconcile-pass check of the stage shares."""

    def __init__(
        self,
        services: WorkerServices,
        automation: Actor,
        settling_seconds: float = SETTLING_SECONDS,
    ) -> None:
        super().__init__(services)
        self._settling = settling_seconds
        self._automation = automation

    def check(self, pass_id: str) -> list[Drift]:
        """Compare every stage share with the settled statuses; fix and report what differs."""
        fixed: list[Drift] = []
        for stage in self._gov.stages:
            fixed += self._check_stage(stage, pass_id)
        return fixed

    def _check_stage(self, stage: str, pass_id: str) -> list[Drift]:
        found = self._shares.contents(self._automation, stage)
        if found is None:
            return []
        _share_arn, in_share, principals = found
        drifts: list[Drift] = []
        account = self._gov.stages[stage].account
        if account not in principals:
            self._shares.add_principal(self._automation, stage, f"drift:{pass_id}")
            drifts.append(Drift(stage, "missing-principal"))
        wanted = reaching(self._gov, stage)
        for arn in sorted(in_share):
            name = arn.rsplit("/", 1)[-1]
            snapshot = self._state.get(name)
            if snapshot is None or snapshot.status in wanted or snapshot.arn != arn:
                continue  # not (yet) known to the bot, or where it belongs
            if self._recent(snapshot.updated_at):
                continue
            if self._settled(name, snapshot.status):
                self._shares.unshare_from(self._automation, stage, arn, f"drift:{pass_id}")
                drifts.append(Drift(stage, "extra-card", name, str(snapshot.status)))
        for status in wanted:
            for snapshot in self._state.all_with_status(status):
                if snapshot.arn in in_share or self._recent(snapshot.updated_at):
                    continue
                if not self._settled(snapshot.name, status):
                    continue
                self._shares.share_card(self._automation, stage, snapshot.arn, f"drift:{pass_id}")
                drifts.append(Drift(stage, "missing-card", snapshot.name, str(status)))
        for drift in drifts:
            self._report(drift, account, pass_id)
        return drifts

    def _recent(self, updated_at: float) -> bool:
        """Changed moments ago: its own job may still be sharing it."""
        return time.time() - updated_at < self._settling

    def _settled(self, name: str, status: CardStatus) -> bool:
        """AWS agrees with the bot's snapshot (otherwise an OBSERVE job settles it first)."""
        try:
            return self._cards.describe(self._automation, name).status is status
        except CardNotFound:
            return False

    def _report(self, drift: Drift, account: str, pass_id: str) -> None:
        what = drift.found(account)
        where = f" ({card_link(drift.card, self._gov.region)})" if drift.card else ""
        text = (
            f":wrench: Share drift put right: {inline(what, 300)}{where}; the bot "
            f"{drift.done}. RAM shares are managed by the bot: change a card's stage through "
            "its status (Slack), not the share."
        )
        log.warning("share drift", extra={"card": drift.card, "stage": drift.stage})
        self._audit.record(
            AuditEvent(
                actor="modelcard-bot",
                action="share-drift",
                card=drift.card,
                result=drift.kind,
                detail=f"{what}; {drift.done}"[:500],
            )
        )
        for channel in dict.fromkeys([self._gov.approvals_channel, self._gov.ops_channel]):
            if channel:
                self._notifier.post_once(
                    f"drift:{drift.stage}:{drift.kind}:{drift.card}:{pass_id}:{channel}",
                    channel,
                    f"Share drift put right in stage {drift.stage}",
                    [section(text)],
                )
