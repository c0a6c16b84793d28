"""Pure domain rules: card names, statuses and transitions, card content. No I/O."""

from bot.domain.content import (
    MAX_CONTENT_CHARS,
    RISK_RATINGS,
    SUMMARY_LABELS,
    content_problems,
    merge_sections,
    minimal_content,
    serialize,
    summarize,
    validate_content,
)
from bot.domain.names import MAX_NAME_LENGTH, NAME_PATTERN, name_problem, validate_name
from bot.domain.schema import load_schema
from bot.domain.status import (
    EDITABLE,
    IMPLICIT_FOR_MAPPED,
    TRANSITIONS,
    Action,
    CardStatus,
    TransitionPlan,
    action_for,
    check_editable,
    is_allowed_transition,
    plan_transition,
)

__all__ = [
    "EDITABLE",
    "IMPLICIT_FOR_MAPPED",
    "MAX_CONTENT_CHARS",
    "MAX_NAME_LENGTH",
    "NAME_PATTERN",
    "RISK_RATINGS",
    "SUMMARY_LABELS",
    "TRANSITIONS",
    "Action",
    "CardStatus",
    "TransitionPlan",
    "action_for",
    "check_editable",
    "content_problems",
    "is_allowed_transition",
    "load_schema",
    "merge_sections",
    "minimal_content",
    "name_problem",
    "plan_transition",
    "serialize",
    "summarize",
    "validate_content",
    "validate_name",
]
