"""Workspace completion in the engine: the index, its candidates, the ranker and its silence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from server.engine.code_index import (
    FEATURES,
    CodeIndex,
    candidates,
    cursor_at,
    following,
    index_lines,
    shape,
)
from server.engine.completion import CompletionContext, context_at
from server.engine.completion_ranker import (
    MODEL_FEATURES,
    SHORTLIST,
    MiddleScore,
    Ranker,
    Rescorer,
    model_features,
    suggest_from_workspace,
)

MODELS = """\
class Point:
    def __init__(self, x, y):
        super().__init__()
        self.x = x


class Size:
    def __init__(self, w, h):
        super().__init__()
        self.w = w
"""


def test_lines_are_indexed_with_their_indentation() -> None:
    assert index_lines("a = 1\n\n    b = 2\r\n\tc\n" + "x" * 400 + "\n") == [
        (0, "a = 1"),
        (4, "b = 2"),
        (4, "c"),
    ]


def test_replacing_and_removing_a_file_keeps_the_counts_exact() -> None:
    index = CodeIndex()
    index.add("a.py", MODELS)
    index.add("b.py", "import os\nimport sys\n")
    assert index.counts["super().__init__()"] == 2
    assert following(index.follows, "import os") == {(0, "import sys"): 1}
    index.add("a.py", "import os\nimport re\n")  # the file changed
    assert "super().__init__()" not in index.counts
    assert following(index.follows, "import os") == {(0, "import sys"): 1, (0, "import re"): 1}
    index.remove("b.py")
    index.remove("a.py")
    assert not index.counts and not index.follows and not index.follows2
    assert not index.follows_shape
    assert index.line_count == 0


def test_a_line_seen_once_and_twice_after_the_same_line_counts_right() -> None:
    index = CodeIndex()
    index.add("a.py", "x = 1\ny = 2\n")
    assert index.follows["x = 1"] == (0, "y = 2")  # one line once: held as itself
    index.add("b.py", "x = 1\ny = 2\n")
    assert following(index.follows, "x = 1") == {(0, "y = 2"): 2}
    index.remove("a.py")
    assert following(index.follows, "x = 1") == {(0, "y = 2"): 1}
    index.remove("b.py")
    assert following(index.follows, "x = 1") == {} and not index.follows


def test_lines_starting_as_typed() -> None:
    index = CodeIndex()
    index.add("a.py", "self.x = x\nself.xy = 1\nself.y = y\nself\n")
    assert index.starting_with("self.x") == ["self.x = x", "self.xy = 1"]
    assert index.starting_with("self") == ["self.x = x", "self.xy = 1", "self.y = y"]
    index.add("b.py", "self.xz = 2\n")  # the sorted view follows the change
    assert "self.xz = 2" in index.starting_with("self.x")


def test_the_next_line_comes_from_what_follows_the_previous_line() -> None:
    index = CodeIndex()
    index.add("models.py", MODELS)
    text = "class Box:\n    def __init__(self, x, y):\n        "
    cursor = cursor_at(text, len(text), "box.py")
    assert cursor.typed == "" and cursor.indent == 8
    found = {c.line: c for c in candidates(index, cursor)}
    assert set(found) == {"super().__init__()"}
    c = found["super().__init__()"]
    assert c.text == "super().__init__()" and c.sources == {"follows", "shape"}
    features = dict(zip(FEATURES, c.features, strict=True))
    assert features["follows_share"] == 1.0
    assert features["follows_indent"] > 0  # one step deeper, as here


def test_a_previous_line_of_the_same_shape_with_other_names_counts_too() -> None:
    assert shape("def __init__(self, x, y):") == shape("def __init__(self, a):")
    assert shape("x = f(1, 'a')") == "_ = _(0, 0)"
    index = CodeIndex()
    index.add("models.py", MODELS)
    text = "class Box:\n    def __init__(self, a):\n        "
    (c,) = candidates(index, cursor_at(text, len(text)))
    assert c.line == "super().__init__()" and c.sources == {"shape"}
    features = dict(zip(FEATURES, c.features, strict=True))
    assert features["follows"] == 0.0 and features["shape_share"] == 1.0
    # The shape's lines at another indentation are not proposed: the block would be wrong.
    text = "class Box:\n    def __init__(self, a):\n    "
    assert candidates(index, cursor_at(text, len(text))) == []


def test_mid_line_candidates_start_as_typed_and_add_the_rest() -> None:
    index = CodeIndex()
    index.add("models.py", MODELS)
    text = "def f(self, w):\n    self.w"
    found = {c.line: c.text for c in candidates(index, cursor_at(text, len(text)))}
    assert found == {"self.w = w": " = w"}


def test_a_line_already_next_to_the_cursor_is_marked_nearby() -> None:
    index = CodeIndex()
    index.add("models.py", MODELS)
    text = "class Box:\n    def __init__(self, a):\n        \n        super().__init__()\n"
    offset = text.index("\n        \n") + 9
    (c,) = candidates(index, cursor_at(text, offset))
    assert dict(zip(FEATURES, c.features, strict=True))["nearby"] == 1.0


TESTS = """\
def test_read(client, token):
    response = client.get("/items", headers=auth(token))
    assert response.status_code == 200


