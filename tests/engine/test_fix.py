from __future__ import annotations

import pytest

from server.engine.fix import apply_edits, first_suggestion_edits
from server.engine.types import Category, Edit, Issue


def issue(start: int, end: int, text: str, *suggestions: str) -> Issue:
    return Issue(start, end, text, "spelling.unknown-word", Category.SPELLING, "m", suggestions)


def test_first_suggestions_applied_and_overlaps_dropped() -> None:
    text = "teh quick borwn fox"
    issues = [
        issue(0, 3, "teh", "the", "ten"),
        issue(10, 15, "borwn", "brown"),
        issue(11, 13, "or"),
        issue(12, 15, "wn", "x"),
    ]
    edits = first_suggestion_edits(issues)
    assert edits == [Edit(0, 3, "the"), Edit(10, 15, "brown")]
    assert apply_edits(text, edits) == "the quick brown fox"


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(ValueError):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])
