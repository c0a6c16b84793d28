"""The create form (`/modelcard create` without arguments) and its values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.slack.block_kit import (
    Blocks,
)
from bot.slack.forms.fields import (
    field_errors,
    modal,
    risk_input,
    selected_value,
    text_input,
    typed_text,
)
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
        text_input(
            "name",
            "Card name",
            max_length=_NAME_MAX,
            optional=False,
            hint="Letters, digits and hyphens, up to 63 characters; start and end with a "
            "letter or digit. E.g. customer-churn-v1",
        ),
        text_input("owner", "Owner", max_length=1024, optional=False),
        text_input("problem_type", "Problem type", max_length=1024, optional=False),
        text_input("description", "Description", max_length=1024, multiline=True),
        risk_input("risk", "Risk rating", None, with_unset=False),
    ]
    return modal(CREATE_VIEW, "New model card", "Create", blocks)


def create_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """{"name", "owner", "problem_type", "description", "risk"}, stripped; absent ones ""."""
    keys = ("name", "owner", "problem_type", "description")
    values = {key: (typed_text(state_values, key) or "").strip() for key in keys}
    values["risk"] = (selected_value(state_values, "risk") or "").strip()
    return values


def create_errors(problems: list[str]) -> dict[str, str]:
    """Content problems of the create modal, keyed by the block id of the input to fix."""
    return field_errors(problems, _CREATE_INPUTS, "description")