def test_write(client, token):
    response = client.put("/items", json={}, headers=auth(token))
"""


def test_a_line_after_a_context_like_the_cursors_in_the_file_is_a_candidate() -> None:
    """The line above the cursor occurs nowhere else, nor does its shape; but the lines before
    the cursor share most of their names with those before a line earlier in the file."""
    index = CodeIndex()
    index.add("test_items.py", TESTS)
    text = TESTS + "    "
    found = {c.line: c for c in candidates(index, cursor_at(text, len(text), "test_items.py"))}
    assert set(found) == {"assert response.status_code == 200"}
    c = found["assert response.status_code == 200"]
    assert c.sources == {"context"}
    similarity = dict(zip(FEATURES, c.features, strict=True))["context_similarity"]
    assert 0.4 <= similarity < 1.0
    # Not at another change of indentation, and only lines that start as typed.
    deeper = TESTS + "        "
    assert candidates(index, cursor_at(deeper, len(deeper), "test_items.py")) == []
    typed = TESTS + "    assert response.json"
    assert candidates(index, cursor_at(typed, len(typed), "test_items.py")) == []
    # A context with other names finds nothing.
    other = TESTS + "\n\ndef unrelated(x):\n    y = x + 1\n    z = y * 2\n    "
    assert candidates(index, cursor_at(other, len(other), "test_items.py")) == []


def test_the_shipped_ranker_suggests_a_repeated_pattern_and_stays_silent_when_unsure() -> None:
    ranker = Ranker.load()
    index = CodeIndex()
    index.add("models.py", MODELS)
    text = "class Box:\n    def __init__(self, x, y):\n        "
    sure = suggest_from_workspace(index, cursor_at(text, len(text)), ranker)
    assert sure is not None and sure.text == "super().__init__()"
    assert sure.probability >= ranker.threshold_for(cursor_at(text, len(text)))
    # The same line after a line of the same shape only, seen twice: not sure enough.
    text = "class Box:\n    def __init__(self, a):\n        "
    assert suggest_from_workspace(index, cursor_at(text, len(text)), ranker) is None
    # Nothing in the workspace follows this line: silence.
    text = "import antigravity\n"
    assert suggest_from_workspace(index, cursor_at(text, len(text)), ranker) is None
    # A threshold no candidate reaches: silence too.
    text = "class Box:\n    def __init__(self, x, y):\n        "
    assert suggest_from_workspace(index, cursor_at(text, len(text)), ranker, 1.01) is None


def test_a_ranker_for_other_features_is_refused_with_the_command_that_remakes_it() -> None:
    with pytest.raises(ValueError, match="python -m training code ranker"):
        Ranker.from_json(
            '{"features": ["bias"], "weights": [1.0], "threshold": 0.5, '
            '"line_start_threshold": 0.5}'
        )
    with pytest.raises(ValueError, match="another version"):
        Ranker((1.0,), 0.5, 0.5)


def test_line_starts_and_mid_line_cursors_are_scored_by_their_own_weights() -> None:
    index = CodeIndex()
    index.add("models.py", MODELS)
    text = "class Box:\n    def __init__(self, x, y):\n        "
    start = cursor_at(text, len(text))
    mid = cursor_at("def f(self, w):\n    self.w", 26)
    (at_start,) = candidates(index, start)
    (typed,) = candidates(index, mid)
    assert (at_start.line, typed.line) == ("super().__init__()", "self.w = w")
    # Mid-line weights that like everything, line-start weights that like nothing.
    likes = tuple([5.0] + [0.0] * (len(FEATURES) - 1))
    dislikes = tuple([-5.0] + [0.0] * (len(FEATURES) - 1))
    ranker = Ranker(likes, 0.5, 0.5, dislikes)
    assert ranker.probability(typed) > 0.99 and ranker.probability(at_start) < 0.01
    assert suggest_from_workspace(index, mid, ranker) is not None
    assert suggest_from_workspace(index, start, ranker) is None
    # The line-start weights survive a round trip; a ranker without them uses one set for both.
    assert Ranker.from_json(ranker.to_json()) == ranker
    single = Ranker(likes, 0.5, 0.5)
    assert Ranker.from_json(single.to_json()).line_start_weights is None
    assert suggest_from_workspace(index, start, single) is not None
    with pytest.raises(ValueError, match="another version"):
        Ranker(likes, 0.5, 0.5, (1.0,))


def test_an_edited_file_is_counted_as_if_indexed_anew() -> None:
    """Only the changed lines are counted again; the tables must end up exactly as an index
    built from scratch (random edits: insertions, deletions, replacements, repeats)."""
    import random

    def counted(index: CodeIndex) -> list[object]:
        tables = (index.follows, index.follows2, index.follows_shape)
        return [index.counts, *({k: following(t, k) for k in t} for t in tables)]

    rng = random.Random(7)
    pool = ["a = 1", "  b = 2", "    return a", "def f(x):", "x", "", "  # note", "a = 1"]
    other = "\n".join(rng.choice(pool) for _ in range(20))
    lines = [rng.choice(pool) for _ in range(30)]
    index = CodeIndex()
    index.add("other.py", other)
    index.add("f.py", "\n".join(lines))
    for _ in range(300):
        at = rng.randrange(len(lines) + 1)
        lines[at : at + rng.randrange(0, 4)] = [rng.choice(pool) for _ in range(rng.randrange(4))]
        index.add("f.py", "\n".join(lines))
        fresh = CodeIndex()
        fresh.add("other.py", other)
        fresh.add("f.py", "\n".join(lines))
        assert counted(index) == counted(fresh)
        # The sorted view of lines is patched, not rebuilt: it must list the same lines.
        for typed in ("", "a", "  ", "def"):
            assert index.starting_with(typed) == fresh.starting_with(typed)
        assert (index.line_count, index.char_count) == (fresh.line_count, fresh.char_count)


class PrefersLine:
    """A scorer that finds ``line`` far likelier than anything else at the cursor (the
    engine's :class:`MiddleScorer` contract; the runtime's is tested on a real model)."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.seen: list[tuple[CompletionContext, list[str]]] = []

    def score_middles(
        self, context: CompletionContext, middles: Sequence[str]
    ) -> list[MiddleScore]:
        self.seen.append((context, list(middles)))
        return [MiddleScore(-1.0 if m == self.line else -30.0, 5) for m in middles]


