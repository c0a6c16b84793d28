"""Block Kit and view limits as Slack enforces them, with Slack-style error messages
(``[ERROR] ... [json-pointer:...]``): what the fake refuses as ``invalid_blocks`` or
``invalid_arguments``."""

from __future__ import annotations

from typing import Any

# Limits (https://docs.slack.dev/reference/block-kit/...; chat.postMessage; views.open).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BLOCK_ID = 255
MAX_ACTION_ID = 255
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_INPUT_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_TEXT_INPUT_LENGTH = 3000
MAX_VIEW_TITLE = 24
MAX_VIEW_BUTTON_TEXT = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255

_TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
_SELECT_TYPES = frozenset({"static_select", "multi_static_select"})
_ELEMENT_TYPES = frozenset({
    "button", "checkboxes", "channels_select", "conversations_select", "datepicker",
    "datetimepicker", "email_text_input", "external_select", "file_input", "image",
    "multi_channels_select", "multi_conversations_select", "multi_external_select",
    "multi_static_select", "multi_users_select", "number_input", "overflow", "plain_text_input",
    "radio_buttons", "rich_text_input", "static_select", "timepicker", "url_text_input",
    "users_select", "workflow_button",
})  # fmt: skip
_UNCHECKED_BLOCK_TYPES = frozenset(
    {"rich_text", "markdown", "file", "video", "context_actions", "table"}
)


def _err(errors: list[str], pointer: str, text: str) -> None:
    errors.append(f"[ERROR] {text} [json-pointer:{pointer}]")


