"""`/modelcard export NAME`: a CreateModelCardExportJob as the person's role, a presigned
link to the PDF in S3, and for Approved cards one post in the prod channel."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import requests

from bot.aws import Actor
from bot.domain.status import Action
from bot.local import moto_ext
from tests.gov_override import governed_aws  # noqa: F401 - the `aws` fixture of this module
from tests.slack_helpers import (
    ADMIN,
    APPR,
    DS,
    LEAD,
    NOBODY,
    Quiet,
    answer_text,
    approve_card,
    create_card,
    submit_card,
    text_of,
)
from tests.slack_stack import Stack

CARD = "customer-churn-v1"
BUCKET = "mc-governance-exports"
EXPORTS = f"s3://{BUCKET}/model-cards"
_LINK = re.compile(r"<(https://[^|>]+)\|")


@pytest.fixture
def gov_changes() -> dict[str, Any]:
    return {"export_s3_uri": EXPORTS}


def s3_client(stack: Stack) -> Any:
    """S3 in the central account (where the export bucket lives)."""
    return stack.aws.sessions.client(stack.aws.actor(ADMIN, Action.DELETE), "s3")


@pytest.fixture
def bucket(stack: Stack) -> str:
    s3_client(stack).create_bucket(Bucket=BUCKET)
    return BUCKET


def export_replies(stack: Stack, user: str) -> list[dict[str, Any]]:
    return [e for e in stack.fake.ephemerals(user=user) if "PDF of model card" in text_of(e)]


def link_in(message: dict[str, Any]) -> str:
    found = _LINK.findall(text_of(message))
    assert found, text_of(message)
    return str(found[0])


def test_export_replies_with_a_presigned_link_to_the_pdf(stack: Stack, bucket: str) -> None:
    create_card(stack, CARD)
    moto_ext.clear_calls()
    answer = answer_text(stack.command(f"export {CARD}", DS))
    assert f"Exporting model card `{CARD}` as PDF" in answer
    stack.drain()

    [reply] = export_replies(stack, DS)
    assert reply["via"] == "response_url"
    url = link_in(reply)
    assert url in reply["text"].replace("&amp;", "&")  # the fallback text carries it too
    shown = text_of(reply)
    assert "v1" in shown
    assert "`Draft`" in shown
    assert "expires within 60 minutes" in shown

    # The PDF is in the export bucket under the configured prefix, and the link is for it.
    keys = [o["Key"] for o in s3_client(stack).list_objects_v2(Bucket=bucket)["Contents"]]
    [key] = keys
    assert key.startswith(f"model-cards/{CARD}/")
    assert key.endswith(f"/{CARD}.pdf")
    body = s3_client(stack).get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body.startswith(b"%PDF-")
    parsed = urlparse(url)
    assert parsed.netloc.startswith(BUCKET) or parsed.path.startswith(f"/{BUCKET}/")
    assert unquote(parsed.path).endswith(key)
    query = parse_qs(parsed.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert query["X-Amz-Security-Token"]  # signed with the person's role session
    assert query["X-Amz-Signature"]
    downloaded = requests.get(url, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == body

    # The export ran as the person's role, in the central account.
    exports = [c for c in moto_ext.calls() if c["action"] == "CreateModelCardExportJob"]
    assert [(c["account"], c["source_identity"]) for c in exports] == [("111111111111", DS)]
    assert exports[0]["caller_arn"].startswith("arn:aws:sts::111111111111:assumed-role/mc-ds/")
    polled = [c for c in moto_ext.calls() if c["action"] == "DescribeModelCardExportJob"]
    assert polled
    assert stack.fake.messages("C0PROD") == []  # a Draft card is not posted anywhere

    # Done: the person may export again (the claim only stops doubles).
    assert "Exporting" in answer_text(stack.command(f"export {CARD}", DS))
    stack.drain()
    assert len(export_replies(stack, DS)) == 2
    assert len(s3_client(stack).list_objects_v2(Bucket=bucket)["Contents"]) == 2


def test_double_export_request_runs_once(stack: Stack, bucket: str) -> None:
    create_card(stack, CARD)
    assert "Exporting" in answer_text(stack.command(f"export {CARD}", DS))
    again = answer_text(stack.command(f"export {CARD}", DS))
    assert f"Your PDF export of `{CARD}` is still running" in again
    stack.drain()
    assert len(export_replies(stack, DS)) == 1


def test_approved_card_export_posts_the_link_once_in_prod(stack: Stack, bucket: str) -> None:
    create_card(stack, CARD)
    submit_card(stack, CARD, user=DS)
    approve_card(stack, CARD, user=APPR)
    before = len(stack.fake.messages("C0PROD"))  # the Approved stage notification

    for user in (LEAD, APPR):  # anyone mapped, approver included, may export
        assert "Exporting" in answer_text(stack.command(f"export {CARD}", user))
        stack.drain()
        [reply] = export_replies(stack, user)
        assert "`Approved`" in text_of(reply)

    posts = [m for m in stack.fake.messages("C0PROD") if "PDF of model card" in text_of(m)]
    assert len(stack.fake.messages("C0PROD")) == before + 1
    [post] = posts
    assert CARD in text_of(post)
    # The second export refreshed the same message with its new link (chat.update).
    assert "Exported by <@U0APPR>" in text_of(post)
    assert link_in(post) == link_in(export_replies(stack, APPR)[0])
    assert link_in(post) != link_in(export_replies(stack, LEAD)[0])
    updates = [c for c in stack.fake.calls_to("chat.update") if c.params["ts"] == post["ts"]]
    assert len(updates) == 1


def test_failed_export_is_told_clearly(stack: Stack) -> None:
    # No bucket: SageMaker refuses the export job.
    create_card(stack, CARD)
    stack.command(f"export {CARD}", DS)
    stack.drain()
    texts = stack.ephemeral_texts(DS)
    [failed] = [t for t in texts if "CreateModelCardExportJob" in t]
    assert f"model card `{CARD}`" in failed
    assert f"The S3 bucket {BUCKET} does not exist" in failed
    assert "does not exist. Check the name with `/modelcard list`" not in failed  # not the card
    # The claim was released: the person may try again once the bucket exists.
    assert "Exporting" in answer_text(stack.command(f"export {CARD}", DS))


def test_export_job_that_fails_in_sagemaker(
    stack: Stack, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.aws.cards import CardExport, ModelCards

    def failed(self: ModelCards, actor: Actor, arn: str, name: str = "") -> CardExport:
        return CardExport(arn, "job", name, 1, "Failed", failure="Rendering failed")

    create_card(stack, CARD)
    monkeypatch.setattr(ModelCards, "describe_export", failed)
    stack.command(f"export {CARD}", DS)
    stack.drain()
    [text] = [t for t in stack.ephemeral_texts(DS) if "export" in t.lower()]
    assert f"The PDF export of model card `{CARD}` (v1) failed: Rendering failed." in text
    assert f"`/modelcard export {CARD}`" in text


def test_export_still_running_is_retried_and_finds_its_job(
    stack: Stack, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.aws.cards import CardExport, ModelCards

    original = ModelCards.describe_export
    seen: list[str] = []

    def slow(self: ModelCards, actor: Actor, arn: str, name: str = "") -> CardExport:
        seen.append(arn)
        found = original(self, actor, arn, name)
        if len(seen) == 1:  # the first attempt times out while the job runs
            return CardExport(arn, found.name, found.card, found.version, "InProgress")
        return found

    monkeypatch.setattr(ModelCards, "describe_export", slow)
    cards = stack.worker._executor._transitions._cards  # type: ignore[attr-defined]  # one for every family
    monkeypatch.setattr(cards, "_export_timeout", 0.0)
    monkeypatch.setattr(stack.worker, "_sleep", lambda _s: None)
    create_card(stack, CARD)
    stack.command(f"export {CARD}", DS)
    stack.drain()
    # The retry found the job the first attempt started (ConflictException on its name).
    assert len(seen) == 2
    assert seen[0] == seen[1]
    [reply] = export_replies(stack, DS)
    assert link_in(reply)
    creates = [c for c in moto_ext.calls() if c["action"] == "CreateModelCardExportJob"]
    assert [c["status"] for c in creates][-2:] == [200, 400]


@pytest.mark.parametrize("gov_changes", [{"export_s3_uri": None}])
def test_export_not_configured_says_what_to_set(stack: Stack) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    shown = answer_text(stack.command(f"export {CARD}", DS))
    assert f"PDF export of `{CARD}` is not configured" in shown
    assert "`export_s3_uri: s3://BUCKET/PREFIX`" in shown
    quiet.check()


def test_unmapped_user_may_not_export(stack: Stack, bucket: str) -> None:
    create_card(stack, CARD)
    quiet = Quiet(stack)
    shown = answer_text(stack.command(f"export {CARD}", NOBODY))
    assert f"You cannot export `{CARD}`: your Slack user (U0NOBODY) is not mapped" in shown
    quiet.check()


def test_export_of_an_unknown_card(stack: Stack, bucket: str) -> None:
    quiet = Quiet(stack)
    shown = answer_text(stack.command("export no-such-card", DS))
    assert "Model card `no-such-card` does not exist" in shown
    assert "Usage" not in shown
    quiet.check()
    assert "Which model card?" in answer_text(stack.command("export", DS))
