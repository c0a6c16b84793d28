"""Reading a governance file: YAML, then the models, then the cross-checks; ConfigError
names the file, the key and the reason for every problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.errors import ConfigError
from bot.governance.checks import cross_checks
from bot.governance.models import Governance


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "missing":
        return f"{where}: required key is missing"
    if kind == "extra_forbidden":
        return f"{where}: unknown key (check the spelling against DESIGN.md)"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{where}: {error['input']!r} is not allowed; expected {expected}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"


def parse_governance(data: Any, source: str = "governance") -> Governance:
    """Validate already-parsed YAML; raise ConfigError listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError(source, ["the file must be a YAML mapping of keys (region, stages, ...)"])
    try:
        gov = Governance.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, [_describe(e) for e in err.errors()]) from None
    problems = list(cross_checks(gov))
    if problems:
        raise ConfigError(source, problems)
    return gov


def load_governance(path: str | Path) -> Governance:
    """Read and validate a governance file; ConfigError names the file, key and reason."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(source, [f"cannot read the file ({err.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(source, [f"{where}not valid YAML ({problem})"]) from None
    return parse_governance(data, source)
