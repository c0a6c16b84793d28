"""Model card content: building, merging, summarising and serialising it, and the size limit;
the schema and its error sentences are in `bot.domain.schema`."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from bot.domain.schema import code, schema_problems, type_word
from bot.errors import InputError, InvalidContent

MAX_CONTENT_CHARS = 100_000
RISK_RATINGS = ("High", "Medium", "Low", "Unknown")

# Display order and labels of the fields summarize() returns.
SUMMARY_LABELS: Mapping[str, str] = {
    "owner": "Owner",
    "problem_type": "Problem type",
    "description": "Description",
    "risk_rating": "Risk rating",
    "algorithm": "Algorithm",
    "intended_uses": "Intended uses",
}
_SUMMARY_SOURCES: Mapping[str, tuple[str, str]] = {
    "owner": ("model_overview", "model_owner"),
    "problem_type": ("model_overview", "problem_type"),
    "description": ("model_overview", "model_description"),
    "risk_rating": ("intended_uses", "risk_rating"),
    "algorithm": ("model_overview", "algorithm_type"),
    "intended_uses": ("intended_uses", "intended_uses"),
}


def serialize(content: Mapping[str, Any]) -> str:
    """The exact string sent to AWS as `Content`; its length is what the 100,000 limit counts.

    Raises ValueError for NaN or infinite numbers and TypeError for values JSON cannot hold.
    """
    return json.dumps(
        content, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_plain
    )


def content_problems(content: Mapping[str, Any] | str) -> list[str]:
    """Every problem with `content` (JSON text or a mapping) as a sentence; empty if valid."""
    return _check(content)[1]


def validate_content(card: str, content: Mapping[str, Any] | str) -> str:
    """The serialized content, ready for AWS, or InvalidContent listing every problem."""
    text, problems = _check(content)
    if problems or text is None:
        raise InvalidContent(card, problems)
    return text


def minimal_content(
    owner: str, problem_type: str, description: str | None = None, risk: str | None = None
) -> dict[str, Any]:
    """Content for `/modelcard create NAME --owner X --problem-type Y [--description Z] [--risk R]`.

    Owner and problem type are required (DESIGN, step 1); blank optional values are left out.
    A risk typed in any case is spelled as the schema wants; an unknown one is kept so that
    validate_content reports it with the allowed values.
    """
    owner, problem_type = owner.strip(), problem_type.strip()
    if not owner:
        raise InputError("A model card needs an owner: add `--owner NAME`.")
    if not problem_type:
        raise InputError("A model card needs a problem type: add `--problem-type TEXT`.")
    overview: dict[str, Any] = {"model_owner": owner, "problem_type": problem_type}
    content: dict[str, Any] = {"model_overview": overview}
    if description and description.strip():
        overview["model_description"] = description.strip()
    if risk and risk.strip():
        rating = risk.strip()
        spelled = {value.lower(): value for value in RISK_RATINGS}
        content["intended_uses"] = {"risk_rating": spelled.get(rating.lower(), rating)}
    return content


def merge_sections(current: Mapping[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
    """`current` with `updates` deep-merged in; neither argument is changed.

    None or "" removes a field; objects left empty by that are removed too; lists and other
    values replace what was there. Fields the updates do not name are kept as they were.
    """
    merged = copy.deepcopy(dict(current))
    _merge_into(merged, updates)
    return merged


def summarize(content: Mapping[str, Any]) -> dict[str, str]:
    """Flat human fields for Slack, keyed and ordered as SUMMARY_LABELS; missing ones absent."""
    summary: dict[str, str] = {}
    for key, (section_name, field) in _SUMMARY_SOURCES.items():
        section = content.get(section_name)
        value = section.get(field) if isinstance(section, Mapping) else None
        if isinstance(value, bool) or value is None:
            continue
        text = str(value).strip() if isinstance(value, str | int | float) else ""
        if text:
            summary[key] = text
    return summary


def _check(content: Mapping[str, Any] | str) -> tuple[str | None, list[str]]:
    """(serialized text, problems); the text is None when the content cannot be serialized."""
    problems: list[str] = []
    if isinstance(content, str):
        parsed_text, problems = _parse(content)
        if parsed_text is None:
            return None, problems
        parsed: Mapping[str, Any] = parsed_text
    else:
        parsed = content
    try:
        text = serialize(parsed)
    except ValueError:
        return None, ["The content holds a number JSON cannot represent (NaN or Infinity)."]
    except TypeError as err:
        return None, [f"The content holds a value JSON cannot represent: {err}."]
    # Validate exactly what AWS will receive: keys become strings, and may then collide.
    sent, more = _parse(text)
    problems.extend(more)
    if len(text) > MAX_CONTENT_CHARS:
        problems.append(
            f"The content is {len(text):,} characters long once serialized; "
            f"at most {MAX_CONTENT_CHARS:,} are allowed."
        )
    problems.extend(schema_problems(sent or {}))  # None only if a caller passed a non-mapping
    return text, problems


def _parse(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        parsed = json.loads(text, object_pairs_hook=pairs, parse_constant=no_constant)
    except json.JSONDecodeError as err:
        return None, [
            f"The content is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}."
        ]
    except ValueError as err:
        return None, [f"The content is not valid JSON: {err}."]
    if not isinstance(parsed, dict):
        return None, [f"The content must be a JSON object ({{...}}), not {type_word(parsed)}."]
    # Which duplicate wins is up to each parser, so refuse rather than guess.
    problems = [f"The content has the field {code(key)} more than once." for key in duplicates]
    return parsed, list(dict.fromkeys(problems))


def _plain(value: object) -> Any:
    # json.dumps only knows dict; read-only mappings (MappingProxyType) are fine content too.
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not a JSON type")


def _merge_into(target: dict[str, Any], updates: Mapping[str, Any]) -> None:
    for key, value in updates.items():
        if value is None or value == "":
            target.pop(key, None)
        elif isinstance(value, Mapping):
            existing = target.get(key)
            section = dict(existing) if isinstance(existing, Mapping) else {}
            _merge_into(section, value)
            if section:
                target[key] = section
            else:
                target.pop(key, None)
        else:
            target[key] = copy.deepcopy(value)
