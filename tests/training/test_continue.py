"""``python -m training all --base-model runs/X/train/final``: a trained tagger continued on new
data keeps its labels in their order and starts from its trained head, not from a new one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.training.test_resume import small_run
from training.grammar import train as train_module
from training.grammar.export import continued_from
from training.grammar.from_onnx import (
    how_it_was_made,
    import_tagger,
    is_model_dir,
    state_dict_from_onnx,
)
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


def _logits_torch(checkpoint: Path, ids: list[list[int]]) -> Any:
    import torch
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(checkpoint).eval()
    with torch.no_grad():
        return [model(input_ids=torch.tensor([row])).logits[0].numpy() for row in ids]


def _logits_onnx(model_dir: Path, ids: list[list[int]]) -> Any:
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_dir / "model.onnx"))
    names = {i.name for i in session.get_inputs()}
    out = []
    for row in ids:
        x = np.array([row], dtype=np.int64)
        feeds = {"input_ids": x, "attention_mask": np.ones_like(x)}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(x)
        out.append(session.run(None, feeds)[0][0])
    return out


def test_an_exported_model_reads_back_as_the_tagger_it_runs(
    tiny_grammar_model: Path, tmp_path: Path
) -> None:
    """The ONNX file's weights, int8 ones dequantised, make a PyTorch tagger that tags as the
    exported model does; written out again (fp32) and read back, every weight is unchanged."""
    import numpy as np
    from tokenizers import Tokenizer

    from training.export import export_onnx

    checkpoint = import_tagger(tiny_grammar_model, tmp_path / "imported")
    tokenizer = Tokenizer.from_file(str(tiny_grammar_model / "tokenizer.json"))
    sentences = ["She go to the office every day .", "I has a book and two cat .", "It is fine ."]
    ids = [tokenizer.encode(s).ids for s in sentences]
    pairs = zip(_logits_torch(checkpoint, ids), _logits_onnx(tiny_grammar_model, ids), strict=True)
    for ours, theirs in pairs:
        agree = float((ours.argmax(-1) == theirs.argmax(-1)).mean())
        assert agree >= 0.9, agree
        assert float(np.corrcoef(ours.ravel(), theirs.ravel())[0, 1]) > 0.99
    labels = json.loads((tiny_grammar_model / "config.json").read_text("utf-8"))["id2label"]
    assert LabelVocab.of_tagger(checkpoint) == LabelVocab(
        [labels[str(i)] for i in range(len(labels))]
    )
    again = export_onnx(checkpoint, tmp_path / "fp32")
    first = state_dict_from_onnx(again)
    from safetensors.numpy import load_file

    saved = load_file(str(checkpoint / "model.safetensors"))
    assert first.keys() == saved.keys()
    for name, value in saved.items():
        assert np.allclose(first[name], value, atol=1e-6), name


def test_training_continues_an_exported_model_and_its_card_says_so(
    tiny_grammar_run: Path, tiny_grammar_model: Path, tmp_path: Path
) -> None:
    run = small_run(
        tiny_grammar_run, tmp_path / "run", lora_r=0, label_vocab=40,
        base_model=str(tiny_grammar_model),
    )  # fmt: skip
    train_module.run(run, steps_override=0)
    labels = json.loads((tiny_grammar_model / "config.json").read_text("utf-8"))["id2label"]
    assert json.loads((tmp_path / "run" / "labels.json").read_text("utf-8")) == [
        labels[str(i)] for i in range(len(labels))
    ]
    line = continued_from(tmp_path / "run" / "imported")
    assert line is not None and "Continued from the exported model" in line
    # The card it continued from described its own making; the new card repeats that.
    made = how_it_was_made(tiny_grammar_model / "card.md")
    assert made and all(m in line for m in made)


def test_a_broken_export_is_refused_with_the_missing_weight(
    tiny_grammar_model: Path, tmp_path: Path
) -> None:
    import onnx
    import pytest

    broken = tmp_path / "broken"
    shutil.copytree(tiny_grammar_model, broken)
    graph = onnx.load(str(broken / "model.onnx"))
    keep = [i for i in graph.graph.initializer if "word_embeddings" not in i.name]
    del graph.graph.initializer[:]
    graph.graph.initializer.extend(keep)
    onnx.save(graph, str(broken / "model.onnx"))
    with pytest.raises(ValueError, match=r"no weight for bert\.embeddings\.word_embeddings"):
        import_tagger(broken, tmp_path / "out")
    assert is_model_dir(tiny_grammar_model) and not is_model_dir(tmp_path)
