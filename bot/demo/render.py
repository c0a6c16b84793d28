"""Block Kit as plain text, for the demo's transcript: pure functions, no I/O.

    >>> blocks_to_text([{"type": "section", "text": {"type": "mrkdwn", "text": "*Hi* <@U1>"}}])
    'Hi @U1'

Sections, fields, headers, context, dividers, buttons (``[Approve] [Reject]``), selects and
modal inputs are rendered; Slack's mrkdwn (``*bold*``, ``<url|label>``, ``<@U…>``,
``<!date^…|fallback>``, ``&lt;``) becomes what a reader sees. Unknown blocks show as ``[type]``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SAYS = "\u203a"  # a right-pointing angle quote, between who and what they typed or clicked

# The emoji the bot uses, as a terminal can show them; others stay as `:name:`.
EMOJI: Mapping[str, str] = {
    "white_check_mark": "✅",
    "warning": "⚠️",
    "hourglass_flowing_sand": "⏳",
    "pencil2": "✏️",
    "x": "❌",
    "rotating_light": "🚨",
    "wastebasket": "🗑️",
    "mag": "🔍",
    "information_source": "ℹ️",  # noqa: RUF001 - the emoji itself
    "file_cabinet": "🗄️",
    "ballot_box_with_check": "☑️",
    "page_facing_up": "📄",
}

_ANGLE = re.compile(r"<([^<>\n]+)>")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
# *bold*, _italic_, ~strike~: a marker pair around text, not inside a word.
_STYLES = tuple(
    re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]+?)(?<=\S){m}(?![\w{m}])")
    for m in (r"\*", "_", "~")
)


def _angle(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("!date^"):
        return label or target
    if target.startswith("@"):  # <@U123> or <@U123|name>
        return "@" + (label or target[1:])
    if target.startswith("#"):  # <#C123|general>
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!channel>, <!subteam^ID|@team>
        return label or "@" + target[1:]
    return label or target  # <https://…|label> or a bare link


def mrkdwn_to_text(text: str) -> str:
    """What a reader sees of Slack mrkdwn: links by label, mentions as @id, no markers."""
    text = _ANGLE.sub(_angle, text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    for style in _STYLES:
        text = style.sub(r"\1", text)
    return html.unescape(text)


def text_of(obj: Any) -> str:
    """A text object (plain_text or mrkdwn) as plain text; "" for anything else."""
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_text(text) if obj.get("type") == "mrkdwn" else text


def _field(obj: Any) -> str:
    """A section field: "*Owner*\\nmodel-owner" reads "Owner: model-owner"."""
    text = text_of(obj)
    label, sep, value = text.partition("\n")
    if sep and "\n" not in value and label and value:
        return f"{label}: {value}"
    return text


def element_text(element: Any) -> str:
    """An interactive element as a reader sees it: ``[Approve]``, ``[Choose a rating ▾]``."""
    if not isinstance(element, Mapping):
        return ""
    kind = element.get("type", "")
    if kind in ("button", "workflow_button"):
        return f"[{text_of(element.get('text'))}]"
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        value = element.get("initial_value")
        return str(value) if value else "(empty)"
    if "select" in str(kind):
        chosen = element.get("initial_option")
        if isinstance(chosen, Mapping):
            return f"[{text_of(chosen.get('text'))} ▾]"
        return f"[{text_of(element.get('placeholder')) or 'choose'} ▾]"
    if kind == "overflow":
        return "[⋯]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    return f"[{kind}]"


def _rich_text(node: Any) -> str:
    if isinstance(node, Mapping):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "user":
            return f"@{node.get('user_id', '')}"
        if node.get("type") == "link":
            return str(node.get("text") or node.get("url", ""))
        return "".join(_rich_text(child) for child in node.get("elements") or [])
    if isinstance(node, list):
        return "".join(_rich_text(child) for child in node)
    return ""


def block_lines(block: Any) -> list[str]:
    """One block as lines of plain text."""
    if not isinstance(block, Mapping):
        return []
    kind = block.get("type")
    if kind == "header":
        return [f"== {text_of(block.get('text'))} =="]
    if kind == "section":
        lines = text_of(block.get("text")).splitlines() if block.get("text") else []
        lines += [_field(f) for f in block.get("fields") or []]
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping) and accessory.get("type") != "image":
            if lines:
                lines[-1] += f"  {element_text(accessory)}"
            else:
                lines = [element_text(accessory)]
        return lines
    if kind == "context":
        parts = [text_of(e) for e in block.get("elements") or [] if e.get("type") != "image"]
        return [" · ".join(p for p in parts if p)]
    if kind == "divider":
        return ["────────"]
    if kind == "actions":
        return [" ".join(element_text(e) for e in block.get("elements") or [])]
    if kind == "input":
        label = text_of(block.get("label"))
        return [f"{label}: {element_text(block.get('element'))}"]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "rich_text":
        return _rich_text(block.get("elements")).splitlines()
    return [f"[{kind}]"]


def blocks_to_text(blocks: Iterable[Any]) -> str:
    """Blocks as plain text, one block after the other, separated by newlines."""
    return "\n".join(line for block in blocks for line in block_lines(block))


def buttons(blocks: Iterable[Any]) -> list[str]:
    """The texts of the buttons in a message's actions blocks (``["Approve", "Reject"]``)."""
    found: list[str] = []
    for block in blocks:
        if isinstance(block, Mapping) and block.get("type") == "actions":
            for element in block.get("elements") or []:
                if isinstance(element, Mapping) and element.get("type") == "button":
                    found.append(text_of(element.get("text")))
    return found


