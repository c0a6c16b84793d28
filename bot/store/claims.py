"""Idempotency claims: the first caller of a key wins until the claim expires."""

from __future__ import annotations

from typing import Any

from bot.store.keys import Keys

DEFAULT_CLAIM_SECONDS = 24 * 3600


class Claims:
    def __init__(self, redis: Any, keys: Keys | None = None) -> None:
        self._redis = redis
        self._keys = keys or Keys()

    def claim(self, key: str, owner: str = "1", ttl_seconds: int = DEFAULT_CLAIM_SECONDS) -> bool:
        """True if this call took the claim; False if someone holds it already."""
        return bool(self._redis.set(self._keys.claim(key), owner, nx=True, ex=ttl_seconds))

    def holder(self, key: str) -> str | None:
        value = self._redis.get(self._keys.claim(key))
        return None if value is None else str(value)

    def release(self, key: str) -> None:
        self._redis.delete(self._keys.claim(key))
