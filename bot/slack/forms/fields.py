"""What every form shares: input elements, the modal frame, reading `view.state.values`,
the card in `private_metadata`, and field errors.

`view.state.values` is `{block_id: {action_id: element state}}`; every input here uses the
same string as block_id and action_id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.domain.content import RISK_RATINGS
from bot.errors import InputError
from bot.slack.block_kit import MAX_PLAIN_TEXT_INPUT, MAX_PRIVATE_METADATA, Blocks, plain
from bot.slack.text import clip

UNSET_RISK = "__unset__"  # risk option that removes the rating (a select cannot be cleared)
_ERROR_MAX = 150  # keep a `response_action: errors` message short enough to read under a field


def text_input(
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


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def risk_input(
    block_id: str, label: str, current: str | None, *, with_unset: bool
) -> dict[str, Any]:
    options = [option(rating, rating) for rating in RISK_RATINGS]
    if with_unset:
        options.append(option("Not set", UNSET_RISK))
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": block_id,
        "placeholder": plain("Choose a rating"),
        "options": options,
    }
    if current is not None and current in RISK_RATINGS:
        element["initial_option"] = option(current, current)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label, 2000),
        "element": element,
    }


def modal(
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


def card_metadata(card: str) -> str:
    text = json.dumps({"card": card}, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_PRIVATE_METADATA:
        raise InputError(f"The card name is {len(card):,} characters long; that is not a card.")
    return text


def _element(state_values: Mapping[str, Any], block_id: str) -> Mapping[str, Any] | None:
    block = state_values.get(block_id) if isinstance(state_values, Mapping) else None
    element = block.get(block_id) if isinstance(block, Mapping) else None
    return element if isinstance(element, Mapping) else None


def typed_text(state_values: Mapping[str, Any], block_id: str) -> str | None:
    """The typed text ("" when empty), or None when the form has no such input."""
    element = _element(state_values, block_id)
    if element is None:
        return None
    value = element.get("value")
    return value if isinstance(value, str) else ""


def selected_value(state_values: Mapping[str, Any], block_id: str) -> str | None:
    """The chosen option's value ("" when none is chosen), or None without such input."""
    element = _element(state_values, block_id)
    if element is None:
        return None
    option = element.get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else ""


def field_errors(problems: list[str], inputs: Mapping[str, str], fallback: str) -> dict[str, str]:
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
