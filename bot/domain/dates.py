"""Dates people type: `--since YYYY-MM-DD` (UTC)."""

from __future__ import annotations

import datetime as dt

from bot.errors import InputError


def parse_since(text: str) -> float:
    """Midnight UTC of a YYYY-MM-DD date, as epoch seconds; InputError says how to write it."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        shown = text[:20].replace("`", "'")
        raise InputError(
            f"`--since {shown}` is not a date: write it as YYYY-MM-DD, e.g. --since 2026-11-01."
        ) from None
    if len(text.strip()) != 10:
        raise InputError("Write the date as YYYY-MM-DD, e.g. --since 2026-11-01.")
    if day > dt.datetime.now(dt.UTC).date():
        raise InputError(f"`--since {day.isoformat()}` is in the future; nothing to export yet.")
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
