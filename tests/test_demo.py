"""`python -m bot demo`: the embedded default plays the whole story and ends in the right
state; and the Block Kit -> text renderer its transcript uses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo.render import answer_text, blocks_to_text, buttons, mrkdwn_to_text, view_text
from bot.slack.block_kit import context, divider, header, plain, section
from bot.slack.forms.edit import edit_modal
from bot.slack.forms.reject import reject_modal
from bot.slack.messages.approvals import approval_decided_blocks, approval_request_blocks
from bot.store.cards import CardSnapshot

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = {"dev": "222222222222", "test": "333333333333", "prod": "444444444444"}


@pytest.mark.e2e
def test_demo_plays_the_story_and_ends_approved_and_shared() -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout)  # stdout is only the JSON; progress went to stderr
    assert result["ok"] is True
    assert result["error"] is None
    assert "━━ Summary ━━" in done.stderr

    steps = result["steps"]
    summary = result["summary"]
    assert summary["steps_passed"] == summary["steps_total"] == len(steps) >= 11
    assert all(step["passed"] for step in steps)
    for step in steps:
        assert step["actor"]
        assert step["input"]
        assert step["aws_state"]["card"]

    # The main card: Approved, two versions, shared dev/test read-write and prod read-only.
    card = summary["card"]
    assert card["card"] == "customer-churn-v1"
    assert card["status"] == "Approved"
    assert card["versions"] == 2
    shares = [(s["stage"], s["account"], s["access"]) for s in card["shares"]]
    assert shares == [
        ("dev", ACCOUNTS["dev"], "read-write"),
        ("test", ACCOUNTS["test"], "read-write"),
        ("prod", ACCOUNTS["prod"], "read-only"),
    ]
    assert all(
        s["can_describe"] and s["account_association"] == "ASSOCIATED" for s in card["shares"]
    )
    prod = card["shares"][2]
    assert "sagemaker:UpdateModelCard" not in prod["actions"]

    # The five people of the story were all in it, and the refused approvals were refused.
    actors = [s["actor"] for s in steps]
    for person in ("U0LEAD", "U0DS", "U0MLE", "U0APPR", "U0ADMIN"):
        assert person in actors
    refused = {r["actor"]: r["answer"] for r in summary["refusals"]}
    assert "cannot approve" in refused["U0MLE"]
    assert "ml-engineer" in refused["U0MLE"]
    assert "cannot approve" in refused["U0DS"]
    assert "four-eyes" in refused["U0DSAP"]
    for step in steps:
        if step["expect_refusal"]:
            assert step["posts"] == []
            assert step["aws_state"]["status"] == "PendingReview"

    # The approval requests ended decided, with no buttons left.
    approvals = {m["card"]: m for m in summary["approval_messages"]}
    assert approvals["customer-churn-v1"]["buttons"] == []
    assert re.search(r"Approved v\d+ by @U0APPR", approvals["customer-churn-v1"]["text"])
    assert approvals["fraud-score-v2"]["buttons"] == []
    assert re.search(r"Rejected v\d+ by @U0APPR", approvals["fraud-score-v2"]["text"])
    assert summary["slack"]["channel_posts"] >= 5

    # The approver's diff names what the modal changed, as AWS's two versions differ.
    diff = summary["diff"]
    assert (diff["card"], diff["from_version"], diff["to_version"]) == ("customer-churn-v1", 1, 2)
    assert "intended_uses" in diff["sections"]
    assert diff["sections"] == diff["sections_in_aws"]
    assert diff["changed_by"] == "U0DS"
    [diff_step] = [s for s in steps if s["input"] == "/modelcard diff customer-churn-v1"]
    assert diff_step["actor"] == "U0APPR"
    assert diff_step["details"]["diff"] == diff
    reply = next(a["text"] for a in diff_step["answers"] if a["via"] == "response_url")
    assert "v1 → v2" in reply
    assert "intended_uses" in reply
    assert "v2 by @U0DS" in reply
    assert diff_step["posts"] == []

    # The export: a PDF in the demo's bucket, a presigned link that downloads it (from the
    # moto server), and the same link posted once in the prod channel (the card is Approved).
    export = summary["export"]
    [export_step] = [s for s in steps if s["input"] == "/modelcard export customer-churn-v1"]
    assert export_step["passed"]
    assert export_step["details"]["export"] == export
    assert (export["version"], export["status"]) == (2, "Approved")
    assert export["bucket"] == "modelcard-exports"
    assert export["key"].startswith("cards/customer-churn-v1/")
    assert export["key"].endswith("/customer-churn-v1.pdf")
    assert export["s3_uri"] == f"s3://modelcard-exports/{export['key']}"
    assert export["in_s3"] is True
    assert export["is_pdf"] is True
    assert export["size"] > 100
    assert export["link"].startswith("http://127.0.0.1:")
    assert "X-Amz-Signature=" in export["link"]
    assert export["link_status"] == 200
    assert export["link_downloads_pdf"] is True
    assert export["prod_post"] is True
    [prod_post] = [p for p in export_step["posts"] if p["channel"] == "C0PROD"]
    assert "PDF of model card `customer-churn-v1`" in prod_post["text"]
    assert "Exported by @U0APPR" in prod_post["text"]
    assert {"via": "C0PROD", "url": export["link"]} in export_step["links"]
    assert {"via": "response_url", "url": export["link"]} in export_step["links"]
    assert "PDF export of customer-churn-v1 v2" in done.stderr

    # Every SageMaker/RAM call ran as an assumed role, with the person as SourceIdentity.
    calls = summary["aws_calls"]
    assert calls["total"] > 0
    assert calls["without_source_identity"] == 0
    identities = {g["source_identity"] for g in calls["by_source_identity"]}
    assert {"U0LEAD", "U0DS", "U0APPR"} <= identities
    approver = next(g for g in calls["by_source_identity"] if g["source_identity"] == "U0APPR")
    assert approver["actions"]["CreateModelCardExportJob"] == 1
    for group in calls["by_source_identity"]:
        assert group["source_identity"]
        assert all(":assumed-role/" in arn for arn in group["caller_arns"]), group
    assert sum(g["calls"] for g in calls["by_source_identity"]) == calls["total"]


def test_help_documents_the_flags() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "--keep-running" in done.stdout
    assert "--json" in done.stdout


# ------------------------------------------------------------------------- the renderer


def test_mrkdwn_reads_as_a_person_sees_it() -> None:
    text = (
        "*<https://console.example/x|customer-churn-v1>*: _new_ → :white_check_mark: `Approved`"
        " by <@U0APPR> on <!date^1700000000^{date_short_pretty}|2023-11-14 22:13 UTC> &amp; "
        "<!here> in <#C0DEV|mc-dev> ~old~ :unknown_emoji: 10:30"
    )
    assert mrkdwn_to_text(text) == (
        "customer-churn-v1: new → ✅ `Approved` by @U0APPR on 2023-11-14 22:13 UTC & @here "
        "in #mc-dev old :unknown_emoji: 10:30"
    )
    assert mrkdwn_to_text("a*b*c snake_case_name 2*3*4") == "a*b*c snake_case_name 2*3*4"


def test_blocks_render_sections_fields_context_and_buttons() -> None:
    card = CardSnapshot(
        name="customer-churn-v1",
        arn="arn:aws:sagemaker:us-east-1:111111111111:model-card/customer-churn-v1",
        status="PendingReview",  # type: ignore[arg-type]
        version=2,
        owner="model-owner",
        risk="Medium",
        created_by="U0LEAD",
        submitted_by="U0DS",
        updated_at=1_700_000_000,
    )
    request = approval_request_blocks(card, requested_by="U0DS", region="us-east-1")
    text = blocks_to_text(request)
    assert text.splitlines()[0] == "🔍 Review requested by @U0DS."
    assert "customer-churn-v1" in text
    assert "Owner: model-owner" in text
    assert "Submitted by: @U0DS" in text
    assert text.splitlines()[-1] == "[Approve] [Reject]"
    assert buttons(request) == ["Approve", "Reject"]

    decided = approval_decided_blocks(
        card, decision="approved", decided_by="U0APPR", decided_at=1_700_000_000, region="x"
    )
    assert buttons(decided) == []
    assert "Approved by @U0APPR on 2023-11-14 22:13 UTC" in blocks_to_text(decided)

    other = [
        header("Title"),
        divider(),
        {"type": "section", "text": plain("plain *kept*"), "accessory": _button("Open")},
        {
            "type": "actions",
            "elements": [{"type": "static_select", "placeholder": plain("Pick")}],
        },
        {"type": "image", "alt_text": "chart", "image_url": "https://x"},
        {"type": "something_new"},
    ]
    assert blocks_to_text(other).splitlines() == [
        "== Title ==",
        "────────",
        "plain *kept*  [Open]",
        "[Pick ▾]",
        "[image: chart]",
        "[something_new]",
    ]


def test_answers_keep_their_text_unless_the_blocks_say_it() -> None:
    blocks = [section("*customer-churn-v1*"), context("Draft")]
    created = {
        "text": ":white_check_mark: Created model card `customer-churn-v1`",
        "blocks": blocks,
    }
    assert answer_text(created).splitlines() == [
        "✅ Created model card `customer-churn-v1`",
        "customer-churn-v1",
        "Draft",
    ]
    history = {"text": "History of model card x", "blocks": [section("*History of `x`*")]}
    assert answer_text(history) == "History of `x`"
    assert answer_text({"text": "just *text*"}) == "just text"


def test_modals_show_title_inputs_and_buttons() -> None:
    content = {"model_overview": {"model_owner": "model-owner", "problem_type": "Churn"}}
    shown = view_text(edit_modal("customer-churn-v1", content)).splitlines()
    assert shown[0].startswith("modal «Edit model card»: ")
    assert shown[0].endswith(" 2 filled in")
    assert "  Owner: model-owner" in shown
    assert shown[-1] == "  [Save] [Cancel]"
    reject = view_text(reject_modal("fraud-score-v2")).splitlines()
    assert reject == [
        "modal «Reject model card»: 1 input(s), 0 filled in",
        "  Reason: (empty)",
        "  [Reject] [Cancel]",
    ]


def _button(text: str) -> dict[str, object]:
    return {"type": "button", "text": plain(text), "action_id": "a", "value": "v"}