def _rescorer(weights: tuple[float, ...], threshold: float = 0.5) -> Rescorer:
    return Rescorer(weights, threshold, weights, threshold)


def test_the_rescorer_picks_the_line_the_model_prefers_among_the_shortlist() -> None:
    index = CodeIndex()
    index.add("models.py", MODELS + "\n\ndef f(self, w):\n    self.w = None\n    self.w = 0\n")
    text = "def g(self, w):\n    self.w"
    cursor = cursor_at(text, len(text))
    cands = candidates(index, cursor)
    assert {c.line for c in cands} >= {"self.w = w", "self.w = None", "self.w = 0"}
    # First stage: frequency decides; the second stage follows the model (model_gap weighs).
    first = Ranker(tuple([0.0] * 8 + [1.0] + [0.0] * (len(FEATURES) - 9)), 0.0, 0.0)
    follow_model = tuple(0.0 if f != "model_gap" else 1.0 for f in MODEL_FEATURES)
    ranker = replace(first, rescorer=_rescorer(follow_model, threshold=0.4))
    shortlist = ranker.shortlist(cands)
    assert len(shortlist) == min(len(cands), SHORTLIST)
    assert [p for _, p in shortlist] == sorted((p for _, p in shortlist), reverse=True)
    scorer = PrefersLine(" = 0")
    context = context_at(text, len(text))
    found = suggest_from_workspace(index, cursor, ranker, scorer=scorer, context=context)
    assert found is not None and found.line == "self.w = 0" and found.probability == 0.5
    assert scorer.seen == [(context, [c.text for c, _ in shortlist])]
    # Without scores (no model) the first stage decides alone, with its own threshold.
    alone = suggest_from_workspace(index, cursor, ranker)
    assert alone is not None and alone.line == shortlist[0][0].line
    # The rescorer's threshold silences what it is unsure of.
    strict = replace(first, rescorer=_rescorer(follow_model, threshold=0.6))
    assert suggest_from_workspace(index, cursor, strict, scorer=scorer, context=context) is None
    # A rescorer survives the JSON round trip; one for other features is refused.
    assert Ranker.from_json(ranker.to_json()) == ranker
    with pytest.raises(ValueError, match="--model"):
        _rescorer((1.0,))


def test_model_features_compare_each_line_with_the_best_on_the_shortlist() -> None:
    rows = model_features([0.9, 0.5], [MiddleScore(-4.0, 4), MiddleScore(-2.0, 1)])
    first, second = (dict(zip(MODEL_FEATURES, row, strict=True)) for row in rows)
    assert first["model_mean"] == -1.0 and second["model_mean"] == -2.0
    assert (first["model_gap"], second["model_gap"]) == (-2.0, 0.0)
    assert (first["model_mean_gap"], second["model_mean_gap"]) == (0.0, -1.0)
    assert (first["model_best"], second["model_best"]) == (0.0, 1.0)
    assert first["ranker_logit"] > 0 > second["ranker_logit"] - 1e-9