def _check_text_object(
    obj: Any,
    pointer: str,
    errors: list[str],
    *,
    max_len: int,
    plain_only: bool = False,
) -> None:
    if not isinstance(obj, dict):
        _err(errors, pointer, "must be a text object")
        return
    kind = obj.get("type")
    if kind not in _TEXT_TYPES or (plain_only and kind != "plain_text"):
        allowed = "plain_text" if plain_only else "plain_text or mrkdwn"
        _err(errors, f"{pointer}/type", f"must be {allowed}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        _err(errors, f"{pointer}/text", "must be more than 0 characters")
    elif len(text) > max_len:
        _err(errors, f"{pointer}/text", f"must be less than {max_len + 1} characters")


def _check_len(value: Any, pointer: str, errors: list[str], max_len: int) -> None:
    if value is not None and (not isinstance(value, str) or len(value) > max_len):
        _err(errors, pointer, f"must be a string of at most {max_len} characters")


def _check_options(options: Any, pointer: str, errors: list[str], max_count: int) -> list[str]:
    values: list[str] = []
    if not isinstance(options, list) or not options:
        _err(errors, pointer, "must be a non-empty array")
        return values
    if len(options) > max_count:
        _err(errors, pointer, f"must have at most {max_count} items")
    for i, option in enumerate(options):
        ptr = f"{pointer}/{i}"
        if not isinstance(option, dict):
            _err(errors, ptr, "must be an option object")
            continue
        _check_text_object(option.get("text"), f"{ptr}/text", errors, max_len=MAX_OPTION_TEXT)
        value = option.get("value")
        if not isinstance(value, str) or not value or len(value) > MAX_OPTION_VALUE:
            _err(errors, f"{ptr}/value", f"must be 1 to {MAX_OPTION_VALUE} characters")
        else:
            values.append(value)
    return values


def _check_id(
    obj: dict[str, Any], key: str, pointer: str, errors: list[str], seen: set[str], where: str
) -> None:
    """`block_id` / `action_id`: a short string, unique `where` it must be."""
    value = obj.get(key)
    if value is None:
        return
    _check_len(
        value, f"{pointer}/{key}", errors, MAX_BLOCK_ID if key == "block_id" else MAX_ACTION_ID
    )
    if value in seen:
        _err(errors, f"{pointer}/{key}", f"duplicate {key} {value!r}{where}")
    seen.add(str(value))


def _items(
    block: dict[str, Any], key: str, pointer: str, errors: list[str], most: int
) -> list[Any]:
    """The block's list `key` when it has 1 to `most` items, else [] and the error."""
    items = block.get(key)
    if not isinstance(items, list) or not items or len(items) > most:
        _err(errors, f"{pointer}/{key}", f"must have 1 to {most} items")
        return []
    return items


def _check_element(element: Any, pointer: str, errors: list[str], action_ids: set[str]) -> None:
    if not isinstance(element, dict):
        _err(errors, pointer, "must be an element object")
        return
    kind = element.get("type")
    if kind not in _ELEMENT_TYPES:
        _err(errors, f"{pointer}/type", f"unsupported element type {kind!r}")
        return
    _check_id(element, "action_id", pointer, errors, action_ids, " in block")
    if "placeholder" in element:
        _check_text_object(
            element["placeholder"],
            f"{pointer}/placeholder",
            errors,
            max_len=MAX_PLACEHOLDER,
            plain_only=True,
        )
    if kind == "button":
        _check_text_object(
            element.get("text"), f"{pointer}/text", errors, max_len=MAX_BUTTON_TEXT, plain_only=True
        )
        _check_len(element.get("value"), f"{pointer}/value", errors, MAX_BUTTON_VALUE)
        _check_len(element.get("url"), f"{pointer}/url", errors, MAX_URL)
        if element.get("style") not in (None, "primary", "danger"):
            _err(errors, f"{pointer}/style", "must be primary or danger")
    elif kind in _SELECT_TYPES:
        if "option_groups" not in element:
            values = _check_options(
                element.get("options"), f"{pointer}/options", errors, MAX_OPTIONS
            )
            initial = element.get("initial_option")
            if isinstance(initial, dict) and values and initial.get("value") not in values:
                _err(errors, f"{pointer}/initial_option", "must match one of the options")
    elif kind == "overflow":
        _check_options(element.get("options"), f"{pointer}/options", errors, 5)
    elif kind in ("radio_buttons", "checkboxes"):
        _check_options(element.get("options"), f"{pointer}/options", errors, 10)
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if max_length is not None and (
            not isinstance(max_length, int) or not 0 < max_length <= MAX_TEXT_INPUT_LENGTH
        ):
            _err(errors, f"{pointer}/max_length", f"must be 1 to {MAX_TEXT_INPUT_LENGTH}")
        limit = max_length if isinstance(max_length, int) else MAX_TEXT_INPUT_LENGTH
        _check_len(element.get("initial_value"), f"{pointer}/initial_value", errors, limit)


def _check_block(block: Any, pointer: str, errors: list[str], block_ids: set[str]) -> None:
    if not isinstance(block, dict):
        _err(errors, pointer, "must be a block object")
        return
    _check_id(block, "block_id", pointer, errors, block_ids, "")
    kind = block.get("type")
    action_ids: set[str] = set()
    if kind == "section":
        if "text" not in block and "fields" not in block:
            _err(errors, pointer, "must provide text or fields")
        if "text" in block:
            _check_text_object(block["text"], f"{pointer}/text", errors, max_len=MAX_SECTION_TEXT)
        if "fields" in block:
            fields = _items(block, "fields", pointer, errors, MAX_SECTION_FIELDS)
            for i, item in enumerate(fields):
                _check_text_object(
                    item, f"{pointer}/fields/{i}", errors, max_len=MAX_SECTION_FIELD_TEXT
                )
        if "accessory" in block:
            _check_element(block["accessory"], f"{pointer}/accessory", errors, action_ids)
    elif kind == "header":
        _check_text_object(
            block.get("text"), f"{pointer}/text", errors, max_len=MAX_HEADER_TEXT, plain_only=True
        )
    elif kind == "context":
        for i, item in enumerate(_items(block, "elements", pointer, errors, MAX_CONTEXT_ELEMENTS)):
            if not (isinstance(item, dict) and item.get("type") == "image"):
                _check_text_object(
                    item, f"{pointer}/elements/{i}", errors, max_len=MAX_SECTION_TEXT
                )
    elif kind == "actions":
        for i, item in enumerate(_items(block, "elements", pointer, errors, MAX_ACTIONS_ELEMENTS)):
            _check_element(item, f"{pointer}/elements/{i}", errors, action_ids)
    elif kind == "input":
        _check_text_object(
            block.get("label"), f"{pointer}/label", errors, max_len=MAX_INPUT_LABEL, plain_only=True
        )
        if "hint" in block:
            _check_text_object(
                block["hint"], f"{pointer}/hint", errors, max_len=MAX_INPUT_LABEL, plain_only=True
            )
        _check_element(block.get("element"), f"{pointer}/element", errors, action_ids)
    elif kind == "image":
        if "image_url" not in block and "slack_file" not in block:
            _err(errors, pointer, "must provide image_url or slack_file")
        _check_len(block.get("image_url"), f"{pointer}/image_url", errors, MAX_URL)
        alt = block.get("alt_text")
        if not isinstance(alt, str) or not alt or len(alt) > MAX_INPUT_LABEL:
            _err(errors, f"{pointer}/alt_text", f"must be 1 to {MAX_INPUT_LABEL} characters")
    elif kind == "divider" or kind in _UNCHECKED_BLOCK_TYPES:
        pass
    else:
        _err(errors, f"{pointer}/type", f"unsupported block type {kind!r}")


def block_errors(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Slack-style ``[ERROR] ... [json-pointer:...]`` messages for a blocks array."""
    errors: list[str] = []
    if not isinstance(blocks, list):
        _err(errors, pointer, "must be an array")
        return errors
    if len(blocks) > max_blocks:
        _err(errors, pointer, f"no more than {max_blocks} items allowed")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        _check_block(block, f"{pointer}/{i}", errors, block_ids)
    return errors


def view_errors(view: Any, *, expected_type: str) -> list[str]:
    """Validate a modal/home view like views.open/update/push/publish do."""
    errors: list[str] = []
    if not isinstance(view, dict):
        _err(errors, "/view", "must be a view object")
        return errors
    if view.get("type") != expected_type:
        _err(errors, "/view/type", f"must be {expected_type!r}")
    blocks = view.get("blocks")
    errors += block_errors(blocks, max_blocks=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    metadata = view.get("private_metadata", "")
    if not isinstance(metadata, str) or len(metadata) > MAX_PRIVATE_METADATA:
        _err(
            errors,
            "/view/private_metadata",
            f"must be less than {MAX_PRIVATE_METADATA + 1} characters",
        )
    callback_id = view.get("callback_id")
    _check_len(callback_id, "/view/callback_id", errors, MAX_CALLBACK_ID)
    _check_len(view.get("external_id"), "/view/external_id", errors, MAX_CALLBACK_ID)
    if expected_type == "modal":
        # Slack itself does not insist on a callback_id, but this bot routes submissions by it.
        if not callback_id:
            _err(errors, "/view/callback_id", "is required (the bot routes view_submission by it)")
        _check_text_object(
            view.get("title"), "/view/title", errors, max_len=MAX_VIEW_TITLE, plain_only=True
        )
        for key in ("submit", "close"):
            if key in view:
                _check_text_object(
                    view[key], f"/view/{key}", errors, max_len=MAX_VIEW_BUTTON_TEXT, plain_only=True
                )
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            _err(errors, "/view/submit", "is required when an input block is in the blocks array")
    return errors
