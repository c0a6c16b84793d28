"""Hub-and-spoke: copy the cards that spoke accounts keep into the hub (central) account.

Each pass lists every spoke's cards as that spoke's reader role; a card whose status or
LastModifiedTime differs from what the last pass copied (Redis `spoke_seen`) is described in
the spoke and mirrored into the hub as the automation role, under `<spoke>-<card>`, with its
source in `additional_information.custom_details`. The hub copy then takes the same path as
any central card: the reconciler notices the change, and OBSERVE jobs share it with the
stages and notify their channels.

The hub copy mirrors the spoke: its status is set with plain UpdateModelCard calls along the
allowed transitions. Four-eyes belongs to the spoke's own review process; the hub does not
re-run it. A copy is created or updated only for its own spoke card (the recorded
`source_card_arn`); a hub card of the same name that is not that copy is left alone.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.aws.cards import CardRecord, ModelCards
from bot.aws.sessions import Actor
from bot.domain.content import validate_content
from bot.domain.names import MAX_NAME_LENGTH, validate_name
from bot.domain.review import needs_approval
from bot.domain.status import TRANSITIONS, CardStatus
from bot.errors import CardNotFound, ModelCardBotError
from bot.governance import Governance, Topology
from bot.store.keys import Keys
from bot.store.reviews import Reviews

log = logging.getLogger("modelcard_bot.spokes")
_HASH_CHARS = 8
SOURCE_KEYS = ("source_account", "source_card_arn", "source_version")


def hub_name(spoke: str, card: str) -> str:
    """`<spoke>-<card>`; when that exceeds 63 characters, the card part is cut and a stable
    8-hex-digit hash of spoke and card is appended: `<spoke>-<card prefix>-<hash>`."""
    name = f"{spoke}-{card}"
    if len(name) <= MAX_NAME_LENGTH:
        return validate_name(name)
    digest = hashlib.sha256(f"{spoke}/{card}".encode()).hexdigest()[:_HASH_CHARS]
    keep = MAX_NAME_LENGTH - len(spoke) - len(digest) - 2
    return validate_name(f"{spoke}-{card[:keep].rstrip('-')}-{digest}")


def status_path(source: CardStatus, target: CardStatus) -> list[CardStatus] | None:
    """The statuses to set, in order, to move a card from `source` to `target` along allowed
    transitions ([] when already there; None when no allowed path exists)."""
    paths: dict[CardStatus, list[CardStatus]] = {source: []}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        if here == target:
            return paths[here]
        for sources, after in TRANSITIONS.values():
            if here in sources and after not in paths:
                paths[after] = [*paths[here], after]
                queue.append(after)
    return None


def with_source(content: dict[str, Any], details: dict[str, str]) -> dict[str, Any]:
    """`content` with `details` merged into additional_information.custom_details."""
    copied = copy.deepcopy(content)
    section = copied.get("additional_information")
    if not isinstance(section, dict):
        section = copied["additional_information"] = {}
    custom = section.get("custom_details")
    section["custom_details"] = {**(custom if isinstance(custom, dict) else {}), **details}
    return copied


@dataclass(frozen=True)
class SpokeChange:
    """What one pass did to the hub copy of one spoke card (or why it could not)."""

    spoke: str
    card: str
    hub_card: str
    created: bool = False
    content_updated: bool = False
    statuses: tuple[CardStatus, ...] = ()  # statuses set on the hub copy, in order
    problem: str = ""
    retry: bool = False  # a transient failure: tried again next pass, not only on a change

    @property
    def changed(self) -> bool:
        return self.created or self.content_updated or bool(self.statuses)


@dataclass
class _Plan:
    created: bool = False
    content_updated: bool = False
    statuses: list[CardStatus] = field(default_factory=list)


class SpokeSync:
    """Copies spoke cards into the hub; `sync()` once per worker interval, before the
    reconciler's tick, so the reconciler sees the copies the same interval."""

    def __init__(
        self,
        cards: ModelCards,
        gov: Governance,
        redis_client: Any,
        automation: Actor,
        keys: Keys | None = None,
    ) -> None:
        self._cards = cards
        self._gov = gov
        self._redis = redis_client
        self._automation = automation
        self._keys = keys or Keys()
        self._reviews = Reviews(redis_client, self._keys)

    @property
    def enabled(self) -> bool:
        return self._gov.topology == Topology.HUB_AND_SPOKE and bool(self._gov.spokes)

    def sync(self, lock_seconds: int = 30) -> list[SpokeChange]:
        """One pass per `lock_seconds` across all workers; returns the copies it changed and
        the spoke cards it could not copy ([] when another worker made this pass)."""
        if not self.enabled:
            return []
        if not self._redis.set(self._keys.claim("spoke-sync"), "1", nx=True, ex=lock_seconds):
            return []
        found: list[SpokeChange] = []
        for spoke in self._gov.spokes:
            try:
                found.extend(self._sync_spoke(spoke))
            except ModelCardBotError as err:
                log.warning("spoke sync failed", extra={"spoke": spoke, "error": str(err)})
                found.append(SpokeChange(spoke=spoke, card="", hub_card="", problem=str(err)))
        return found

    def _sync_spoke(self, spoke: str) -> list[SpokeChange]:
        reader = Actor(user_id=self._automation.user_id, role_arn=self._gov.spokes[spoke].role_arn)
        seen_key = self._keys.spoke_seen(spoke)
        seen: dict[str, str] = {
            _text(k): _text(v) for k, v in (self._redis.hgetall(seen_key) or {}).items()
        }
        listed: set[str] = set()
        found: list[SpokeChange] = []
        for summary in self._cards.list_cards(reader):
            listed.add(summary.name)
            at = summary.modified_at.timestamp() if summary.modified_at else 0.0
            mark = f"{summary.status}|{at:.6f}"
            if seen.get(summary.name) == mark:
                continue
            change = self._copy(spoke, reader, summary.name)
            if change.changed or change.problem:
                found.append(change)
            if not change.retry:
                self._redis.hset(seen_key, summary.name, mark)
        gone = [name for name in seen if name not in listed]
        if gone:
            # The hub copy stays (it is the record of what was governed); forget the mark.
            self._redis.hdel(seen_key, *gone)
        return found

    def _copy(self, spoke: str, reader: Actor, card: str) -> SpokeChange:
        try:
            target = hub_name(spoke, card)
        except ModelCardBotError as err:
            return SpokeChange(spoke=spoke, card=card, hub_card="", problem=str(err))
        try:
            source = self._cards.describe(reader, card)
            plan = self._mirror(spoke, source, target)
        except CardNotFound:
            return SpokeChange(spoke=spoke, card=card, hub_card=target)  # deleted meanwhile
        except ModelCardBotError as err:
            retry = bool(getattr(err, "retryable", False))
            log.warning(
                "spoke card not copied",
                extra={"spoke": spoke, "card": card, "hub_card": target, "error": str(err)},
            )
            return SpokeChange(
                spoke=spoke, card=card, hub_card=target, problem=str(err), retry=retry
            )
        if plan.created or plan.content_updated or plan.statuses:
            log.info(
                "spoke card copied to the hub",
                extra={"spoke": spoke, "card": card, "hub_card": target},
            )
        return SpokeChange(
            spoke=spoke,
            card=card,
            hub_card=target,
            created=plan.created,
            content_updated=plan.content_updated,
            statuses=tuple(plan.statuses),
        )

    def _mirror(self, spoke: str, source: CardRecord, target: str) -> _Plan:
        details = {
            "source_account": self._gov.spokes[spoke].account,
            "source_card_arn": source.arn,
            "source_version": str(source.version),
        }
        content = with_source(source.content, details)
        validate_content(target, content)
        plan = _Plan()
        try:
            hub = self._cards.describe(self._automation, target)
        except CardNotFound:
            self._cards.create(self._automation, target, content, CardStatus.DRAFT)
            plan.created = True
            hub = self._cards.describe(self._automation, target)
        recorded = (hub.content.get("additional_information") or {}).get("custom_details") or {}
        if recorded.get("source_card_arn") != source.arn:
            raise _MirrorError(
                f"Hub card `{target}` exists and is not the copy of {source.arn}; "
                "rename one of them."
            )
        if hub.status == CardStatus.ARCHIVED:
            if source.status != CardStatus.ARCHIVED:
                raise _MirrorError(f"Hub card `{target}` is Archived; archived cards are final.")
            return plan
        if hub.content != content:
            self._cards.update_content(self._automation, target, content)
            plan.content_updated = True
        path = status_path(hub.status, source.status)
        if path is None:
            raise _MirrorError(
                f"Hub card `{target}` is {hub.status} and the spoke card is {source.status}; "
                "no allowed transition leads there."
            )
        for status in path:
            if needs_approval(None, status):
                # The spoke's own review approved it: record that decision, so the move into
                # Approved is the bot's and not judged as an out-of-band approval.
                version = self._cards.describe(self._automation, target).version
                self._reviews.decide(target, str(status), version, f"spoke {spoke}")
            self._cards.update_status(self._automation, target, status)
            if needs_approval(None, status):
                self._reviews.mark_approved(target, version)
            plan.statuses.append(status)
        return plan


class _MirrorError(ModelCardBotError):
    """The hub cannot mirror the spoke card: reported, and tried again when the spoke card
    changes next (a transient AWS failure is tried again every pass)."""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
