"""One line per check: ok, the problem and its fix, or what could not be checked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from botocore.exceptions import BotoCoreError, ClientError

from bot.errors import ModelCardBotError


class Status(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    # Could not be checked from here (says why and how to check it by hand); not a failure.
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    status: Status
    subject: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.subject}: {self.detail}"
        return f"{text}\n      fix: {self.fix}" if self.fix else text


def ok(subject: str, detail: str) -> Check:
    return Check(Status.OK, subject, detail)


def fail(subject: str, detail: str, fix: str) -> Check:
    return Check(Status.FAIL, subject, detail, fix)


def skip(subject: str, detail: str, fix: str = "") -> Check:
    return Check(Status.SKIP, subject, detail, fix)


def aws_problem(err: Exception) -> str:
    """The AWS error code and message, or the bot's own sentence for it."""
    if isinstance(err, ClientError):
        info = err.response.get("Error", {})
        code, message = str(info.get("Code", "")), str(info.get("Message", ""))
        return f"{code}: {message}".rstrip(": ") or str(err)
    if isinstance(err, BotoCoreError | ModelCardBotError):
        return str(err)
    raise err


def error_code(err: Exception) -> str:
    if isinstance(err, ClientError):
        return str(err.response.get("Error", {}).get("Code", ""))
    return ""


def render(checks: Iterable[Check]) -> tuple[list[str], int]:
    """The lines to print and the exit code (1 when any check failed)."""
    found = list(checks)
    failed = sum(c.status is Status.FAIL for c in found)
    lines = [c.line() for c in found]
    lines.append(
        f"doctor: {len(found)} checks, {failed} failed"
        + (f", {sum(c.status is Status.SKIP for c in found)} not checked" if found else "")
    )
    return lines, 1 if failed else 0
