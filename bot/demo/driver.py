"""Playing people on Slack against the demo's local stack, and recording what follows.

Each interaction (a command typed, a button clicked, a modal submitted) is sent as a signed
Slack request and becomes a `Step`: who did what, what the bot answered (the HTTP ack, then
what arrived via response_url, chat.postEphemeral or views.open), every channel post, the
card's AWS state once the worker is idle, and the checks that make it a pass.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.demo.observer import AwsObserver
from bot.demo.render import SAYS, answer_text, buttons, message_text, view_text
from bot.demo.stack import DemoError, wait_idle
from bot.governance import Governance
from bot.local.slack_driver import SlackDriver, button
from bot.local.slack_payloads import CHANNEL_NAMES
from bot.local.slack_requests import SlackSender
from bot.local.stack import LocalStack

GENERAL = "C0GENERAL"  # where people type their commands
ROLE_LABELS = {
    "lead-data-scientist": "lead data scientist",
    "data-scientist": "data scientist",
    "ml-engineer": "ML engineer",
    "approver": "approver",
    "admin": "admin",
}
_LINK = re.compile(r"<(https?://[^|<>\s]+)(?:\|[^<>]*)?>")


@dataclass
class Step:
    """One person's interaction and what came of it (the --json transcript's unit)."""

    number: int
    act: str
    actor: str
    actor_role: str
    input: str
    card: str
    answers: list[dict[str, str]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    aws_state: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    expect_refusal: bool = False
    # Every link in the answers and posts: {"via": how it came, "url": the target}.
    links: list[dict[str, str]] = field(default_factory=list)
    # What the demo itself found out beyond Slack and the card (the S3 object, a download):
    # `notes` rows for the transcript ({"label", "text"}), `details` for --json.
    notes: list[dict[str, str]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c["ok"] for c in self.checks)

    def said(self, *words: str, via: str | None = None) -> bool:
        """Did any answer (from `via` only, if given) contain all `words`?"""
        return any(
            all(w in a["text"] for w in words)
            for a in self.answers
            if via is None or a["via"] == via
        )

    def posted(self, channel: str, *words: str, action: str = "posted") -> dict[str, Any] | None:
        return next(
            (
                p
                for p in self.posts
                if p["channel"] == channel
                and p["action"] == action
                and all(w in p["text"] for w in words)
            ),
            None,
        )

    def link(self, via: str, *parts: str) -> str:
        """The first link that came `via` (an answer's via, or a post's channel) and holds
        every one of `parts`; "" when none did."""
        return next(
            (
                x["url"]
                for x in self.links
                if x["via"] == via and all(part in x["url"] for part in parts)
            ),
            "",
        )

    def note(self, label: str, text: str) -> None:
        self.notes.append({"label": label, "text": text})

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def actor_label(gov: Governance, user: str) -> str:
    roles = gov.roles_of(user)
    return " + ".join(ROLE_LABELS.get(r, r.replace("-", " ")) for r in roles) or "not mapped"


def modal_state(view: Mapping[str, Any], typed: Mapping[str, str]) -> dict[str, Any]:
    """`view.state.values` as Slack sends it on submit: every input as shown in the modal,
    except those in `typed` (block_id -> text, or the value of a select's option)."""
    values: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, action_id, kind = block["block_id"], element["action_id"], element["type"]
        if "select" in kind:
            chosen = element.get("initial_option")
            if block_id in typed:
                chosen = next(o for o in element["options"] if o["value"] == typed[block_id])
            values[block_id] = {action_id: {"type": kind, "selected_option": chosen}}
        else:
            text = typed.get(block_id, element.get("initial_value"))
            values[block_id] = {action_id: {"type": kind, "value": text or None}}
    return values


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def links_in(message: Any) -> list[str]:
    """The targets of the mrkdwn links (``<url|label>``) anywhere in a message or its blocks,
    unescaped (Slack text carries ``&`` as ``&amp;``), each once, in order."""
    found: list[str] = []
    if isinstance(message, str):
        found = [html.unescape(url) for url in _LINK.findall(message)]
    elif isinstance(message, Mapping):
        found = [url for value in message.values() for url in links_in(value)]
    elif isinstance(message, list):
        found = [url for value in message for url in links_in(value)]
    return list(dict.fromkeys(found))


class Conversation:
    """Sends each person's requests as Slack would and records what came of them."""

    def __init__(
        self,
        stack: LocalStack,
        observer: AwsObserver,
        gov: Governance,
        on_step: Callable[[Step], None],
    ) -> None:
        assert stack.fake is not None, "the stack runs the fake Slack"
        self.stack = stack
        self.fake = stack.fake
        self.observer = observer
        self.gov = gov
        self.on_step = on_step
        self.steps: list[Step] = []
        self.slack = SlackDriver(stack.fake, SlackSender(stack.web_url, timeout=15))
        self.channel_names: Mapping[str, str] = CHANNEL_NAMES

    def channel(self, channel: str) -> str:
        return f"#{self.channel_names.get(channel, channel)}"

    # ------------------------------------------------------------------ interactions
    def command(self, act: str, user: str, text: str, card: str) -> Step:
        return self._interact(
            act, user, f"/modelcard {text}", card, lambda: self.slack.command(text, user, GENERAL)
        )

    def click(
        self, act: str, user: str, action_id: str, message: Mapping[str, Any], card: str
    ) -> Step:
        channel = self.gov.approvals_channel
        label = button(message, action_id)["text"]["text"]
        return self._interact(
            act,
            user,
            f"clicks [{label}] on the approval request for {card} in {self.channel(channel)}",
            card,
            lambda: self.slack.click(action_id, user, dict(message), channel),
        )

    def submit_modal(
        self, act: str, user: str, view: Mapping[str, Any], typed: Mapping[str, str], card: str
    ) -> Step:
        labels = {
            b["block_id"]: b["label"]["text"]
            for b in view.get("blocks") or []
            if b.get("type") == "input"
        }
        what = "; ".join(f'{labels.get(k, k)} = "{v}"' for k, v in typed.items())
        title, submit = view["title"]["text"], view["submit"]["text"]
        values = modal_state(view, typed)
        return self._interact(
            act,
            user,
            f"fills the «{title}» modal: {what} → [{submit}]",
            card,
            lambda: self.slack.sender.submit(view["callback_id"], values, user, view=dict(view)),
        )

    def outside(
        self,
        act: str,
        user: str,
        said: str,
        card: str,
        do: Callable[[], None],
        until: Callable[[], Any],
        what: str,
    ) -> Step:
        """Something a person does outside Slack (boto3 as their own role); the step lasts
        until `until` holds (the worker has judged and settled it)."""
        step = Step(len(self.steps) + 1, act, user, actor_label(self.gov, user), said, card)
        mark = len(self.fake.snapshot())
        started = time.monotonic()
        do()
        self.stack.wait(until, what, timeout=45)
        wait_idle(self.stack, f"the worker to finish {what}")
        self._collect(step, self.fake.snapshot()[mark:])
        step.aws_state = self.observer.card_state(card)
        step.seconds = round(time.monotonic() - started, 2)
        self.steps.append(step)
        return step

    def _interact(self, act: str, user: str, said: str, card: str, send: Callable[[], Any]) -> Step:
        step = Step(len(self.steps) + 1, act, user, actor_label(self.gov, user), said, card)
        mark = len(self.fake.snapshot())
        started = time.monotonic()
        response = send()
        if response.status != 200:
            raise DemoError(
                f"the web app answered HTTP {response.status} to {user} {SAYS} {said}: "
                f"{response.body[:300]}",
                self.stack.log("web"),
            )
        step.answers += self._ack(response.json)
        wait_idle(self.stack, f"the worker to finish {user} {SAYS} {said}")
        self._collect(step, self.fake.snapshot()[mark:])
        step.aws_state = self.observer.card_state(card)
        step.seconds = round(time.monotonic() - started, 2)
        self.steps.append(step)
        return step

    def _ack(self, body: Any) -> list[dict[str, str]]:
        if not isinstance(body, dict) or not body:
            return []
        if body.get("response_action") == "errors":
            errors = "; ".join(f"{k}: {v}" for k, v in (body.get("errors") or {}).items())
            return [{"via": "ack", "text": f"form errors: {errors}"}]
        if body.get("text") or body.get("blocks"):
            return [{"via": "ack", "text": answer_text(body)}]
        return []

    def _collect(self, step: Step, calls: Sequence[Any]) -> None:
        for call in calls:
            if not call.ok:
                continue
            method, params, answer = call.method, call.params, call.response
            posted = method in ("chat.postMessage", "chat.update")
            if not method.startswith("views."):  # links in modals and App Home are not answers
                via = str(answer.get("channel", "")) if posted else method
                source = answer.get("message") if posted else params
                step.links += [{"via": via, "url": url} for url in links_in(source)]
            if method == "views.open":
                step.answers.append({"via": "views.open", "text": view_text(answer["view"])})
            elif method == "response_url" and not params.get("delete_original"):
                step.answers.append({"via": "response_url", "text": answer_text(params)})
            elif method == "chat.postEphemeral":
                shown = {**params, "blocks": _decoded(params.get("blocks"))}
                step.answers.append({"via": "chat.postEphemeral", "text": answer_text(shown)})
            elif method == "views.publish":
                step.answers.append({"via": "views.publish", "text": "App Home tab updated"})
            elif method in ("chat.postMessage", "chat.update"):
                message = answer.get("message") or {}
                step.posts.append(
                    {
                        "channel": answer["channel"],
                        "channel_name": self.channel(answer["channel"]),
                        "action": "posted" if method == "chat.postMessage" else "updated",
                        "ts": answer["ts"],
                        "text": message_text(message),
                        "buttons": buttons(message.get("blocks") or []),
                    }
                )

    def verify(self, step: Step, checks: Sequence[tuple[str, object]]) -> None:
        step.checks = [{"what": what, "ok": bool(ok)} for what, ok in checks]
        self.on_step(step)
        failed = [c["what"] for c in step.checks if not c["ok"]]
        if failed:
            raise DemoError(
                f"step {step.number} ({step.actor} {SAYS} {step.input}) failed: "
                + "; ".join(failed),
                self.stack.log("worker"),
            )
