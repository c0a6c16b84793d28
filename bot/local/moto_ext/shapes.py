"""Answers shaped as AWS JSON APIs give them: an error with its HTTP status, a page of items."""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import JsonRESTError


def error(code: str, message: str, status: int = 400) -> JsonRESTError:
    err = JsonRESTError(code, message)
    err.code = status
    return err


def page(items: list[Any], params: dict[str, Any], key: str) -> dict[str, Any]:
    try:
        start = int(params.get("nextToken") or 0)
    except ValueError:
        raise error("InvalidNextTokenException", "The nextToken is not valid.") from None
    size = params.get("maxResults") or max(len(items), 1)
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["nextToken"] = str(start + size)
    return page
