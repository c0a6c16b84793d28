"""Model cards in the central account, called as the acting person's role."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from bot.aws.errors import translate
from bot.aws.outcome import WriteOutcome
from bot.aws.sessions import Actor, RoleSessions
from bot.domain.content import validate_content
from bot.domain.names import validate_name
from bot.domain.review import check_version
from bot.domain.status import TRANSITIONS, Action, CardStatus, TransitionPlan, plan_transition
from bot.errors import AwsError, CardNotFound

# A PDF export is polled every EXPORT_POLL_SECONDS for at most EXPORT_TIMEOUT_SECONDS per job
# attempt; a longer one is a retryable error and the retried job picks the same export up.
EXPORT_POLL_SECONDS = 2.0
EXPORT_TIMEOUT_SECONDS = 120.0
EXPORT_DONE = frozenset({"Completed", "Failed"})
_S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")


@dataclass(frozen=True)
class CardRecord:
    name: str
    arn: str
    status: CardStatus
    version: int
    content: dict[str, Any]
    created_at: datetime | None
    modified_at: datetime | None
    # DescribeModelCard's LastModifiedBy (a UserContext), as AWS returned it.
    modified_by: dict[str, Any] = field(default_factory=dict)


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
class TransitionOutcome(WriteOutcome):
    """`changed` is False when the card was already at the target (an idempotent replay)."""

    card: CardRecord
    previous: CardStatus


@dataclass(frozen=True)
class CardExport:
    """A model card export job: `status` is InProgress, Completed or Failed."""

    arn: str
    name: str
    card: str
    version: int
    status: str
    artifact_uri: str = ""
    failure: str = ""


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of an s3://bucket/key URI."""
    match = _S3_URI.match(uri)
    if not match:
        raise AwsError(f"{uri!r} is not an s3://bucket/key location.", code="BadS3Uri")
    return match.group(1), match.group(2)


