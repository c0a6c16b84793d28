"""Version diff: the pure comparison (bot/domain/diff.py) and its Block Kit rendering."""

from __future__ import annotations

import json
from typing import Any

from bot.authz import not_mapped_text
from bot.domain.diff import ChangeKind, FieldChange, compare, diff_content, render_value
from bot.slack.messages.diff import DiffVersion, diff_blocks, diff_text
from bot.slack.messages.export import ExportLink, export_blocks, export_text
from bot.slack.messages.help import help_blocks, help_text
from bot.slack.text import escape
from tests.test_blocks import assert_mrkdwn_safe, check_blocks, texts

V1: dict[str, Any] = {
    "model_overview": {"model_owner": "model-owner", "problem_type": "Customer Churn Model"},
    "intended_uses": {"risk_rating": "Medium"},
    "evaluation_details": [
        {"name": "Slack notes", "evaluation_observation": "AUC 0.81"},
        {"name": "holdout", "metric_groups": []},
    ],
}


def test_identical_content_has_no_change() -> None:
    assert diff_content(V1, V1) == []
    assert compare(V1, V1) == []


def test_changed_added_and_removed_leaves_as_dotted_paths() -> None:
    new = {
        "model_overview": {
            "model_owner": "risk-team",
            "problem_type": "Customer Churn Model",
            "model_description": "Predicts churn",
        },
        "evaluation_details": [
            {"name": "holdout", "metric_groups": []},
            {"name": "Slack notes", "evaluation_observation": "AUC 0.84"},
        ],
        "business_details": {"business_problem": "Customers leave", "line_of_business": "Retail"},
    }
    assert diff_content(V1, new) == [
        FieldChange("model_overview.model_owner", ChangeKind.CHANGED, "model-owner", "risk-team"),
        FieldChange("model_overview.model_description", ChangeKind.ADDED, None, "Predicts churn"),
        FieldChange("intended_uses.risk_rating", ChangeKind.REMOVED, "Medium", None),
        # Named list items are matched by name, whatever their order.
        FieldChange(
            "evaluation_details[Slack notes].evaluation_observation",
            ChangeKind.CHANGED,
            "AUC 0.81",
            "AUC 0.84",
        ),
        FieldChange("business_details.business_problem", ChangeKind.ADDED, None, "Customers leave"),
        FieldChange("business_details.line_of_business", ChangeKind.ADDED, None, "Retail"),
    ]
    sections = compare(V1, new)
    assert [(s.name, s.kind) for s in sections] == [
        ("model_overview", ChangeKind.CHANGED),
        ("intended_uses", ChangeKind.REMOVED),
        ("evaluation_details", ChangeKind.CHANGED),
        ("business_details", ChangeKind.ADDED),
    ]


def test_unnamed_lists_compare_by_index_and_types_matter() -> None:
    old = {"training_details": {"objective_function": [1, 2, 3]}, "x": {"flag": 1}}
    new = {"training_details": {"objective_function": [1, 5]}, "x": {"flag": True}}
    assert diff_content(old, new) == [
        FieldChange("training_details.objective_function[1]", ChangeKind.CHANGED, 2, 5),
        FieldChange("training_details.objective_function[2]", ChangeKind.REMOVED, 3, None),
        FieldChange("x.flag", ChangeKind.CHANGED, 1, True),
    ]


def test_object_replaced_by_a_scalar_is_one_change() -> None:
    assert diff_content({"a": {"b": 1}}, {"a": "text"}) == [
        FieldChange("a", ChangeKind.CHANGED, {"b": 1}, "text")
    ]


def test_steps_say_which_versions_touched_each_section() -> None:
    v2 = {**V1, "model_overview": {**V1["model_overview"], "model_description": "d"}}
    v3 = {**v2, "intended_uses": {"risk_rating": "High"}}
    v4 = {**v3, "intended_uses": {"risk_rating": "Medium"}}  # back to v1's value
    steps = [(2, diff_content(V1, v2)), (3, diff_content(v2, v3)), (4, diff_content(v3, v4))]
    sections = compare(V1, v4, steps)
    # intended_uses changed and changed back: not a difference between v1 and v4.
    assert [(s.name, s.versions) for s in sections] == [("model_overview", (2,))]
    sections = compare(V1, v3, steps[:2])
    assert [(s.name, s.versions) for s in sections] == [
        ("model_overview", (2,)),
        ("intended_uses", (3,)),
    ]


