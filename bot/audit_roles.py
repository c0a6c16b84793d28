"""Who acted as what: each audit entry gets, when recorded, the governance role and IAM role
that act for its person in its action, and the card's version, so an export can show them."""

from __future__ import annotations

import dataclasses

from bot.authz import Authorizer
from bot.domain.status import Action
from bot.governance import Governance
from bot.store.audit import AuditEvent, Enrich
from bot.store.cards import CardState

# Audit actors that are the bot itself (the automation role), not a person.
BOT_ACTORS = frozenset({"modelcard-bot", "outside-slack"})
_ACTIONS = {a.value: a for a in Action}


def audit_enricher(gov: Governance, state: CardState, authz: Authorizer) -> Enrich:
    def enrich(event: AuditEvent) -> AuditEvent:
        if event.role or not event.actor:
            return event
        if event.actor in BOT_ACTORS:
            role, arn = "automation", gov.automation_role_arn or ""
        else:
            action = _ACTIONS.get(event.action.removeprefix("request:"))
            names = authz.roles_of(event.actor)
            found = authz.role_for(event.actor, action, names) if action else None
            if found is None and names:
                found = gov.roles[names[0]]  # what reads cards for them (show, diff, ...)
            role = next((n for n in names if found and gov.roles[n] == found), "")
            arn = found.role_arn if found else ""
        version = ""
        if event.card:
            snapshot = state.get(event.card)
            version = str(snapshot.version) if snapshot else ""
        return dataclasses.replace(event, role=role, role_arn=arn, version=version)

    return enrich
