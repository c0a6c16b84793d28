"""Records kept as flat Redis hashes or stream entries: dataclasses as strings and back."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import fields
from typing import Any


@functools.cache
def _names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@functools.cache
def _known(cls: Any) -> frozenset[str]:
    return frozenset(_names(cls))


def as_strings(record: Any, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """A dataclass's fields as the strings Redis stores. Field by field, not
    dataclasses.asdict, which deep-copies every value (several times slower, on every ack)."""
    names: tuple[str, ...] = _names(record.__class__)
    return {name: str(getattr(record, name)) for name in names if name not in skip}


def known_values(
    cls: type, data: Mapping[str, str], skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The stored values `cls` has fields for: keys a newer or older version wrote are left out."""
    known = _known(cls)
    return {key: value for key, value in data.items() if key in known and key not in skip}
