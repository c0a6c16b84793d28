"""The edit form (`/modelcard edit`): the card's sections, pre-filled, and the new content."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.content import merge_sections
from bot.slack.block_kit import Blocks, context, header, section
from bot.slack.forms.fields import (
    UNSET_RISK,
    card_metadata,
    field_errors,
    modal,
    risk_input,
    selected_value,
    text_input,
    typed_text,
)
from bot.slack.ids import EDIT_VIEW
from bot.slack.text import clip, inline

SLACK_NOTES = "Slack notes"  # the evaluation_details entry the edit modal reads and writes
EVALUATION_NOTES_KEY = "__evaluation_notes__"  # see edit_updates
_EVALUATION_MAX = 2096


@dataclass(frozen=True)
class _Field:
    block_id: str
    label: str
    path: tuple[str, str]
    max_length: int
    multiline: bool = True


# Edit modal text inputs, grouped under headings; max_length is the schema's limit.
_GROUPS: tuple[tuple[str, tuple[_Field, ...]], ...] = (
    (
        "Overview",
        (
            _Field("overview", "Overview", ("model_overview", "model_description"), 1024),
            _Field("owner", "Owner", ("model_overview", "model_owner"), 1024, False),
            _Field("problem_type", "Problem type", ("model_overview", "problem_type"), 1024, False),
            _Field("algorithm", "Algorithm", ("model_overview", "algorithm_type"), 1024, False),
        ),
    ),
    (
        "Intended uses",
        (
            _Field("purpose", "Purpose of the model", ("intended_uses", "purpose_of_model"), 2048),
            _Field("intended_uses", "Intended uses", ("intended_uses", "intended_uses"), 2048),
            _Field(
                "factors",
                "Factors affecting model efficiency",
                ("intended_uses", "factors_affecting_model_efficiency"),
                2048,
            ),
            _Field(
                "risk_explanation",
                "Explanation of the risk rating",
                ("intended_uses", "explanations_for_risk_rating"),
                2048,
            ),
        ),
    ),
    (
        "Business details",
        (
            _Field(
                "business_problem",
                "Business problem",
                ("business_details", "business_problem"),
                2048,
            ),
            _Field(
                "business_stakeholders",
                "Business stakeholders",
                ("business_details", "business_stakeholders"),
                2048,
            ),
            _Field(
                "line_of_business",
                "Line of business",
                ("business_details", "line_of_business"),
                2048,
            ),
        ),
    ),
    (
        "Training and evaluation",
        (
            _Field(
                "training_observations",
                "Training notes",
                ("training_details", "training_observations"),
                1024,
            ),
        ),
    ),
    (
        "Additional information",
        (
            _Field(
                "ethical_considerations",
                "Ethical considerations",
                ("additional_information", "ethical_considerations"),
                2048,
            ),
            _Field(
                "caveats_and_recommendations",
                "Caveats and recommendations",
                ("additional_information", "caveats_and_recommendations"),
                2048,
            ),
        ),
    ),
)
_TEXT_FIELDS = tuple(field for _, fields in _GROUPS for field in fields)


def form_fields() -> dict[str, tuple[str, str]]:
    """Dotted content path -> (form section, field label) of every edit-form input (gates
    use it to say where a missing field is filled)."""
    found = {".".join(f.path): (group, f.label) for group, fields in _GROUPS for f in fields}
    found["intended_uses.risk_rating"] = ("Intended uses", "Risk rating")
    found["evaluation_details.evaluation_observation"] = (
        "Training and evaluation",
        "Evaluation notes",
    )
    return found


_RISK = "risk_rating"
_NOTES = "evaluation_notes"
_EDIT_INPUTS = {
    **{f"{field.path[0]}.{field.path[1]}": field.block_id for field in _TEXT_FIELDS},
    "intended_uses.risk_rating": _RISK,
    "evaluation_details": _NOTES,
}


def _get(content: Mapping[str, Any], path: tuple[str, str]) -> Any:
    section_value = content.get(path[0])
    return section_value.get(path[1]) if isinstance(section_value, Mapping) else None


def _shown(value: Any, limit: int) -> str:
    """What the edit modal pre-fills for `value`: text clipped to the input's max_length."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return clip(str(value), limit)


def _notes_entry(content: Mapping[str, Any]) -> Mapping[str, Any] | None:
    details = content.get("evaluation_details")
    if not isinstance(details, list):
        return None
    for item in details:
        if isinstance(item, Mapping) and item.get("name") == SLACK_NOTES:
            return item
    return None


def _notes(content: Mapping[str, Any]) -> str:
    entry = _notes_entry(content)
    return _shown(entry.get("evaluation_observation"), _EVALUATION_MAX) if entry else ""


