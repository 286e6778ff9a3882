"""The evaluate step: span scoring with several references, datasets from line files and M2,
and a real ERRANT run on the tiny model whose table goes into the model card."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from server.runtime.models import verify_manifest
from training.grammar import evaluate, tune
from training.grammar.args import EvaluateArgs, TuneArgs
from training.grammar.pipeline import update_card

#: ERRANT's answers written out by hand: no spaCy, exact expectations.
EDITS: dict[tuple[str, str], list[tuple[evaluate.Span, str]]] = {
    ("He go to school .", "He goes to school ."): [((1, 2, "goes"), "R:VERB:SVA")],
    ("He go to school .", "He went to school ."): [((1, 2, "went"), "R:VERB:TENSE")],
    ("This are a apple .", "This is an apple ."): [
        ((1, 2, "is"), "R:VERB:SVA"), ((2, 3, "an"), "R:DET")
    ],
    ("This are a apple .", "These are apples ."): [
        ((0, 1, "These"), "R:DET"), ((3, 4, "apples"), "R:NOUN:NUM")
    ],
    ("This are a apple .", "This is a apple ."): [((1, 2, "is"), "R:VERB:SVA")],
}  # fmt: skip


class TableScorer(evaluate.Scorer):
    """A Scorer answering from :data:`EDITS`."""

    def __init__(self) -> None:
        super().__init__(annotator=object())

    def edits(self, source: str, corrected: str) -> list[tuple[evaluate.Span, str]]:
        return EDITS[source, corrected]


def f05(tp: int, fp: int, fn: int) -> float:
    p, r = tp / (tp + fp), tp / (tp + fn)
    return 100 * 1.25 * p * r / (0.25 * p + r)


def test_each_sentence_is_scored_against_its_best_reference() -> None:
    data = evaluate.Dataset(
        sources=["He go to school .", "This are a apple ."],
        references=[
            ["He goes to school .", "This is an apple ."],
            ["He went to school .", "These are apples ."],
        ],
    )
    # Sentence 1 matches annotator 1 exactly; sentence 2 half-matches annotator 0.
    result = evaluate.score(TableScorer(), data, ["He went to school .", "This is a apple ."])
    assert (result["tp"], result["fp"], result["fn"]) == (2, 0, 1)
    assert result["precision"] == pytest.approx(100.0)
    assert result["recall"] == pytest.approx(200 / 3)
    assert result["f05"] == pytest.approx(f05(2, 0, 1))
    # Types are named without the operation; a hit takes the reference's type.
    assert result["types"]["VERB:TENSE"]["tp"] == result["types"]["VERB:SVA"]["tp"] == 1
    det = result["types"]["DET"]
    assert (det["tp"], det["fp"], det["fn"], det["recall"], det["f05"]) == (0, 0, 1, 0.0, 0.0)
    assert det["precision"] == 100.0  # ERRANT's convention: nothing proposed, nothing wrong


def test_datasets_from_line_files_and_m2(tmp_path: Path) -> None:
    (tmp_path / "src").write_text("He go home.\nIt's fine!\nThird line.\n", "utf-8")
    (tmp_path / "ref0").write_text("He goes home.\nIt's fine!\nThird line.\n", "utf-8")
    data = evaluate.Dataset.from_files(tmp_path / "src", [tmp_path / "ref0"], limit=2)
    assert data.sources == ["He go home .", "It 's fine !"]  # the engine's tokenisation
    assert data.references == [["He goes home .", "It 's fine !"]]
    (tmp_path / "x.m2").write_text(
        "S He go home .\nA 1 2|||R:VERB:SVA|||goes|||REQUIRED|||-NONE-|||0\n"
        "A 1 2|||R:VERB:TENSE|||went|||REQUIRED|||-NONE-|||1\n\n"
        "S Fine .\nA -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||0\n",
        "utf-8",
    )
    m2 = evaluate.Dataset.from_m2(tmp_path / "x.m2")
    assert m2.sources == ["He go home .", "Fine ."]
    assert m2.references == [["He goes home .", "Fine ."], ["He went home .", "Fine ."]]


def test_evaluating_the_tiny_model_with_errant_fills_the_card(
    tiny_grammar_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_grammar_model, model)
    source = tmp_path / "dev.src"
    source.write_text("the cat sat on the mat.\nHe go to school every day.\n", "utf-8")
    refs = [tmp_path / "dev.ref0", tmp_path / "dev.ref1"]
    refs[0].write_text("The cat sat on the mat.\nHe goes to school every day.\n", "utf-8")
    refs[1].write_text("The cat sat on a mat.\nHe went to school every day.\n", "utf-8")
    out = tmp_path / "eval"
    args = EvaluateArgs(model=[model], name=["tiny"], source=source, reference=refs, output=out)
    results = evaluate.run(args)

    metrics: dict[str, Any] = json.loads((out / "metrics.json").read_text("utf-8"))
    assert set(metrics) == {"tiny"} and metrics["tiny"]["f05"] == results["tiny"]["f05"]
    m = metrics["tiny"]
    # Each sentence has at least one reference edit, and the corrector's case rule fixes the
    # first sentence's capital, which both references share.
    assert m["tp"] >= 1 and m["tp"] + m["fn"] >= 2
    assert m["f05"] == pytest.approx(f05(m["tp"], m["fp"], m["fn"]))
    decoding = json.loads((model / "config.json").read_text("utf-8"))["quill"]["decoding"]
    assert {k: m["options"][k] for k in decoding} == decoding
    table = (out / "table.md").read_text("utf-8")
    assert f"| tiny | {m['precision']:.1f} | {m['recall']:.1f} | **{m['f05']:.1f}** |" in table
    assert table.strip() in capsys.readouterr().out  # the table is the command's output

    for _ in range(2):  # rewriting the card replaces its evaluation, never adds a second one
        update_card(model, out / "metrics.json", source)
        card = (model / "card.md").read_text("utf-8")
        assert card.count("## Evaluation") == 1
        evaluation = card.index("## Evaluation")
        assert card.index("## How it was made") < evaluation < card.index("## What a GPU")
        assert f"**{m['f05']:.1f}**" in card[evaluation:] and "(2 sentences)" in card
        verify_manifest(model)  # the manifest was refreshed for the new card


def test_a_skipped_part_and_a_limit_pick_the_sentences_in_between(tmp_path: Path) -> None:
    (tmp_path / "src").write_text("One a.\nTwo b.\nThree c.\nFour d.\n", "utf-8")
    (tmp_path / "ref").write_text("One A.\nTwo B.\nThree C.\nFour D.\n", "utf-8")
    data = evaluate.Dataset.from_files(tmp_path / "src", [tmp_path / "ref"], limit=2, skip=1)
    assert data.sources == ["Two b .", "Three c ."]
    assert data.references == [["Two B .", "Three C ."]]


def test_tuning_keeps_the_best_f05_that_is_precise_enough() -> None:
    def result(p: float, r: float, f: float) -> dict[str, Any]:
        settings = {"keep_bias": p, "min_error_probability": 0.0, "min_confidence": 0.5}
        return {"settings": settings, "precision": p, "recall": r, "f05": f}

    results = [result(50.0, 30.0, 45.0), result(65.0, 20.0, 44.0), result(70.0, 10.0, 33.0)]
    assert tune.choose(results, 60.0) is results[1]  # the higher F0.5 is not precise enough
    assert tune.choose(results, 80.0) is results[2]  # none is: the most precise
    # The card says which of the two rules chose.
    args = TuneArgs(source=Path("dev.src"), min_precision=60.0)
    assert "the best F0.5 with precision >= 60," in tune.card_section(results, results[1], args)
    args = TuneArgs(source=Path("dev.src"), min_precision=80.0)
    section = tune.card_section(results, results[2], args)
    assert "no setting reached precision 80, so the most precise," in section
    assert "the best F0.5" not in section
    assert len(tune.settings_grid()) == len(list(itertools.product(*tune.GRID.values())))


def test_tuning_the_tiny_model_writes_its_decoding_card_and_manifest(
    tiny_grammar_model: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_grammar_model, model)
    source, ref = tmp_path / "dev.src", tmp_path / "dev.ref0"
    source.write_text("the cat sat on the mat.\nHe go to school every day.\n", "utf-8")
    ref.write_text("The cat sat on the mat.\nHe goes to school every day.\n", "utf-8")
    args = TuneArgs(model=model, source=source, reference=[ref], output=tmp_path / "tune")
    for _ in range(2):  # tuning again replaces the card's section, never adds a second one
        record = tune.run(args)
        assert len(record["results"]) == len(tune.settings_grid())
        decoding = json.loads((model / "config.json").read_text("utf-8"))["quill"]["decoding"]
        assert {k: decoding[k] for k in tune.GRID} == record["chosen"]["settings"]
        card = (model / "card.md").read_text("utf-8")
        assert card.count(tune.CARD_SECTION) == 1 and "on every sentence of" in card
        verify_manifest(model)


def test_the_recall_table_follows_the_most_frequent_types() -> None:
    def types(**counts: tuple[int, int]) -> dict[str, Any]:
        return {
            "types": {t.replace("_", ":"): {"tp": tp, "fn": fn} for t, (tp, fn) in counts.items()}
        }

    before = types(PUNCT=(1, 9), DET=(0, 4), VERB_SVA=(1, 0))
    after = types(PUNCT=(5, 5), DET=(2, 2))
    table = evaluate.recall_table([("before", before), ("after", after)], top=2).splitlines()
    assert table[0] == "| model | PUNCT | DET |"
    assert table[2:] == [
        "| before | 10.0 (1/10) | 0.0 (0/4) |",
        "| after | 50.0 (5/10) | 50.0 (2/4) |",
    ]
