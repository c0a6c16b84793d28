"""Model card names: the SageMaker rule, and a sentence saying what is wrong with a bad one."""

from __future__ import annotations

import re

from bot.errors import InvalidCardName

# SageMaker's ModelCardName pattern. Use `fullmatch`: with `match`, `$` also accepts a trailing
# newline. The pattern alone does not bound the length ("a" + 100 hyphens + "b" matches), so
# MAX_NAME_LENGTH is checked as well, as the API does.
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
MAX_NAME_LENGTH = 63

_ALLOWED_CHAR = re.compile(r"[a-zA-Z0-9-]")
# The en dash reads better than a hyphen next to "hyphens".
_RULE = (
    "card names are 1–63 letters, digits and hyphens, "  # noqa: RUF001
    "starting and ending with a letter or digit"
)
_SHOWN_CHARS = 40


def name_problem(name: str) -> str | None:
    """None if `name` is a valid card name, else one sentence saying what is wrong and allowed."""
    if len(name) <= MAX_NAME_LENGTH and NAME_PATTERN.fullmatch(name):
        return None
    # Invalid: find the most specific reason a person can act on.
    if not name:
        return f"The card name is empty; {_RULE}."
    shown = _show(name)
    for position, char in enumerate(name, start=1):
        if not _ALLOWED_CHAR.fullmatch(char):
            return f"Card name {shown} contains {_describe(char)} at position {position}; {_RULE}."
    if len(name) > MAX_NAME_LENGTH:
        return f"Card name {shown} is {len(name):,} characters long; {_RULE}."
    edge = "starts" if name.startswith("-") else "ends"
    return f"Card name {shown} {edge} with a hyphen; {_RULE}."


def validate_name(name: str) -> str:
    """Return `name` unchanged, or raise InvalidCardName with the sentence from name_problem."""
    problem = name_problem(name)
    if problem is not None:
        raise InvalidCardName(problem)
    return name


def _show(name: str) -> str:
    # repr makes control and invisible characters visible; truncation keeps a pasted essay short.
    if len(name) <= _SHOWN_CHARS:
        return repr(name)
    return repr(name[:_SHOWN_CHARS]) + "…"


def _describe(char: str) -> str:
    if char == " ":
        return "a space"
    if char.isascii() and char.isprintable():
        return repr(char)
    return f"{char!r} (U+{ord(char):04X})"
