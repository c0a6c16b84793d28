"""Who may do what: capabilities from the governance roles (listed under `users`, or held
through a Slack user group under `usergroups`), and four-eyes on decisions.

Used at the edge for a fast answer and again in the worker before acting; both read
governance and Redis state, never a button value. Group members come from the Redis cache:
at the edge a cold cache is refilled by the worker (the person is asked to try again in a
few seconds); in the worker it is read from Slack at once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence, Set

from bot.aws.sessions import Actor
from bot.domain.status import IMPLICIT_AUDIT, IMPLICIT_FOR_MAPPED, Action
from bot.errors import NotAllowed
from bot.governance import Governance, GovernanceRole
from bot.store.cards import CardState
from bot.store.usergroups import GroupDirectory

DECISIONS = frozenset({Action.APPROVE, Action.REJECT})


def not_mapped_text(user_id: str, verb: str, card: str = "", *, groups: bool = False) -> str:
    """The refusal for a person with no governance role (plain text: escape it for mrkdwn)."""
    subject = f" `{card[:80]}`" if card else " model cards"
    via = " or in one of the user groups under `usergroups`" if groups else ""
    return (
        f"You cannot {verb}{subject}: your Slack user ({user_id[:30]}) is not mapped to a "
        "governance role. Ask a modelcard-bot admin to add you under `users` in the "
        f"governance file{via}."
    )


class GroupsLoading(NotAllowed):
    """The person's roles may come from a user group whose members are not loaded yet."""


class _RequestGroups:
    """One request's view of the user groups: members as that request read them, warming
    through the process's directory."""

    def __init__(
        self, members: Callable[[str], frozenset[str] | None], shared: GroupDirectory
    ) -> None:
        self._members = members
        self._shared = shared

    def members(self, group: str) -> frozenset[str] | None:
        return self._members(group)

    def warm(self, groups: Sequence[str]) -> bool:
        return self._shared.warm(groups)


