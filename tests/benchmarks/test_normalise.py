"""The benchmark harness's parsers and typo planting, on hand-written samples (no network).

Each peer reports positions in its own unit (UTF-8 bytes, UTF-16 units, code points of the
line or of the whole file, an offset that counts a ``^``); a wrong conversion would silently
turn hits into misses, so every parser is fed a sample written from the formats in
``../shared/peers.md``, with non-ASCII text before the flagged word.
"""

from __future__ import annotations

import ast
import io
import json
import random
import tokenize
from collections import Counter

import pytest

from benchmarks import corpora, identifier_typos, peers, running_text
from benchmarks.common import Finding, LineIndex, bytes_to_cp, count_lines, utf16_to_cp

TEXT = "naïve café recieve\n\tdef recieveData(self): 😀 wrold\n"
PATH = "/tmp/sample.txt"


def texts() -> peers.FileTexts:
    return peers.FileTexts({PATH: TEXT})


# -- offsets ------------------------------------------------------------------------------------
def test_offset_conversions() -> None:
    line = "naïve café recieve"
    assert bytes_to_cp(line, len("naïve café ".encode())) == 11
    assert utf16_to_cp("😀 wrold", 3) == 2  # the emoji is two UTF-16 units, one code point
    index = LineIndex(TEXT)
    assert index.line_col(TEXT.index("wrold")) == (2, TEXT.split("\n")[1].index("wrold"))
    assert index.line_text(2).startswith("\tdef")
    assert index.line_count == 2 == count_lines(TEXT)


# -- typos --------------------------------------------------------------------------------------
def test_parse_typos_converts_byte_offsets() -> None:
    stdout = "\n".join(
        json.dumps(x)
        for x in [
            {
                "type": "typo",
                "path": PATH,
                "line_num": 1,
                "byte_offset": 13,
                "typo": "recieve",
                "corrections": ["receive"],
            },
            {
                "type": "typo",
                "path": PATH,
                "line_num": 2,
                "byte_offset": 5,
                "typo": "recieve",
                "corrections": ["receive"],
            },
            {"type": "binary_file", "path": "/tmp/x.bin"},
        ]
    )
    found = peers.parse_typos(stdout, texts())
    assert found == [
        Finding(PATH, 1, 11, 18, "recieve", ("receive",)),
        Finding(PATH, 2, 5, 12, "recieve", ("receive",)),
    ]
    assert TEXT.split("\n")[0][11:18] == "recieve"


# -- codespell ----------------------------------------------------------------------------------
def test_parse_codespell_lines_without_columns() -> None:
    stdout = (
        "/tmp/dir:with:colons/a.py:12: recieve ==> receive\n"
        "/tmp/a.txt:3: wich ==> which, witch\n"
        "/tmp/a.txt:4: clas ==> class | disabled because of name clash in c++\n"
        "WARNING: something else\n"
    )
    found = peers.parse_codespell(stdout)
    assert found[0] == Finding("/tmp/dir:with:colons/a.py", 12, None, None, "recieve", ("receive",))
    assert found[1].suggestions == ("which", "witch")
    assert found[2].suggestions == ("class",)
    assert len(found) == 3
    assert not found[0].overlaps(12, 0, 100)  # no column: never matched by position


# -- CSpell -------------------------------------------------------------------------------------
def test_parse_cspell_utf16_columns() -> None:
    line2 = TEXT.split("\n")[1]
    col16 = len(line2[: line2.index("wrold")].encode("utf-16-le")) // 2
    report = {
        "issues": [
            {
                "text": "wrold",
                "row": 2,
                "col": col16 + 1,
                "uri": f"file://{PATH}",
                "suggestionsEx": [{"word": "world", "isPreferred": True}, {"word": "wold"}],
            },
            {
                "text": "Thiss",
                "row": 1,
                "col": 1,
                "uri": f"file://{PATH}",
                "suggestionsEx": [{"word": "this", "wordAdjustedToMatchCase": "This"}],
            },
        ],
        "result": {"files": 1},
    }
    found = peers.parse_cspell(json.dumps(report, indent=4), texts())
    cp = line2.index("wrold")
    assert col16 == cp + 1  # the emoji before it
    assert found[0] == Finding(PATH, 2, cp, cp + 5, "wrold", ("world", "wold"))
    assert found[1].suggestions == ("This",)


def test_cspell_uri_with_escapes() -> None:
    report = {"issues": [{"text": "wrold", "row": 2, "col": 1, "uri": "file:///tmp/a%20b.txt"}]}
    found = peers.parse_cspell(json.dumps(report), peers.FileTexts({"/tmp/a b.txt": "x\nwrold\n"}))
    assert found[0].path == "/tmp/a b.txt"


