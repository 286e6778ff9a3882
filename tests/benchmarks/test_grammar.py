"""The grammar suite's own logic: Harper's lints turned into corrected sentences (code-point
offsets, emoji and accents included), set discovery, a missing model, the charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import grammar, plots
from benchmarks.grammar import HarperEdit, LintStats


def _lint(doc: str, text: str, suggestion: str | None, kind: str = "Spelling", nth: int = 0):
    """A lint as Harper prints it, on the ``nth`` occurrence of ``text`` in ``doc``; spans
    count code points of the whole file (Python's string indices)."""
    start = -1
    for _ in range(nth + 1):
        start = doc.index(text, start + 1)
    return {
        "rule": "R",
        "kind": kind,
        "span": {"char_start": start, "char_end": start + len(text)},
        "message": "m",
        "suggestions": [suggestion] if suggestion else [],
        "matched_text": text,
    }


def _harper_output(doc: str, lints: list[dict[str, object]]) -> str:
    # Harper may print a stray line before the JSON.
    return "Note: stray line\n" + json.dumps([{"file": "x.txt", "lints": lints}])


def test_suggestion_displays_become_edits() -> None:
    edit = grammar.harper_suggestion_edit
    assert edit("Replace with: “their”", 4, 9) == (4, 9, "their")
    assert edit("Replace with: ““quoted””", 0, 1) == (0, 1, "“quoted”")
    assert edit("Replace with: “”", 2, 5) == (2, 5, "")
    # Insert goes right after the span (Harper's InsertAfter), as an empty span.
    assert edit("Insert “ be”", 10, 15) == (15, 15, " be")
    assert edit("Insert “,”", 0, 11) == (11, 11, ",")
    assert edit("Remove error", 3, 7) == (3, 7, "")
    assert edit("Something new", 3, 7) is None


def test_lints_correct_sentences_after_emoji_and_accents() -> None:
    sentences = [
        "I ❤️ 🐍 and I like programing.",  # ❤️ is two code points, 🐍 one (two UTF-16 units)
        "Ça va, the café are nice.",
        "For example they is here.",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝔱𝔢𝔵𝔱 then teh end.",
    ]
    doc, starts = grammar.harper_document(sentences)
    assert [doc[s : s + len(t)] for s, t in zip(starts, sentences, strict=True)] == sentences
    lints = [
        _lint(doc, "programing", "Replace with: “programming”"),
        _lint(doc, "are", "Replace with: “is”", kind="Agreement"),
        _lint(doc, "For example", "Insert “,”", kind="Punctuation"),
        _lint(doc, "is", "Replace with: “are”", kind="Agreement"),
        _lint(doc, "teh", "Replace with: “the”"),
        _lint(doc, "I ❤️ 🐍 and I like programing.", None, kind="Readability"),
    ]
    stats = LintStats()
    edits = grammar.parse_harper_lints(_harper_output(doc, lints), stats)
    assert all(
        doc[e.start : e.end] in {lint["matched_text"] for lint in lints}
        for e in edits
        if e.end > e.start
    )
    out = grammar.corrections_from_edits(sentences, starts, edits, stats)
    assert out == [
        "I ❤️ 🐍 and I like programming.",
        "Ça va, the café is nice.",
        "For example, they are here.",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝔱𝔢𝔵𝔱 then the end.",
    ]
    assert (stats.lints, stats.no_suggestion, stats.applied) == (6, 1, 5)
    assert stats.by_kind["Spelling"] == 2
    # The grammar-only row leaves the Spelling lints out.
    only_grammar = grammar.corrections_from_edits(
        sentences, starts, edits, skip_kinds=frozenset({"Spelling"})
    )
    assert only_grammar[0] == sentences[0] and only_grammar[3] == sentences[3]
    assert only_grammar[2] == "For example, they are here."


def test_edits_across_sentences_are_dropped_and_end_insertions_kept() -> None:
    sentences = ["One two.", "Three four"]
    _, starts = grammar.harper_document(sentences)
    across = HarperEdit(starts[0] + 4, starts[1] + 5, "x", "Style", "R")
    at_end = HarperEdit(starts[1] + 10, starts[1] + 10, ".", "Punctuation", "R")
    stats = LintStats()
    out = grammar.corrections_from_edits(sentences, starts, [across, at_end], stats)
    assert out == ["One two.", "Three four."]
    assert stats.across_sentences == 1 and stats.applied == 1


def test_apply_edits_skips_overlaps_and_keeps_insertion_order() -> None:
    text = "he go to school"
    new, skipped = grammar.apply_edits(
        text, [(3, 5, "goes"), (3, 8, "went"), (15, 15, "."), (15, 15, "!"), (20, 21, "x")]
    )
    assert new == "he goes to school.!"
    assert skipped == 2
    assert grammar.apply_edits("abc", []) == ("abc", 0)


def test_harper_gets_ordinary_spacing_that_tokenises_back() -> None:
    pytest.importorskip("training.grammar.evaluate")  # the references' tokenisation (train extra)
    sources = ["I do n't know , he said .", "Because they sent out 2 0 % of it ."]
    plain, kept = grammar.harper_inputs(sources)
    assert plain[0] == "I don't know, he said."
    # "2 0 %" would come back as "2 0%": that sentence stays tokenised.
    assert plain[1] == sources[1] and kept == 1


def test_sets_are_found_with_their_references(tmp_path: Path) -> None:
    jfleg = tmp_path / "jfleg-dev"
    jfleg.mkdir()
    for name in ("dev.src", "dev.ref0", "dev.ref1", "dev.ref10", "dev.ref2"):
        (jfleg / name).write_text("A line .\n", encoding="utf-8")
    lonely = tmp_path / "other"
    lonely.mkdir()
    (lonely / "test.src").write_text("x\n", encoding="utf-8")
    (tmp_path / "bea-dev.m2").write_text("S A b .\nA 0 1|||R:DET|||The|||REQUIRED|||-NONE-|||0\n")
    found = grammar.find_sets(tmp_path)
    assert [s.name for s in found] == ["jfleg-dev", "bea-dev"]
    assert [p.name for p in found[0].references] == [
        "dev.ref0",
        "dev.ref1",
        "dev.ref2",
        "dev.ref10",
    ]
    assert found[1].m2 == tmp_path / "bea-dev.m2"
    assert grammar.find_sets(tmp_path / "nowhere") == []


def test_sentences_the_decoding_was_tuned_on_are_scored_apart(tmp_path: Path) -> None:
    jfleg = grammar.GecSet("jfleg-dev", tmp_path / "jfleg-dev" / "dev.src")
    model = grammar.QuillModel(Path("m"), tuned_on={"set": "jfleg-dev/dev.src", "limit": 3})
    assert model.untuned(jfleg, 6) == [3, 4, 5]
    model.tuned_on = {"set": "jfleg-dev/dev.src", "skip": 2, "limit": 2}
    assert model.untuned(jfleg, 6) == [0, 1, 4, 5]
    model.tuned_on = {"set": "bea/dev.src", "limit": 3}  # tuned on another set: all count
    assert model.untuned(jfleg, 6) == list(range(6))
    from training.grammar.evaluate import Dataset

    data = Dataset(["a", "b", "c"], [["A", "B", "C"], ["a1", "b1", "c1"]])
    part = grammar.subset(data, [0, 2])
    assert part.sources == ["a", "c"] and part.references == [["A", "C"], ["a1", "c1"]]


def test_a_missing_or_broken_model_is_reported_not_raised(tmp_path: Path) -> None:
    missing = grammar.load_quill(tmp_path / "grammar-minilm")
    assert missing.error.startswith("missing: model directory") and missing.label == "quill"
    (tmp_path / "broken").mkdir()
    broken = grammar.load_quill(tmp_path / "broken")
    assert broken.error.startswith("unusable model:") and "manifest" in broken.error


def test_no_sets_is_a_result_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grammar, "GEC", tmp_path)
    monkeypatch.setattr(grammar, "find_sets", lambda root=tmp_path: [])
    data = grammar.run(quick=True, model=str(tmp_path / "absent"))
    assert "no GEC set" in data["summary"][0]
    assert "does not exist" in data["versions"]["grammar model"]


