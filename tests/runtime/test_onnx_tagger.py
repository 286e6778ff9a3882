"""The ONNX runtime tagger on the tiny model the pipeline built this session: loading, tagging,
determinism, and model directories that must be refused with a message naming the bad file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from server.engine.grammar import GrammarCorrector, GrammarOptions, Tagger
from server.engine.grammar.tags import KEEP, START
from server.runtime.models import ModelError, sha256_file, verify_manifest
from server.runtime.onnx_tagger import OnnxTagger

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = [
    "He go to school every day .",
    "This are a apple .",
    "The quick brown fox jumps over the lazy dog near the river bank .",
    "I has two cat .",
    "Unbelievably , xylophonists rarely practise .",
]


def batch(*texts: str) -> list[list[str]]:
    return [[START, *t.split()] for t in texts]


@pytest.fixture(scope="module")
def tagger(tiny_grammar_model: Path) -> OnnxTagger:
    return OnnxTagger.load(tiny_grammar_model, device="cpu", threads=1)


def test_loads_with_the_recorded_labels_and_settings(
    tagger: OnnxTagger, tiny_grammar_model: Path
) -> None:
    config = json.loads((tiny_grammar_model / "config.json").read_text("utf-8"))
    assert tagger.providers == ["CPUExecutionProvider"]
    assert tagger.id2label == [config["id2label"][str(i)] for i in range(len(tagger.id2label))]
    quill = config["quill"]
    assert (tagger.max_length, tagger.lowercase, tagger.decoding) == (
        quill["max_length"], quill["lowercase"], quill["decoding"]
    )  # fmt: skip
    assert tagger.cased is (not quill["lowercase"])
    assert isinstance(tagger, Tagger)  # what the engine's corrector accepts


def test_auto_device_uses_what_onnxruntime_offers(tiny_grammar_model: Path) -> None:
    auto = OnnxTagger.load(tiny_grammar_model, device="auto", threads=1)
    cuda = "CUDAExecutionProvider" in ort.get_available_providers()
    assert auto.providers[-1] == "CPUExecutionProvider"
    if not cuda:  # this machine: onnxruntime's CPU build
        assert auto.providers == ["CPUExecutionProvider"]


def test_tags_a_batch_one_result_per_token(tagger: OnnxTagger) -> None:
    sentences = batch(*SENTENCES)
    results = tagger.tag(sentences)
    assert len(results) == len(sentences)
    labels = set(tagger.id2label)
    for sentence, result in zip(sentences, results, strict=True):
        assert len(result.tokens) == len(sentence)
        for options in result.tokens:
            assert 1 <= len(options) <= tagger.top_k
            probs = [p for _, p in options]
            assert probs == sorted(probs, reverse=True)
            assert all(0.0 <= p <= 1.0 for p in probs) and sum(probs) <= 1.0 + 1e-5
            assert {label for label, _ in options} <= labels
        # The sentence's error probability is its most doubtful token's 1 - P($KEEP).
        keep = [dict(options).get(KEEP) for options in result.tokens]
        assert result.incorrect is not None and 0.0 <= result.incorrect <= 1.0
        if all(k is not None for k in keep):
            assert result.incorrect == pytest.approx(max(1.0 - k for k in keep if k), abs=1e-6)


def test_results_are_deterministic_and_independent_of_batching(tagger: OnnxTagger) -> None:
    sentences = batch(*SENTENCES)
    first, again = tagger.tag(sentences), tagger.tag(sentences)
    assert first == again
    # Alone, or in a batch in another order (so padded differently): the same tags. int8
    # dynamic quantisation scales activations per batch, so probabilities may move a little.
    alone = [tagger.tag([s])[0] for s in sentences]
    reverse = tagger.tag(sentences[::-1])[::-1]
    for a, b, c in zip(first, alone, reverse, strict=True):
        for ta, tb, tc in zip(a.tokens, b.tokens, c.tokens, strict=True):
            assert ta[0][0] == tb[0][0] == tc[0][0]
            assert ta[0][1] == pytest.approx(tb[0][1], abs=0.01) == tc[0][1]


def test_words_past_max_length_are_left_alone(tagger: OnnxTagger) -> None:
    long = [START] + ["word"] * (tagger.max_length + 20)
    (result,) = tagger.tag([long])
    assert len(result.tokens) == len(long)
    _, positions = tagger.logits([long[1:]])
    cut = [k + 1 for k, p in enumerate(positions[0]) if p < 0]
    assert cut and cut[0] <= tagger.max_length
    assert all(result.tokens[k] == ((KEEP, 1.0),) for k in cut)


def test_logits_have_one_row_per_piece_and_label(tagger: OnnxTagger) -> None:
    words = [s.split() for s in SENTENCES]
    logits, positions = tagger.logits(words)
    assert logits.shape[0] == len(words) and logits.shape[2] == len(tagger.id2label)
    assert logits.dtype == np.float32 and np.isfinite(logits).all()
    assert [len(p) for p in positions] == [len(w) for w in words]


def test_every_sentence_must_start_with_start(tagger: OnnxTagger) -> None:
    with pytest.raises(ValueError, match=r"\$START"):
        tagger.tag([["He", "go", "."]])


def test_the_corrector_runs_on_it_with_the_model_decoding(tagger: OnnxTagger) -> None:
    corrector = GrammarCorrector(tagger, GrammarOptions(**tagger.decoding))
    text = "the cat sat on the mat. i think he go to school every day."
    issues = corrector.check(text)
    corrected = text
    for issue in sorted(issues, key=lambda i: i.start, reverse=True):
        assert text[issue.start : issue.end] == issue.text
        corrected = corrected[: issue.start] + issue.suggestions[0] + corrected[issue.end :]
    # The case rules apply whatever the tiny model says.
    assert corrected.startswith("The cat") and "mat. I think" in corrected


# --- model directories that must be refused ------------------------------------------------


@pytest.fixture
def model_copy(tiny_grammar_model: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(tiny_grammar_model, copy)
    return copy


def rewrite_manifest(model: Path, changes: dict[str, str | None]) -> None:
    """Set (or, for None, drop) the listed sha256 of files in ``model``'s manifest."""
    path = model / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    for name, digest in changes.items():
        if digest is None:
            del data["files"][name]
        else:
            data["files"][name] = digest
    path.write_text(json.dumps(data), "utf-8")


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json", "config.json"])
def test_a_missing_file_is_named(model_copy: Path, name: str) -> None:
    (model_copy / name).unlink()
    with pytest.raises(ModelError, match=re.escape(f"{name}: missing")):
        OnnxTagger.load(model_copy, device="cpu")


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json", "config.json", "card.md"])
def test_a_changed_file_fails_its_checksum(model_copy: Path, name: str) -> None:
    with (model_copy / name).open("r+b") as f:
        f.seek(100)
        f.write(b"\x00garbage\x00")
    with pytest.raises(ModelError, match=re.escape(f"{name}: sha256 mismatch")):
        OnnxTagger.load(model_copy, device="cpu")