# -- Harper -------------------------------------------------------------------------------------
def _harper_lint(kind: str, start: int, end: int, suggestions: list[str]) -> dict[str, object]:
    return {
        "rule": "SpellCheck",
        "kind": kind,
        "span": {"char_start": start, "char_end": end},
        "message": "...",
        "suggestions": suggestions,
    }


def test_parse_harper_whole_file_spans_and_kinds() -> None:
    start = TEXT.index("wrold")
    data = [
        {
            "file": "sample.txt",
            "lint_count": 3,
            "lints": [
                _harper_lint("Spelling", start, start + 5, ["Replace with: “world”", "Insert “x”"]),
                _harper_lint("Typo", 11, 18, ["Replace with: “receive”"]),
                _harper_lint("Capitalization", 0, 5, ["Replace with: “Naïve”"]),
            ],
        }
    ]
    stdout = "Note: a stray line\n" + json.dumps(data, indent=2)
    found = peers.parse_harper(stdout, texts(), [PATH])
    line2 = TEXT.split("\n")[1]
    assert found[0] == Finding(
        PATH,
        2,
        line2.index("wrold"),
        line2.index("wrold") + 5,
        "wrold",
        ("world", "Insert “x”"),
        "Spelling",
    )
    assert found[1].line == 1 and found[1].text == "recieve" and found[1].col_start == 11
    assert len(found) == 2  # the capitalisation lint is not a spelling claim
    assert len(peers.parse_harper(stdout, texts(), [PATH], kinds=frozenset())) == 3


def test_parse_harper_refuses_to_guess_between_same_names() -> None:
    data = [{"file": "__init__.py", "lints": []}, {"file": "__init__.py", "lints": []}]
    inputs = ["/a/__init__.py", "/b/__init__.py"]
    # In order: matched by position.
    empty = peers.FileTexts({p: "" for p in inputs})
    assert peers.parse_harper(json.dumps(data), empty, inputs) == []
    with pytest.raises(ValueError):
        shuffled = [{"file": "x.py", "lints": []}, *data[:1]]
        peers.parse_harper(json.dumps(shuffled), peers.FileTexts(), inputs)


# -- Hunspell / Aspell --------------------------------------------------------------------------
def test_parse_ispell_offsets_count_the_caret() -> None:
    lines = ["naïve café recieve the wrold", "", "Thiss is"]
    assert peers.ispell_input(lines) == "!\n^naïve café recieve the wrold\n^\n^Thiss is\n"
    stdout = (
        "@(#) International Ispell Version 3.2.06 (but really Hunspell 1.7.1)\n"
        "& recieve 3 12: receive, relieve, reverie\n"
        "# wrold 24\n"
        "\n"
        "\n"
        "& Thiss 2 1: This, Hiss\n"
        "\n"
    )
    found = peers.parse_ispell(stdout, PATH, 3)
    assert found is not None
    assert found[0] == Finding(PATH, 1, 11, 18, "recieve", ("receive", "relieve", "reverie"))
    assert lines[0][11:18] == "recieve"
    assert found[1] == Finding(PATH, 1, 23, 28, "wrold", ())
    assert found[2].line == 3 and found[2].col_start == 0
    assert peers.parse_ispell(stdout, PATH, 4) is None  # lost sync is detected


# -- Quill --------------------------------------------------------------------------------------
def test_parse_quill_json() -> None:
    stdout = (
        json.dumps(
            {
                "path": PATH,
                "line": 2,
                "column": 6,
                "end_line": 2,
                "end_column": 13,
                "category": "spelling",
                "rule": "spelling.known-typo",
                "message": "m",
                "text": "recieve",
                "suggestions": ["receive"],
            }
        )
        + "\n"
    )
    assert peers.parse_quill_json(stdout) == [
        Finding(PATH, 2, 5, 12, "recieve", ("receive",), "spelling.known-typo")
    ]


def test_harper_suggestion() -> None:
    assert peers.harper_suggestion("Replace with: “world”") == "world"
    assert peers.harper_suggestion("Remove error") == "Remove error"


# -- typo planting in identifiers ---------------------------------------------------------------
SOURCE = '''"""Module docstring mentions max_value."""
import os


def compute_value(max_value, other):
    """Return the max_value."""
    # max_value in a comment stays
    total = max_value + other.max_value
    return {"key": total, "m": max_value}


class Holder:
    def __init__(self, value):
        self.value = value
'''


def _tokens(text: str) -> list[tuple[int, str]]:
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)]


