"""bot/slack/command_line.py: the split of `/modelcard` text is shlex's, whichever path takes
it (plain ASCII text skips shlex, anything with quotes, backslashes or other characters
goes through it)."""

from __future__ import annotations

import random
import shlex

import pytest

from bot.errors import InputError
from bot.slack.command_line import _split, parse

ALPHABET = "ab-=_.:é \t\r\n'\"\\\x0b\x0c\x1c\xa0\u2003"


def test_every_text_splits_as_shlex_splits_it() -> None:
    rng = random.Random(15)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24)))
        try:
            expected = shlex.split(text)
        except ValueError:  # an unclosed quote: the same error on both paths
            with pytest.raises(ValueError, match=r"No closing quotation|No escaped character"):
                _split(text)
            continue
        assert _split(text) == expected, repr(text)


def test_quoted_values_and_plain_words() -> None:
    line = parse('create churn-v2 --owner "churn team" --risk=low')
    assert (line.sub, line.args) == ("create", ["churn-v2"])
    assert line.options == {"owner": "churn team", "risk": "low"}
    assert parse("show  churn-v2\t").args == ["churn-v2"]
    with pytest.raises(InputError, match="unclosed quote"):
        parse('create x --owner "churn')
