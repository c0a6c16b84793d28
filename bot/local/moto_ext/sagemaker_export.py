"""SageMaker model card export jobs: complete at once, write a small real PDF to S3."""

from __future__ import annotations

import re
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.s3.models import s3_backends
from moto.sagemaker.exceptions import ConflictException, ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse

from bot.local.moto_ext.sagemaker_cards import authorize_card_action, caller_arn, card_target

JOB_ARN = re.compile(r"^(arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):model-card/[^/]+)/")


def export_jobs(backend: SageMakerModelBackend) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = backend.__dict__.setdefault("model_card_export_jobs", {})
    return jobs


def render_pdf(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 document showing `lines` in Helvetica (valid xref table)."""
    esc = [s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for s in lines]
    text = "BT /F1 12 Tf 16 TL 72 740 Td " + " ".join(f"({s}) '" for s in esc) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text.encode('latin-1', 'replace'))} >>\nstream\n{text}\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1", "replace")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def create_model_card_export_job(self: SageMakerResponse) -> ActionResult:
    backend, name = card_target(self, "CreateModelCardExportJob")
    card = backend.describe_model_card(name, self._get_param("ModelCardVersion"))
    job_name = self._get_param("ModelCardExportJobName")
    output = self._get_param("OutputConfig") or {}
    match = re.match(r"^s3://([^/]+)/?(.*)$", output.get("S3OutputPath", ""))
    if not match:
        raise ValidationError("OutputConfig.S3OutputPath must be an s3://bucket/prefix URI.")
    bucket, prefix = match.groups()
    if bucket not in s3_backends.bucket_accounts:
        raise ValidationError(f"The S3 bucket {bucket} does not exist.")
    jobs, arn = export_jobs(backend), f"{card['ModelCardArn']}/export-job/{job_name}"
    if arn in jobs:
        raise ConflictException(f"Model card export job {job_name} already exists.")
    key = "/".join(p for p in (prefix.strip("/"), name, job_name, f"{name}.pdf") if p)
    now = utcnow()
    pdf = render_pdf(
        [
            f"Model card: {name}",
            f"ARN: {card['ModelCardArn']}",
            f"Version: {card['ModelCardVersion']}",
            f"Status: {card['ModelCardStatus']}",
            f"Exported: {now.isoformat()}Z by export job {job_name}",
        ]
    )
    partition, bucket_account = s3_backends.bucket_accounts[bucket]
    s3_backends[bucket_account][partition].put_object(bucket, key, pdf)
    jobs[arn] = {
        "ModelCardExportJobName": job_name,
        "ModelCardExportJobArn": arn,
        "Status": "Completed",
        "ModelCardName": name,
        "ModelCardVersion": card["ModelCardVersion"],
        "OutputConfig": {"S3OutputPath": output["S3OutputPath"]},
        "CreatedAt": now,
        "LastModifiedAt": now,
        "ExportArtifacts": {"S3ExportArtifacts": f"s3://{bucket}/{key}"},
    }
    return ActionResult({"ModelCardExportJobArn": arn})


def describe_model_card_export_job(self: SageMakerResponse) -> ActionResult:
    arn = self._get_param("ModelCardExportJobArn") or ""
    match = JOB_ARN.match(arn)
    if not match:
        raise ValidationError(f"Invalid model card export job ARN: {arn}")
    card_arn, region, owner = match.groups()
    authorize_card_action(
        self.current_account, card_arn, "DescribeModelCardExportJob", caller_arn(self)
    )
    job = export_jobs(sagemaker_backends[owner][region]).get(arn)
    if job is None:
        raise ResourceNotFound(f"Model card export job {arn} does not exist.")
    return ActionResult(job)


def list_model_card_export_jobs(self: SageMakerResponse) -> ActionResult:
    p = self._get_param
    jobs = [
        {k: v for k, v in job.items() if k not in ("OutputConfig", "ExportArtifacts")}
        for job in export_jobs(self.sagemaker_backend).values()
        if job["ModelCardName"] == p("ModelCardName")
        and (p("ModelCardVersion") is None or job["ModelCardVersion"] == p("ModelCardVersion"))
        and (
            not p("ModelCardExportJobNameContains")
            or p("ModelCardExportJobNameContains") in job["ModelCardExportJobName"]
        )
        and (not p("StatusEquals") or job["Status"] == p("StatusEquals"))
    ]
    key = {"Name": "ModelCardExportJobName", "Status": "Status"}.get(p("SortBy"), "CreatedAt")
    jobs.sort(key=lambda job: job[key], reverse=p("SortOrder") != "Ascending")
    return ActionResult({"ModelCardExportJobSummaries": jobs})
