"""Records kept as flat Redis hashes or stream entries: dataclasses as strings and back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any


def as_strings(record: Any, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """A dataclass's fields as the strings Redis stores."""
    return {key: str(value) for key, value in asdict(record).items() if key not in skip}


def known_values(
    cls: type, data: Mapping[str, str], skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The stored values `cls` has fields for: keys a newer or older version wrote are left out."""
    known = {f.name for f in fields(cls)} - skip
    return {key: value for key, value in data.items() if key in known}
