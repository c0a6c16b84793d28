"""Durations as people write them in the governance file: `30s`, `15m`, `24h`, `3d`."""

from __future__ import annotations

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_RE = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$")
# A review that waits longer than a year is not being reviewed.
MAX_SECONDS = 366 * 86400


def parse_duration(text: object) -> int:
    """Seconds in `text`; ValueError with a sentence saying what to write instead."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"{text!r} is not a duration: write a number and a unit, e.g. 24h or 3d")
    if isinstance(text, int):
        raise ValueError(
            f"{text!r} has no unit: write {text}s, {text}m, {text}h or {text}d "
            "(seconds, minutes, hours, days)"
        )
    match = _DURATION_RE.match(text.lower())
    if match is None:
        raise ValueError(
            f"{text!r} is not a duration: write a whole number and one unit, s (seconds), "
            "m (minutes), h (hours) or d (days), e.g. 30s, 15m, 24h, 3d"
        )
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"{text!r} is zero: a duration must be at least 1s")
    if seconds > MAX_SECONDS:
        raise ValueError(f"{text!r} is longer than a year (366d); choose a shorter duration")
    return seconds


def format_duration(seconds: float) -> str:
    """The largest whole unit that holds `seconds` exactly (1209600 -> "14d", 90 -> "90s")."""
    whole = max(0, int(seconds))
    for unit in ("d", "h", "m"):
        size = _UNITS[unit]
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def format_age(seconds: float) -> str:
    """A rounded-down age for people: "45s", "12m", "5h", "3d" (no exactness promised)."""
    whole = max(0, int(seconds))
    for unit in ("d", "h", "m"):
        if whole >= _UNITS[unit]:
            return f"{whole // _UNITS[unit]}{unit}"
    return f"{whole}s"
