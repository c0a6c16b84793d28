"""The Slack side: the bot token is valid and every configured channel is visible to the bot."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot.doctor.report import Check, fail, ok
from bot.governance import Governance


def _error(err: SlackApiError) -> str:
    return str(err.response.get("error", "") or err)


def channels_of(gov: Governance) -> dict[str, str]:
    """Channel id -> what it is for, in the governance file's order."""
    found: dict[str, str] = {}
    for name, stage in gov.stages.items():
        found.setdefault(stage.channel, f"stage {name}")
    found.setdefault(gov.approvals_channel, "approvals_channel")
    if gov.ops_channel:
        found.setdefault(gov.ops_channel, "ops_channel")
    return found


def token(client: WebClient) -> tuple[Check, bool]:
    subject = "Slack token"
    try:
        answer = client.auth_test()
    except SlackApiError as err:
        return (
            fail(
                subject,
                f"auth.test refused it ({_error(err)})",
                "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-...)",
            ),
            False,
        )
    return ok(subject, f"valid for team {answer.get('team')} as @{answer.get('user')}"), True


def channels(client: WebClient, gov: Governance) -> list[Check]:
    found = []
    for channel, purpose in channels_of(gov).items():
        subject = f"channel {channel} ({purpose})"
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as err:
            error = _error(err)
            fix = (
                "invite the bot (/invite @modelcard-bot in that channel) or correct the id "
                "in the governance file"
            )
            if error == "missing_scope":
                fix = "reinstall the app from manifest.yml (channels:read, groups:read)"
            found.append(fail(subject, f"the bot cannot see it ({error})", fix))
            continue
        if info.get("is_archived"):
            found.append(fail(subject, "is archived", "unarchive it or pick another channel"))
        elif not info.get("is_member", False):
            found.append(
                fail(
                    subject,
                    f"#{info.get('name')} exists but the bot is not a member, so it cannot post",
                    "/invite @modelcard-bot in that channel",
                )
            )
        else:
            found.append(ok(subject, f"#{info.get('name')}, the bot is a member"))
    return found
