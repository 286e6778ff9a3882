"""``python -m training all --base-model runs/X/train/final``: a trained tagger continued on new
data keeps its labels in their order and starts from its trained head, not from a new one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.training.test_resume import small_run
from training.grammar import train as train_module
from training.grammar.export import continued_from
from training.grammar.model import LabelVocab


def head(run: Path) -> dict[str, object]:
    from safetensors.torch import load_file

    weights = load_file(str(run / "final" / "model.safetensors"))
    return {k: v for k, v in weights.items() if k.startswith("classifier.")}


def test_a_continued_tagger_keeps_its_labels_and_its_trained_head(
    tiny_grammar_run: Path, tmp_path: Path
) -> None:
    import torch

    first = tmp_path / "first"
    train_module.run(small_run(tiny_grammar_run, first, lora_r=0, max_steps=2))
    labels = json.loads((first / "labels.json").read_text("utf-8"))
    # A vocabulary rebuilt from the data with this size would differ from the trained one.
    assert len(labels) > 40
    again = small_run(
        tiny_grammar_run, tmp_path / "again", lora_r=0, label_vocab=40,
        base_model=str(first / "final"),
    )  # fmt: skip
    train_module.run(again, steps_override=0)

    assert json.loads((tmp_path / "again" / "labels.json").read_text("utf-8")) == labels
    before, after = head(first), head(tmp_path / "again")
    assert before.keys() == after.keys() and before
    for name, weight in before.items():
        assert torch.equal(weight, after[name]), name  # type: ignore[arg-type]
    # The card of the continued model says what it was continued from, and how to remake it.
    line = continued_from(first / "final")
    assert line is not None and "2 steps of 16 sentences" in line
    assert "`python -m training train " in line and "--max-steps 2" in line
    assert continued_from(tiny_grammar_run / "train" / "base") is None


def test_only_a_tagger_lends_its_labels(tiny_grammar_run: Path) -> None:
    assert LabelVocab.of_tagger(tiny_grammar_run / "train" / "base") is None
