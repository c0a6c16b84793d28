"""The import rules of ARCHITECTURE.md, checked on the source: the domain stays pure and the
listeners never reach AWS, the worker or the local stack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Room -> module prefixes it must never import (directly; `bot.x` also forbids `bot.x.y`).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bot/domain": (
        "slack_sdk",
        "slack_bolt",
        "boto3",
        "botocore",
        "redis",
        "bot.aws",
        "bot.store",
        "bot.slack",
        "bot.worker",
        "bot.outbox",
        "bot.app",
        "handlers",
    ),
    # The local stack runs the bot's processes by name; it never reaches into the demo, the
    # composition root, the listeners or the tests.
    "bot/local": ("bot.demo", "bot.app", "handlers", "tests", "bench"),
    "bot/demo": ("tests", "bench"),
    "handlers": (
        "boto3",
        "botocore",
        "bot.aws",
        "bot.worker",
        "bot.slack.notifier",
        "bot.app",
        "bot.demo",
        "bot.local",
        "tests",
    ),
}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (function-level imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def breaks(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_rooms_import_only_what_they_may(room: str) -> None:
    files = sorted((ROOT / room).rglob("*.py"))
    assert files, f"no Python files under {room}"
    wrong = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in imported(path)
        if breaks(module, FORBIDDEN[room])
    }
    assert not wrong, sorted(wrong)


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import json\n\ndef f():\n    from boto3 import client\n    import redis\n")
    modules = imported(sample)
    assert breaks("boto3.client", FORBIDDEN["handlers"])
    assert {"json", "boto3", "boto3.client", "redis"} <= modules
    assert not breaks("bot.domain.status", FORBIDDEN["bot/domain"])
    assert breaks("redis", FORBIDDEN["bot/domain"])


def test_no_module_in_bot_or_handlers_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for room in ("bot", "handlers")
        for path in (ROOT / room).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, long