class Authorizer:
    def __init__(
        self, governance: Governance, state: CardState, groups: GroupDirectory | None = None
    ) -> None:
        self._gov = governance
        self._state = state
        self._groups = groups
        self._audit_listed = any(Action.AUDIT in r.can for r in governance.roles.values())

    def for_request(self, members: Callable[[str], frozenset[str] | None]) -> Authorizer:
        """This Authorizer reading group members through `members` (the edge's request,
        which reads them with its first round trip); itself when no group is configured."""
        if self._groups is None or not self._gov.usergroups:
            return self
        view = copy.copy(self)
        view._groups = _RequestGroups(members, self._groups)
        return view

    # ------------------------------------------------------------------ roles

    def roles_of(self, user_id: str) -> list[str]:
        """Governance roles of a person: `users` first, then their groups' (cache)."""
        names = list(self._gov.users.get(user_id, []))
        if self._groups is not None:
            for group, roles in self._gov.usergroups.items():
                if user_id in (self._groups.members(group) or ()):
                    names += [r for r in roles if r not in names]
        return names

    def _grants(self, role: GovernanceRole, action: Action) -> bool:
        if action in role.can:
            return True
        return (
            action is Action.AUDIT
            and not self._audit_listed
            and bool(IMPLICIT_AUDIT & set(role.can))
        )

    def capabilities(self, user_id: str) -> set[Action]:
        names = self.roles_of(user_id)
        found = {a for a in Action for n in names if self._grants(self._gov.roles[n], a)}
        return found | set(IMPLICIT_FOR_MAPPED) if names else found

    def role_for(
        self, user_id: str, action: Action, names: Sequence[str] = ()
    ) -> GovernanceRole | None:
        """The first of the person's roles that grants `action` (its IAM role acts for them).
        Roles under `users` are tried before the group cache is read (no Redis read then)."""
        own = list(self._gov.users.get(user_id, []))
        for name in names or own:
            if self._grants(self._gov.roles[name], action):
                return self._gov.roles[name]
        if not names and self._gov.usergroups:
            names = self.roles_of(user_id)
            for name in names[len(own) :]:
                if self._grants(self._gov.roles[name], action):
                    return self._gov.roles[name]
        names = list(names or own)
        if names and action in IMPLICIT_FOR_MAPPED:
            return self._gov.roles[names[0]]
        return None

    def is_mapped(self, user_id: str) -> bool:
        return bool(self.roles_of(user_id))

    def reader_role(self, user_id: str) -> GovernanceRole | None:
        """The role that reads cards for a mapped person (their first governance role)."""
        names = self.roles_of(user_id)
        return self._gov.roles[names[0]] if names else None

    def _cold_groups(self, action: Action) -> list[str]:
        """Groups not loaded yet whose roles would grant `action`."""
        if self._groups is None:
            return []
        return [
            group
            for group, roles in self._gov.usergroups.items()
            if any(self._grants(self._gov.roles[r], action) for r in roles)
            and self._groups.members(group) is None
        ]

    # ------------------------------------------------------------------ decisions

    def actor(
        self,
        user_id: str,
        action: Action,
        card: str = "",
        *,
        authors: Callable[[str], Set[str]] | None = None,
    ) -> Actor:
        """The person's acting identity for `action`, or NotAllowed saying whom to ask.
        `authors` reads a card's authors (the edge passes what its request has read);
        by default they are read from Redis."""
        subject = f" `{card}`" if card else " model cards"
        role = self.role_for(user_id, action)
        if role is None:
            cold = self._cold_groups(action)
            if cold and self._groups is not None and self._groups.warm(cold):
                role = self.role_for(user_id, action)
            elif cold:
                raise GroupsLoading(
                    f"Checking your Slack user groups before you can {action}{subject}; "
                    "try again in a few seconds."
                )
        if role is None:
            self._refuse(user_id, action, card)
        assert role is not None
        if action in DECISIONS and card:
            self.check_four_eyes(user_id, card, authors=authors)
        return Actor(user_id=user_id, role_arn=role.role_arn)

    def _refuse(self, user_id: str, action: Action, card: str) -> None:
        mine = self.roles_of(user_id)
        if not mine:
            text = not_mapped_text(user_id, str(action), card, groups=bool(self._gov.usergroups))
            raise NotAllowed(text)
        subject = f" `{card}`" if card else " model cards"
        able = ", ".join(self.who_can(action)) or "no role"
        raise NotAllowed(
            f"You cannot {action}{subject}: your role ({', '.join(mine)}) does not allow it. "
            f"Roles that can: {able}. Ask one of them, or an admin to change your roles."
        )

    def who_can(self, action: Action) -> list[str]:
        """Governance roles granting `action`, to tell a refused person whom to ask."""
        return [name for name, role in self._gov.roles.items() if self._grants(role, action)]

    def authors(self, card: str) -> set[str]:
        """Who created, edited or submitted the card, from Redis."""
        snapshot = self._state.get(card)
        found = self._state.people(card)
        if snapshot is not None:
            found |= {snapshot.created_by, snapshot.submitted_by} - {""}
        return found

    def check_four_eyes(
        self, user_id: str, card: str, *, authors: Callable[[str], Set[str]] | None = None
    ) -> None:
        if user_id in (authors or self.authors)(card):
            raise NotAllowed(
                f"You cannot approve or reject `{card}`: you created, edited or submitted it, "
                "and four-eyes requires another approver. Ask a colleague with the approver role."
            )

    def approvers(self, card: str) -> list[str]:
        """Everyone who may approve `card` now: approvers by `users` or a group, no author."""
        people = list(self._gov.users)
        if self._groups is not None:
            cold = [g for g in self._gov.usergroups if self._groups.members(g) is None]
            if cold:
                self._groups.warm(cold)
            for group in self._gov.usergroups:
                people += sorted(self._groups.members(group) or ())
        authors = self.authors(card)
        found: list[str] = []
        for person in people:
            if person in found or person in authors:
                continue
            if self.role_for(person, Action.APPROVE) is not None:
                found.append(person)
        return found