class ModelCards:
    """SageMaker model card calls; names and content are checked before AWS sees them."""

    def __init__(
        self,
        sessions: RoleSessions,
        *,
        export_timeout: float = EXPORT_TIMEOUT_SECONDS,
        export_poll: float = EXPORT_POLL_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._export_timeout = export_timeout
        self._export_poll = export_poll
        self._sleep = sleep
        self._clock = clock

    @property
    def sessions(self) -> RoleSessions:
        return self._sessions

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
            modified_by=dict(answer.get("LastModifiedBy") or {}),
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

    def transition(
        self,
        actor: Actor,
        name: str,
        action: Action,
        *,
        expect_version: int | None = None,
        also_from: frozenset[CardStatus] = frozenset(),
    ) -> TransitionOutcome:
        """Compare-and-set: describe; skip if at target; refuse if not at a source (or the
        content is not at `expect_version`, the version under review); set; confirm.
        `also_from` lets a held out-of-band approval be rejected from Approved."""
        before = self.describe(actor, name)
        if before.status in also_from:
            plan: TransitionPlan | None = TransitionPlan(
                before.name, action, before.status, TRANSITIONS[action][1]
            )
        else:
            plan = plan_transition(before.name, action, before.status)
        if plan is None:
            return TransitionOutcome(card=before, previous=before.status, changed=False)
        check_version(before.name, expect_version, before.version)
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

    # ------------------------------------------------------------------ PDF export

    def export_pdf(
        self, actor: Actor, name: str, job_name: str, s3_uri: str, version: int | None = None
    ) -> CardExport:
        """Start (or, on a retry, find) the export job `job_name` and wait until it is done.

        Raises a retryable AwsError when it is still running after the export timeout.
        """
        arn = self._start_export(actor, name, job_name, s3_uri, version)
        deadline = self._clock() + self._export_timeout
        while True:
            export = self.describe_export(actor, arn, name)
            if export.status in EXPORT_DONE:
                return export
            if self._clock() >= deadline:
                raise AwsError(
                    f"The PDF export of model card `{name}` is still running after "
                    f"{self._export_timeout:.0f} s; I will keep checking.",
                    code="ExportTimeout",
                    retryable=True,
                )
            self._sleep(self._export_poll)

    def _start_export(
        self, actor: Actor, name: str, job_name: str, s3_uri: str, version: int | None
    ) -> str:
        params: dict[str, Any] = {
            "ModelCardName": name,
            "ModelCardExportJobName": job_name,
            "OutputConfig": {"S3OutputPath": s3_uri},
        }
        if version is not None:
            params["ModelCardVersion"] = version
        try:
            answer = self._client(actor).create_model_card_export_job(**params)
        except ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            if code == "ConflictException":  # a retry of this job: its export exists already
                found = self._find_export(actor, name, job_name)
                if found:
                    return found
            raise _export_error(err, name, "CreateModelCardExportJob") from err
        except Exception as err:
            raise _export_error(err, name, "CreateModelCardExportJob") from err
        return str(answer["ModelCardExportJobArn"])

    def _find_export(self, actor: Actor, name: str, job_name: str) -> str | None:
        params = {"ModelCardName": name, "ModelCardExportJobNameContains": job_name}
        try:
            pages = self._client(actor).get_paginator("list_model_card_export_jobs")
            for page in pages.paginate(**params):
                for item in page.get("ModelCardExportJobSummaries", []):
                    if item.get("ModelCardExportJobName") == job_name:
                        return str(item["ModelCardExportJobArn"])
        except Exception as err:
            raise _export_error(err, name, "ListModelCardExportJobs") from err
        return None

    def describe_export(self, actor: Actor, arn: str, name: str = "") -> CardExport:
        try:
            answer = self._client(actor).describe_model_card_export_job(ModelCardExportJobArn=arn)
        except Exception as err:
            raise _export_error(err, name, "DescribeModelCardExportJob") from err
        artifacts = answer.get("ExportArtifacts") or {}
        return CardExport(
            arn=str(answer.get("ModelCardExportJobArn", arn)),
            name=str(answer.get("ModelCardExportJobName", "")),
            card=str(answer.get("ModelCardName", name)),
            version=int(answer.get("ModelCardVersion", 0) or 0),
            status=str(answer.get("Status", "")),
            artifact_uri=str(artifacts.get("S3ExportArtifacts", "")),
            failure=str(answer.get("FailureReason", "")),
        )

    def put_object(self, actor: Actor, s3_uri: str, body: bytes, content_type: str) -> str:
        """Write `body` at `s3_uri` as the person's role; returns the request id."""
        bucket, key = split_s3_uri(s3_uri)
        try:
            answer = self._sessions.client(actor, "s3").put_object(
                Bucket=bucket, Key=key, Body=body, ContentType=content_type
            )
        except Exception as err:
            raise translate(err, action=f"writing {s3_uri}") from err
        return str(answer.get("ResponseMetadata", {}).get("RequestId", ""))

    def presigned_get(self, actor: Actor, s3_uri: str, expires_in: int = 3600) -> str:
        """A link that downloads `s3_uri`, signed with the person's role (no AWS call).

        It stops working after `expires_in` seconds or when the role session that signed it
        expires, whichever comes first.
        """
        bucket, key = split_s3_uri(s3_uri)
        client = self._sessions.client(actor, "s3")
        # botocore still presigns with SigV2 in us-east-1 unless told otherwise; SigV4 is
        # what current buckets and SSE-KMS objects require.
        client.meta.events.register_first(
            "choose-signer.s3.GetObject", _sigv4, unique_id="modelcard-bot-presign-sigv4"
        )
        try:
            url = client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
            )
        except Exception as err:
            raise translate(err, action=f"presigning {s3_uri}") from err
        return str(url)


def _sigv4(**_kwargs: Any) -> str:
    return "s3v4"


def _export_error(err: Exception, name: str, action: str) -> Exception:
    """Like `translate`, but an S3 location that "does not exist" is not the card missing."""
    if isinstance(err, ClientError):
        code = str(err.response.get("Error", {}).get("Code", ""))
        if name and code == "ResourceNotFound" and action != "DescribeModelCardExportJob":
            return CardNotFound(name)
    subject = f"{action} for model card `{name}`" if name else action
    return translate(err, action=subject)
