"""What AWS says, read from the demo's moto server as an outside observer would look.

The observer assumes a role of its own (SourceIdentity ``demo-observer``) in the central
account (the card, its versions, the RAM shares, their principals and permissions) and in
each stage account (can that account describe the card by its ARN?), and S3 in the central
account (it makes the export bucket before the story and reads the exported PDFs). Its calls
are told apart in the summary; the bot's own calls are grouped by the person they ran for.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3
from botocore.exceptions import ClientError

from bot.aws.sharing import share_name
from bot.governance import Governance
from bot.local.sdk_as import assumed_session

OBSERVER = "demo-observer"
STS = "sts"


class AwsObserver:
    def __init__(self, endpoint_url: str, gov: Governance, region: str) -> None:
        self._endpoint = endpoint_url
        self._gov = gov
        self._region = region
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str], Any] = {}
        self._permissions: dict[str, tuple[str, list[str]]] = {}
        self.assume_role_calls = 0

    def _client(self, account: str, service: str) -> Any:
        client = self._clients.get((account, service))
        if client is None:
            client = self._session(account).client(service, endpoint_url=self._endpoint)
            self._clients[(account, service)] = client
        return client

    def client_as(self, role_arn: str, person: str, service: str) -> Any:
        """A person's own SDK client (their role, SourceIdentity = their Slack id), as they
        would use it outside Slack."""
        return self._assumed(role_arn, person).client(service, endpoint_url=self._endpoint)

    def _session(self, account: str) -> boto3.Session:
        session = self._sessions.get(account)
        if session is None:
            self.assume_role_calls += 1
            session = self._assumed(f"arn:aws:iam::{account}:role/{OBSERVER}", OBSERVER)
            self._sessions[account] = session
        return session

    def _assumed(self, role_arn: str, person: str) -> boto3.Session:
        """A session of `role_arn` with `person` as its name and SourceIdentity."""
        return assumed_session(self._endpoint, self._region, role_arn, person)

    def _permission(self, ram: Any, arn: str) -> tuple[str, list[str]]:
        """(name, actions) of a RAM permission."""
        if arn not in self._permissions:
            found = ram.get_permission(permissionArn=arn)["permission"]
            policy = json.loads(found.get("permission") or "{}")
            statements = policy.get("Statement", [policy])
            actions = [
                action
                for statement in statements
                for action in (
                    [statement["Action"]]
                    if isinstance(statement.get("Action"), str)
                    else statement.get("Action", [])
                )
            ]
            self._permissions[arn] = (str(found.get("name", arn)), sorted(actions))
        return self._permissions[arn]

    def card_state(self, card: str) -> dict[str, Any]:
        """Status, versions and shares of `card` as AWS has them now."""
        central = self._gov.central_account
        sagemaker = self._client(central, "sagemaker")
        try:
            described = sagemaker.describe_model_card(ModelCardName=card)
        except ClientError as err:
            if err.response["Error"]["Code"] in ("ResourceNotFound", "ValidationException"):
                return {"card": card, "exists": False, "shares": []}
            raise
        versions = 0
        for page in sagemaker.get_paginator("list_model_card_versions").paginate(
            ModelCardName=card
        ):
            versions += len(page.get("ModelCardVersionSummaryList", []))
        arn = str(described["ModelCardArn"])
        return {
            "card": card,
            "exists": True,
            "arn": arn,
            "status": str(described["ModelCardStatus"]),
            "version": int(described.get("ModelCardVersion", 0)),
            "versions": versions,
            "shares": self._shares(arn),
        }

    def content(self, card: str, version: int) -> dict[str, Any]:
        """The content of one version of `card` (DescribeModelCard with ModelCardVersion)."""
        sagemaker = self._client(self._gov.central_account, "sagemaker")
        described = sagemaker.describe_model_card(ModelCardName=card, ModelCardVersion=version)
        content: dict[str, Any] = json.loads(described.get("Content") or "{}")
        return content

    # ------------------------------------------------------------------ S3 (exports)
    def create_bucket(self, bucket: str) -> None:
        """The export bucket, in the central account (where the export job writes)."""
        self._client(self._gov.central_account, "s3").create_bucket(Bucket=bucket)

    def objects(self, bucket: str, prefix: str) -> dict[str, int]:
        """Key -> size of the objects under `prefix`."""
        s3 = self._client(self._gov.central_account, "s3")
        found: dict[str, int] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.update({str(o["Key"]): int(o["Size"]) for o in page.get("Contents", [])})
        return found

    def read_object(self, bucket: str, key: str) -> tuple[dict[str, Any], bytes]:
        """(HeadObject's answer, the body from GetObject)."""
        s3 = self._client(self._gov.central_account, "s3")
        head: dict[str, Any] = s3.head_object(Bucket=bucket, Key=key)
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return head, body

    def _shares(self, card_arn: str) -> list[dict[str, Any]]:
        ram = self._client(self._gov.central_account, "ram")
        stage_of = {share_name(name): name for name in self._gov.stages}
        order = list(self._gov.stages)
        rows = ram.get_resource_share_associations(
            associationType="RESOURCE", resourceArn=card_arn
        )["resourceShareAssociations"]
        shares: list[dict[str, Any]] = []
        for row in rows:
            if row["status"] not in ("ASSOCIATED", "ASSOCIATING"):
                continue
            share_arn = row["resourceShareArn"]
            permissions = ram.list_resource_share_permissions(resourceShareArn=share_arn)
            named = [self._permission(ram, p["arn"]) for p in permissions.get("permissions", [])]
            actions = sorted({a for _, perm_actions in named for a in perm_actions})
            writes = any(not a.split(":")[-1].startswith(("Describe", "List")) for a in actions)
            principals = ram.get_resource_share_associations(
                associationType="PRINCIPAL", resourceShareArns=[share_arn]
            )["resourceShareAssociations"]
            for principal in principals:
                if principal["status"] == "DISASSOCIATED":
                    continue
                account = str(principal["associatedEntity"])
                shares.append(
                    {
                        "stage": stage_of.get(str(row.get("resourceShareName")), "?"),
                        "share": row.get("resourceShareName"),
                        "account": account,
                        "card_association": row["status"],
                        "account_association": principal["status"],
                        "permission": ", ".join(name for name, _ in named),
                        "actions": actions,
                        "access": "read-write" if writes else "read-only",
                        "can_describe": self._can_describe(account, card_arn),
                    }
                )
        shares.sort(key=lambda s: order.index(s["stage"]) if s["stage"] in order else len(order))
        return shares

    def _can_describe(self, account: str, card_arn: str) -> bool:
        """Can a principal inside `account` read the card by its ARN (through the share)?"""
        try:
            self._client(account, "sagemaker").describe_model_card(ModelCardName=card_arn)
        except ClientError:
            return False
        return True


def summarize_calls(calls: list[dict[str, Any]], observer_assume_roles: int) -> dict[str, Any]:
    """moto's record of AWS calls, grouped by the SourceIdentity of the session that made
    them (the Slack user the bot acted for); the observer's own reads are counted apart."""
    groups: dict[str, dict[str, Any]] = {}
    demo_reads = 0
    assume_roles = 0
    unattributed: list[dict[str, Any]] = []
    for call in calls:
        if call.get("source_identity") == OBSERVER:
            demo_reads += 1
            continue
        if call.get("service") == STS:
            assume_roles += 1
            continue
        identity = call.get("source_identity")
        if not identity:
            unattributed.append(call)
            continue
        group = groups.setdefault(
            identity,
            {"source_identity": identity, "roles": set(), "caller_arns": set(), "actions": {}},
        )
        caller = str(call.get("caller_arn", ""))
        group["caller_arns"].add(caller)
        group["roles"].add(_role_label(caller))
        group["actions"][call["action"]] = group["actions"].get(call["action"], 0) + 1
    by_identity = [
        {
            "source_identity": g["source_identity"],
            "roles": sorted(g["roles"]),
            "caller_arns": sorted(g["caller_arns"]),
            "calls": sum(g["actions"].values()),
            "actions": dict(Counter(g["actions"]).most_common()),
        }
        for g in sorted(groups.values(), key=lambda g: -sum(g["actions"].values()))
    ]
    return {
        "by_source_identity": by_identity,
        "total": sum(g["calls"] for g in by_identity) + len(unattributed),
        "without_source_identity": len(unattributed),
        "sts_assume_role": assume_roles - observer_assume_roles,
        "demo_observer_calls": demo_reads + observer_assume_roles,
    }


def _role_label(caller_arn: str) -> str:
    """arn:aws:sts::111111111111:assumed-role/mc-lead-ds/U0LEAD -> 111111111111:mc-lead-ds."""
    account = caller_arn.split(":")[4] if caller_arn.count(":") >= 5 else "?"
    resource = caller_arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return f"{account}:{resource.split('/')[1]}"
    return caller_arn