def message_text(message: Mapping[str, Any]) -> str:
    """A message as a reader sees it: its blocks when it has some, else its `text`."""
    blocks = message.get("blocks")
    if isinstance(blocks, Sequence) and blocks:
        return blocks_to_text(blocks)
    return mrkdwn_to_text(str(message.get("text", "")))


def _filled(block: Mapping[str, Any]) -> bool:
    element = block.get("element")
    if not isinstance(element, Mapping):
        return False
    if "select" in str(element.get("type", "")):
        return isinstance(element.get("initial_option"), Mapping)
    return bool(element.get("initial_value"))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", text.lower()))


def answer_text(message: Mapping[str, Any]) -> str:
    """A private answer: its blocks, after its `text` (the notification line) unless the
    blocks open with much the same words."""
    shown = message_text(message)
    text = mrkdwn_to_text(str(message.get("text") or "")).strip()
    if not text or not message.get("blocks") or not shown:
        return shown or text
    words = _words(text)
    first = _words(shown.splitlines()[0])
    if words and len(words & first) >= 0.6 * len(words):
        return shown
    return f"{text}\n{shown}"


def view_text(view: Mapping[str, Any]) -> str:
    """A modal: its title, its inputs (only the filled ones when it has many), its buttons."""
    inputs = [
        b for b in view.get("blocks") or [] if isinstance(b, Mapping) and b["type"] == "input"
    ]
    filled = [b for b in inputs if _filled(b)] if len(inputs) > 3 else inputs
    lines = [
        f"modal «{text_of(view.get('title'))}»: {len(inputs)} input(s), "
        f"{len([b for b in inputs if _filled(b)])} filled in"
    ]
    lines += ["  " + line for b in filled for line in block_lines(b)]
    actions = [f"[{text_of(view.get(k))}]" for k in ("submit", "close") if view.get(k)]
    if actions:
        lines.append("  " + " ".join(actions))
    return "\n".join(lines)


def indent(text: str, prefix: str) -> str:
    """Every line of `text` after `prefix`, continuation lines aligned under the first."""
    pad = " " * len(prefix)
    lines = text.splitlines() or [""]
    return "\n".join((prefix if i == 0 else pad) + line for i, line in enumerate(lines))
