"""Fill the `${Name}` placeholders of the templates under deploy/ and check the result.

    python deploy/render.py --governance governance.yml --out build/deploy
    python deploy/render.py --governance governance.yml deploy/iam/approver.policy.json
    python deploy/render.py --set CentralAccountId=111111111111 --set Region=us-east-1 ... FILE

Values come from, in increasing priority: the defaults below, the governance file
(`--governance`), and `--set NAME=VALUE`. Rendering fails, naming the file and the
placeholder, if any `${...}` is left or the result is not JSON: an unrendered `${Name}`
would otherwise reach IAM as an (undefined) policy variable.

`/modelcard export` is optional: policy statements whose Sid starts with `Export` are left
out when neither `ExportBucket` nor `ExportPrefix` has a value (no `export_s3_uri` in the
governance file, no `--set`), since the bot then never exports. `export_s3_uri` must name a
prefix (s3://BUCKET/PREFIX): the roles get s3:GetObject / s3:PutObject on BUCKET/PREFIX/* only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

DEPLOY = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")
DEFAULTS: dict[str, str] = {
    "InvitationRoleName": "modelcard-bot-invitations",
    "EventsQueueName": "modelcard-events",
    "EventsRuleName": "modelcard-state-change",
    "AutomationSourceIdentity": "modelcard-bot",
}
# Statements for `/modelcard export` (Sid prefix) and the placeholders that switch them on.
EXPORT_SID_PREFIX = "Export"
EXPORT_PLACEHOLDERS = ("ExportBucket", "ExportPrefix")
_EXPORT_URI = re.compile(r"s3://([^/]+)(?:/(.*?))?/*")


class RenderError(Exception):
    pass


def stage_placeholder(stage: str) -> str:
    """`dev` -> `DevAccountId`, `pre-prod` -> `PreProdAccountId`."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", stage) if part) + "AccountId"


def export_location(uri: str) -> tuple[str, str]:
    """(ExportBucket, ExportPrefix) of `export_s3_uri` s3://BUCKET/PREFIX."""
    match = _EXPORT_URI.fullmatch(uri.strip())
    if match is None or not match.group(2):
        bucket = match.group(1) if match else "BUCKET"
        raise RenderError(
            f"export_s3_uri {uri!r}: write s3://BUCKET/PREFIX (e.g. s3://{bucket}/model-cards); "
            "the export statements grant s3:GetObject and s3:PutObject on BUCKET/PREFIX/* only, "
            "not on a whole bucket"
        )
    bucket, prefix = match.group(1), match.group(2)
    if re.search(r"[*?$]", bucket + prefix):
        raise RenderError(
            f"export_s3_uri {uri!r}: '*', '?' and '$' would be IAM wildcards or policy "
            "variables in the S3 resource; use a bucket and prefix without them"
        )
    return bucket, prefix


def export_enabled(values: Mapping[str, str]) -> bool:
    return any(name in values for name in EXPORT_PLACEHOLDERS)


def without_export_statements(text: str) -> str:
    """`text` without its `Export*` statements (unchanged when it has none)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return text
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list):
        return text
    kept = [
        s
        for s in doc["Statement"]
        if not (isinstance(s, dict) and str(s.get("Sid", "")).startswith(EXPORT_SID_PREFIX))
    ]
    if len(kept) == len(doc["Statement"]):
        return text
    if not kept:
        raise RenderError("a policy made only of export statements would be empty")
    return json.dumps({**doc, "Statement": kept}, indent=2) + "\n"


def values_from_governance(data: Mapping[str, Any]) -> dict[str, str]:
    """Placeholder values a governance file (as parsed YAML) determines."""
    values: dict[str, str] = {}
    if data.get("central_account") is not None:
        values["CentralAccountId"] = str(data["central_account"])
    if data.get("region"):
        values["Region"] = str(data["region"])
    if data.get("bot_role_arn"):
        values["BotRoleArn"] = str(data["bot_role_arn"])
    if data.get("export_s3_uri"):
        values["ExportBucket"], values["ExportPrefix"] = export_location(str(data["export_s3_uri"]))
    invitation_roles = set()
    for name, stage in (data.get("stages") or {}).items():
        values[stage_placeholder(str(name))] = str(stage["account"])
        if stage.get("invitation_role_arn"):
            invitation_roles.add(str(stage["invitation_role_arn"]).rsplit("/", 1)[-1])
    if len(invitation_roles) == 1:
        values["InvitationRoleName"] = invitation_roles.pop()
    elif invitation_roles:
        raise RenderError(
            "stages use different invitation role names "
            f"({', '.join(sorted(invitation_roles))}); the templates expect one name"
        )
    return values


def render_text(text: str, values: Mapping[str, str], source: str = "<text>") -> str:
    if not export_enabled(values):
        try:
            text = without_export_statements(text)
        except RenderError as err:
            raise RenderError(f"{source}: {err}") from err
    missing: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            missing.add(name)
            return match.group(0)
        return values[name]

    out = PLACEHOLDER.sub(fill, text)
    if missing:
        raise RenderError(f"{source}: no value for {', '.join(sorted(missing))} (use --set)")
    if "${" in out:
        raise RenderError(f"{source}: a '${{' is left after rendering")
    try:
        json.loads(out)
    except ValueError as err:
        raise RenderError(f"{source}: not JSON after rendering: {err}") from err
    return out


def templates(root: Path = DEPLOY) -> list[Path]:
    return sorted(root.rglob("*.json"))


def render_all(values: Mapping[str, str], files: Iterable[Path]) -> dict[Path, str]:
    return {path: render_text(path.read_text(), values, str(path)) for path in files}


def _load_governance(path: Path) -> dict[str, Any]:
    try:
        import yaml  # only needed with --governance
    except ImportError as err:  # pragma: no cover - PyYAML is a dependency of the bot
        raise RenderError("--governance needs PyYAML (pip install PyYAML)") from err
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise RenderError(f"{path}: not a governance mapping")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--governance", type=Path, help="governance YAML to take values from")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--out", type=Path, help="write every rendered file under this dir")
    parser.add_argument("files", nargs="*", type=Path, help="default: every template")
    args = parser.parse_args(argv)
    try:
        values = dict(DEFAULTS)
        if args.governance:
            values.update(values_from_governance(_load_governance(args.governance)))
        for item in args.set:
            name, sep, value = item.partition("=")
            if not sep or not PLACEHOLDER.fullmatch("${" + name + "}"):
                raise RenderError(f"--set {item!r}: expected NAME=VALUE")
            values[name] = value
        files = [p.resolve() for p in args.files] or templates()
        rendered = render_all(values, files)
        if not export_enabled(values) and any(
            f'"Sid": "{EXPORT_SID_PREFIX}' in p.read_text() for p in files
        ):
            print(
                "render: no export_s3_uri: the export statements (Sid Export*) are left out; "
                "/modelcard export stays off",
                file=sys.stderr,
            )
    except RenderError as err:
        print(f"render: {err}", file=sys.stderr)
        return 1
    if args.out is None:
        if len(rendered) != 1:
            print("render: several files need --out DIR", file=sys.stderr)
            return 1
        sys.stdout.write(next(iter(rendered.values())))
        return 0
    for path, text in rendered.items():
        try:
            target = args.out / path.relative_to(DEPLOY)
        except ValueError:
            target = args.out / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
