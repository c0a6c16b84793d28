"""Modals (create, edit, reject) and the parsing of what Slack sends back: pure, no I/O.

`view.state.values` is `{block_id: {action_id: element state}}`; every input here uses the
same string as block_id and action_id.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.content import RISK_RATINGS, merge_sections
from bot.errors import InputError
from bot.slack.block_kit import (
    MAX_PLAIN_TEXT_INPUT,
    MAX_PRIVATE_METADATA,
    Blocks,
    context,
    header,
    plain,
    section,
)
from bot.slack.ids import CREATE_VIEW, EDIT_VIEW, REJECT_VIEW
from bot.slack.text import clip, inline

SLACK_NOTES = "Slack notes"  # the evaluation_details entry the edit modal reads and writes
EVALUATION_NOTES_KEY = "__evaluation_notes__"  # see edit_updates
_UNSET = "__unset__"  # risk option that removes the rating (a select cannot be cleared)
_NAME_MAX = 63
_REASON_MIN, _REASON_MAX = 3, 1000
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


# ---------------------------------------------------------------------------- elements


def _text_input(
    block_id: str,
    label: str,
    *,
    max_length: int,
    multiline: bool = False,
    optional: bool = True,
    initial: str = "",
    hint: str = "",
    min_length: int = 0,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "multiline": multiline,
        "max_length": min(max_length, MAX_PLAIN_TEXT_INPUT),
    }
    if min_length:
        element["min_length"] = min_length
    if initial:
        element["initial_value"] = clip(initial, element["max_length"])
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, 2000),
        "element": element,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def _risk_input(
    block_id: str, label: str, current: str | None, *, with_unset: bool
) -> dict[str, Any]:
    options = [_option(rating, rating) for rating in RISK_RATINGS]
    if with_unset:
        options.append(_option("Not set", _UNSET))
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": block_id,
        "placeholder": plain("Choose a rating"),
        "options": options,
    }
    if current is not None and current in RISK_RATINGS:
        element["initial_option"] = _option(current, current)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label, 2000),
        "element": element,
    }


def _modal(
    callback_id: str, title: str, submit: str, blocks: Blocks, **extra: str
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
        **extra,
    }


def _metadata(card: str) -> str:
    text = json.dumps({"card": card}, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_PRIVATE_METADATA:
        raise InputError(f"The card name is {len(card):,} characters long; that is not a card.")
    return text


# ---------------------------------------------------------------------------- reading state


def _state(state_values: Mapping[str, Any], block_id: str) -> Mapping[str, Any] | None:
    block = state_values.get(block_id) if isinstance(state_values, Mapping) else None
    element = block.get(block_id) if isinstance(block, Mapping) else None
    return element if isinstance(element, Mapping) else None


def _text(state_values: Mapping[str, Any], block_id: str) -> str | None:
    """The typed text ("" when empty), or None when the form has no such input."""
    element = _state(state_values, block_id)
    if element is None:
        return None
    value = element.get("value")
    return value if isinstance(value, str) else ""


def _selected(state_values: Mapping[str, Any], block_id: str) -> str | None:
    """The chosen option's value ("" when none is chosen), or None without such input."""
    element = _state(state_values, block_id)
    if element is None:
        return None
    option = element.get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else ""


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


# ---------------------------------------------------------------------------- create


def create_modal() -> dict[str, Any]:
    """The form `/modelcard create` opens when typed without arguments."""
    blocks: Blocks = [
        _text_input(
            "name",
            "Card name",
            max_length=_NAME_MAX,
            optional=False,
            hint="Letters, digits and hyphens, up to 63 characters; start and end with a "
            "letter or digit. E.g. customer-churn-v1",
        ),
        _text_input("owner", "Owner", max_length=1024, optional=False),
        _text_input("problem_type", "Problem type", max_length=1024, optional=False),
        _text_input("description", "Description", max_length=1024, multiline=True),
        _risk_input("risk", "Risk rating", None, with_unset=False),
    ]
    return _modal(CREATE_VIEW, "New model card", "Create", blocks)


def create_values(state_values: Mapping[str, Any]) -> dict[str, str]:
    """{"name", "owner", "problem_type", "description", "risk"}, stripped; absent ones ""."""
    keys = ("name", "owner", "problem_type", "description")
    values = {key: (_text(state_values, key) or "").strip() for key in keys}
    values["risk"] = (_selected(state_values, "risk") or "").strip()
    return values


