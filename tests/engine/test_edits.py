"""The span an edit changed, found by comparing two versions of a text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from server.engine.edits import changed_span


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab \n.", max_size=40), st.data())
def test_outside_the_span_the_new_text_is_the_old_ones(old: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(old)))
    end = data.draw(st.integers(start, len(old)))
    inserted = data.draw(st.text(alphabet="ab \n.", max_size=8))
    new = old[:start] + inserted + old[end:]
    lo, hi = changed_span(old, new)
    assert 0 <= lo <= hi <= len(new)
    assert new[:lo] == old[:lo]
    assert new[hi:] == old[len(old) - (len(new) - hi) :]
    assert hi - lo <= len(inserted)  # never wider than what was typed


def test_a_typed_letter_and_a_deletion() -> None:
    assert changed_span("She go home.", "She goes home.") == (6, 8)
    assert changed_span("She goes home.", "She go home.") == (6, 6)
    assert changed_span("same", "same") == (4, 4)