def test_split_identifier() -> None:
    parts = [p for _, _, p in identifier_typos.split_identifier("getHTTPResponse_code2")]
    assert parts == ["get", "HTTP", "Response", "code", "2"]


def test_rename_changes_only_the_identifier() -> None:
    new, spans = identifier_typos.rename_identifier(SOURCE, "max_value", "max_walue")
    old_tokens, new_tokens = _tokens(SOURCE), _tokens(new)
    assert len(old_tokens) == len(new_tokens)
    changed = [(a, b) for a, b in zip(old_tokens, new_tokens, strict=True) if a != b]
    assert changed and all(a == (1, "max_value") and b == (1, "max_walue") for a, b in changed)
    # The parameter, its two uses and the attribute name ``other.max_value`` (a NAME token).
    assert len(spans) == len(changed) == 4
    lines = new.split("\n")
    for span in spans:
        assert lines[span.line - 1][span.start : span.end] == "max_walue"
    assert "mentions max_value" in new and "# max_value in a comment" in new
    ast.parse(new)


def test_defined_identifiers_excludes_unsafe_names() -> None:
    names = identifier_typos.defined_identifiers(SOURCE)
    assert {"compute_value", "other", "total", "Holder", "value"} <= names
    # "key" and "m" appear in string literals; os is imported; dunders and self are excluded.
    assert not {"os", "__init__", "self", "key"} & names


def test_plant_offsets_and_collisions() -> None:
    cand = identifier_typos.Candidate("compute_value", 8, "value", "value")
    planted = identifier_typos.plant(SOURCE, cand, "vaule")
    assert planted is not None
    new, renamed, spans = planted
    assert renamed == "compute_vaule"
    case = identifier_typos.Case(
        "a0001", "x", None, "m.py", "compute_value", renamed, "value", "vaule", 8, tuple(spans)
    )
    lines = new.split("\n")
    assert [lines[s.line - 1][s.start : s.end] for s in case.part_spans] == ["vaule"]
    # A new name that already exists in the file is refused.
    cand2 = identifier_typos.Candidate("total", 0, "total", "total")
    assert identifier_typos.plant(SOURCE.replace("other", "totla"), cand2, "totla") is None


def test_score_case_position_and_codespell() -> None:
    spans = (identifier_typos.Span(5, 4, 17), identifier_typos.Span(9, 10, 23))
    case = identifier_typos.Case(
        "b0001", "x", None, "m.py", "compute_value", "compute_vaule", "value", "vaule", 8, spans
    )
    hit = Finding("f", 9, 18, 23, "vaule", ("value", "valve"))
    other_part = Finding("f", 5, 4, 11, "compute", ())
    elsewhere = Finding("f", 20, 0, 4, "teh", ("the",))
    flagged, fixed, fp, first = identifier_typos.score_case(case, [other_part, hit, elsewhere])
    assert (flagged, fixed, fp, first) == (True, True, 1, "value")
    codespell_hit = Finding("f", 5, None, None, "compute_vaule", ("compute_value",))
    assert identifier_typos.score_case(case, [codespell_hit])[:2] == (True, False)


# -- typo planting in sentences -----------------------------------------------------------------
def test_plant_sentence_offsets_and_case() -> None:
    source = corpora.TypoSource("t", {"receive": ("recieve",), "the": ("teh",)})
    rng = random.Random(1)
    used: Counter[str] = Counter({"the": 5})
    sentence = "Did you Receive the letter?"
    result = running_text.plant_sentence(sentence, source, rng, used, max_uses=5)
    assert result is not None
    new, word, typo, offset = result
    assert (word, typo) == ("Receive", "Recieve")  # "the" is used up; the case is kept
    assert new == "Did you Recieve the letter?" and new[offset : offset + len(typo)] == typo
    assert running_text.plant_sentence("Nothing here.", source, rng, Counter()) is None


def test_match_case() -> None:
    assert corpora.match_case("Value", "vaule") == "Vaule"
    assert corpora.match_case("VALUE", "vaule") == "VAULE"
    assert corpora.match_case("value", "vaule") == "vaule"


def test_results_carry_no_paths_of_this_machine() -> None:
    from benchmarks.common import ROOT, WORK, portable

    raw = {
        "command": f"{ROOT}/benchmarks/.peers/venv/bin/typos {WORK}/fp-code/python",
        "model": str(ROOT / "models" / "grammar-minilm"),
        "rows": [[str(ROOT), 1.5]],
    }
    assert portable(raw) == {
        "command": "benchmarks/.peers/venv/bin/typos $QUILL_BENCH_WORK/fp-code/python",
        "model": "models/grammar-minilm",
        "rows": [[".", 1.5]],
    }
