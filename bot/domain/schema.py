"""The official model card schema: the packaged copy, checking content against it, and a
plain sentence for each error (the field, what is wrong, what is allowed)."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator, ValidationError, validators

_SHOWN_CHARS = 40
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The schema's unanchored `.{m,n}` patterns only demand one character; they mean "m to n long".
_LENGTH_PATTERN = re.compile(r"\.\{(\d+),(\d+)\}")
_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "a boolean",
    "null": "null",
}
_BOUND_WORDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
    "multipleOf": "a multiple of",
}


@functools.cache
def _schema() -> dict[str, Any]:
    text = resources.files("bot.domain").joinpath("model-card.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_schema() -> dict[str, Any]:
    """The packaged official schema (a copy: callers may change it without affecting checks)."""
    return copy.deepcopy(_schema())


def schema_problems(content: dict[str, Any]) -> list[str]:
    errors = sorted(_validator().iter_errors(content), key=_error_key)
    sentences = [sentence for error in errors for sentence in _explain(error)]
    return list(dict.fromkeys(sentences))  # one per missing field of a `required` says it twice


def _error_key(error: ValidationError) -> tuple[tuple[tuple[int, int, str], ...], str]:
    # Paths mix list indexes and keys; sort indexes numerically, keys by name.
    path = tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.path)
    return path, str(error.validator)


def _max_contains(
    validator: Any, limit: int, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    # Draft-07 ignores `maxContains`; the schema uses it to mean "at most N items".
    if validator.is_type(instance, "array") and len(instance) > limit:
        yield ValidationError(f"has {len(instance)} items, more than {limit}")


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    bounds = _length_bounds(pattern)
    if bounds and validator.is_type(instance, "string"):
        low, high = bounds
        if not low <= len(instance) <= high:
            yield ValidationError(f"is {len(instance)} characters long, not {low} to {high}")
            return
    yield from Draft7Validator.VALIDATORS["pattern"](validator, pattern, instance, schema)


_ModelCardValidator = validators.extend(
    Draft7Validator, {"maxContains": _max_contains, "pattern": _pattern}
)


@functools.cache
def _validator() -> Any:
    return _ModelCardValidator(_schema())


def _explain(error: ValidationError) -> list[str]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _explain_alternatives(error)
    return [f"{_subject(error.absolute_path)} {_predicate(error)}."]


def _explain_alternatives(error: ValidationError) -> list[str]:
    """Explain an anyOf failure by the alternative the value came closest to."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def wrong_type(errors: list[ValidationError]) -> bool:
        return any(e.validator == "type" and not e.relative_path for e in errors)

    if all(wrong_type(errors) for errors in branches.values()):
        wanted = [
            _TYPE_WORDS[t]
            for errors in branches.values()
            for e in errors
            if e.validator == "type" and not e.relative_path
            for t in _as_list(e.validator_value)
        ]
        allowed = _join(list(dict.fromkeys(wanted)), "or")
        got = f"{type_word(error.instance)} ({_show(error.instance)})"
        return [f"{_subject(error.absolute_path)} must be {allowed}, not {got}."]
    candidates = [errors for errors in branches.values() if not wrong_type(errors)]
    # A field no alternative accepts (a metric's `type`) is the problem: list every choice.
    enums = [[e for e in errors if e.validator == "enum"] for errors in candidates]
    shared = set.intersection(*({tuple(e.relative_path) for e in found} for found in enums))
    if shared:
        path = min(shared, key=str)
        at_path = [e for found in enums for e in found if tuple(e.relative_path) == path]
        choices = ", ".join(dict.fromkeys(str(v) for e in at_path for v in e.validator_value))
        where, got = _subject(at_path[0].absolute_path), _show(at_path[0].instance)
        return [f"{where} must be one of {choices} (got {got})."]
    # Otherwise the alternative whose enums (a metric's `type`) the value meets is meant;
    # among those, the one with fewest errors.
    closest = min(candidates, key=lambda errors: (_count_enums(errors), len(errors)))
    return [sentence for sub in sorted(closest, key=_error_key) for sentence in _explain(sub)]


def _count_enums(errors: list[ValidationError]) -> int:
    return sum(e.validator == "enum" for e in errors)


def _predicate(error: ValidationError) -> str:
    keyword, value, instance = error.validator, error.validator_value, error.instance
    got = _show(instance)
    if keyword == "enum":
        choices = ", ".join(str(v) for v in value)
        return f"must be {'one of ' if len(value) > 1 else ''}{choices} (got {got})"
    if keyword == "type":
        allowed = _join([_TYPE_WORDS[t] for t in _as_list(value)], "or")
        return f"must be {allowed}, not {type_word(instance)} ({got})"
    if keyword == "required":
        missing = [name for name in value if name not in instance]
        noun = "field" if len(missing) == 1 else "fields"
        return f"is missing required {noun} {_join([code(n) for n in missing], 'and')}"
    if keyword == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        unknown = [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]
        noun = "an unknown field" if len(unknown) == 1 else "unknown fields"
        allowed = ", ".join(known) if known else "none"
        return f"has {noun} {_join([code(k) for k in unknown], 'and')}; allowed fields: {allowed}"
    if keyword in ("maxLength", "minLength"):
        return f"is {_chars(len(instance))} long; {_limit(keyword, value)}"
    if keyword == "pattern":
        bounds = _length_bounds(value)
        if bounds and not bounds[0] <= len(instance) <= bounds[1]:
            size = f"is {_chars(len(instance))} long" if instance else "is empty"
            return f"{size}; it must be {bounds[0]} to {bounds[1]} characters long"
        return f"must match the pattern {code(value)} (got {got})"
    if keyword in ("maxItems", "maxContains", "minItems"):
        items = "item" if len(instance) == 1 else "items"
        return f"has {len(instance):,} {items}; {_limit(keyword, value)}"
    if keyword in _BOUND_WORDS:
        return f"must be {_BOUND_WORDS[keyword]} {value} (got {got})"
    # Keywords this schema does not use today: still name the field and the rule.
    return f"breaks the schema rule {code(str(keyword))} ({_show(value)}) (got {got})"


def _subject(path: Sequence[str | int]) -> str:
    """`intended_uses.risk_rating`, `evaluation_details[0].name`; the root is "The content"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif len(part) <= _SHOWN_CHARS and _IDENTIFIER.fullmatch(part):
            text += f".{part}" if text else part
        else:  # free-form keys (custom_details, metadata) may be long or hold anything
            text += f"[{_show(part)}]"
    return f"`{text}`" if text else "The content"


def _length_bounds(pattern: str) -> tuple[int, int] | None:
    match = _LENGTH_PATTERN.fullmatch(pattern)
    return (int(match[1]), int(match[2])) if match else None


def type_word(value: object) -> str:
    """How a person would name the JSON type of `value`."""
    return _TYPE_WORDS[_json_type(value)]


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _show(value: object) -> str:
    # repr makes control characters visible; truncation keeps a pasted essay out of a sentence.
    if isinstance(value, str):
        return repr(value) if len(value) <= _SHOWN_CHARS else repr(value[:_SHOWN_CHARS]) + "…"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def code(text: str) -> str:
    return f"`{text[:_SHOWN_CHARS]}{'…' if len(text) > _SHOWN_CHARS else ''}`"


def _chars(count: int) -> str:
    return f"{count:,} character" + ("" if count == 1 else "s")


def _limit(keyword: str, value: int) -> str:
    if keyword.startswith("min"):
        return f"at least {value:,} {'is' if value == 1 else 'are'} required"
    return f"at most {value:,} {'is' if value == 1 else 'are'} allowed"


def _join(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"