def test_quill_timing_uses_the_corrector() -> None:
    pytest.importorskip("training.grammar.evaluate")  # correct_all (train extra)
    from server.engine.grammar import FakeTagger, GrammarCorrector

    model = grammar.QuillModel(Path("fake"), precision="int8")
    model.corrector = GrammarCorrector(FakeTagger({"he [go]": ("$REPLACE_goes", 0.9)}))
    hyps, times = grammar.quill_throughput(model, ["He go to school .", "It is fine ."], runs=2)
    assert hyps == ["He goes to school .", "It is fine ."]
    assert len(times) == 2
    assert len(grammar.quill_latency(model, ["It is fine ."], 5)) == 5
    assert grammar.p95([float(x) for x in range(1, 101)]) == 95.0


def test_grammar_charts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plots, "PLOTS", tmp_path / "plots")
    results = tmp_path / "results"
    results.mkdir()
    quality = {
        "title": "grammar jfleg-dev: span P/R/F0.5 (ERRANT), 10 sentences",
        "columns": ["tool", "sentences", "P", "R", "F0.5"],
        "rows": [
            ["quill", "10", "**missing: model directory models/grammar-minilm**", "", ""],
            ["harper (all lints)", "10", "48.9", "17.5", "36.0"],
            ["GECToR (published, BEA-2019 dev)", "", "", "", "55.5"],
        ],
    }
    per_type = {
        "title": "grammar jfleg-dev: F0.5 by ERRANT error type",
        "columns": ["tool", "SPELL", "DET"],
        "rows": [
            ["harper (all lints)", "40.7 (20/42)", "-"],
            ["edits in the references", "37", "20"],
        ],
    }
    (results / "grammar.json").write_text(json.dumps({"tables": [quality, per_type]}))
    written = plots.draw(results)
    assert [p.name for p in written] == ["grammar.png", "grammar-types.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)
