"""The demo's events queue: what the two EventBridge rules of deploy/cloudformation/central.yaml
would deliver (a card's state change and CloudTrail's record of the call), put on the SQS
queue the worker reads (MODELCARD_EVENTS_QUEUE_URL), in the central account where the bot's
own role reads it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from bot.local.sdk_as import assumed_session
from bot.local.stack import LocalStack

REGION = "us-east-1"
QUEUE_NAME = "modelcard-events"
QUEUE_ENV = "MODELCARD_EVENTS_QUEUE_URL"


def _sqs(moto_url: str, central: str) -> Any:
    session = assumed_session(
        moto_url, REGION, f"arn:aws:iam::{central}:role/demo-setup", "demo-setup"
    )
    return session.client("sqs", endpoint_url=moto_url)


def _central(stack: LocalStack) -> str:
    return str(yaml.safe_load(Path(stack.config).read_text())["central_account"])


def create_events_queue(stack: LocalStack) -> None:
    """Create the queue and give its URL to the processes started after this."""
    queue = _sqs(stack.moto_url, _central(stack)).create_queue(QueueName=QUEUE_NAME)
    stack.extra_env[QUEUE_ENV] = str(queue["QueueUrl"])


def forward_events(stack: LocalStack, card: str) -> None:
    """CloudTrail's record of the card's last update (kept by the moto extension) and the
    card's state change event, as the message bodies the rules' SQS targets deliver."""
    moto_url, queue_url = stack.moto_url, stack.extra_env[QUEUE_ENV]
    with urllib.request.urlopen(f"{moto_url}/_shim/cloudtrail", timeout=5) as answer:  # noqa: S310 - local
        events = [
            e
            for e in json.loads(answer.read())
            if e["detail"]["requestParameters"].get("modelCardName") == card
        ]
    state_change = {
        "version": "0",
        "id": f"state-change-{card}-{len(events)}",
        "detail-type": "SageMaker Model Card State Change",
        "source": "aws.sagemaker",
        "resources": [],
        "detail": {"ModelCardName": card},
    }
    sqs = _sqs(moto_url, _central(stack))
    for event in [*events[-1:], state_change]:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event))
