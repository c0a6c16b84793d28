"""CloudFormation parameters from the governance file (`python -m bot render-cfn`).

The templates in deploy/cloudformation/ are the one source of the IAM policies. They are
written for the governance roles and stages of config/governance.example.yml; a governance
file that differs (another role, a role with other capabilities, other stages) is refused
with what to change, since its roles would otherwise get policies that do not fit them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from bot.domain.status import Action, CardStatus
from bot.errors import ConfigError
from bot.governance import Access, Governance, Topology

# The SourceIdentity of the automation role's sessions; equal to bot.app.AUTOMATION_IDENTITY
# (a test holds them together; importing the composition root here would pull in Slack).
AUTOMATION_SOURCE_IDENTITY = "modelcard-bot"
DEFAULT_AUTOMATION_ROLE = "mc-automation"
DEFAULT_BOT_ROLE = "modelcard-bot"

# governance role -> (template parameter, the capabilities its policy grants)
TEMPLATE_ROLES: dict[str, tuple[str, frozenset[Action]]] = {
    "lead-data-scientist": (
        "LeadDataScientistRoleName",
        frozenset({Action.CREATE, Action.EDIT, Action.SUBMIT, Action.ARCHIVE}),
    ),
    "data-scientist": ("DataScientistRoleName", frozenset({Action.EDIT, Action.SUBMIT})),
    "ml-engineer": ("MlEngineerRoleName", frozenset({Action.EDIT})),
    "approver": ("ApproverRoleName", frozenset({Action.APPROVE, Action.REJECT})),
    "admin": ("AdminRoleName", frozenset({Action.DELETE, Action.RETRY})),
}
# stage -> (template parameter, on_status, access), in lifecycle order
TEMPLATE_STAGES: dict[str, tuple[str, CardStatus, Access]] = {
    "dev": ("DevAccount", CardStatus.DRAFT, Access.READ_WRITE),
    "test": ("TestAccount", CardStatus.PENDING_REVIEW, Access.READ_WRITE),
    "prod": ("ProdAccount", CardStatus.APPROVED, Access.READ_ONLY),
}
# governance key -> (the role central.yaml names when the key is unset, what that means)
_UNSET_ROLES = {
    "bot_role_arn": (
        DEFAULT_BOT_ROLE,
        "the bot role is named {role}; run the bot as it (ECS task role, instance profile)",
    ),
    "automation_role_arn": (
        DEFAULT_AUTOMATION_ROLE,
        "the stack still creates {role}; set automation_role_arn: "
        "arn:aws:iam::{account}:role/{role} to follow changes made outside Slack",
    ),
}
_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")
_EXPORT = re.compile(r"^s3://([^/]+)(?:/(.*))?$")


@dataclass
class Parameters:
    """Parameter values for one template, and notes for the operator."""

    values: dict[str, str]
    notes: list[str] = field(default_factory=list)

    def file(self) -> list[dict[str, str]]:
        """The `--parameters file://...` document of `aws cloudformation create-stack`."""
        return [{"ParameterKey": k, "ParameterValue": v} for k, v in self.values.items()]

    def json(self) -> str:
        return json.dumps(self.file(), indent=2) + "\n"


def _role_name(arn: str, key: str, account: str, problems: list[str]) -> str:
    match = _ARN.match(arn)
    if match is None:  # pragma: no cover - the governance model already validated it
        problems.append(f"{key}: {arn!r} is not an IAM role ARN")
        return ""
    if match.group(1) != account:
        problems.append(
            f"{key}: {arn} is in account {match.group(1)}; central.yaml creates it in the "
            f"central account {account} (write arn:aws:iam::{account}:role/{match.group(2)})"
        )
    return match.group(2)


def _central_role(
    arn: str | None, key: str, gov: Governance, problems: list[str], notes: list[str]
) -> str:
    """The name of a role central.yaml creates: the governance file's, or the template's
    default, with a note on what that default means."""
    if arn:
        return _role_name(arn, key, gov.central_account, problems)
    role, meaning = _UNSET_ROLES[key]
    notes.append(f"no {key}: " + meaning.format(role=role, account=gov.central_account))
    return role


def _check_roles(gov: Governance, problems: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in gov.roles.keys() - TEMPLATE_ROLES.keys():
        problems.append(
            f"roles.{name}: central.yaml has no role for it (it has "
            f"{', '.join(TEMPLATE_ROLES)}); add one to the template, or map its people to "
            "one of those roles"
        )
    for name, (parameter, can) in TEMPLATE_ROLES.items():
        role = gov.roles.get(name)
        if role is None:
            problems.append(f"roles.{name}: missing; central.yaml creates this role")
            continue
        if set(role.can) != can:
            problems.append(
                f"roles.{name}.can: central.yaml's policy for it grants exactly "
                f"[{', '.join(sorted(can))}], not [{', '.join(sorted(role.can))}]; change "
                "`can` or the role's policy in the template (tests/test_deploy.py then says "
                "which AWS actions it needs)"
            )
        values[parameter] = _role_name(
            role.role_arn, f"roles.{name}.role_arn", gov.central_account, problems
        )
    return values


def _check_stages(gov: Governance, problems: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    if list(gov.stages) != list(TEMPLATE_STAGES):
        problems.append(
            f"stages: the templates are written for {', '.join(TEMPLATE_STAGES)} (in that "
            f"order), not {', '.join(gov.stages)}"
        )
    for name, (parameter, status, access) in TEMPLATE_STAGES.items():
        stage = gov.stages.get(name)
        if stage is None:
            continue
        if stage.on_status != status or stage.access != access:
            problems.append(
                f"stages.{name}: the templates expect on_status {status}, access {access}"
            )
        values[parameter] = stage.account
    return values


def _invitation_role(gov: Governance, problems: list[str]) -> str:
    names: set[str] = set()
    missing = []
    for name, stage in gov.stages.items():
        if stage.invitation_role_arn is None:
            missing.append(name)
            continue
        match = _ARN.match(stage.invitation_role_arn)
        if match is None:  # pragma: no cover - validated by the governance model
            continue
        if match.group(1) != stage.account:
            problems.append(
                f"stages.{name}.invitation_role_arn: {stage.invitation_role_arn} is not in "
                f"the stage account {stage.account}"
            )
        names.add(match.group(2))
    if len(names) > 1:
        problems.append(
            "stages.*.invitation_role_arn: the stage StackSet creates one role name in every "
            f"stage account; these differ ({', '.join(sorted(names))})"
        )
    if names and missing:
        problems.append(
            f"stages.{missing[0]}.invitation_role_arn: missing while other stages have one; "
            "set it in every stage or in none (inside an AWS Organization)"
        )
    return names.pop() if len(names) == 1 else ""


def _spoke_reader(gov: Governance, problems: list[str]) -> str:
    """The one reader role name spoke-account.yaml creates in every spoke account."""
    names: dict[str, list[str]] = {}
    for name, spoke in gov.spokes.items():
        match = _ARN.match(spoke.role_arn)
        if match is None:  # pragma: no cover - validated by the governance model
            continue
        role = spoke.role_arn.split(":role/", 1)[1]
        if role != match.group(2):
            problems.append(
                f"spokes.{name}.role_arn: {spoke.role_arn} has a path; spoke-account.yaml "
                f"creates the role without one (write arn:aws:iam::{spoke.account}:role/"
                f"{match.group(2)})"
            )
        names.setdefault(match.group(2), []).append(name)
    if len(names) > 1:
        problems.append(
            "spokes.*.role_arn: the spoke StackSet creates one reader role name in every spoke "
            f"account; these differ ({', '.join(sorted(names))}); use one name in every spoke"
        )
    return next(iter(names)) if len(names) == 1 else ""


def _bot_arn(gov: Governance, given: str) -> str:
    """The bot role the stage and spoke roles trust: as deployed, as configured, or the one
    central.yaml creates by default."""
    return (
        given or gov.bot_role_arn or f"arn:aws:iam::{gov.central_account}:role/{DEFAULT_BOT_ROLE}"
    )


def export_location(uri: str) -> tuple[str, str]:
    """(bucket, prefix) of `export_s3_uri`; raises ValueError with what to write instead."""
    match = _EXPORT.match(uri)
    prefix = (match.group(2) or "").strip("/") if match else ""
    if match is None or not prefix:
        bucket = match.group(1) if match else "BUCKET"
        raise ValueError(
            f"export_s3_uri {uri!r}: write s3://BUCKET/PREFIX (e.g. s3://{bucket}/model-cards); "
            "the roles get s3:GetObject and s3:PutObject on BUCKET/PREFIX/* only, never on a "
            "whole bucket"
        )
    if re.search(r"[*?$]", uri):
        raise ValueError(
            f"export_s3_uri {uri!r}: '*', '?' and '$' would be IAM wildcards or policy "
            "variables in the S3 resource"
        )
    return match.group(1), prefix


def central_parameters(
    gov: Governance,
    *,
    create_export_bucket: bool = True,
    trusted_principal: str = "",
    source: str = "governance file",
) -> Parameters:
    """Parameters of deploy/cloudformation/central.yaml; ConfigError lists every misfit."""
    problems: list[str] = []
    notes: list[str] = []
    values: dict[str, str] = {}
    values["BotRoleName"] = _central_role(gov.bot_role_arn, "bot_role_arn", gov, problems, notes)
    if trusted_principal:
        values["BotTrustedPrincipal"] = trusted_principal
    values.update(_check_roles(gov, problems))
    values["AutomationRoleName"] = _central_role(
        gov.automation_role_arn, "automation_role_arn", gov, problems, notes
    )
    values["AutomationSourceIdentity"] = AUTOMATION_SOURCE_IDENTITY
    values.update(_check_stages(gov, problems))
    values["InvitationRoleName"] = _invitation_role(gov, problems)
    values["ReadOnlyVia"] = str(gov.read_only_via)
    values["RamAllowExternalPrincipals"] = str(gov.ram_allow_external_principals).lower()
    if gov.export_s3_uri:
        try:
            bucket, prefix = export_location(gov.export_s3_uri)
        except ValueError as err:
            problems.append(str(err))
        else:
            values["ExportBucket"], values["ExportPrefix"] = bucket, prefix
            values["CreateExportBucket"] = str(create_export_bucket).lower()
    else:
        notes.append("no export_s3_uri: no export bucket and no export grants (exports off)")
    values["RegistryUpdateModelPackage"] = str(gov.registry.update_model_package).lower()
    if gov.topology is Topology.HUB_AND_SPOKE:
        # The exact ARNs the spoke sync assumes; spoke-account.yaml creates them.
        values["SpokeReaderRoleArns"] = ",".join(s.role_arn for s in gov.spokes.values())
        _spoke_reader(gov, problems)
    if problems:
        raise ConfigError(source, problems)
    return Parameters(values, notes)


def stage_parameters(
    gov: Governance, *, bot_role_arn: str = "", source: str = "governance file"
) -> Parameters:
    """Parameters of deploy/cloudformation/stage-account.yaml (the same for every stage)."""
    problems: list[str] = []
    notes: list[str] = []
    read_only = [s.account for s in gov.stages.values() if s.access is Access.READ_ONLY]
    if len(read_only) != 1:
        problems.append(
            "stages: stage-account.yaml guards exactly one read-only stage account; "
            f"this file has {len(read_only)}"
        )
    invitation = _invitation_role(gov, problems)
    if not invitation:
        notes.append(
            "no invitation_role_arn: inside an AWS Organization no invitation role is made, "
            "and doctor cannot look at the prod guard (it says so)"
        )
    if problems:
        raise ConfigError(source, problems)
    values = {
        "CentralAccount": gov.central_account,
        "BotRoleArn": _bot_arn(gov, bot_role_arn),
        "InvitationRoleName": invitation,
        "ReadOnlyStageAccount": read_only[0],
        "AutomationSourceIdentity": AUTOMATION_SOURCE_IDENTITY,
    }
    return Parameters(values, notes)


def spoke_parameters(
    gov: Governance, *, bot_role_arn: str = "", source: str = "governance file"
) -> Parameters:
    """Parameters of deploy/cloudformation/spoke-account.yaml (the same for every spoke)."""
    problems: list[str] = []
    reader = ""
    if gov.topology is not Topology.HUB_AND_SPOKE:
        problems.append(
            f"topology: {gov.topology}; spoke-account.yaml is for topology hub-and-spoke only "
            "(set topology: hub-and-spoke and spokes, or deploy central.yaml alone)"
        )
    else:
        reader = _spoke_reader(gov, problems)
    if problems:
        raise ConfigError(source, problems)
    values = {
        "BotRoleArn": _bot_arn(gov, bot_role_arn),
        "SpokeReaderRoleName": reader,
        "AutomationSourceIdentity": AUTOMATION_SOURCE_IDENTITY,
    }
    return Parameters(values)
