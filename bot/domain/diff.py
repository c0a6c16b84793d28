"""What changed between two versions of a card's content. Pure: no I/O.

Changes are reported per leaf as dotted paths (`model_overview.model_description`); list
items are addressed by index (`training_details.objective_function[0]`), or by their `name`
when every item of both lists is an object with a distinct name, as the schema's
`evaluation_details` and `metrics` are (`evaluation_details[Slack notes].evaluation_observation`).
A section is a top-level key of the content.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum, auto
from typing import Any


class ChangeKind(StrEnum):
    # StrEnum's auto() is the member's name in lower case: "added", "removed", "changed".
    ADDED = auto()
    REMOVED = auto()
    CHANGED = auto()


@dataclass(frozen=True)
class FieldChange:
    """One leaf that differs; `old` is None when added, `new` is None when removed."""

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None

    @property
    def section(self) -> str:
        return section_of(self.path)


@dataclass(frozen=True)
class SectionChange:
    """A section that differs: added or removed whole, or changed; its changed fields and
    the versions that touched it."""

    name: str
    kind: ChangeKind
    changes: tuple[FieldChange, ...]
    versions: tuple[int, ...] = ()


def section_of(path: str) -> str:
    """The top-level key a dotted path starts with."""
    cut = len(path)
    for mark in (".", "["):
        found = path.find(mark)
        if found != -1:
            cut = min(cut, found)
    return path[:cut]


def diff_content(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Leaf changes from `old` to `new`, in the order the keys appear (old's first)."""
    return list(_diff(old, new, ""))


def _diff(old: Any, new: Any, path: str) -> Iterator[FieldChange]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        yield from _diff_items(old, new, lambda key: f"{path}.{key}" if path else str(key))
        return
    if isinstance(old, list) and isinstance(new, list):
        names_old, names_new = _names(old), _names(new)
        if names_old is not None and names_new is not None:
            # Named items (metrics, evaluations) are matched by name, not by position.
            by_old = dict(zip(names_old, old, strict=True))
            by_new = dict(zip(names_new, new, strict=True))
            yield from _diff_items(by_old, by_new, lambda name: f"{path}[{name}]")
        else:
            yield from _diff_items(
                dict(enumerate(old)), dict(enumerate(new)), lambda index: f"{path}[{index}]"
            )
        return
    if old != new or type(old) is not type(new):
        yield FieldChange(path, ChangeKind.CHANGED, old, new)


def _diff_items(
    old: Mapping[Any, Any], new: Mapping[Any, Any], path_of: Callable[[Any], str]
) -> Iterator[FieldChange]:
    """Each key of `old` then each new one of `new`, in order: removed, added or compared."""
    for key in [*old, *(key for key in new if key not in old)]:
        sub = path_of(key)
        if key not in new:
            yield from _leaves(old[key], sub, ChangeKind.REMOVED)
        elif key not in old:
            yield from _leaves(new[key], sub, ChangeKind.ADDED)
        else:
            yield from _diff(old[key], new[key], sub)


def _names(items: list[Any]) -> list[str] | None:
    """The items' distinct `name`s, or None when the list is not a list of named objects."""
    if not items:
        return []
    names = [item.get("name") if isinstance(item, Mapping) else None for item in items]
    if any(not isinstance(name, str) or not name for name in names):
        return None
    found = [str(name) for name in names]
    return found if len(set(found)) == len(found) else None


def _leaves(value: Any, path: str, kind: ChangeKind) -> Iterator[FieldChange]:
    """Every leaf of an added or removed subtree (an empty object or list is a leaf)."""
    if isinstance(value, Mapping) and value:
        for key, sub in value.items():
            yield from _leaves(sub, f"{path}.{key}", kind)
    elif isinstance(value, list) and value:
        names = _names(value)
        labels = names if names is not None else [str(i) for i in range(len(value))]
        for label, sub in zip(labels, value, strict=True):
            yield from _leaves(sub, f"{path}[{label}]", kind)
    elif kind is ChangeKind.ADDED:
        yield FieldChange(path, kind, None, value)
    else:
        yield FieldChange(path, kind, value, None)


def compare(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    steps: Sequence[tuple[int, Sequence[FieldChange]]] = (),
) -> list[SectionChange]:
    """Changed sections from `old` to `new`, in content order.

    `steps`: (version, changes from the version before it) for each version in between, to
    say which versions touched each section; a section changed and changed back is absent.
    """
    grouped: dict[str, list[FieldChange]] = {}
    for change in diff_content(old, new):
        grouped.setdefault(change.section, []).append(change)
    sections: list[SectionChange] = []
    for name, changes in grouped.items():
        versions = sorted(
            {version for version, step in steps if any(c.section == name for c in step)}
        )
        if name not in old:
            kind = ChangeKind.ADDED
        elif name not in new:
            kind = ChangeKind.REMOVED
        else:
            kind = ChangeKind.CHANGED
        sections.append(SectionChange(name, kind, tuple(changes), tuple(versions)))
    return sections


def render_value(value: Any, limit: int = 80) -> str:
    """A value on one line: strings in quotes, the rest as compact JSON, clipped to `limit`."""
    if value is None:
        text = "(none)"
    elif isinstance(value, str):
        text = f'"{value}"'
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=False)
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"
