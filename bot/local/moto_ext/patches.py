"""What `install` replaced in moto, so that the extensions can call the original."""

from __future__ import annotations

from typing import Any

ORIGINALS: dict[str, Any] = {}


def patch(owner: Any, name: str, value: Any, key: str | None = None) -> None:
    if key is not None:
        ORIGINALS[key] = getattr(owner, name)
    setattr(owner, name, value)
