"""The create form (`/modelcard create` without arguments) and its values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.slack.block_kit import Blocks
from bot.slack.forms import fields
from bot.slack.ids import CREATE_VIEW

_NAME_MAX = 63
_CREATE_INPUTS = {
    "model_overview.model_owner": "owner",
    "model_overview.problem_type": "problem_type",
    "model_overview.model_description": "description",
    "intended_uses.risk_rating": "risk",
}


def create_modal() -> dict[str, Any]:
    """The form `/modelcard create` opens when typed without arguments."""
    blocks: Blocks = [
        fields.text_input(
            "name",
            "Card name",
            max_length=_NAME_MAX,
            optional=False,
            hint="Letters, digits and hyphens, up to 63 characters; start and end with a "
            "letter or digit. E.g. customer-churn-v1",
        ),
        fields.text_input("owner", "Owner", max_length=1024, optional=False),
        fields.text_input("problem_type", "Problem type", max_length=1024, optional=False),
        fields.text_input("description", "Description", max_length=1024, multiline=True),
        fields.risk_input("risk", "Risk rating", None, with_unset=False),
    ]
    return fields.modal(CREATE_VIEW, "New model card", "Create", blocks)


def create_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """{"name", "owner", "problem_type", "description", "risk"}, stripped; absent ones ""."""
    keys = ("name", "owner", "problem_type", "description")
    values = {key: (fields.typed_text(state_values, key) or "").strip() for key in keys}
    values["risk"] = (fields.selected_value(state_values, "risk") or "").strip()
    return values


def create_errors(problems: list[str]) -> dict[str, str]:
    """Content problems of the create modal, keyed by the block id of the input to fix."""
    return fields.field_errors(problems, _CREATE_INPUTS, "description")
