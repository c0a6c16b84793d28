"""Every Redis key the bot uses, in one place (so a prefix change or audit is one read).

The prefix is a hash tag: on a Redis cluster every key hashes to the slot of `{mcb}` only, so
the enqueue script, the MULTI blocks and the pipelines that touch several keys stay in one
slot (one node). The bot's data is small; one slot holds it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "{mcb}"

    def card(self, name: str) -> str:
        """Hash: the last-seen snapshot of a card."""
        return f"{self.prefix}:card:{name}"

    def card_people(self, name: str) -> str:
        """Set: Slack users who created, edited or submitted the card (four-eyes)."""
        return f"{self.prefix}:card:{name}:people"

    @property
    def cards(self) -> str:
        """Sorted set (all scores 0, ordered by name): every known card, for paging."""
        return f"{self.prefix}:cards"

    def cards_with_status(self, status: str) -> str:
        return f"{self.prefix}:cards:status:{status}"

    @property
    def listed(self) -> str:
        """Hash: card name -> what a line of `/modelcard list` shows of it (status, owner,
        held; `bot/store/cards.py` `listed_row`), written with the snapshot: an index like
        `cards_with_status`, so a page and its lines are one read."""
        return f"{self.prefix}:listed"

    def claim(self, key: str) -> str:
        """String with TTL: an idempotency claim."""
        return f"{self.prefix}:claim:{key}"

    def own_move(self, name: str) -> str:
        """String with TTL: the state (status|version|modified time) the bot's last revert of
        the card left, so the next look at the card knows that move for the bot's own."""
        return f"{self.prefix}:card:{name}:own-move"

    def seen_signature(self, signature: str) -> str:
        """String with TTL: a Slack request signature already accepted (replay cache)."""
        return f"{self.prefix}:seen:{signature}"

    def approvals(self, name: str, round_id: str) -> str:
        """Set: distinct approvers of one review round (min_approvals > 1)."""
        return f"{self.prefix}:approvals:{name}:{round_id}"

    def review(self, name: str) -> str:
        """Hash: the card's review round (version under review, request message, decision,
        its review timers: id, counted from, remind_at / escalate_at when they fired)."""
        return f"{self.prefix}:review:{name}"

    def review_approvals(self, name: str, version: int) -> str:
        """Set: distinct approvers of the card's review round at `version`."""
        return f"{self.prefix}:review:{name}:v{version}:approvals"

    def card_callers(self, name: str) -> str:
        """List: the latest CloudTrail-recorded updates of the card (who set what, when)."""
        return f"{self.prefix}:card:{name}:callers"

    @property
    def audit(self) -> str:
        """Stream, append-only: every request and decision."""
        return f"{self.prefix}:audit"

    def card_audit(self, name: str) -> str:
        """Stream: the audit entries of one card (for `/modelcard history`)."""
        return f"{self.prefix}:audit:card:{name}"

    def card_content(self, name: str) -> str:
        """String: the card's latest content JSON (pre-fills the edit modal without AWS)."""
        return f"{self.prefix}:card:{name}:content"

    def card_versions(self, name: str) -> str:
        """List: versions the worker saw (version|status|at|user), for `history`."""
        return f"{self.prefix}:card:{name}:versions"

    def user_cards(self, user_id: str) -> str:
        """Sorted set by name: cards a user created (App Home "My cards")."""
        return f"{self.prefix}:user:{user_id}:cards"

    def posted(self, effect_key: str) -> str:
        """Hash channel/ts of a message posted once for an effect (retries update it)."""
        return f"{self.prefix}:posted:{effect_key}"

    @property
    def reconcile_baseline(self) -> str:
        """String: set once the reconciler has seen every existing card (no posts for those)."""
        return f"{self.prefix}:reconcile:baseline"

    def spoke_seen(self, spoke: str) -> str:
        """Hash: spoke card name -> "status|LastModifiedTime" the last spoke sync copied."""
        return f"{self.prefix}:spoke:{spoke}:seen"

    @property
    def review_timers(self) -> str:
        """Sorted set: due review timers ("card|kind|round"), scored by due time (epoch s)."""
        return f"{self.prefix}:timers:due"

    @property
    def review_timer_owners(self) -> str:
        """Hash: timer member -> the worker that claimed it last (for tests and ops)."""
        return f"{self.prefix}:timers:owners"

    def group_members(self, group: str) -> str:
        """String with TTL: JSON list of a Slack user group's members (usergroups.users.list)."""
        return f"{self.prefix}:usergroup:{group}"

    @property
    def jobs(self) -> str:
        """Stream: the outbox of jobs for the worker (consumer group `workers`)."""
        return f"{self.prefix}:jobs"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}:jobs:dead"
