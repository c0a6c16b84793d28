"""`python -m bot demo`: the embedded default. No AWS account, no Slack workspace.

Starts the local stack (bot/demo/stack.py on bot/local/stack.py: moto server, Redis-protocol
server, fake Slack Web API, gunicorn web app, one worker, all real processes), plays the seed
story as signed Slack requests from the people of bot/local/governance.yml (bot/demo/story.py
on bot/demo/driver.py; AWS read back by bot/demo/observer.py, Block Kit by bot/demo/render.py),
prints
the conversation and the AWS state after each step, then a one-screen summary. Exit 0 when
every step passed, 1 with the reason otherwise, 2 when the demo cannot run here.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from bot.demo.render import SAYS, indent

if TYPE_CHECKING:  # the rest loads in run(), so `modelcard-bot --help` stays quick
    from bot.demo.driver import Step
    from bot.demo.story import Story
    from bot.governance import Governance
    from bot.local.stack import LocalStack

DESCRIPTION = """\
Play the model card governance story end to end on this machine: no AWS account, no Slack.

Starts, as real processes, a moto server (four AWS accounts: central 111111111111, dev
222222222222, test 333333333333, prod 444444444444), a Redis-protocol server (unless
REDIS_URL is set), a fake Slack Web API, the web app (gunicorn, as in the Procfile) and a
worker. Then the people of the example governance file send signed Slack requests: the lead
data scientist creates customer-churn-v1, a data scientist edits it in the modal and
submits it, an ML engineer and the data scientist are refused when they click Approve, an
approver approves, asks what changed between the two versions and exports the card as a PDF
(to an S3 bucket in the central account; a presigned link, also posted in the prod channel),
an admin reads the history and the shares; an epilogue shows four-eyes
and Reject on a second card. The transcript shows what each person typed or clicked, what
the bot answered, every channel post and, after each step, the card's status, versions and
RAM shares as AWS (moto) has them.