# ---------------------------------------------------------------------------- edit


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
                _text_input(
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
                inputs.append(_risk_input(_RISK, "Risk rating", rating, with_unset=True))
            if field.block_id == "training_observations":
                entry = _notes_entry(content)
                notes = entry.get("evaluation_observation") if entry else None
                inputs.append(
                    _text_input(
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
    return _modal(
        EDIT_VIEW, "Edit model card", "Save", blocks + inputs, private_metadata=_metadata(card)
    )


def edit_updates(state_values: Mapping[str, Any]) -> dict[str, Any]:
    """The edit modal's values as nested sections for `merge_sections` (None = remove).

    Evaluation notes cannot be merged (evaluation_details is a list): they come back under
    the special key EVALUATION_NOTES_KEY (str, or None to remove) for the caller to place.
    It cannot tell unchanged pre-filled values from edits: prefer `apply_edit`.
    """
    updates: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        text = _text(state_values, field.block_id)
        if text is not None:
            updates.setdefault(field.path[0], {})[field.path[1]] = text.strip() or None
    risk = _selected(state_values, _RISK)
    if risk:
        updates.setdefault("intended_uses", {})["risk_rating"] = None if risk == _UNSET else risk
    notes = _text(state_values, _NOTES)
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
        text = _text(state_values, field.block_id)
        if text is None or text == _shown(_get(current, field.path), field.max_length):
            continue
        updates.setdefault(field.path[0], {})[field.path[1]] = text.strip() or None
    risk = _selected(state_values, _RISK)
    if risk and risk != _get(current, ("intended_uses", "risk_rating")):
        updates.setdefault("intended_uses", {})["risk_rating"] = None if risk == _UNSET else risk
    content = merge_sections(current, updates)
    notes = _text(state_values, _NOTES)
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


# ---------------------------------------------------------------------------- field errors

_ERROR_MAX = 150  # keep a `response_action: errors` message short enough to read under a field
_CREATE_INPUTS = {
    "model_overview.model_owner": "owner",
    "model_overview.problem_type": "problem_type",
    "model_overview.model_description": "description",
    "intended_uses.risk_rating": "risk",
}
_EDIT_INPUTS = {
    **{f"{field.path[0]}.{field.path[1]}": field.block_id for field in _TEXT_FIELDS},
    "intended_uses.risk_rating": _RISK,
    "evaluation_details": _NOTES,
}


def _field_errors(problems: list[str], inputs: Mapping[str, str], fallback: str) -> dict[str, str]:
    """`response_action: errors` for content problems: each under the input of the field its
    sentence names (`model_overview.model_owner` ...), the rest under `fallback`."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        block = next(
            (
                block_id
                for path, block_id in inputs.items()
                if any(f"`{path}{end}" in problem for end in "`[.")
            ),
            fallback,
        )
        grouped.setdefault(block, []).append(problem)
    return {block: clip(" ".join(found), _ERROR_MAX) for block, found in grouped.items()}


def create_errors(problems: list[str]) -> dict[str, str]:
    """Content problems of the create modal, keyed by the block id of the input to fix."""
    return _field_errors(problems, _CREATE_INPUTS, "description")


def edit_errors(problems: list[str]) -> dict[str, str]:
    """Content problems of the edit modal, keyed by the block id of the input to fix."""
    return _field_errors(problems, _EDIT_INPUTS, "overview")


# ---------------------------------------------------------------------------- reject


def reject_modal(card: str) -> dict[str, Any]:
    """Asks the approver why, before a card under review goes back to Draft."""
    blocks: Blocks = [
        section(
            f"Reject `{inline(card, 80)}`? It goes back to Draft and its authors see your reason."
        ),
        _text_input(
            "reason",
            "Reason",
            max_length=_REASON_MAX,
            min_length=_REASON_MIN,
            multiline=True,
            optional=False,
        ),
    ]
    return _modal(
        REJECT_VIEW, "Reject model card", "Reject", blocks, private_metadata=_metadata(card)
    )


def reject_reason(state_values: Mapping[str, Any]) -> str:
    """The reason typed in the reject modal, stripped ("" if missing)."""
    return (_text(state_values, "reason") or "").strip()


def parse_metadata(private_metadata: str) -> dict[str, str]:
    """The edit/reject modal's private_metadata, e.g. {"card": "customer-churn-v1"}."""
    bad = InputError("This form is out of date or damaged. Run the command again.")
    if not isinstance(private_metadata, str) or len(private_metadata) > MAX_PRIVATE_METADATA:
        raise bad
    try:
        data = json.loads(private_metadata)
    except ValueError:
        raise bad from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise bad
    if not data.get("card"):
        raise bad
    return {str(key): value for key, value in data.items()}
