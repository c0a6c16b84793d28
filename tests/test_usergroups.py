"""Roles through Slack user groups: the edge reads the cache only (cold: "checking your
groups", and the worker fills it), the worker reads Slack, and events refresh members."""

from __future__ import annotations

import time

import pytest

from bot.local import moto_ext
from bot.slack.ids import APPROVE_ACTION
from tests.aws_fixtures import AwsWorld
from tests.gov_override import governed
from tests.slack_helpers import (
    answer_text,
    click_button,
    create_card,
    submit_card,
)
from tests.slack_stack import Stack

GROUP, MEMBER = "S0APPROVERS", "U0GROUPIE"


@pytest.fixture
def aws(aws: AwsWorld) -> AwsWorld:
    return governed(
        aws,
        {
            "usergroups": {GROUP: ["approver"], "S0LEADS": ["lead-data-scientist"]},
            "users": {**aws.gov.users, "U0DSG": ["data-scientist"]},
        },
    )


def members_changed(group: str, removed: list[str]) -> dict:
    return {
        "type": "subteam_members_changed",
        "subteam_id": group,
        "team_id": "T0TEAM",
        "date_previous_update": int(time.time()) - 60,
        "date_update": int(time.time()),
        "added_users": [],
        "added_users_count": "0",
        "removed_users": removed,
        "removed_users_count": str(len(removed)),
        "event_ts": f"{time.time():.6f}",
    }


def test_a_group_member_approves_as_the_approver_role(stack: Stack) -> None:
    stack.fake.set_group_members(GROUP, [MEMBER, "U0DSG"])
    stack.fake.set_group_members("S0LEADS", [])
    create_card(stack, "grouped")
    request = submit_card(stack, "grouped")

    # Cold cache: the edge does not call Slack; it asks to try again and queues a refresh.
    before = stack.core.redis.xlen(stack.core.keys.jobs)
    assert click_button(stack, APPROVE_ACTION, MEMBER, request).status == 200
    stack.drain()
    assert any("Checking your Slack user groups" in t for t in stack.ephemeral_texts(MEMBER))
    assert stack.core.redis.xlen(stack.core.keys.jobs) - before == 2  # the refresh, the answer
    assert stack.card_status("grouped") == "PendingReview"
    lists = [c.params["usergroup"] for c in stack.fake.calls_to("usergroups.users.list")]
    assert GROUP in lists

    moto_ext.clear_calls()
    assert click_button(stack, APPROVE_ACTION, MEMBER, request).status == 200
    stack.drain()
    assert stack.card_status("grouped") == "Approved"
    updates = [c for c in moto_ext.calls() if c["action"] == "UpdateModelCard"]
    assert [(c["caller_arn"].split("/")[1], c["source_identity"]) for c in updates] == [
        ("mc-approver", MEMBER)
    ]


def test_roles_are_the_union_of_users_and_groups(stack: Stack) -> None:
    stack.fake.set_group_members(GROUP, ["U0DSG"])
    stack.fake.set_group_members("S0LEADS", [])
    create_card(stack, "union")
    # U0DSG is a data scientist by `users` and an approver by the group.
    request = submit_card(stack, "union")
    click_button(stack, APPROVE_ACTION, "U0DSG", request)
    stack.drain()  # cold: refreshed by the worker
    click_button(stack, APPROVE_ACTION, "U0DSG", request)
    stack.drain()
    assert stack.card_status("union") == "Approved"


def test_a_member_removed_from_the_group_loses_the_role_after_the_event(stack: Stack) -> None:
    stack.fake.set_group_members(GROUP, [MEMBER])
    stack.fake.set_group_members("S0LEADS", [])
    create_card(stack, "removed")
    request = submit_card(stack, "removed")
    click_button(stack, APPROVE_ACTION, MEMBER, request)
    stack.drain()  # fills the cache
    stack.fake.set_group_members(GROUP, [])
    before = stack.core.redis.xlen(stack.core.keys.jobs)
    assert stack.sender.event(members_changed(GROUP, [MEMBER])).status == 200
    assert stack.core.redis.xlen(stack.core.keys.jobs) - before == 1  # only a refresh job
    stack.drain()
    click_button(stack, APPROVE_ACTION, MEMBER, request)
    stack.drain()
    [refusal] = [t for t in stack.ephemeral_texts(MEMBER) if "cannot approve" in t]
    assert f"your Slack user ({MEMBER}) is not mapped to a governance role" in refusal
    assert "user groups under `usergroups`" in refusal
    assert stack.card_status("removed") == "PendingReview"


def test_events_about_other_groups_queue_nothing(stack: Stack) -> None:
    before = stack.core.redis.xlen(stack.core.keys.jobs)
    assert stack.sender.event(members_changed("S0OTHER", ["U0X"])).status == 200
    updated = {"type": "subteam_updated", "subteam": {"id": "S0OTHER"}, "event_ts": "1.0"}
    assert stack.sender.event(updated).status == 200
    assert stack.core.redis.xlen(stack.core.keys.jobs) == before
    updated = {"type": "subteam_updated", "subteam": {"id": GROUP}, "event_ts": "1.0"}
    assert stack.sender.event(updated).status == 200
    assert stack.core.redis.xlen(stack.core.keys.jobs) == before + 1


def test_people_mapped_by_users_are_never_kept_waiting(stack: Stack) -> None:
    # The group caches are cold, but U0LEAD's own roles allow create: no wait, no refresh.
    answer = stack.command('create direct --owner o --problem-type "p"', "U0LEAD")
    assert "Creating model card `direct`" in answer_text(answer)
    assert stack.fake.calls_to("usergroups.users.list") == []


def test_an_unknown_group_holds_nobody(stack: Stack) -> None:
    # Slack answers no_such_subteam (e.g. a deleted group): nobody holds roles through it,
    # and people are told they are not mapped rather than to wait forever.
    stack.fake.set_group_members("S0LEADS", [])
    create_card(stack, "orphan")
    request = submit_card(stack, "orphan")
    click_button(stack, APPROVE_ACTION, MEMBER, request)
    stack.drain()
    click_button(stack, APPROVE_ACTION, MEMBER, request)
    stack.drain()
    assert any("is not mapped" in t for t in stack.ephemeral_texts(MEMBER))
