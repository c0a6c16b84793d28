"""What the worker's job families are built from.

Every family reads governance, authorizes again, acts on cards as the person and tells Slack;
the composition root builds these once per worker (`bot.app.build_worker`) and each family
takes them together with what only it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.authz import Authorizer
from bot.aws.cards import ModelCards
from bot.aws.sharing import StageShares
from bot.governance import Governance
from bot.outbox import Outbox
from bot.slack.notifier import SlackNotifier
from bot.store.audit import AuditLog
from bot.store.cards import CardState


@dataclass(frozen=True)
class WorkerServices:
    governance: Governance
    authz: Authorizer
    cards: ModelCards
    shares: StageShares
    state: CardState
    audit: AuditLog
    notifier: SlackNotifier
    outbox: Outbox


class JobFamily:
    """Base of a job family: the shared services as the private attributes its methods use."""

    def __init__(self, services: WorkerServices) -> None:
        self._gov = services.governance
        self._authz = services.authz
        self._cards = services.cards
        self._shares = services.shares
        self._state = services.state
        self._audit = services.audit
        self._notifier = services.notifier
        self._outbox = services.outbox
