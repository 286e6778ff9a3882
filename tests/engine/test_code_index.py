"""Workspace completion in the engine: the index, its candidates, the ranker and its silence."""

from __future__ import annotations

import pytest

from server.engine.code_index import (
    FEATURES,
    CodeIndex,
    candidates,
    cursor_at,
    index_lines,
    shape,
)
from server.engine.completion_ranker import Ranker, suggest_from_workspace

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
    assert index.follows["import os"] == {(0, "import sys"): 1}
    index.add("a.py", "import os\nimport re\n")  # the file changed
    assert "super().__init__()" not in index.counts
    assert index.follows["import os"] == {(0, "import sys"): 1, (0, "import re"): 1}
    index.remove("b.py")
    index.remove("a.py")
    assert not index.counts and not index.follows and not index.follows2
    assert not index.follows_shape
    assert index.line_count == 0


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


def test_the_shipped_ranker_suggests_a_repeated_pattern_and_stays_silent_when_unsure() -> None:
    ranker = Ranker.load()
    index = CodeIndex()
    index.add("models.py", MODELS)
    text = "class Box:\n    def __init__(self, x, y):\n        "
    sure = suggest_from_workspace(index, cursor_at(text, len(text)), ranker)
    assert sure is not None and sure.text == "super().__init__()"
    assert sure.probability >= ranker.threshold
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
        Ranker.from_json('{"features": ["bias"], "weights": [1.0], "threshold": 0.5}')
    with pytest.raises(ValueError, match="another version"):
        Ranker((1.0,), 0.5)
