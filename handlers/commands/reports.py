"""export and diff: read-only, answered later by the worker as the person's role."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient

from bot.authz import not_mapped_text
from bot.domain.status import Action
from bot.errors import InputError, NotAllowed
from bot.jobs import Job, JobKind
from bot.slack.command_line import CommandLine
from bot.slack.text import clip
from handlers.commands.base import Reply, card_name, known_card, say
from handlers.common import WebDeps, enqueue


def export(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    name = card_name(line, "/modelcard export NAME")
    d.authorize(user, Action.EXPORT, name)
    known_card(d, name)
    if not d.gov.export_s3_uri:
        return say(
            f"PDF export of `{name}` is not configured for this workspace: a modelcard-bot "
            "admin must set `export_s3_uri: s3://BUCKET/PREFIX` in the governance file "
            "(a bucket in the cards' region). Meanwhile use the SageMaker console's Export "
            "action on the card."
        )
    job = Job(
        kind=JobKind.EXPORT,
        user=user,
        card=name,
        reply_to=body.get("response_url", ""),
        channel=body.get("channel_id", ""),
    )
    # The claim only stops doubles: the worker releases it when the export is done.
    if not enqueue(d, job, f"export:{name}:{user}", ttl=900):
        return say(
            f"Your PDF export of `{name}` is still running; I'll send the link when it's ready."
        )
    return say(
        f":hourglass_flowing_sand: Exporting model card `{name}` as PDF… "
        "I'll send you a download link when it's ready."
    )


def diff(d: WebDeps, line: CommandLine, body: dict[str, Any], client: WebClient) -> Reply:
    user = body["user_id"]
    usage = "/modelcard diff NAME [V1 V2]"
    name = card_name(line, usage)
    versions = line.args[1:]
    if len(versions) not in (0, 2):
        raise InputError(
            f"Give two versions of `{name}` to compare, or none for the last two: `{usage}`, "
            f"e.g. `/modelcard diff {name} 1 3`."
        )
    numbers: list[int] = []
    for text in versions:
        number = text.lower().removeprefix("v")
        if not number.isdigit() or len(number) > 6 or int(number) < 1:
            shown = clip(text, 20)
            raise InputError(
                f"`{shown}` is not a version of `{name}`: versions are numbers from 1 "
                f"(see `/modelcard history {name}`)."
            )
        numbers.append(int(number))
    if numbers and numbers[0] == numbers[1]:
        raise InputError(f"Compare two different versions of `{name}`, e.g. `{usage}`.")
    if not d.authz.is_mapped(user):
        raise NotAllowed(not_mapped_text(user, "diff", name))
    known_card(d, name)
    args = {"v1": str(min(numbers)), "v2": str(max(numbers))} if numbers else {}
    d.edge.submit(
        Job(
            kind=JobKind.DIFF,
            user=user,
            card=name,
            args=args,
            reply_to=body.get("response_url", ""),
            channel=body.get("channel_id", ""),
        )
    )
    which = f"v{args['v1']} and v{args['v2']}" if args else "its last two versions"
    return say(f":hourglass_flowing_sand: Comparing {which} of model card `{name}`…")