Needs the demo extra: `pip install 'modelcard-bot[demo]'` (in a source checkout, `make demo`
sets it up); it runs from any folder. Exit status: 0 all steps passed, 1 a step failed (the reason
and the failing process's log tail are printed), 2 the demo cannot run here."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="after the story, leave the stack up and print its URLs and env vars "
        "(to curl it, or to point a Slack app at it through a tunnel); Ctrl-C stops it",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a machine-readable transcript (steps with actor, input, answers, posts, "
        "aws_state; and the summary) on stdout; progress goes to stderr",
    )


class StopRequestedError(Exception):
    """Ctrl-C or SIGTERM: stop everything and leave."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise StopRequestedError(signal.Signals(signum).name)


class Printer:
    """The human transcript: on stdout, or on stderr when stdout carries JSON."""

    LABEL = 21

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._act = ""
        self._last_aws: dict[str, str] = {}

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def row(self, label: str, text: str) -> None:
        self.say(indent(text, f"  {label:<{self.LABEL}} "))

    def step(self, step: Step) -> None:
        if step.act != self._act:
            self._act = step.act
            self.say()
            self.say(f"━━ {step.act} ━━")
        self.say(f"{step.actor} ({step.actor_role}) {SAYS} {step.input}")
        for answer in step.answers:
            via = "ephemeral" if answer["via"] == "chat.postEphemeral" else answer["via"]
            self.row(f"bot ({via})", answer["text"])
        if not step.answers:
            self.row("bot", "(nothing visible: the ack is empty, as Slack expects)")
        for post in step.posts:
            self.row(f"{post['channel_name']} {post['action']}", post["text"])
        for note in step.notes:
            self.row(note["label"], note["text"])
        self.row("AWS", self.aws(step.aws_state))
        for check in step.checks:
            self.say(f"  {'✔' if check['ok'] else '✘'} {check['what']}")

    def aws(self, state: dict[str, Any]) -> str:
        card = state["card"]
        text = aws_text(state)
        if self._last_aws.get(card) == text:
            stages = ", ".join(s["stage"] for s in state["shares"]) or "no stage"
            return (
                f"{card}: unchanged ({state['status']}, version {state['version']}, "
                f"shared with {stages})"
            )
        self._last_aws[card] = text
        return text


def aws_text(state: dict[str, Any]) -> str:
    if not state.get("exists"):
        return f"{state['card']}: not in AWS"
    lines = [
        f"{state['card']}: {state['status']}, version {state['version']} "
        f"(ListModelCardVersions: {state['versions']}) · RAM shares:"
    ]
    for share in state["shares"]:
        sees = "can describe it" if share["can_describe"] else "cannot see it"
        if share["account_association"] != "ASSOCIATED":
            sees = f"{share['account_association'].lower()}, {sees}"
        lines.append(
            f"  {share['stage']:<5} {share['account']}  {share['access']:<10}  "
            f"{share['permission']}  ({sees})"
        )
    if not state["shares"]:
        lines.append("  shared with no account")
    return "\n".join(lines)


def build_summary(
    story: Story, started: float, final: dict[str, Any], calls: dict[str, Any]
) -> dict[str, Any]:
    steps = story.steps
    return {
        "steps_total": len(steps),
        "steps_passed": len([s for s in steps if s.passed]),
        "seconds": round(time.monotonic() - started, 1),
        "card": final["cards"][0],
        "cards": final["cards"],
        "refusals": [
            {
                "step": s.number,
                "actor": s.actor,
                "card": s.card,
                "input": s.input,
                "answer": _refusal(s),
            }
            for s in steps
            if s.expect_refusal
        ],
        "diff": _details(steps, "diff"),
        "export": _details(steps, "export"),
        "approval_messages": final["approval_messages"],
        "slack": final["slack"],
        "aws_calls": calls,
    }


def _details(steps: list[Step], kind: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = next((s.details[kind] for s in steps if kind in s.details), None)
    return found


def _refusal(step: Step) -> str:
    return next((a["text"] for a in step.answers if "cannot" in a["text"]), "")


def print_summary(p: Printer, summary: dict[str, Any]) -> None:
    p.say()
    p.say("━━ Summary ━━")
    p.say(
        f"Story: {summary['steps_passed']}/{summary['steps_total']} steps passed in "
        f"{summary['seconds']} s (including start-up)"
    )
    for state in summary["cards"]:
        p.say(aws_text(state))
    p.say("Refused, as they should be:")
    for refusal in summary["refusals"]:
        answer = refusal["answer"] or "(no answer!)"
        sentence = answer.split(". ")[0].lstrip("⚠️ ")
        p.say(f"  {refusal['actor']:<7} on {refusal['card']}: {sentence}.")
    diff, export = summary["diff"], summary["export"]
    if diff:
        p.say(
            f"Diff of {diff['card']} v{diff['from_version']} → v{diff['to_version']}: "
            f"{', '.join(diff['sections']) or 'nothing'} changed (by @{diff['changed_by']})"
        )
    if export:
        p.say(
            f"PDF export of {export['card']} v{export['version']} ({export['status']}): "
            f"{export['s3_uri']} ({export['size']} bytes, "
            f"{'starts %PDF' if export['is_pdf'] else 'NOT a PDF'})"
        )
        link = "downloads it" if export["link_downloads_pdf"] else "does NOT download it"
        p.say(
            f"  the presigned link {link}; posted in {export['prod_channel']}: "
            f"{'yes' if export['prod_post'] else 'no'}"
        )
    slack = summary["slack"]
    by_channel = ", ".join(f"{c} {n}" for c, n in slack["posts_by_channel"].items())
    p.say(f"Slack: {slack['channel_posts']} channel posts ({by_channel})")
    p.say(
        f"  {slack['messages_updated']} message(s) updated, {slack['private_answers']} private "
        f"answers, {slack['modals_opened']} modals opened"
    )
    for message in summary["approval_messages"]:
        shown = " ".join(f"[{b}]" for b in message["buttons"]) or "no buttons"
        last = message["text"].splitlines()[-1]
        p.say(f"  approval request for {message['card']}: {shown} · {last}")
    calls = summary["aws_calls"]
    p.say(
        f"AWS: {calls['total']} SageMaker/RAM calls by the bot, grouped by SourceIdentity "
        f"({calls['without_source_identity']} without one):"
    )
    for group in calls["by_source_identity"]:
        top = ", ".join(f"{a} {n}" for a, n in list(group["actions"].items())[:4])
        roles = ", ".join(group["roles"])
        p.say(f"  {group['source_identity']:<14}{group['calls']:>4}  as {roles}")
        p.say(f"  {'':<18}{top}")
    p.say(
        f"  + {calls['sts_assume_role']} sts:AssumeRole by the bot's own identity; "
        f"{calls['demo_observer_calls']} reads by this demo's observer not counted above"
    )


def print_keep_running(p: Printer, stack: LocalStack) -> None:
    env = stack.contract_env()
    assert stack.fake is not None
    response_url = stack.fake.response_url("manual", channel="C0GENERAL", user="U0ADMIN")
    p.say()
    p.say("━━ Still running (--keep-running); Ctrl-C stops everything ━━")
    p.say(f"Slack request URL     {stack.web_url}/slack/events")
    p.say("  Slash command, interactivity and events all arrive there. To try it from a real")
    p.say(f"  workspace, expose it (e.g. `ngrok http {stack.web_port}`) and set your Slack app's")
    p.say("  request URLs to the tunnel. Slack signs with your app's secret, so then run the")
    p.say("  Procfile's web and worker yourself with the variables below, your app's")
    p.say("  SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, and SLACK_API_URL unset.")
    p.say(f"Health                curl -s {stack.web_url}/healthz")
    p.say(
        f'Signed command        {sys.executable} -c "from bot.local.slack_requests import '
        f"SlackSender; print(SlackSender('{stack.web_url}').command('list', 'U0ADMIN', "
        f"response_url='{response_url}').json)\""
    )
    p.say(
        f"Fake Slack calls      {stack.fake.base_url} (in this process; its API is SLACK_API_URL)"
    )
    p.say(f"AWS calls so far      curl -s {stack.moto_url}/_shim/calls")
    p.say(f"Logs                  {stack.workdir}")
    p.say("Environment (the contract's names):")
    for key, value in env.items():
        p.say(f"  export {key}={value}")
    p.say("  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing  # moto's dummies")


def run(*, keep_running: bool = False, as_json: bool = False) -> int:
    from bot.aws.cards import split_s3_uri
    from bot.demo import stack as demo_stack
    from bot.demo.observer import AwsObserver, summarize_calls
    from bot.demo.stack import NotRunnableError
    from bot.demo.story import Story
    from bot.governance import load_governance
    from bot.local.stack import REGION, StackError, tail

    p = Printer(sys.stderr if as_json else sys.stdout)
    started = time.monotonic()
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    workdir = Path(tempfile.mkdtemp(prefix="modelcard-demo-"))
    stack: LocalStack | None = None
    story: Story | None = None
    result: dict[str, Any] = {"ok": False, "steps": [], "summary": None, "error": None}
    code = 1
    try:
        p.say("modelcard-bot demo: the model card governance story, on this machine only")
        p.say(f"Starting the local stack (logs in {workdir}):")
        stack = demo_stack.start(workdir, p.say)
        gov = load_governance(stack.config)
        observer = AwsObserver(stack.moto_url, gov, REGION)
        bucket, _ = split_s3_uri(gov.export_s3_uri or "")
        observer.create_bucket(bucket)
        p.say(f"  S3 bucket            s3://{bucket} (central account, for PDF exports)")
        describe_world(p, gov)
        story = Story(stack, observer, gov, p.step)
        story.play()
        final = story.final_state()
        calls_made = stack.moto_calls() or []
        calls = summarize_calls(calls_made, observer.assume_role_calls)
        result["summary"] = build_summary(story, started, final, calls)
        print_summary(p, result["summary"])
        result["ok"] = True
        code = 0
        if keep_running:
            _emit(result, story, as_json)
            print_keep_running(p, stack)
            demo_stack.watch(stack)  # until Ctrl-C, or until one of the processes dies
    except NotRunnableError as err:
        result["error"] = err.reason
        p.say(f"modelcard-bot demo: {err.reason}")
        code = 2
    except StackError as err:
        result["error"] = err.reason
        p.say()
        p.say(f"✘ FAILED: {err.reason}")
        logs = [err.log]
        if err.log is None and stack is not None:
            logs = [stack.log("web"), stack.log("worker")]
        for path in logs:
            if tail(path):
                p.say(f"── last lines of {path} ──")
                p.say(tail(path))
        code = 1
    except StopRequestedError as err:
        p.say(f"\nmodelcard-bot demo: {err} received; stopping")
        result["error"] = f"interrupted ({err})"
        code = 130 if not result["ok"] else 0
    finally:
        for sig in previous:  # a second Ctrl-C must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        try:
            if stack is not None:
                p.say("Stopping the local stack…")
                stack.stop()
            if code == 1 or (keep_running and result["ok"]):
                p.say(f"Logs kept in {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    if not (keep_running and result["ok"]):
        _emit(result, story, as_json)
    return code


def _emit(result: dict[str, Any], story: Story | None, as_json: bool) -> None:
    if not as_json:
        return
    result["steps"] = [s.to_json() for s in story.steps] if story else []
    print(json.dumps(result, indent=2, ensure_ascii=False), flush=True)


def describe_world(p: Printer, gov: Governance) -> None:
    p.say(f"AWS: cards live in the central account {gov.central_account}; stages:")
    for name, stage in gov.stages.items():
        p.say(
            f"  {name:<5} account {stage.account}  channel {stage.channel:<9} "
            f"on {stage.on_status:<13} {stage.access}"
        )
    if gov.export_s3_uri:
        p.say(f"PDF exports (/modelcard export) go to {gov.export_s3_uri}")
    p.say("People (Slack user: governance roles):")
    people = [f"{u}: {', '.join(r)}" for u, r in gov.users.items()]
    for i in range(0, len(people), 3):
        p.say("  " + "  ".join(f"{x:<32}" for x in people[i : i + 3]).rstrip())
