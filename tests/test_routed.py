"""handlers/common.py `routed`: one bolt listener over a table of handlers matches exactly the
table's ids and hands each handler the arguments it names."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.common import WebServices, routed

WEB: Any = object()  # stands in for WebServices: the handlers below only pass it on


def test_pattern_matches_only_the_ids_of_the_table() -> None:
    pattern, _ = routed(WEB, {"approve.v1": lambda web, ack: None, "reject": lambda web: None}, str)
    assert pattern.search("approve.v1")
    assert pattern.search("reject")
    for other in ("approveXv1", "approve.v1x", "xreject", "", "approve"):
        assert pattern.search(other) is None, other


def test_each_handler_gets_web_and_the_arguments_it_names() -> None:
    seen: list[tuple[str, Any, dict[str, Any]]] = []

    def with_client(web: WebServices, ack: Any, body: dict[str, Any], client: Any) -> None:
        seen.append(("with_client", web, {"ack": ack, "body": body, "client": client}))

    def body_only(web: WebServices, body: dict[str, Any]) -> None:
        seen.append(("body_only", web, {"body": body}))

    _, listener = routed(WEB, {"a": with_client, "b": body_only}, lambda body: body["id"])
    listener(ack="ACK", body={"id": "a"}, client="CLIENT")
    listener(ack="ACK", body={"id": "b"}, client="CLIENT")
    assert seen == [
        ("with_client", WEB, {"ack": "ACK", "body": {"id": "a"}, "client": "CLIENT"}),
        ("body_only", WEB, {"body": {"id": "b"}}),
    ]


def test_a_handler_taking_what_bolt_does_not_give_is_refused_at_register() -> None:
    def wants_say(web: WebServices, ack: Any, say: Any) -> None:
        pass

    with pytest.raises(TypeError, match="wants_say takes \\['say'\\]"):
        routed(WEB, {"x": wants_say}, str)
