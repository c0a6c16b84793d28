"""Pure domain rules: names, statuses and transitions, content checks. No I/O besides the schema."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from jsonschema import Draft7Validator

from bot import domain
from bot.domain import (
    MAX_CONTENT_CHARS,
    NAME_PATTERN,
    RISK_RATINGS,
    SUMMARY_LABELS,
    Action,
    CardStatus,
    content_problems,
    load_schema,
    merge_sections,
    minimal_content,
    name_problem,
    serialize,
    status,
    summarize,
    validate_content,
    validate_name,
)
from bot.domain import schema as schema_module
from bot.errors import (
    InputError,
    InvalidCardName,
    InvalidContent,
    NotEditable,
    WrongStatus,
)

RULE = (
    "card names are 1–63 letters, digits and hyphens, "  # noqa: RUF001
    "starting and ending with a letter or digit"
)
SEED = {"model_overview": {"model_owner": "model-owner", "problem_type": "Customer Churn Model"}}
SHARED_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "model-card.schema.json"

D, P, A, X = (
    CardStatus.DRAFT,
    CardStatus.PENDING_REVIEW,
    CardStatus.APPROVED,
    CardStatus.ARCHIVED,
)


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    [
        "a",
        "7",
        "customer-churn-v1",
        "a--b",  # a double hyphen inside is valid per the pattern
        "A" * 63,
        "a" + "-" * 61 + "b",  # 63 characters, mostly hyphens
    ],
)
def test_valid_names(name: str) -> None:
    assert name_problem(name) is None
    assert validate_name(name) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", f"The card name is empty; {RULE}."),
        ("a" * 64, f"Card name {'a' * 40!r}… is 64 characters long; {RULE}."),
        # The pattern alone accepts runs of hyphens of any length; the 63 limit still holds.
        ("a" + "-" * 62 + "b", f"Card name {'a' + '-' * 39!r}… is 64 characters long; {RULE}."),
        ("x" * 5000, f"Card name {'x' * 40!r}… is 5,000 characters long; {RULE}."),
        ("-churn", f"Card name '-churn' starts with a hyphen; {RULE}."),
        ("churn-", f"Card name 'churn-' ends with a hyphen; {RULE}."),
        ("-", f"Card name '-' starts with a hyphen; {RULE}."),
        ("my churn", f"Card name 'my churn' contains a space at position 3; {RULE}."),
        ("churn_v1", f"Card name 'churn_v1' contains '_' at position 6; {RULE}."),
        ("modèle", f"Card name 'modèle' contains 'è' (U+00E8) at position 4; {RULE}."),
        ("abc\n", f"Card name 'abc\\n' contains '\\n' (U+000A) at position 4; {RULE}."),
        ("a\x00b", f"Card name 'a\\x00b' contains '\\x00' (U+0000) at position 2; {RULE}."),
        ("a\u200bb", f"Card name 'a\\u200bb' contains '\\u200b' (U+200B) at position 2; {RULE}."),
        ("ｃｈｕｒｎ", f"Card name 'ｃｈｕｒｎ' contains 'ｃ' (U+FF43) at position 1; {RULE}."),  # noqa: RUF001
    ],
)
def test_invalid_names_say_what_is_wrong(name: str, expected: str) -> None:
    assert name_problem(name) == expected
    with pytest.raises(InvalidCardName) as caught:
        validate_name(name)
    assert str(caught.value) == expected
    assert isinstance(caught.value, InputError)


def test_name_pattern_is_the_aws_pattern_and_needs_fullmatch() -> None:
    assert NAME_PATTERN.pattern == r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
    # Why name_problem uses fullmatch: `$` lets `match` accept a trailing newline.
    assert NAME_PATTERN.match("abc\n") is not None
    assert name_problem("abc\n") is not None


# ---------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Draft", D),
        ("draft", D),
        ("  DRAFT ", D),
        ("PendingReview", P),
        ("pending-review", P),
        ("pendingreview", P),
        ("pending_review", P),
        ("Pending Review", P),
        ("approved", A),
        ("ARCHIVED", X),
    ],
)
def test_status_parse(text: str, expected: CardStatus) -> None:
    assert CardStatus.parse(text) is expected


@pytest.mark.parametrize("text", ["", "approve", "rejected", "pending-reviewed"])
def test_status_parse_refuses_with_the_valid_statuses(text: str) -> None:
    with pytest.raises(InputError) as caught:
        CardStatus.parse(text)
    assert str(caught.value) == (
        f"{text!r} is not a card status; use one of Draft, PendingReview, Approved, Archived."
    )


def test_status_and_action_values_match_aws_and_config() -> None:
    assert [s.value for s in CardStatus] == ["Draft", "PendingReview", "Approved", "Archived"]
    assert [a.value for a in Action] == [
        "create",
        "edit",
        "submit",
        "approve",
        "reject",
        "archive",
        "delete",
        "retry",
        "export",
        "audit",
    ]
    assert frozenset({Action.EXPORT}) == status.IMPLICIT_FOR_MAPPED


def test_transitions_table() -> None:
    assert dict(status.TRANSITIONS) == {
        Action.SUBMIT: (frozenset({D}), P),
        Action.APPROVE: (frozenset({P}), A),
        Action.REJECT: (frozenset({P}), D),
        Action.ARCHIVE: (frozenset({D, P, A}), X),
    }
    with pytest.raises(TypeError):
        status.TRANSITIONS[Action.DELETE] = (frozenset(), D)  # type: ignore[index]


ALLOWED_MOVES = {(D, P), (P, A), (P, D), (D, X), (P, X), (A, X)}
ALL_PAIRS = [(src, dst) for src in CardStatus for dst in CardStatus]


@pytest.mark.parametrize(("src", "dst"), ALL_PAIRS)
def test_is_allowed_transition(src: CardStatus, dst: CardStatus) -> None:
    assert status.is_allowed_transition(src, dst) is ((src, dst) in ALLOWED_MOVES)


EXPLAINED = {
    (D, P): Action.SUBMIT,
    (P, A): Action.APPROVE,
    (P, D): Action.REJECT,
    (D, X): Action.ARCHIVE,
    (P, X): Action.ARCHIVE,
    (A, X): Action.ARCHIVE,
}


@pytest.mark.parametrize(("src", "dst"), ALL_PAIRS)
def test_action_for(src: CardStatus, dst: CardStatus) -> None:
    # Approved -> Draft, Archived -> anything, or no change: no action explains them.
    assert status.action_for(src, dst) == EXPLAINED.get((src, dst))


@pytest.mark.parametrize(
    ("action", "current", "target"),
    [
        (Action.SUBMIT, D, P),
        (Action.APPROVE, P, A),
        (Action.REJECT, P, D),
        (Action.ARCHIVE, D, X),
        (Action.ARCHIVE, P, X),
        (Action.ARCHIVE, A, X),
    ],
)
def test_plan_transition_allowed(action: Action, current: CardStatus, target: CardStatus) -> None:
    plan = status.plan_transition("churn", action, current)
    assert plan == status.TransitionPlan(card="churn", action=action, source=current, target=target)


@pytest.mark.parametrize(
    ("action", "current"),
    [
        (Action.SUBMIT, P),
        (Action.APPROVE, A),
        (Action.REJECT, D),
        (Action.ARCHIVE, X),
    ],
)
def test_plan_transition_is_a_no_op_at_the_target(action: Action, current: CardStatus) -> None:
    assert status.plan_transition("churn", action, current) is None


@pytest.mark.parametrize(
    ("action", "current", "expected"),
    [
        (
            Action.APPROVE,
            D,
            "Model card `churn` is Draft, so it cannot move to Approved. "
            "Submit it first with `/modelcard submit churn`.",
        ),
        (
            Action.SUBMIT,
            A,
            "Model card `churn` is Approved, so it cannot move to PendingReview. "
            "It is already approved; to change it, archive it with "
            "`/modelcard archive churn` and create a new card.",
        ),
        (
            Action.REJECT,
            A,
            "Model card `churn` is Approved, so it cannot move to Draft. "
            "It is already approved; to change it, archive it with "
            "`/modelcard archive churn` and create a new card.",
        ),
        (
            Action.SUBMIT,
            X,
            "Model card `churn` is Archived, so it cannot move to PendingReview. "
            "Archived cards are final; create a new card instead.",
        ),
        (
            Action.APPROVE,
            X,
            "Model card `churn` is Archived, so it cannot move to Approved. "
            "Archived cards are final; create a new card instead.",
        ),
        (
            Action.REJECT,
            X,
            "Model card `churn` is Archived, so it cannot move to Draft. "
            "Archived cards are final; create a new card instead.",
        ),
    ],
)
def test_plan_transition_refused(action: Action, current: CardStatus, expected: str) -> None:
    with pytest.raises(WrongStatus) as caught:
        status.plan_transition("churn", action, current)
    assert str(caught.value) == expected
    assert (caught.value.card, caught.value.current) == ("churn", current)
    assert caught.value.wanted == status.TRANSITIONS[action][1]


def test_every_action_and_status_is_planned_refused_or_skipped() -> None:
    # Cross-check plan_transition against is_allowed_transition over the whole table.
    for action, (_, target) in status.TRANSITIONS.items():
        for current in CardStatus:
            try:
                plan = status.plan_transition("c", action, current)
            except WrongStatus:
                assert not status.is_allowed_transition(current, target)
                continue
            if plan is None:
                assert current == target
            else:
                assert status.is_allowed_transition(current, target)


@pytest.mark.parametrize("action", [Action.CREATE, Action.EDIT, Action.DELETE, Action.EXPORT])
def test_plan_transition_rejects_non_status_actions(action: Action) -> None:
    with pytest.raises(ValueError, match="does not change a card's status"):
        status.plan_transition("churn", action, D)


@pytest.mark.parametrize("current", [D, P])
def test_editable_while_drafting_and_in_review(current: CardStatus) -> None:
    status.check_editable("churn", current)  # no exception


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (
            A,
            "Model card `churn` is Approved, so its content cannot be edited. Approved content "
            "is frozen: archive it with `/modelcard archive churn` and create a new card for "
            "the next version.",
        ),
        (
            X,
            "Model card `churn` is Archived, so its content cannot be edited. "
            "Archived cards are final; create a new card instead.",
        ),
    ],
)
def test_not_editable_once_approved_or_archived(current: CardStatus, expected: str) -> None:
    with pytest.raises(NotEditable) as caught:
        status.check_editable("churn", current)
    assert isinstance(caught.value, WrongStatus)
    assert str(caught.value) == expected
    assert (caught.value.card, caught.value.current, caught.value.wanted) == (
        "churn",
        current,
        "edit",
    )


# ---------------------------------------------------------------------------- schema


def test_packaged_schema_loads_and_is_a_copy() -> None:
    schema = load_schema()
    assert schema["title"] == "SageMakerModelCardSchema"
    Draft7Validator.check_schema(schema)
    schema["properties"].clear()
    assert "model_overview" in load_schema()["properties"]


def test_packaged_schema_equals_the_shared_one() -> None:
    if not SHARED_SCHEMA.exists():
        pytest.skip(f"{SHARED_SCHEMA} is not present outside the project workspace")
    assert load_schema() == json.loads(SHARED_SCHEMA.read_text("utf-8"))


def test_risk_ratings_match_the_schema() -> None:
    assert list(RISK_RATINGS) == load_schema()["definitions"]["risk_rating"]["enum"]


# ---------------------------------------------------------------------------- content

METRIC = "`evaluation_details[0].metric_groups[0].metric_data"


def metrics(*items: Any) -> dict[str, Any]:
    """Content with one evaluation holding one metric group of `items`."""
    group = {"name": "g", "metric_data": list(items)}
    return {"evaluation_details": [{"name": "e", "metric_groups": [group]}]}


GROUP_WITH_LONG_NAME = {"name": "g" * 64, "metric_data": []}


def job(**fields: Any) -> dict[str, Any]:
    return {"training_details": {"training_job_details": fields}}


def test_seed_example_is_valid_as_dict_and_text() -> None:
    assert content_problems(SEED) == []
    text = json.dumps(SEED, indent=2)
    assert content_problems(text) == []
    assert validate_content("churn", text) == (
        '{"model_overview":{"model_owner":"model-owner","problem_type":"Customer Churn Model"}}'
    )


def test_serialize_is_compact_and_keeps_unicode() -> None:
    content = {"model_overview": {"model_owner": "Zoë"}, "n": MappingProxyType({"a": 1})}
    assert serialize(content) == '{"model_overview":{"model_owner":"Zoë"},"n":{"a":1}}'
    with pytest.raises(ValueError, match="JSON compliant"):
        serialize({"x": float("nan")})
    with pytest.raises(TypeError, match="set is not a JSON type"):
        serialize({"x": {1}})


def test_a_full_card_is_valid() -> None:
    content = {
        "model_overview": {
            "model_owner": "team",
            "problem_type": "churn",
            "model_version": 1,
            "model_artifact": ["s3://b/k"] * 15,
        },
        "intended_uses": {"risk_rating": "Low", "intended_uses": "x" * 2048},
        "evaluation_details": [
            {
                "name": "e" * 63,
                "metric_groups": [
                    {
                        "name": "g",
                        "metric_data": [
                            {"name": "auc", "type": "number", "value": 0.9},
                            {"name": "pts", "type": "linear_graph", "value": [[1, 2], [3, 4]]},
                            {"name": "bars", "type": "bar_chart", "value": [1, 2]},
                            {"name": "cm", "type": "matrix", "value": [[1, 0], [0, 1]]},
                        ],
                    }
                ],
            }
        ],
        "additional_information": {"custom_details": {"odd key.with dots": "v"}},
    }
    assert content_problems(content) == []


def _content_of_length(length: int) -> dict[str, Any]:
    details: dict[str, str] = {}
    content = {"additional_information": {"custom_details": details}}
    while len(serialize(content)) + 1100 < length:
        details[f"k{len(details):04}"] = "x" * 1000
    details["last"] = ""
    details["last"] = "x" * (length - len(serialize(content)))
    return content


@pytest.mark.parametrize("length", [MAX_CONTENT_CHARS, MAX_CONTENT_CHARS + 1])
def test_content_size_limit(length: int) -> None:
    content = _content_of_length(length)
    assert len(serialize(content)) == length
    expected = (
        []
        if length <= MAX_CONTENT_CHARS
        else [
            "The content is 100,001 characters long once serialized; at most 100,000 are allowed."
        ]
    )
    assert content_problems(content) == expected


def test_size_counts_the_serialized_form_not_the_input_text() -> None:
    # Whitespace in pasted JSON is not sent, so it does not count.
    content = _content_of_length(MAX_CONTENT_CHARS)
    assert content_problems(json.dumps(content, indent=4)) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"intended_uses": {"risk_rating": "Extreme"}},
            "`intended_uses.risk_rating` must be one of High, Medium, Low, Unknown "
            "(got 'Extreme').",
        ),
        (
            metrics(
                {"name": "m", "type": "linear_graph", "value": [[1, 2]], "x_axis_name": "x"},
                {"name": "m", "type": "pie", "value": 1},
            ),
            # `type` picks the alternative; none accepts 'pie', so all choices are listed.
            f"{METRIC}[1].type` must be one of number, string, boolean, linear_graph, "
            "bar_chart, matrix (got 'pie').",
        ),
        (
            {"model_overview": {"model_description": "d" * 1500}},
            "`model_overview.model_description` is 1,500 characters long; "
            "at most 1,024 are allowed.",
        ),
        (
            {"model_overview": {"foo": 1}},
            "`model_overview` has an unknown field `foo`; allowed fields: model_description, "
            "model_owner, model_creator, problem_type, algorithm_type, model_id, model_artifact, "
            "model_name, model_version, inference_environment.",
        ),
        (
            {"intended_uses": {"bar": 1, "baz": 2}},
            "`intended_uses` has unknown fields `bar` and `baz`; allowed fields: "
            "purpose_of_model, intended_uses, factors_affecting_model_efficiency, risk_rating, "
            "explanations_for_risk_rating.",
        ),
        (
            {"modell_overview": {}},
            "The content has an unknown field `modell_overview`; allowed fields: model_overview, "
            "model_package_details, intended_uses, business_details, training_details, "
            "evaluation_details, additional_information.",
        ),
        (
            {"model_overview": {"model_owner": 42}},
            "`model_overview.model_owner` must be a string, not a number (42).",
        ),
        (
            {"model_overview": {"model_version": True}},
            "`model_overview.model_version` must be a number, not a boolean (true).",
        ),
        (
            {"model_overview": "churn"},
            "`model_overview` must be an object, not a string ('churn').",
        ),
        (
            {"evaluation_details": {"name": "e"}},
            '`evaluation_details` must be a list, not an object ({"name": "e"}).',
        ),
        (
            {"evaluation_details": [{}]},
            "`evaluation_details[0]` is missing required field `name`.",
        ),
        (
            job(training_metrics=[{}]),
            "`training_details.training_job_details.training_metrics[0]` is missing required "
            "fields `name` and `value`.",
        ),
        (
            {"model_overview": {"model_version": 0}},
            "`model_overview.model_version` must be at least 1 (got 0).",
        ),
        (
            {"evaluation_details": [{"name": "e" * 64}]},
            "`evaluation_details[0].name` is 64 characters long; it must be 1 to 63 "
            "characters long.",
        ),
        (
            {"evaluation_details": [{"name": ""}]},
            "`evaluation_details[0].name` is empty; it must be 1 to 63 characters long.",
        ),
        (
            {"evaluation_details": [{"name": "e", "metric_groups": [GROUP_WITH_LONG_NAME]}]},
            "`evaluation_details[0].metric_groups[0].name` is 64 characters long; it must be "
            "1 to 63 characters long.",
        ),
        (
            # Right length, but `.` never matches a line break, so the pattern itself fails.
            {"evaluation_details": [{"name": "\n"}]},
            "`evaluation_details[0].name` must match the pattern `.{1,63}` (got '\\n').",
        ),
        (
            job(training_metrics=[{"name": "n" * 256, "value": 1}]),
            "`training_details.training_job_details.training_metrics[0].name` is 256 "
            "characters long; it must be 1 to 255 characters long.",
        ),
        (
            {"model_overview": {"model_artifact": ["s3://b/k"] * 16}},
            "`model_overview.model_artifact` has 16 items; at most 15 are allowed.",
        ),
        (
            job(training_environment={"container_image": ["i"] * 16}),
            "`training_details.training_job_details.training_environment.container_image` "
            "has 16 items; at most 15 are allowed.",
        ),
        (
            {"evaluation_details": [{"name": "e", "datasets": ["d"] * 11}]},
            "`evaluation_details[0].datasets` has 11 items; at most 10 are allowed.",
        ),
        (
            metrics({"name": "m", "type": "linear_graph", "value": [[1]]}),
            f"{METRIC}[0].value[0]` has 1 item; at least 2 are required.",
        ),
        (
            metrics("auc"),
            f"{METRIC}[0]` must be an object, not a string ('auc').",
        ),
        (
            metrics({"name": "auc", "type": "number"}),
            f"{METRIC}[0]` is missing required field `value`.",
        ),
        (
            metrics({"name": "label", "type": "string", "value": "v" * 64}),
            f"{METRIC}[0].value` is 64 characters long; at most 63 are allowed.",
        ),
        (
            metrics({"name": "auc", "type": "number", "value": {"v": 1}}),
            f"{METRIC}[0].value` must be a number, "
            'a string or a boolean, not an object ({"v": 1}).',
        ),
        (
            {"additional_information": {"custom_details": {"my key": "x" * 1025}}},
            "`additional_information.custom_details['my key']` is 1,025 characters long; "
            "at most 1,024 are allowed.",
        ),
        (
            {"additional_information": {"custom_details": {"k" * 50: 5}}},
            f"`additional_information.custom_details[{'k' * 40!r}…]` must be a string, "
            "not a number (5).",
        ),
        (
            {"intended_uses": {"risk_rating": "x" * 100}},
            "`intended_uses.risk_rating` must be one of High, Medium, Low, Unknown "
            f"(got {'x' * 40!r}…).",
        ),
    ],
)
def test_each_schema_error_is_one_sentence_naming_the_field(
    content: dict[str, Any], expected: str
) -> None:
    assert content_problems(content) == [expected]


def test_a_metric_is_explained_by_the_alternative_its_type_names() -> None:
    # simple_metric has fewer errors here (only `type`), but `type` says a linear graph is meant.
    content = metrics({"name": "m", "type": "linear_graph", "value": 5, "x_axis_name": 1})
    assert content_problems(content) == [
        f"{METRIC}[0].value` must be a list, not a number (5).",
        f"{METRIC}[0].x_axis_name` must be a string, not a number (1).",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "{nope",
            "The content is not valid JSON: Expecting property name enclosed in double quotes "
            "at line 1, column 2.",
        ),
        ("", "The content is not valid JSON: Expecting value at line 1, column 1."),
        ("[1, 2]", "The content must be a JSON object ({...}), not a list."),
        ('"text"', "The content must be a JSON object ({...}), not a string."),
        ("null", "The content must be a JSON object ({...}), not null."),
        ('{"x": NaN}', "The content is not valid JSON: NaN is not a JSON number."),
        ('{"x": -Infinity}', "The content is not valid JSON: -Infinity is not a JSON number."),
    ],
)
def test_content_text_that_is_not_a_json_object(text: str, expected: str) -> None:
    assert content_problems(text) == [expected]


def test_duplicate_fields_are_refused() -> None:
    text = '{"model_overview": {"model_owner": "a", "model_owner": "b"}}'
    assert content_problems(text) == ["The content has the field `model_owner` more than once."]


def test_non_string_keys_are_checked_as_sent() -> None:
    # json.dumps turns 1 into "1", which then collides with the real "1" key.
    assert content_problems({"additional_information": {"custom_details": {1: "a", "1": "b"}}}) == [
        "The content has the field `1` more than once."
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"model_overview": {"model_owner": float("nan")}},
            "The content holds a number JSON cannot represent (NaN or Infinity).",
        ),
        (
            {"model_overview": {"model_owner": {"a", "b"}}},
            "The content holds a value JSON cannot represent: set is not a JSON type.",
        ),
    ],
)
def test_values_json_cannot_hold(content: dict[str, Any], expected: str) -> None:
    assert content_problems(content) == [expected]
    with pytest.raises(InvalidContent) as caught:
        validate_content("churn", content)
    assert caught.value.problems == [expected]


def test_problems_are_sorted_by_field_and_all_reported() -> None:
    content = {
        "model_overview": {"model_version": 0, "model_description": "d" * 1025},
        "evaluation_details": [{"name": ""}, {}] + [{"name": f"e{i}"} for i in range(9)] + [{}],
        "intended_uses": {"risk_rating": "Extreme"},
    }
    assert content_problems(content) == [
        "`evaluation_details[0].name` is empty; it must be 1 to 63 characters long.",
        "`evaluation_details[1]` is missing required field `name`.",
        "`evaluation_details[11]` is missing required field `name`.",
        "`intended_uses.risk_rating` must be one of High, Medium, Low, Unknown (got 'Extreme').",
        "`model_overview.model_description` is 1,025 characters long; at most 1,024 are allowed.",
        "`model_overview.model_version` must be at least 1 (got 0).",
    ]


def test_oversize_and_schema_problems_are_reported_together() -> None:
    content = _content_of_length(MAX_CONTENT_CHARS + 10)
    content["intended_uses"] = {"risk_rating": "?"}
    problems = content_problems(content)
    assert len(problems) == 2
    assert problems[0].startswith("The content is 100,0")
    assert problems[1].startswith("`intended_uses.risk_rating` must be one of")


def test_validate_content_raises_with_every_problem() -> None:
    content = {"intended_uses": {"risk_rating": "Extreme"}, "foo": 1}
    with pytest.raises(InvalidContent) as caught:
        validate_content("churn", content)
    assert caught.value.card == "churn"
    assert caught.value.problems == content_problems(content)
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith("Model card `churn` content is not valid: The content")


def test_unused_schema_keywords_still_get_a_readable_sentence() -> None:
    # The card schema uses no `uniqueItems`; the fallback must still name field and rule.
    error = next(Draft7Validator({"uniqueItems": True}).iter_errors([1, 1]))
    assert schema_module._explain(error) == [
        "The content breaks the schema rule `uniqueItems` (true) (got [1, 1])."
    ]


# ---------------------------------------------------------------------------- builders


def test_minimal_content_is_valid_and_complete() -> None:
    content = minimal_content(" team-a ", "Customer churn", "Predicts churn", "high")
    assert content == {
        "model_overview": {
            "model_owner": "team-a",
            "problem_type": "Customer churn",
            "model_description": "Predicts churn",
        },
        "intended_uses": {"risk_rating": "High"},
    }
    assert content_problems(content) == []


def test_minimal_content_leaves_out_blank_options() -> None:
    assert minimal_content("o", "p", "  ", "") == {
        "model_overview": {"model_owner": "o", "problem_type": "p"}
    }
    assert minimal_content("o", "p") == minimal_content("o", "p", None, None)


def test_minimal_content_keeps_an_unknown_risk_for_validation_to_report() -> None:
    content = minimal_content("o", "p", risk="extreme")
    assert content["intended_uses"] == {"risk_rating": "extreme"}
    assert content_problems(content) == [
        "`intended_uses.risk_rating` must be one of High, Medium, Low, Unknown (got 'extreme')."
    ]


@pytest.mark.parametrize(
    ("owner", "problem_type", "expected"),
    [
        (" ", "p", "A model card needs an owner: add `--owner NAME`."),
        ("o", "", "A model card needs a problem type: add `--problem-type TEXT`."),
    ],
)
def test_minimal_content_needs_owner_and_problem_type(
    owner: str, problem_type: str, expected: str
) -> None:
    with pytest.raises(InputError) as caught:
        minimal_content(owner, problem_type)
    assert str(caught.value) == expected


def test_merge_sections_keeps_untouched_sections_and_removes_blanks() -> None:
    current: dict[str, Any] = {
        "model_overview": {"model_owner": "o", "problem_type": "p", "model_description": "d"},
        "intended_uses": {"risk_rating": "Low"},
        "evaluation_details": [{"name": "e1"}],
        "additional_information": {"ethical_considerations": "none"},
    }
    before = json.loads(json.dumps(current))
    updates = {
        "model_overview": {"model_description": "", "algorithm_type": "xgboost"},
        "intended_uses": {"risk_rating": None},  # leaves the section empty: pruned
        "evaluation_details": [{"name": "e2"}],  # lists are replaced, not merged
        "business_details": {"business_problem": None},  # nothing left: not added
        "training_details": {"objective_function": {"notes": "n"}},
    }
    merged = merge_sections(current, updates)
    assert merged == {
        "model_overview": {"model_owner": "o", "problem_type": "p", "algorithm_type": "xgboost"},
        "evaluation_details": [{"name": "e2"}],
        "additional_information": {"ethical_considerations": "none"},
        "training_details": {"objective_function": {"notes": "n"}},
    }
    assert current == before  # inputs are not changed
    merged["additional_information"]["ethical_considerations"] = "changed"
    assert current["additional_information"]["ethical_considerations"] == "none"


def test_merge_sections_replaces_a_non_object_with_an_object() -> None:
    assert merge_sections({"model_overview": "bad"}, {"model_overview": {"model_owner": "o"}}) == {
        "model_overview": {"model_owner": "o"}
    }
    assert merge_sections({"a": 1}, {"a": ""}) == {}


def test_summarize() -> None:
    content = {
        "model_overview": {
            "model_owner": "team",
            "problem_type": "churn",
            "model_description": "  predicts churn ",
            "algorithm_type": "",
        },
        "intended_uses": {"risk_rating": "Low", "intended_uses": "retention"},
    }
    summary = summarize(content)
    assert summary == {
        "owner": "team",
        "problem_type": "churn",
        "description": "predicts churn",
        "risk_rating": "Low",
        "intended_uses": "retention",
    }
    assert list(summary) == [key for key in SUMMARY_LABELS if key in summary]


def test_summarize_tolerates_missing_and_odd_content() -> None:
    assert summarize({}) == {}
    assert summarize({"model_overview": "x", "intended_uses": None}) == {}
    odd = {"model_overview": {"model_owner": ["a"], "problem_type": True, "algorithm_type": 3}}
    assert summarize(odd) == {"algorithm": "3"}


def test_package_reexports_the_public_api() -> None:
    for name in domain.__all__:
        assert getattr(domain, name) is not None, name
    assert set(domain.__all__) >= {
        "NAME_PATTERN",
        "name_problem",
        "validate_name",
        "CardStatus",
        "Action",
        "IMPLICIT_FOR_MAPPED",
        "TRANSITIONS",
        "TransitionPlan",
        "is_allowed_transition",
        "plan_transition",
        "action_for",
        "check_editable",
        "MAX_CONTENT_CHARS",
        "load_schema",
        "serialize",
        "content_problems",
        "validate_content",
        "minimal_content",
        "merge_sections",
        "summarize",
    }
