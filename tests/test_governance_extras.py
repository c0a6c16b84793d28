"""Governance keys for PDF export (`export_s3_uri`) and the model registry link (`registry`)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.errors import ConfigError
from bot.governance import describe_lifecycle, load_governance, parse_governance
from tests.conftest import EXAMPLE_CONFIG


@pytest.fixture
def example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    return data


def test_defaults_export_off_and_registry_link_off() -> None:
    gov = load_governance(EXAMPLE_CONFIG)
    assert gov.export_s3_uri is None
    assert gov.registry.update_model_package is False
    lines = "\n".join(describe_lifecycle(gov))
    assert "/modelcard export is off (set export_s3_uri: s3://BUCKET/PREFIX)." in lines
    assert "model registry" not in lines


def test_example_documents_the_keys_in_comments() -> None:
    text = EXAMPLE_CONFIG.read_text()
    assert "# export_s3_uri: s3://" in text
    assert "# registry:" in text
    assert "#   update_model_package: true" in text


@pytest.mark.parametrize(
    ("uri", "stored"),
    [
        ("s3://ml-exports", "s3://ml-exports"),
        ("s3://ml-exports/", "s3://ml-exports"),
        ("s3://ml.exports-1/model-cards/pdf/", "s3://ml.exports-1/model-cards/pdf"),
    ],
)
def test_export_uri_accepted(example: dict[str, Any], uri: str, stored: str) -> None:
    gov = parse_governance(
        {**example, "export_s3_uri": uri, "registry": {"update_model_package": True}}
    )
    assert gov.export_s3_uri == stored
    assert gov.registry.update_model_package is True
    lines = "\n".join(describe_lifecycle(gov))
    assert f"/modelcard export writes PDFs to {stored}." in lines
    assert "model package" in lines


@pytest.mark.parametrize(
    "uri",
    [
        "ml-exports/pdf",
        "https://ml-exports.s3.amazonaws.com/x",
        "s3://ML_Exports",
        "s3://a",
        "s3://b..c/x",
        "s3://bucket/with space",
    ],
)
def test_export_uri_refused_with_key_and_fix(example: dict[str, Any], uri: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_governance({**example, "export_s3_uri": uri}, "gov.yml")
    [problem] = caught.value.problems
    assert problem.startswith("export_s3_uri: ")
    assert "write s3://BUCKET or s3://BUCKET/PREFIX" in problem


def test_registry_key_is_checked(example: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_governance({**example, "registry": {"update_model_packages": True}}, "gov.yml")
    assert caught.value.problems == [
        "registry.update_model_packages: unknown key (check the spelling against DESIGN.md)"
    ]


def test_reader_role_is_the_first_mapped_role() -> None:
    gov = load_governance(EXAMPLE_CONFIG)
    role = gov.reader_role("U0DSAP")
    assert role is not None
    assert role.role_arn.endswith("role/mc-ds")
    assert gov.reader_role("U0NOBODY") is None
