"""The tag grammar: align/apply round trips (property tests) and the transforms."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from server.engine.grammar import tags as T

START = T.START
WORDS = st.sampled_from(
    "the a an cat cats go goes went gone going is are was were on in at to of "
    "dog dogs run ran runs big red some thing something well known well-known , . !".split()
)
SENTENCES = st.lists(WORDS, min_size=0, max_size=12)


def _solve(source: list[str], target: list[str], passes: int) -> tuple[list[str], int]:
    return T.correct_iteratively([START, *source], [START, *target], passes)


@settings(max_examples=400, deadline=None)
@given(SENTENCES, SENTENCES)
def test_iterative_apply_reaches_any_target(source: list[str], target: list[str]) -> None:
    # Each pass fixes at least the first edit on every token, so the number of passes needed
    # is bounded by the number of edits; a generous cap keeps the property meaningful.
    final, _ = _solve(source, target, passes=len(target) + len(source) + 2)
    assert final == [START, *target]


@settings(max_examples=200, deadline=None)
@given(SENTENCES)
def test_identity_is_all_keep(tokens: list[str]) -> None:
    tags = T.align([START, *tokens], [START, *tokens])
    assert tags == [T.KEEP] * (len(tokens) + 1)
    assert T.apply([START, *tokens], tags) == [START, *tokens]


@settings(max_examples=200, deadline=None)
@given(SENTENCES, SENTENCES)
def test_labels_survive_json(source: list[str], target: list[str]) -> None:
    tags = T.align([START, *source], [START, *target])
    assert json.loads(json.dumps(tags)) == tags
    assert all(T.is_valid(t) for t in tags)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=10), st.data())
def test_single_edits_are_exact_in_one_pass(tokens: list[str], data: st.DataObject) -> None:
    # One substitution, deletion or insertion is always representable by one tag.
    k = data.draw(st.integers(0, len(tokens) - 1))
    kind = data.draw(st.sampled_from(["sub", "del", "ins"]))
    word = data.draw(WORDS)
    target = list(tokens)
    if kind == "sub":
        target[k] = word
    elif kind == "del":
        del target[k]
    else:
        target.insert(k, word)
    tags = T.align([START, *tokens], [START, *target])
    assert T.apply([START, *tokens], tags) == [START, *target]


def test_transforms_are_preferred_to_replacements() -> None:
    cases = [
        ("go", "goes", "$TRANSFORM_VERB_VB_VBZ"),
        ("went", "gone", "$TRANSFORM_VERB_VBD_VBN"),
        ("cats", "cat", T.SINGULAR),
        ("child", "children", T.PLURAL),
        ("paris", "Paris", T.CASE_CAPITAL),
        ("The", "the", T.CASE_LOWER),
        ("nasa", "NASA", T.CASE_UPPER),
        ("their", "there", "$REPLACE_there"),
    ]
    for source, target, label in cases:
        assert T.label_for(source, target) == label
        assert T.apply_tag(source, label) == [target]


def test_merge_split_and_start() -> None:
    src = [START, "some", "thing", "is", "well-known"]
    tgt = [START, "Something", "is", "well", "known"]
    final, passes = T.correct_iteratively(src, tgt)
    assert final == tgt and passes <= 2
    assert T.apply([START, "dog", "barks"], ["$APPEND_The", T.CASE_LOWER, T.KEEP]) == [
        START, "The", "dog", "barks"
    ]


def test_start_is_never_deleted_or_replaced() -> None:
    assert T.apply([START, "a"], [T.DELETE, T.KEEP]) == [START, "a"]
    assert T.apply([START, "a"], ["$REPLACE_x", T.KEEP]) == [START, "a"]


def test_match_case_for_uncased_models() -> None:
    assert T.apply_tag("There", "$REPLACE_their", match_case=True) == ["Their"]
    assert T.apply_tag("Go", "$TRANSFORM_VERB_VB_VBZ") == ["Goes"]
    assert T.apply_tag(START, "$APPEND_the", match_case=True) == [START, "The"]


def test_invalid_labels() -> None:
    assert not T.is_valid("$REPLACE_")
    assert not T.is_valid("$FOO")
    assert T.is_valid("$APPEND_,")
    assert T.transform("xyzzy", "$TRANSFORM_VERB_VB_VBZ") is None
    assert T.apply_tag("xyzzy", "$TRANSFORM_VERB_VB_VBZ") == ["xyzzy"]