def test_a_missing_or_unreadable_manifest_is_refused(model_copy: Path) -> None:
    manifest = model_copy / "manifest.json"
    manifest.write_text("{not json", "utf-8")
    with pytest.raises(ModelError, match=re.escape("manifest.json: unreadable manifest")):
        OnnxTagger.load(model_copy, device="cpu")
    manifest.unlink()
    with pytest.raises(ModelError, match=re.escape("manifest.json: missing")):
        OnnxTagger.load(model_copy, device="cpu")


def test_a_manifest_must_list_the_required_files(model_copy: Path) -> None:
    rewrite_manifest(model_copy, {"tokenizer.json": None})
    with pytest.raises(ModelError, match=re.escape("does not list required file tokenizer.json")):
        verify_manifest(model_copy)


def test_a_model_onnxruntime_cannot_load_is_a_model_error(model_copy: Path) -> None:
    # Corrupt but with a matching checksum (as if the manifest were rewritten): still refused,
    # as a ModelError naming the file rather than onnxruntime's own exception.
    (model_copy / "model.onnx").write_bytes(b"not an onnx model")
    rewrite_manifest(model_copy, {"model.onnx": sha256_file(model_copy / "model.onnx")})
    with pytest.raises(ModelError, match=re.escape("model.onnx: cannot load")):
        OnnxTagger.load(model_copy, device="cpu")


def test_unknown_labels_are_refused(model_copy: Path) -> None:
    config = json.loads((model_copy / "config.json").read_text("utf-8"))
    config["id2label"]["1"] = "$NOT_A_TAG"
    (model_copy / "config.json").write_text(json.dumps(config), "utf-8")
    with pytest.raises(ModelError, match=re.escape("config.json: unknown labels ['$NOT_A_TAG']")):
        OnnxTagger.load(model_copy, device="cpu", verify=False)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such model directory"):
        OnnxTagger.load(tmp_path / "nowhere", device="cpu")


def test_serving_needs_no_network_and_no_torch(tiny_grammar_model: Path) -> None:
    # A fresh interpreter where opening any socket fails: load and tag, then check that
    # neither torch nor transformers was imported on the way.
    script = f"""
import socket, sys

class NoNetwork(socket.socket):
    def connect(self, *a): raise AssertionError("network used")
    def connect_ex(self, *a): raise AssertionError("network used")

socket.socket = NoNetwork
socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(AssertionError("network used"))
from server.runtime.onnx_tagger import OnnxTagger
tagger = OnnxTagger.load({str(tiny_grammar_model)!r}, device="cpu", threads=1)
(result,) = tagger.tag([["$START", "He", "go", "home", "."]])
assert len(result.tokens) == 5
heavy = sorted(m for m in ("torch", "transformers", "optimum") if m in sys.modules)
assert not heavy, heavy
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
