"""The tiny preset end to end (built once per session by ``tiny_grammar_run``): what each step
writes, that the records agree with each other and with the files, and that the card says how
the model was made. Expected values come from the preset and the run's own records."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shlex
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from server.engine.grammar import tags as T
from server.runtime.encoding import encode
from server.runtime.onnx_tagger import OnnxTagger
from training.__main__ import parser
from training.args import from_namespace
from training.grammar import pipeline
from training.grammar.args import AllArgs, DataArgs, ExportArgs, TrainArgs
from training.grammar.presets import preset

TINY = preset("tiny")
MODEL_FILES = {"model.onnx", "tokenizer.json", "config.json", "card.md", "manifest.json"}


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


# --- the pipeline --------------------------------------------------------------------------


def test_the_run_records_every_step_and_skips_a_missing_evaluation_set(
    tiny_grammar_run: Path,
) -> None:
    record = load(tiny_grammar_run / "all.json")
    assert record["preset"] == "tiny"
    assert {"data", "train", "export"} <= set(record)
    assert "evaluation" not in record and not (tiny_grammar_run / "eval").exists()
    assert not (tiny_grammar_run / "before").exists()  # --no-before


def test_evaluation_files_come_from_the_options_or_jfleg_or_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "JFLEG", tmp_path / "absent")
    assert pipeline.eval_files(AllArgs()) is None
    src, ref = tmp_path / "s.txt", tmp_path / "r.txt"
    assert pipeline.eval_files(AllArgs(eval_source=src, eval_reference=[ref])) == (src, [ref])
    jfleg = tmp_path / "jfleg"
    jfleg.mkdir()
    for name in ("dev.src", "dev.ref1", "dev.ref0"):
        (jfleg / name).write_text("x\n", "utf-8")
    monkeypatch.setattr(pipeline, "JFLEG", jfleg)
    assert pipeline.eval_files(AllArgs()) == (
        jfleg / "dev.src",
        [jfleg / "dev.ref0", jfleg / "dev.ref1"],
    )


# --- data ------------------------------------------------------------------------------------


def test_data_pairs_carry_the_tags_that_turn_source_into_target(tiny_grammar_run: Path) -> None:
    data = tiny_grammar_run / "data"
    train, dev = rows(data / "train.jsonl"), rows(data / "dev.jsonl")
    stats = load(data / "stats.json")
    assert (stats["train_pairs"], stats["dev_pairs"]) == (len(train), len(dev))
    n_clean = TINY["data"]["max_sentences"]
    assert stats["clean_sentences"] == n_clean
    n_dev = min(TINY["data"]["dev_sentences"], n_clean // 10)
    assert len(dev) == n_dev and len(train) == (n_clean - n_dev) * TINY["data"]["copies"]
    for row in train + dev:
        src, tgt, tags = row["src"], row["tgt"], row["tags"]
        assert len(tags) == len(src) + 1 and all(T.is_valid(t) for t in tags)
        assert tags == T.align([T.START, *src], [T.START, *tgt])
        final, _ = T.correct_iteratively([T.START, *src], [T.START, *tgt])
        assert final == [T.START, *tgt]
    # Dev sentences were held out before noising: no clean sentence is in both sets.
    assert not {tuple(r["tgt"]) for r in dev} & {tuple(r["tgt"]) for r in train}
    # Errors of many kinds, and every tag family the model needs.
    assert len(stats["error_kinds"]) >= 8 and stats["error_kinds"]["clean"] > 0
    families = {T.KEEP, T.DELETE, "$REPLACE", "$APPEND"}
    assert families <= set(stats["tag_families"])
    assert any(f.startswith(T.VERB) for f in stats["tag_families"])
    noisy = sum(r["src"] != r["tgt"] for r in train)
    assert noisy >= 0.7 * len(train)


# --- train -----------------------------------------------------------------------------------


def test_lora_training_writes_an_adapter_metrics_and_plots(tiny_grammar_run: Path) -> None:
    run = tiny_grammar_run / "train"
    metrics = load(run / "train.json")
    targs = metrics["args"]
    want = TINY["train"]
    assert metrics["mode"] == "lora" and targs["lora_r"] == want["lora_r"]
    steps_per_epoch = math.ceil(metrics["train_pairs"] / want["batch_size"])
    assert (
        metrics["steps"] == metrics["planned_steps"] == math.ceil(steps_per_epoch * want["epochs"])
    )
    assert not metrics["stopped_early"]

    final = run / "final"
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json"} <= {
        p.name for p in final.iterdir()
    }
    adapter = load(final / "adapter_config.json")
    assert (adapter["r"], adapter["lora_alpha"]) == (want["lora_r"], want["lora_alpha"])
    assert set(adapter["target_modules"]) == set(targs["lora_target_modules"].split(","))
    info = load(final / "quill_train.json")
    labels = load(run / "labels.json")
    assert info["lora"] is True and info["labels"] == labels and len(labels) == metrics["labels"]
    assert labels[:2] == [T.KEEP, T.DELETE] and len(labels) <= want["label_vocab"]

    # Only the LoRA matrices and the new head train: count them from the base config.
    base = load(run / "base" / "config.json")
    hidden, inner, layers, r = (
        base["hidden_size"],
        base["intermediate_size"],
        base["num_hidden_layers"],
        adapter["r"],
    )
    per_layer = 4 * r * (hidden + hidden) + r * (hidden + inner) + r * (inner + hidden)
    head = hidden * len(labels) + len(labels)
    assert metrics["trainable_parameters"] == layers * per_layer + head
    assert metrics["trainable_parameters"] < metrics["total_parameters"] / 4

    losses = [p["loss"] for p in metrics["history"]["loss"]]
    assert len(losses) == metrics["steps"] // want["log_every"]
    assert all(math.isfinite(x) for x in losses) and losses[-1] < losses[0] / 2
    dev_steps = [p["step"] for p in metrics["history"]["dev"]]
    every = want["eval_every"]
    assert dev_steps == [*range(every, metrics["steps"] + 1, every), metrics["steps"]]

    for name in ("loss.png", "dev_f05.png"):
        png = (run / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
        assert struct.unpack(">II", png[16:24]) == (600, 350)  # 6 x 3.5 inches at 100 dpi
    # Checkpoints every save_every steps, the last two kept, the state file at the latest.
    saves = sorted(int(p.name.split("-")[1]) for p in (run / "checkpoints").iterdir())
    last = metrics["steps"] - metrics["steps"] % want["save_every"]
    assert saves == [last - want["save_every"], last]
    assert load(run / "trainer_state.json")["step"] == last


# --- export ----------------------------------------------------------------------------------


def test_export_writes_the_model_files_and_a_manifest_that_matches(
    tiny_grammar_model: Path, tiny_grammar_run: Path
) -> None:
    assert {p.name for p in tiny_grammar_model.iterdir()} == MODEL_FILES
    manifest = load(tiny_grammar_model / "manifest.json")["files"]
    assert set(manifest) == MODEL_FILES - {"manifest.json"}
    for name, digest in manifest.items():
        assert hashlib.sha256((tiny_grammar_model / name).read_bytes()).hexdigest() == digest

    config = load(tiny_grammar_model / "config.json")
    labels = load(tiny_grammar_run / "train" / "labels.json")
    assert [config["id2label"][str(i)] for i in range(len(labels))] == labels
    record = load(tiny_grammar_run / "train" / "export.json")
    quill = config["quill"]
    assert quill["max_length"] == TINY["train"]["max_length"] and quill["lowercase"] is True
    assert quill["precision"] == record["precision"] and quill["decoding"] == record["decoding"]


def test_recorded_parity_is_small_and_int8_is_really_int8(
    tiny_grammar_model: Path, tiny_grammar_run: Path
) -> None:
    import onnx

    record = load(tiny_grammar_run / "train" / "export.json")
    tolerance = ExportArgs().parity_tolerance
    assert 0.0 <= record["parity_max_abs_diff"] < tolerance / 10
    ops = {node.op_type for node in onnx.load(str(tiny_grammar_model / "model.onnx")).graph.node}
    if record["precision"] == "int8":
        assert {"DynamicQuantizeLinear", "MatMulInteger"} & ops
        assert record["size_int8_mb"] < record["size_fp32_mb"]
    else:
        assert not {"DynamicQuantizeLinear", "MatMulInteger"} & ops


def test_the_shipped_onnx_agrees_with_the_trained_torch_model(
    tiny_grammar_model: Path, tiny_grammar_run: Path, tmp_path: Path
) -> None:
    # Independent of export's own check: merge the adapter again and compare with what ships.
    import torch
    from transformers import AutoModelForTokenClassification

    from training.grammar.export import merged_model

    hf_dir, _ = merged_model(tiny_grammar_run / "train" / "final", tmp_path)
    model = AutoModelForTokenClassification.from_pretrained(hf_dir).eval()
    tagger = OnnxTagger.load(tiny_grammar_model, device="cpu", threads=1)
    sentences = [r["src"] for r in rows(tiny_grammar_run / "data" / "dev.jsonl")[:24]]
    onnx_logits, _ = tagger.logits(sentences)
    enc = encode(tagger.tokenizer, sentences, tagger.max_length, lowercase=tagger.lowercase)
    with torch.no_grad():
        torch_logits = model(
            input_ids=torch.from_numpy(enc.input_ids),
            attention_mask=torch.from_numpy(enc.attention_mask),
        ).logits.numpy()
    mask = enc.attention_mask.astype(bool)
    a, b = torch_logits[mask], onnx_logits[mask]
    if tagger.model_dir and load(tagger.model_dir / "config.json")["quill"]["precision"] == "fp32":
        assert np.abs(a - b).max() < ExportArgs().parity_tolerance
    else:  # int8: close, and the same best label almost everywhere
        assert np.abs(a - b).mean() < 0.1 * np.abs(a).mean()
        assert (a.argmax(-1) == b.argmax(-1)).mean() >= 0.95


# --- the card --------------------------------------------------------------------------------


def _commands(card: str) -> dict[str, list[str]]:
    line = next(ln for ln in card.splitlines() if ln.startswith("- Commands:"))
    commands = [shlex.split(c) for c in re.findall(r"`(python -m training [^`]+)`", line)]
    return {c[3]: c for c in commands}


def test_the_card_says_how_the_model_was_made_and_what_it_scored(
    tiny_grammar_model: Path, tiny_grammar_run: Path
) -> None:
    card = (tiny_grammar_model / "card.md").read_text("utf-8")
    stats = load(tiny_grammar_run / "data" / "stats.json")
    train = load(tiny_grammar_run / "train" / "train.json")
    export = load(tiny_grammar_run / "train" / "export.json")
    assert card.startswith("# tiny: ")
    # Data: how many pairs, from which sentences and files.
    assert f"{stats['train_pairs']:,} training pairs" in card
    assert f"{stats['clean_sentences']:,} clean sentences" in card
    for path in TINY["data"]["corpus"]:
        assert f"`{Path(path).name}`" in card
    assert "docstrings" not in card  # the tiny preset leaves the standard library out
    # Training: steps, seed, mode.
    assert f"{train['steps']} steps of {train['args']['batch_size']} sentences" in card
    assert f"seed {train['args']['seed']}" in card and "lora fine-tuning" in card
    # Metrics: parity and the dev scores of each precision, as recorded.
    assert f"max |logit diff| {export['parity_max_abs_diff']:.1e}" in card
    for key in ("dev_fast_fp32", "dev_fast_int8"):
        s = export[key]
        row = f"| {key[-4:]} | {s['precision']:.1f} | {s['recall']:.1f} | {s['f05']:.1f} |"
        assert row in card
    assert f"`{json.dumps(export['decoding'])}`" in card


def test_the_card_commands_rebuild_the_recorded_arguments(
    tiny_grammar_model: Path, tiny_grammar_run: Path
) -> None:
    commands = _commands((tiny_grammar_model / "card.md").read_text("utf-8"))
    assert set(commands) == {"data", "train", "export"}
    parse = parser()
    stats = load(tiny_grammar_run / "data" / "stats.json")
    data = from_namespace(DataArgs, parse.parse_args(commands["data"][3:]))
    recorded = DataArgs(**{**stats["args"], "output": data.output})
    root = Path(pipeline.__file__).resolve().parents[2]
    assert [(root / p).resolve() for p in data.corpus] == [Path(p) for p in recorded.corpus]
    for name in ("no_stdlib", "max_sentences", "copies", "dev_sentences", "seed", "weights"):
        assert getattr(data, name) == getattr(recorded, name), name

    targs = load(tiny_grammar_run / "train" / "train.json")["args"]
    train = from_namespace(TrainArgs, parse.parse_args(commands["train"][3:]))
    machine = {"data", "output", "resume", "threads", "cpu"}
    for name, value in targs.items():
        if name not in machine:
            assert getattr(train, name) == value, name

    export = from_namespace(ExportArgs, parse.parse_args(commands["export"][3:]))
    want = ExportArgs(**{**TINY["export"], "name": "tiny"})
    for name in ("quantize", "max_f05_drop", "dev_sentences", "tune", "parity_tolerance", "name"):
        assert getattr(export, name) == getattr(want, name), name