def edit_modal(card: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """`/modelcard edit`: the card's sections, pre-filled; empty inputs remove a field."""
    clipped: list[str] = []

    def initial(value: Any, field_label: str, limit: int) -> str:
        shown = _shown(value, limit)
        if shown and len(str(value)) > limit:
            clipped.append(field_label)
        return shown

    inputs: Blocks = []
    for group, fields in _GROUPS:
        inputs.append(section(f"*{group}*"))
        for field in fields:
            inputs.append(
                text_input(
                    field.block_id,
                    field.label,
                    max_length=field.max_length,
                    multiline=field.multiline,
                    initial=initial(_get(content, field.path), field.label, field.max_length),
                )
            )
            if field.block_id == "factors":  # rating and its explanation side by side
                risk = _get(content, ("intended_uses", "risk_rating"))
                rating = risk if isinstance(risk, str) else None
                inputs.append(risk_input(_RISK, "Risk rating", rating, with_unset=True))
            if field.block_id == "training_observations":
                entry = _notes_entry(content)
                notes = entry.get("evaluation_observation") if entry else None
                inputs.append(
                    text_input(
                        _NOTES,
                        "Evaluation notes",
                        max_length=_EVALUATION_MAX,
                        multiline=True,
                        initial=initial(notes, "Evaluation notes", _EVALUATION_MAX),
                        hint=f'Saved as the "{SLACK_NOTES}" evaluation; other evaluations '
                        "are kept as they are.",
                    )
                )
    blocks: Blocks = [
        header(f"Edit {card}"),
        context("Only fields you change are saved. Empty a field to remove it from the card."),
    ]
    if clipped:
        names = ", ".join(clipped)
        blocks.append(
            context(
                f":warning: Shortened to fit the form: {inline(names, 2000)}. Left as they are, "
                "they keep their full text; edited, they are saved as you leave them."
            )
        )
    return modal(
        EDIT_VIEW, "Edit model card", "Save", blocks + inputs, private_metadata=card_metadata(card)
    )


def edit_updates(state_values: Mapping[str, Any]) -> dict[str, Any]:
    """The edit modal's values as nested sections for `merge_sections` (None = remove).

    Evaluation notes cannot be merged (evaluation_details is a list): they come back under
    the special key EVALUATION_NOTES_KEY (str, or None to remove) for the caller to place.
    It cannot tell unchanged pre-filled values from edits: prefer `apply_edit`.
    """
    updates: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        text = typed_text(state_values, field.block_id)
        if text is not None:
            updates.setdefault(field.path[0], {})[field.path[1]] = text.strip() or None
    risk = selected_value(state_values, _RISK)
    if risk:
        updates.setdefault("intended_uses", {})["risk_rating"] = (
            None if risk == UNSET_RISK else risk
        )
    notes = typed_text(state_values, _NOTES)
    if notes is not None:
        updates[EVALUATION_NOTES_KEY] = notes.strip() or None
    return updates


def apply_edit(current: Mapping[str, Any], state_values: Mapping[str, Any]) -> dict[str, Any]:
    """The card's new content: `current` with what the person changed in the edit modal.

    A field whose input still holds what the modal showed is left as it was (so a value
    clipped to fit the form keeps its full text); an emptied one is removed; sections and
    fields the modal does not show, and evaluations other than "Slack notes", are kept.
    """
    updates: dict[str, dict[str, Any]] = {}
    for field in _TEXT_FIELDS:
        text = typed_text(state_values, field.block_id)
        if text is None or text == _shown(_get(current, field.path), field.max_length):
            continue
        updates.setdefault(field.path[0], {})[field.path[1]] = text.strip() or None
    risk = selected_value(state_values, _RISK)
    if risk and risk != _get(current, ("intended_uses", "risk_rating")):
        updates.setdefault("intended_uses", {})["risk_rating"] = (
            None if risk == UNSET_RISK else risk
        )
    content = merge_sections(current, updates)
    notes = typed_text(state_values, _NOTES)
    if notes is not None and notes != _notes(current):
        content = with_evaluation_notes(content, notes.strip() or None)
    return content


def with_evaluation_notes(content: Mapping[str, Any], notes: str | None) -> dict[str, Any]:
    """`content` whose "Slack notes" evaluation holds `notes` (None removes the note)."""
    result = copy.deepcopy(dict(content))
    details = result.get("evaluation_details")
    items: list[Any] = list(details) if isinstance(details, list) else []
    index = next(
        (
            i
            for i, item in enumerate(items)
            if isinstance(item, Mapping) and item.get("name") == SLACK_NOTES
        ),
        None,
    )
    entry = dict(items[index]) if index is not None else {"name": SLACK_NOTES}
    if notes:
        entry["evaluation_observation"] = notes
    else:
        entry.pop("evaluation_observation", None)
    keep = notes or set(entry) != {"name"}
    if index is None and keep:
        items.append(entry)
    elif index is not None and keep:
        items[index] = entry
    elif index is not None:
        del items[index]
    if items:
        result["evaluation_details"] = items
    else:
        result.pop("evaluation_details", None)
    return result


def edit_errors(problems: list[str]) -> dict[str, str]:
    """Content problems of the edit modal, keyed by the block id of the input to fix."""
    return field_errors(problems, _EDIT_INPUTS, "overview")
