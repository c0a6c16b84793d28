"""Parse `/modelcard` text: a subcommand, positional words and `--option value` pairs."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from bot.domain.names import name_problem
from bot.errors import InputError

# Slack clients often turn straight quotes into typographic ones.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
MAX_TEXT = 4000
# Text with none of these splits the same by str.split as by shlex (which only knows quotes,
# backslashes and " \t\r\n"); str.split skips the shlex machinery on every command.
_SHLEX_ONLY = ("'", '"', "\\", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")

CREATE_OPTIONS = frozenset({"owner", "problem-type", "description", "risk"})
AUDIT_OPTIONS = frozenset({"since"})


def options_for(text: str) -> frozenset[str]:
    """The `--options` the subcommand in `text` takes."""
    first = text.strip().split(maxsplit=1)[:1]
    return AUDIT_OPTIONS if first and first[0].lower() == "audit" else CREATE_OPTIONS


@dataclass(frozen=True)
class CommandLine:
    sub: str
    args: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def parse(text: str, allowed_options: frozenset[str] = CREATE_OPTIONS) -> CommandLine:
    if len(text) > MAX_TEXT:
        raise InputError(
            f"The command is {len(text):,} characters long; keep it under {MAX_TEXT:,}."
        )
    try:
        words = _split(text.translate(_QUOTES))
    except ValueError:
        raise InputError(
            _about(text.split())
            + 'The command has an unclosed quote. Put multi-word values in "double quotes".'
        ) from None
    if not words:
        return CommandLine(sub="help")
    sub, rest = words[0].lower(), words[1:]
    args: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("--") and len(word) > 2:
            name, _, inline = word[2:].partition("=")
            if name not in allowed_options:
                known = ", ".join(f"--{o}" for o in sorted(allowed_options)) or "none"
                raise InputError(
                    f"{_about(words)}Unknown option `--{name}`. Options here: {known}."
                )
            if inline:
                value = inline
            elif i + 1 < len(rest) and not rest[i + 1].startswith("--"):
                i += 1
                value = rest[i]
            else:
                raise InputError(
                    f'{_about(words)}Option `--{name}` needs a value, e.g. --{name} "some text".'
                )
            if name in options:
                raise InputError(f"{_about(words)}Option `--{name}` is given twice; keep one.")
            options[name] = value
        else:
            args.append(word)
        i += 1
    return CommandLine(sub=sub, args=args, options=options)


def _split(text: str) -> list[str]:
    if text.isascii() and not any(c in text for c in _SHLEX_ONLY):
        return text.split()
    return shlex.split(text)


def _about(words: list[str]) -> str:
    """The prefix `Model card NAME: ` (name in backticks) when the word after the subcommand
    is a valid card name, so a syntax error still says which card it is about."""
    if len(words) > 1 and name_problem(words[1]) is None:
        return f"Model card `{words[1]}`: "
    return ""
