"""Governance keys for reviews that fit an organisation: `gates`, `review` timers and
`usergroups`. Shapes are checked by pydantic; `review_checks` checks what spans keys and
reports `key: reason` like the rest of the governance file."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.domain.content import RISK_RATINGS
from bot.domain.durations import parse_duration
from bot.domain.gates import nearest_path, schema_paths
from bot.domain.status import CardStatus

_GROUP_RE = re.compile(r"^S[A-Z0-9]{2,20}$")
_USER_RE = re.compile(r"^[UW][A-Z0-9]{2,20}$")
# The statuses a person moves a card into through a gated action (submit, approve).
GATED = (CardStatus.PENDING_REVIEW, CardStatus.APPROVED)


def _duration(value: Any) -> str:
    # Kept as the text written ("24h", not "1d"), so messages and dumps say what people wrote.
    parse_duration(value)
    return "".join(str(value).split()).lower()


Duration = Annotated[str, BeforeValidator(_duration)]


def seconds(duration: str | None) -> int | None:
    return None if duration is None else parse_duration(duration)


class Gate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Dotted content paths that must be present and non-empty to enter the status.
    require: list[str] = Field(default_factory=list)
    # Approved only: distinct approvers per `intended_uses.risk_rating` (else min_approvals).
    min_approvals_by_risk: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=dict
    )


class Review(BaseModel):
    """Timers of a review round, counted from the approval request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    remind_after: Duration | None = None
    escalate_after: Duration | None = None
    escalate_to: list[str] = Field(default_factory=list)
    expire_after: Duration | None = None

    def plan(self) -> dict[str, int]:
        """Timer kind -> seconds after the request; only the configured ones."""
        found = {
            "remind": seconds(self.remind_after),
            "escalate": seconds(self.escalate_after),
            "expire": seconds(self.expire_after),
        }
        return {kind: after for kind, after in found.items() if after is not None}

    def written(self, kind: str) -> str:
        """The duration of a timer kind as written in the file ("14d")."""
        value: str | None = getattr(self, f"{kind}_after")
        return value or ""


def _nearest(word: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.4)
    return f"; did you mean {found[0]!r}?" if found else ""


def gate_checks(gates: Mapping[str, Gate]) -> Iterator[str]:
    statuses = [status.value for status in CardStatus]
    known = schema_paths()
    for key, gate in gates.items():
        if key not in statuses:
            yield (
                f"gates.{key}: not a card status; gates can be set on "
                f"{', '.join(s.value for s in GATED)}{_nearest(key, statuses)}"
            )
            continue
        if CardStatus(key) not in GATED:
            yield (
                f"gates.{key}: a card enters {key} without a gated action; gates can be set "
                f"on {', '.join(s.value for s in GATED)} (submit, approve)"
            )
        seen: set[str] = set()
        for path in gate.require:
            if path in seen:
                yield f"gates.{key}.require: {path!r} is listed twice; keep one"
            seen.add(path)
            if path not in known:
                near = nearest_path(path)
                hint = f"; the nearest valid path is {near!r}" if near else ""
                yield (
                    f"gates.{key}.require: {path!r} is not a field of the official model card "
                    f"schema{hint}"
                )
        if gate.min_approvals_by_risk and key != CardStatus.APPROVED:
            yield f"gates.{key}.min_approvals_by_risk: only allowed under gates.Approved"
        for risk in gate.min_approvals_by_risk:
            if risk not in RISK_RATINGS:
                yield (
                    f"gates.{key}.min_approvals_by_risk.{risk}: not a risk rating; use "
                    f"{', '.join(RISK_RATINGS)}{_nearest(risk, list(RISK_RATINGS))}"
                )


def review_checks(review: Review, has_automation: bool) -> Iterator[str]:
    plan = review.plan()
    if "escalate" in plan and not review.escalate_to:
        yield "review.escalate_to: escalate_after is set; list whom to escalate to (U… or S… ids)"
    if review.escalate_to and "escalate" not in plan:
        yield "review.escalate_after: escalate_to is set; say when to escalate (e.g. 72h)"
    for who in review.escalate_to:
        if not (_USER_RE.match(who) or _GROUP_RE.match(who)):
            yield (
                f"review.escalate_to: {who!r} is neither a Slack user id (U0123ABCD) nor a user "
                "group id (S0123ABCD)"
            )
    order = [kind for kind in ("remind", "escalate", "expire") if kind in plan]
    for first, later in itertools.pairwise(order):
        if plan[first] >= plan[later]:
            yield (
                f"review.{later}_after: must be later than {first}_after "
                f"({review.written(later)} is not after {review.written(first)})"
            )
    if "expire" in plan and not has_automation:
        yield (
            "review.expire_after: an expired review is sent back to Draft as the automation "
            "role; set automation_role_arn"
        )


def usergroup_checks(usergroups: Mapping[str, list[str]], roles: Iterator[str]) -> Iterator[str]:
    defined = list(roles)
    for group, names in usergroups.items():
        if not _GROUP_RE.match(group):
            yield (
                f"usergroups.{group}: not a Slack user group id (e.g. S0123ABCD: the id, not "
                "the @handle)"
            )
        if not names:
            yield f"usergroups.{group}: list at least one governance role, or remove the group"
        for name in names:
            if name not in defined:
                yield (
                    f"usergroups.{group}: role {name!r} is not defined under roles "
                    f"({', '.join(defined)})"
                )


def describe_review(
    gates: Mapping[str, Gate], review: Review, usergroups: Mapping[str, list[str]], default: int
) -> list[str]:
    """`check-config` lines for these keys."""
    lines: list[str] = []
    for status, gate in gates.items():
        if gate.require:
            lines.append(f"  To enter {status} a card needs: {', '.join(gate.require)}.")
        for risk, count in gate.min_approvals_by_risk.items():
            lines.append(f"  {risk}-risk cards need {count} approver(s) (others {default}).")
    plan = review.plan()
    if plan:
        words = {"remind": "remind approvers", "escalate": "escalate", "expire": "expire"}
        steps = [f"{words[k]} after {review.written(k)}" for k in plan]
        lines.append(f"  Reviews: {', '.join(steps)}.")
    for group, names in usergroups.items():
        lines.append(f"  Members of user group {group} hold: {', '.join(names)}.")
    return lines
