"""RAM shares are the bot's: a card put by hand into a share its status does not reach, a
card missing from its share, or a share missing its account is put right and reported once;
the share listings cost two RAM calls per stage and pass, whatever the number of cards."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.authz import Authorizer
from bot.aws import ModelCards
from bot.aws.sessions import Actor
from bot.aws.sharing import share_name
from bot.domain.status import CardStatus
from bot.local import moto_ext as moto_shim
from bot.worker.drift import ShareDrift, reaching
from bot.worker.services import WorkerServices
from tests.slack_stack import Stack

pytestmark = pytest.mark.usefixtures("shared_botocore_loader")

AUTOMATION = Actor("modelcard-bot", "arn:aws:iam::111111111111:role/mc-automation")


def drift(stack: Stack) -> ShareDrift:
    c, aws = stack.core, stack.aws
    notifier = stack.worker._executor._notifier  # type: ignore[attr-defined]
    services = WorkerServices(
        c.gov,
        Authorizer(c.gov, c.state),
        ModelCards(aws.sessions),
        aws.shares,
        c.state,
        c.audit,
        notifier,
        c.outbox,
    )
    return ShareDrift(services, AUTOMATION, 0.0)


def reports(stack: Stack, channel: str) -> list[str]:
    return [json.dumps(m) for m in stack.fake.messages(channel) if "Share drift" in json.dumps(m)]


def share_arn(stack: Stack, stage: str) -> str:
    ram: Any = stack.aws.sessions.client(AUTOMATION, "ram")
    shares = ram.get_resource_shares(resourceOwner="SELF", name=share_name(stage))
    return str(shares["resourceShares"][0]["resourceShareArn"])


def test_statuses_reaching_each_stage(stack: Stack) -> None:
    gov = stack.core.gov
    assert reaching(gov, "dev") == {
        CardStatus.DRAFT,
        CardStatus.PENDING_REVIEW,
        CardStatus.APPROVED,
    }
    assert reaching(gov, "prod") == {CardStatus.APPROVED}


def test_drift_is_put_right_and_reported_once(stack: Stack) -> None:
    stack.command("create approved-one --owner o --problem-type p", "U0LEAD")
    stack.drain()
    stack.command("submit approved-one", "U0DS")
    stack.drain()
    stack.command("approve approved-one", "U0APPR")  # the prod share exists
    stack.drain()
    stack.command("create in-review --owner o --problem-type p", "U0LEAD")
    stack.drain()
    stack.command("submit in-review", "U0DS")
    stack.drain()
    ram: Any = stack.aws.sessions.client(AUTOMATION, "ram")
    review_arn = stack.core.state.get("in-review").arn  # type: ignore[union-attr]
    # By hand: into prod while in review; out of test; the dev account out of its share.
    ram.associate_resource_share(
        resourceShareArn=share_arn(stack, "prod"), resourceArns=[review_arn]
    )
    ram.disassociate_resource_share(
        resourceShareArn=share_arn(stack, "test"), resourceArns=[review_arn]
    )
    ram.disassociate_resource_share(
        resourceShareArn=share_arn(stack, "dev"), principals=["222222222222"]
    )

    moto_shim.clear_calls()
    fixed = drift(stack).check("p1")
    assert {(d.stage, d.kind, d.card) for d in fixed} == {
        ("prod", "extra-card", "in-review"),
        ("test", "missing-card", "in-review"),
        ("dev", "missing-principal", ""),
    }
    stages = [s.stage for s in stack.aws.shares.card_shares(AUTOMATION, review_arn)]
    assert stages == ["dev", "test"]
    assert len(reports(stack, "C0APPROVE")) == 3
    assert len(reports(stack, "C0OPS")) == 3
    assert "prod share" in " ".join(reports(stack, "C0APPROVE"))
    moto_shim.clear_calls()
    assert drift(stack).check("p2") == []  # nothing left: nothing more reported
    calls = [c["action"] for c in moto_shim.calls() if c["service"] == "ram"]
    # Two listings per stage share (its cards, its principals), not one per card.
    assert calls.count("GetResourceShareAssociations") == 2 * len(stack.core.gov.stages)
    assert "AssociateResourceShare" not in calls
    assert "DisassociateResourceShare" not in calls
    assert len(reports(stack, "C0APPROVE")) == 3
    events = [e for e in stack.core.audit.recent(50) if e.action == "share-drift"]
    assert len(events) == 3


def test_a_card_the_worker_has_not_settled_yet_is_left_alone(stack: Stack) -> None:
    stack.command("create moving --owner o --problem-type p", "U0LEAD")
    stack.drain()
    lead = stack.aws.actor("U0LEAD", __import__("bot.domain.status").domain.status.Action.SUBMIT)
    stack.aws.cards.update_status(lead, "moving", CardStatus.PENDING_REVIEW)
    arn = stack.core.state.get("moving").arn  # type: ignore[union-attr]
    stack.aws.shares.share_card(AUTOMATION, "test", arn)  # its OBSERVE job is half-way
    assert drift(stack).check("p1") == []
