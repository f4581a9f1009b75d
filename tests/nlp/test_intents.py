"""Intents and slots: a table of typed and voice-recognised messages, at least 95% right."""

from __future__ import annotations

import pytest

from nlp import Understanding, understand


def slots(cell: str) -> dict[str, str]:
    """Parse "a=1;b=2" into a dict."""
    return dict(kv.split("=", 1) for kv in cell.split(";")) if cell else {}


def test_table_is_large_and_varied(intent_cases: list[dict[str, str]]) -> None:
    """At least 100 utterances covering every intent the chat uses."""
    intents = {r["intent"] for r in intent_cases}
    assert len(intent_cases) >= 100
    assert intents >= {
        "bind", "unbind", "submit", "describe", "query", "withdraw", "cancel", "back",
        "confirm", "deny", "continue", "edit", "choice", "help", "pending", "approve", "revise",
        "return", "stats", "greeting", "chitchat",
    }


def test_table_at_least_95_percent_right(intent_cases: list[dict[str, str]]) -> None:
    """Intent and slots both match on at least 95% of the utterances."""
    failures = []
    for row in intent_cases:
        got = understand(row["text"])
        if got != Understanding(row["intent"], slots(row["slots"])):
            failures.append((row["text"], row["intent"], row["slots"], got))
    for failure in failures:
        print("failed:", failure)
    assert 1 - len(failures) / len(intent_cases) >= 0.95


def test_code_excludes_confusable_characters() -> None:
    """A code with O or I is not an invite code."""
    assert understand("绑定 7KQ2MO").slots.get("code") is None
    assert understand("7KQ2MI").intent == "chitchat"


def test_empty_and_emoji_only_are_chitchat() -> None:
    """Nothing to understand is chit-chat, never an error."""
    assert understand("").intent == "chitchat"
    assert understand("🙂🙂").intent == "chitchat"


def test_a_remembered_answer_cannot_be_changed_by_whoever_got_it_first() -> None:
    first = understand("查询 0042")
    with pytest.raises(TypeError):
        first.slots["number"] = "9999"  # type: ignore[index]
    assert understand("查询 0042").slots["number"] == "0042"

