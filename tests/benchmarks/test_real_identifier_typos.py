"""The real-identifier-typos suite on a tiny CSV written here (no ``../shared`` data): rows to
cases in each language's context, the halves, the scoring of every tool's kind of finding,
and a whole run with Quill's engine (peers shown as missing, never failing the run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import peers
from benchmarks import real_identifier_typos as rit
from benchmarks.common import Finding

CSV = """repository,wrong,correct,commit,file,line
acme/shop,getDescritpion,getDescription,abc,src/Shop.java,10
acme/shop,recieve_count,receive_count,abc,shop/cart.py,3
other/tools,MAX_LENGHT,MAX_LENGTH,def,tool.go,7
other/tools,Componet,Component,def,ui/widget.js,1
third/lib,argv,args,123,main.c,5
third/lib,Teh,The,123,Program.cs,5
"""


@pytest.fixture()
def csv_path(tmp_path: Path) -> Path:
    path = tmp_path / "typos.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_rows_languages_and_halves(csv_path: Path) -> None:
    rows = rit.read_rows(csv_path)
    assert [r.wrong for r in rows][:2] == ["getDescritpion", "recieve_count"]
    cases, skipped = rit.make_cases(rows)
    assert [c.language for c in cases] == ["java", "python", "go", "javascript", "c"]
    assert skipped == {".cs": 1}  # Quill reads no C#: counted, not scored
    # A repository's rows all fall in one half, whatever else is in the file.
    assert rit.half_of("acme/shop") == rows[0].half == rows[1].half == "tuning"
    assert rows[2].half == rows[3].half == "check"
    assert {rit.half_of(f"owner/repo{i}") for i in range(20)} == set(rit.HALVES)


def test_contexts_declare_and_use_the_wrong_identifier(csv_path: Path) -> None:
    cases, _ = rit.make_cases(rit.read_rows(csv_path))
    for case in cases:
        assert len(case.spans) >= 2
        lines = case.text.split("\n")
        for span in case.spans:
            assert lines[span.line - 1][span.start : span.end] == case.row.wrong
    by_name = {c.row.wrong: c for c in cases}
    assert rit.shape("MAX_LENGHT") == "constant" and rit.shape("Componet") == "type"
    assert "class Componet" in by_name["Componet"].text
    assert by_name["getDescritpion"].path.endswith(".java")


def test_differing_stretch_is_whole_parts() -> None:
    assert rit.differing("getDescritpion", "getDescription") == (3, 14)
    assert rit.differing("recieve_count", "receive_count") == (0, 7)
    # A dropped letter: the parts on either side of the gap.
    assert rit.differing("upate", "update") == (0, 5)
    assert rit.differing("argv", "args") == (0, 4)


def test_scoring_columns_and_codespell(csv_path: Path) -> None:
    cases, _ = rit.make_cases(rit.read_rows(csv_path))
    case = cases[0]  # getDescritpion in Java
    span = case.spans[0]
    at = span.start + 3

    def finding(suggestion: str, col: int | None = at) -> Finding:
        end = None if col is None else col + len("Descritpion")
        return Finding(case.path, span.line, col, end, "Descritpion", (suggestion,))

    right = rit.score(case, [finding("Description")])
    assert (right.detected, right.fixed, right.fix) == (True, True, "getDescription")
    wrong = rit.score(case, [finding("Descriptions")])
    assert (wrong.detected, wrong.fixed) == (True, False)
    # codespell: no column, the word is found in the identifier on the finding's line.
    assert rit.score(case, [finding("description", col=None)]).fixed
    elsewhere = Finding(case.path, span.line + 1, 0, 4, "Exmaple", ("Example",))
    missed = rit.score(case, [elsewhere])
    assert (missed.detected, missed.fixed, missed.other_flags) == (False, False, 1)
    assert rit.apply_fixes("reflecLenght", [(0, 6, "reflect"), (6, 12, "Length")]) == (
        "reflectLength"
    )


def test_a_whole_run_with_the_peers_missing(
    csv_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rit, "WORK", tmp_path / "work")
    monkeypatch.setattr(peers, "missing_reason", lambda tool: "not in this test")
    result = rit.run(quick=False, csv_path=csv_path, clean_code=False)
    tables = result["tables"]
    assert isinstance(tables, list) and len(tables) == 2
    for table in tables:
        assert table["columns"][:3] == ["language", "cases", "quill"]
        assert all("missing" in cell for cell in table["rows"][0][3:])
    # The peers read the check half only (the tuning half is Quill's to tune on).
    cases, _ = rit.make_cases(rit.read_rows(csv_path))
    written = sorted(
        p.name for p in (tmp_path / "work" / "real-identifier-typos" / "cases").iterdir()
    )
    assert written == sorted(c.path for c in cases if c.row.half == "check")
    totals = result["totals"]
    assert isinstance(totals, dict)
    quill = [totals[h]["quill"] for h in rit.HALVES if h in totals]
    assert sum(t["cases"] for t in quill) == 5
    # recieve and LENGHT are fixed; Descritpion gets the typo list's first fix, Descriptions.
    assert sum(t["fixed"] for t in quill) >= 2
    details = [
        json.loads(line)
        for line in (tmp_path / "work" / "real-identifier-typos" / "details.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    assert {d["wrong"] for d in details} == {
        "getDescritpion",
        "recieve_count",
        "MAX_LENGHT",
        "Componet",
        "argv",
    }
    fixed = {d["wrong"] for d in details if d["tools"]["quill"][1]}
    assert {"recieve_count", "MAX_LENGHT"} <= fixed, fixed


def test_the_hand_read_misspellings_of_clean_code_are_misspellings_of_words() -> None:
    """Each entry that the false-flag rate leaves out is no English word, and what it meant
    is one: the list cannot hide a false flag on a name behind a 'misspelling'."""
    from server.engine.lexicon import Lexicon

    lexicon = Lexicon.shipped()
    listed = rit.misspellings_in_clean_code()
    assert len(listed) >= 40
    for word, meant in listed.items():
        assert not lexicon.knows(word, "en-US"), word
        assert lexicon.knows(meant, "en-US"), (word, meant)
