"""Content gates: the fields a card must hold before it may enter a status. Pure, no I/O.

Paths are dotted names into the card content (`intended_uses.risk_rating`). A list on the
way is looked through: `evaluation_details.evaluation_observation` holds when any
evaluation has a non-empty observation.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from bot.domain.schema import load_schema


def is_empty(value: Any) -> bool:
    """Absent, null, blank text, or an empty list or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple):
        return len(value) == 0
    return False


def _holds(value: Any, parts: Sequence[str]) -> bool:
    if isinstance(value, list):
        return any(_holds(item, parts) for item in value)
    if not parts:
        return not is_empty(value)
    if not isinstance(value, Mapping):
        return False
    return _holds(value.get(parts[0]), parts[1:])


def has_field(content: Mapping[str, Any], path: str) -> bool:
    """True when the dotted `path` is present and non-empty in `content`."""
    return _holds(content, path.split("."))


def missing_fields(content: Mapping[str, Any], paths: Iterable[str]) -> list[str]:
    """The paths of `paths` that `content` lacks or leaves empty, in the order given."""
    return [path for path in paths if not has_field(content, path)]


def _walk(node: Mapping[str, Any], schema: Mapping[str, Any], prefix: str) -> Iterator[str]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        node = schema["definitions"][ref.removeprefix("#/definitions/")]
    items = node.get("items")
    if isinstance(items, Mapping):
        yield from _walk(items, schema, prefix)
    for name, child in (node.get("properties") or {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield path
        if isinstance(child, Mapping):
            yield from _walk(child, schema, path)


@functools.cache
def schema_paths() -> frozenset[str]:
    """Every dotted path the official model card schema defines (lists looked through)."""
    schema = load_schema()
    return frozenset(_walk(schema, schema, ""))


def nearest_path(path: str, known: Iterable[str] | None = None) -> str | None:
    """The schema path closest to a mistyped one, for "did you mean"."""
    choices = sorted(schema_paths() if known is None else known)
    found = difflib.get_close_matches(path, choices, n=1, cutoff=0.5)
    if found:
        return found[0]
    # A right leaf under a wrong parent (`overview.model_owner`): match on the last name.
    leaf = path.rsplit(".", 1)[-1]
    by_leaf = [c for c in choices if c.rsplit(".", 1)[-1] == leaf]
    return by_leaf[0] if by_leaf else None


def how_to_fill(card: str, path: str, form: Mapping[str, tuple[str, str]]) -> str:
    """Where a person fills `path`: the edit form's section and field, else the API."""
    where = form.get(path)
    if where is not None:
        section, label = where
        return f"`/modelcard edit {card}`, section *{section}*, field “{label}”"
    return (
        f"not in the edit form: set it in the card content with the SageMaker API "
        f"(`UpdateModelCard` on `{card}`) or the console"
    )


def missing_summary(status: str, missing: Sequence[str]) -> str:
    """ "2 required fields are missing or empty (governance `gates.<status>.require`)"."""
    count = "1 required field is" if len(missing) == 1 else f"{len(missing)} required fields are"
    return f"{count} missing or empty (governance `gates.{status}.require`)"


def fill_lines(card: str, missing: Sequence[str], form: Mapping[str, tuple[str, str]]) -> list[str]:
    """One line per missing path: the path and how to fill it."""
    return [f"• `{path}`: {how_to_fill(card, path, form)}" for path in missing]


def gate_refusal(
    card: str,
    verb: str,
    status: str,
    missing: Sequence[str],
    form: Mapping[str, tuple[str, str]],
    then: str | None = None,
) -> str:
    """The sentence a refused person reads: every missing path, how to fill it and what to
    do next (`then`, when filling them is not simply an edit)."""
    lines = [
        f"Model card `{card}` cannot be {verb} ({status}) yet: {missing_summary(status, missing)}:"
    ]
    lines += fill_lines(card, missing, form)
    lines.append(f"{then or 'Fill them, then try again.'} Nothing was changed.")
    return "\n".join(lines)