def test_render_value_is_one_clipped_line() -> None:
    assert render_value("a\n  b") == '"a b"'
    assert render_value(None) == "(none)"
    assert render_value({"k": [1, 2]}) == '{"k": [1, 2]}'
    long = render_value("x" * 500, 40)
    assert len(long) == 40
    assert long.endswith("…")


# ---------------------------------------------------------------------------- blocks


def test_diff_blocks_name_sections_fields_and_editors() -> None:
    v2 = {**V1, "model_overview": {**V1["model_overview"], "model_description": "<!channel> hi"}}
    v3 = {**v2, "intended_uses": {"risk_rating": "High"}}
    steps = [(2, diff_content(V1, v2)), (3, diff_content(v2, v3))]
    sections = compare(V1, v3, steps)
    rendered = diff_blocks(
        "customer-churn-v1",
        DiffVersion(1, "Draft", 1_700_000_000.0, "U0LEAD"),
        DiffVersion(3, "PendingReview", 1_700_000_300.0, "U0MLE"),
        sections,
        [
            DiffVersion(2, "Draft", 1_700_000_100.0, "U0DS"),
            DiffVersion(3, "PendingReview", 1_700_000_300.0, ""),
        ],
    )
    check_blocks(rendered)
    shown = texts(rendered)
    assert_mrkdwn_safe(shown)
    assert "*Diff of `customer-churn-v1`: v1 → v3*" in shown
    assert "Status :pencil2: `Draft` → :hourglass_flowing_sand: `PendingReview`" in shown
    assert "*model_overview* changed in v2 (by <@U0DS>)" in shown
    assert "*intended_uses* changed in v3 (outside Slack (console/SDK))" in shown
    assert '• `model_overview.model_description` added: "&lt;!channel&gt; hi"' in shown
    assert '• `intended_uses.risk_rating`: "Medium" → "High"' in shown
    assert "• v2 by <@U0DS>, <!date^1700000100^" in shown
    text = diff_text("customer-churn-v1", 1, 3, sections)
    assert text == (
        "Model card customer-churn-v1, v1 → v3: 2 section(s) changed "
        "(model_overview, intended_uses)."
    )


def test_diff_blocks_for_versions_the_bot_never_saw_and_no_change() -> None:
    rendered = diff_blocks(
        "c",
        DiffVersion(1, "Draft", None, None),
        DiffVersion(2, "Draft", None, None),
        [],
        [DiffVersion(2, "Draft", None, None)],
    )
    shown = texts(rendered)
    assert "v2 (not seen by the bot; made outside Slack)" in shown
    assert "_No content change between these versions._" in shown
    assert diff_text("c", 1, 2, []) == "Model card c: no content change between v1 and v2."


def test_diff_blocks_stay_within_slack_limits_for_huge_diffs() -> None:
    old = {f"section_{i}": {f"field_{j}": "o" * 300 for j in range(20)} for i in range(30)}
    new = {f"section_{i}": {f"field_{j}": "n" * 300 for j in range(20)} for i in range(30)}
    sections = compare(old, new)
    rendered = diff_blocks(
        "c",
        DiffVersion(1, "Draft", None, "U1"),
        DiffVersion(9, "Draft", None, "U1"),
        sections,
        [],
    )
    check_blocks(rendered)
    assert "more line(s) not shown" in texts(rendered)


def test_export_blocks_link_the_pdf_and_escape_ampersands() -> None:
    url = "https://bucket.s3.amazonaws.com/exports/c.pdf?X-Amz-Expires=3600&X-Amz-Signature=ab"
    link = ExportLink("c", 3, "Approved", url, 60, by="U0DS")
    mine = export_blocks(link)
    # Our own download link is the one link allowed besides those check_blocks knows.
    check_blocks(json.loads(json.dumps(mine).replace(f"<{escape(url)}|Download c.pdf>", "L")))
    shown = texts(mine)
    assert f"<{escape(url)}|Download c.pdf>" in shown
    assert "v3" in shown
    assert "`Approved`" in shown
    assert "expires within 60 minutes" in shown
    assert "Exported by" not in shown
    assert "Exported by <@U0DS>" in texts(export_blocks(link, for_channel=True))
    assert f"<{escape(url)}|download>" in export_text(link)


def test_not_mapped_text_names_the_card_and_the_fix() -> None:
    text = not_mapped_text("U0NOBODY", "diff", "c")
    assert text.startswith("You cannot diff `c`: your Slack user (U0NOBODY) is not mapped")
    assert "under `users` in the governance file" in text


def test_help_lists_diff() -> None:
    assert "diff &lt;name&gt; [v1 v2]" in help_text()
    assert "/modelcard diff customer-churn-v1 1 3" in texts(help_blocks())
