"""The story's act after the approval: what changed between the card's versions, and its PDF.

`/modelcard diff` is checked against AWS itself: the sections it names must be those in
which the two versions' content (DescribeModelCard with ModelCardVersion) differ.
`/modelcard export` is checked against S3 and the web: the PDF is in the export bucket under
`export_s3_uri` (ListObjectsV2, HeadObject, GetObject: it starts with ``%PDF``), the private
answer's presigned link downloads the same bytes with a plain HTTP GET (it points at the
moto server), and the prod channel got the same link, once.
"""

from __future__ import annotations

import contextlib
import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from bot.aws.cards import split_s3_uri
from bot.demo.driver import Conversation, Step
from bot.domain.diff import diff_content, section_of

_CHANGED = re.compile(r"v(\d+) → v(\d+): \d+ section\(s\) changed \(([^)]*)\)")


def short_link(url: str) -> str:
    """A presigned URL with its signature parts elided, for the transcript."""
    base, _, query = url.partition("?")
    expires = re.search(r"X-Amz-Expires=(\d+)", query)
    after = f" (presigned, valid {expires.group(1)} s)" if expires else ""
    return f"{base}?X-Amz-…{after}" if query else base


def download(url: str) -> tuple[int, bytes]:
    """(HTTP status, body) of a GET on `url`; (0, b"") when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - moto's http URL
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as err:
        return int(err.code), b""
    except (urllib.error.URLError, OSError):
        return 0, b""


class VersionsAndExport(Conversation):
    """`/modelcard diff` and `/modelcard export`, each one step with its own checks."""

    def compare_versions(self, act: str, user: str, card: str, editor: str) -> Step:
        """`user` asks what changed between the last two versions (`editor` made the last)."""
        step = self.command(act, user, f"diff {card}", card)
        new = int(step.aws_state.get("versions") or 0)
        old = new - 1
        in_aws: list[str] = []
        if old >= 1:
            changes = diff_content(
                self.observer.content(card, old), self.observer.content(card, new)
            )
            in_aws = list(dict.fromkeys(section_of(c.path) for c in changes))
        found = next(
            (m for a in step.answers if (m := _CHANGED.search(a["text"])) is not None), None
        )
        named = [s.strip() for s in found.group(3).split(",")] if found else []
        shown = ", ".join(in_aws) or "none"
        step.note(
            "AWS versions", f"v{old} and v{new} differ in: {shown} (DescribeModelCard, per version)"
        )
        step.details["diff"] = {
            "card": card,
            "from_version": old,
            "to_version": new,
            "sections": named,
            "sections_in_aws": in_aws,
            "changed_by": editor,
        }
        self.verify(
            step,
            [
                ("the ack says it is comparing", step.said("Comparing", via="ack")),
                (
                    f"the worker compared v{old} → v{new}",
                    found and (found.group(1), found.group(2)) == (str(old), str(new)),
                ),
                (f"it names the sections AWS's versions differ in ({shown})", named == in_aws),
                (f"and who made v{new} (@{editor})", step.said(f"v{new} by @{editor}")),
                ("only the asker saw it: nothing was posted", not step.posts),
            ],
        )
        return step

    def export_pdf(self, act: str, user: str, card: str) -> Step:
        """`user` exports `card` (Approved) as PDF: a private link, and the prod channel's."""
        prod = self.gov.stages["prod"]
        step = self.command(act, user, f"export {card}", card)
        bucket, prefix = split_s3_uri(self.gov.export_s3_uri or "")
        url = step.link("response_url", bucket)
        posted = step.posted(prod.channel, "PDF of model card", card)
        posted_url = step.link(prod.channel, bucket)
        key = unquote(urlsplit(url).path).removeprefix(f"/{bucket}/")
        objects = self.observer.objects(bucket, f"{prefix.strip('/')}/{card}/")
        head: dict[str, Any] = {}
        body = b""
        if key in objects:
            with contextlib.suppress(ClientError):  # a failed check below says so
                head, body = self.observer.read_object(bucket, key)
        on_moto = url.startswith(f"{self.stack.moto_url}/")
        status, got = download(url) if on_moto else (0, b"")
        s3_uri = f"s3://{bucket}/{key}"
        size = int(head.get("ContentLength", 0))
        if url:
            step.note("link", short_link(url))
        step.note("S3", f"{s3_uri}: {size} bytes, starts {body[:8]!r} (HeadObject, GetObject)")
        same = "the same bytes as" if got and got == body else "NOT the same as"
        step.note("GET link", f"HTTP {status}, {len(got)} bytes: {same} the S3 object")
        step.details["export"] = {
            "card": card,
            "version": step.aws_state.get("version"),
            "status": step.aws_state.get("status"),
            "s3_uri": s3_uri,
            "bucket": bucket,
            "key": key,
            "size": size,
            "in_s3": key in objects and size == len(body) > 0,
            "is_pdf": body.startswith(b"%PDF"),
            "link": url,
            "link_status": status,
            "link_downloads_pdf": status == 200 and got == body and got.startswith(b"%PDF"),
            "prod_channel": self.channel(prod.channel),
            "prod_post": posted is not None and posted_url == url,
        }
        export = step.details["export"]
        self.verify(
            step,
            [
                ("the ack says it is exporting", step.said("Exporting", card, via="ack")),
                (
                    f"{user} got a private download link",
                    url and step.said("PDF of model card", card, via="response_url"),
                ),
                (f"S3: the PDF is in {bucket} under {prefix} ({size} bytes)", export["in_s3"]),
                ("it is a PDF: it starts with %PDF", export["is_pdf"]),
                ("the link points at the moto server (the AWS endpoint)", on_moto),
                (
                    "the presigned link downloads the same PDF (HTTP 200)",
                    export["link_downloads_pdf"],
                ),
                (
                    f"{self.channel(prod.channel)} got the same link (the card is Approved)",
                    export["prod_post"],
                ),
            ],
        )
        return step
