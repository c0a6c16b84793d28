"""The local world's governance file (bot/local/governance.yml, shipped in the package for the
demo) is the example's (config/governance.example.yml) plus what a moto world needs, nothing
else: the two cannot drift apart unnoticed."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from bot.governance import parse_governance
from tests.conftest import EXAMPLE_CONFIG

# What only the local world has: moto cannot hold fixed account ids in an Organization, so
# each stage account accepts its invitation; the demo exports to its own bucket.
LOCAL_ONLY = {"export_s3_uri": "s3://modelcard-exports/cards"}


def _local() -> dict[str, Any]:
    text = resources.files("bot.local").joinpath("governance.yml").read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_the_local_world_is_the_example_plus_what_moto_needs() -> None:
    local, example = _local(), yaml.safe_load(EXAMPLE_CONFIG.read_text())
    for key, value in LOCAL_ONLY.items():
        assert local.pop(key) == value
    for name, stage in local["stages"].items():
        role = stage.pop("invitation_role_arn")
        assert role == f"arn:aws:iam::{stage['account']}:role/modelcard-accept", name
    assert local == example


def test_the_local_world_is_a_valid_governance_file() -> None:
    gov = parse_governance(_local())
    assert gov.export_s3_uri == LOCAL_ONLY["export_s3_uri"]
    assert all(stage.invitation_role_arn for stage in gov.stages.values())
