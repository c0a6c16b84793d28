"""Model cards in the central account, called as the acting person's role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.aws.errors import translate
from bot.aws.sessions import Actor, RoleSessions
from bot.domain.content import validate_content
from bot.domain.names import validate_name
from bot.domain.status import Action, CardStatus, plan_transition
from bot.errors import AwsError


@dataclass(frozen=True)
class CardRecord:
    name: str
    arn: str
    status: CardStatus
    version: int
    content: dict[str, Any]
    created_at: datetime | None
    modified_at: datetime | None


@dataclass(frozen=True)
class CardSummary:
    name: str
    arn: str
    status: CardStatus
    created_at: datetime | None
    modified_at: datetime | None


@dataclass(frozen=True)
class CardVersion:
    name: str
    version: int
    status: CardStatus
    modified_at: datetime | None


@dataclass(frozen=True)
class TransitionOutcome:
    """`changed` is False when the card was already at the target (an idempotent replay)."""

    card: CardRecord
    previous: CardStatus
    changed: bool
    request_id: str = ""


class ModelCards:
    """SageMaker model card calls; names and content are checked before AWS sees them."""

    def __init__(self, sessions: RoleSessions) -> None:
        self._sessions = sessions

    def _client(self, actor: Actor) -> Any:
        return self._sessions.client(actor, "sagemaker")

    def create(
        self,
        actor: Actor,
        name: str,
        content: dict[str, Any] | str,
        status: CardStatus = CardStatus.DRAFT,
    ) -> str:
        validate_name(name)
        body = validate_content(name, content)
        try:
            answer = self._client(actor).create_model_card(
                ModelCardName=name, Content=body, ModelCardStatus=str(status)
            )
        except Exception as err:
            raise translate(err, card=name, action="CreateModelCard") from err
        return str(answer["ModelCardArn"])

    def describe(self, actor: Actor, name: str, version: int | None = None) -> CardRecord:
        """`name` may be the card name or its ARN."""
        params: dict[str, Any] = {"ModelCardName": name}
        if version is not None:
            params["ModelCardVersion"] = version
        try:
            answer = self._client(actor).describe_model_card(**params)
        except Exception as err:
            raise translate(err, card=name, action="DescribeModelCard") from err
        return CardRecord(
            name=answer["ModelCardName"],
            arn=answer["ModelCardArn"],
            status=CardStatus(answer["ModelCardStatus"]),
            version=int(answer["ModelCardVersion"]),
            content=json.loads(answer.get("Content") or "{}"),
            created_at=answer.get("CreationTime"),
            modified_at=answer.get("LastModifiedTime"),
        )

    def update_content(self, actor: Actor, name: str, content: dict[str, Any] | str) -> None:
        """A content edit; AWS makes it a new version. The status is a separate call."""
        body = validate_content(name, content)
        try:
            self._client(actor).update_model_card(ModelCardName=name, Content=body)
        except Exception as err:
            raise translate(err, card=name, action="UpdateModelCard") from err

    def update_status(self, actor: Actor, name: str, status: CardStatus) -> str:
        """Set the status (a call of its own); returns the AWS request id for the audit."""
        try:
            answer = self._client(actor).update_model_card(
                ModelCardName=name, ModelCardStatus=str(status)
            )
        except Exception as err:
            raise translate(err, card=name, action="UpdateModelCard") from err
        return str(answer.get("ResponseMetadata", {}).get("RequestId", ""))

    def transition(self, actor: Actor, name: str, action: Action) -> TransitionOutcome:
        """Compare-and-set: describe; skip if at target; refuse if not at a source; set; confirm."""
        before = self.describe(actor, name)
        plan = plan_transition(before.name, action, before.status)
        if plan is None:
            return TransitionOutcome(card=before, previous=before.status, changed=False)
        request_id = self.update_status(actor, name, plan.target)
        after = self.describe(actor, name)
        if after.status != plan.target:
            # Someone else moved it between our update and the read: let the job retry.
            raise AwsError(
                f"Model card `{name}` is {after.status} after setting {plan.target}; "
                "another change raced this one.",
                code="TransitionRace",
                retryable=True,
            )
        return TransitionOutcome(
            card=after, previous=before.status, changed=True, request_id=request_id
        )

    def list_cards(self, actor: Actor, status: CardStatus | None = None) -> Iterator[CardSummary]:
        params: dict[str, Any] = {"SortBy": "Name", "SortOrder": "Ascending"}
        if status is not None:
            params["ModelCardStatus"] = str(status)
        try:
            pages = self._client(actor).get_paginator("list_model_cards").paginate(**params)
            for page in pages:
                for item in page.get("ModelCardSummaries", []):
                    yield CardSummary(
                        name=item["ModelCardName"],
                        arn=item["ModelCardArn"],
                        status=CardStatus(item["ModelCardStatus"]),
                        created_at=item.get("CreationTime"),
                        modified_at=item.get("LastModifiedTime"),
                    )
        except Exception as err:
            raise translate(err, action="ListModelCards") from err

    def list_versions(self, actor: Actor, name: str) -> list[CardVersion]:
        params = {"ModelCardName": name, "SortBy": "Version", "SortOrder": "Ascending"}
        found: list[CardVersion] = []
        try:
            pages = self._client(actor).get_paginator("list_model_card_versions").paginate(**params)
            for page in pages:
                for item in page.get("ModelCardVersionSummaryList", []):
                    found.append(
                        CardVersion(
                            name=item["ModelCardName"],
                            version=int(item["ModelCardVersion"]),
                            status=CardStatus(item["ModelCardStatus"]),
                            modified_at=item.get("LastModifiedTime"),
                        )
                    )
        except Exception as err:
            raise translate(err, card=name, action="ListModelCardVersions") from err
        return found

    def delete(self, actor: Actor, name: str) -> None:
        try:
            self._client(actor).delete_model_card(ModelCardName=name)
        except Exception as err:
            raise translate(err, card=name, action="DeleteModelCard") from err
