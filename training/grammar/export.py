"""The export step: merge LoRA, export with Optimum, check parity, quantise, card, manifest.

The shipped directory is what ``server.runtime.onnx_tagger.OnnxTagger`` loads: ``model.onnx``,
``tokenizer.json``, ``config.json`` (with ``id2label`` and a ``quill`` section), ``card.md`` and
``manifest.json`` (sha256 of every other file). int8 (:func:`training.export.quantize_int8`)
is kept when the fast dev F0.5 of the int8 model is within ``--max-f05-drop`` points of fp32:
it is ~4x smaller and ~2x faster. What is not the tagger's own (the ONNX export, quantisation,
the record, card and manifest) is :mod:`training.export`.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from server.engine.grammar.decode import GrammarCorrector, GrammarOptions
from server.engine.grammar.sentences import tokenize
from server.runtime.onnx_tagger import OnnxTagger
from training.args import command_line
from training.card import MACHINE_OPTIONS, duration, precision_table, remake_commands
from training.export import (
    export_onnx,
    finish,
    quantize_int8,
    repo_relative,
    train_record,
    write_model_dir,
)
from training.grammar.args import DataArgs, ExportArgs, TrainArgs
from training.grammar.from_onnx import SOURCE_FILE
from training.grammar.scoring import corpus_f05
from training.runlog import read_jsonl

log = logging.getLogger(__name__)

#: Decoding grid searched on the synthetic dev set (``--tune``).
GRID: dict[str, tuple[float, ...]] = {
    "keep_bias": (0.0, 0.1, 0.2, 0.35),
    "min_error_probability": (0.0, 0.4, 0.6),
}


def merged_model(final: Path, work: Path) -> tuple[Path, dict[str, Any]]:
    """A plain Hugging Face directory for ``final``: LoRA adapters merged into the weights."""
    import torch
    from transformers import AutoModelForTokenClassification

    info = json.loads((final / "quill_train.json").read_text("utf-8"))
    if not info.get("lora"):
        return final, info
    from peft import PeftModel

    labels = info["labels"]
    base = AutoModelForTokenClassification.from_pretrained(
        info["base_model"],
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    model = PeftModel.from_pretrained(base, final).merge_and_unload()
    out = work / "merged"
    with torch.no_grad():
        model.save_pretrained(out)
    log.info("merged LoRA adapters into %s", out)
    return out, info


def parity(model_dir: Path, onnx_dir: Path, sentences: Sequence[Sequence[str]]) -> float:
    """Largest |logit| difference between torch and onnxruntime on ``sentences``."""
    import torch
    from transformers import AutoModelForTokenClassification

    tagger = OnnxTagger.load(onnx_dir, device="cpu", threads=2, verify=False)
    logits_onnx, _ = tagger.logits(sentences)
    from server.runtime.encoding import encode

    enc = encode(tagger.tokenizer, sentences, tagger.max_length, lowercase=tagger.lowercase)
    model = AutoModelForTokenClassification.from_pretrained(model_dir).eval()
    with torch.no_grad():
        logits_torch = model(
            input_ids=torch.from_numpy(enc.input_ids),
            attention_mask=torch.from_numpy(enc.attention_mask),
        ).logits.numpy()
    mask = enc.attention_mask.astype(bool)
    return float(np.abs(logits_torch - logits_onnx)[mask].max())


def dev_score(
    tagger: OnnxTagger, rows: Sequence[dict[str, Any]], options: GrammarOptions
) -> dict[str, float]:
    """Fast span F0.5 of the engine's corrector on dev pairs (see ``training.grammar.scoring``)."""
    corrector = GrammarCorrector(tagger, options)
    sources = [r["src"] for r in rows]
    corrected = corrector.correct([" ".join(s) for s in sources])
    hyps = [[w.text for w in tokenize(c.corrected)] for c in corrected]
    return corpus_f05(sources, hyps, [r["tgt"] for r in rows])


def tune(
    tagger: OnnxTagger, rows: Sequence[dict[str, Any]]
) -> tuple[dict[str, float], dict[str, float]]:
    """Grid-search decoding thresholds on dev pairs for the best fast F0.5."""
    best: tuple[float, dict[str, float], dict[str, float]] | None = None
    grid = [(kb, me) for kb in GRID["keep_bias"] for me in GRID["min_error_probability"]]
    for kb, me in tqdm(grid, desc="tune decoding", unit="setting"):
        settings = {"keep_bias": kb, "min_error_probability": me}
        score = dev_score(tagger, rows, GrammarOptions(**settings))  # type: ignore[arg-type]
        if best is None or score["f05"] > best[0]:
            best = (score["f05"], settings, score)
    assert best is not None
    log.info("tuned decoding %s: dev F0.5 %.1f", best[1], best[0])
    return best[1], best[2]


def run(args: ExportArgs, *, tune_decoding: bool | None = None) -> dict[str, Any]:
    """Export ``args.run``'s final model into ``args.output``; returns the export record."""
    t0 = time.time()
    final = args.run / "final"
    if not final.is_dir():
        raise SystemExit(f"{final}: no trained model (run the train step first)")
    data = Path(train_record(args.run)["args"]["data"])
    dev_rows = read_jsonl(data / "dev.jsonl", args.dev_sentences)
    with tempfile.TemporaryDirectory(prefix="quill-export-") as tmp:
        work = Path(tmp)
        hf_dir, info = merged_model(final, work)
        onnx_fp32 = export_onnx(hf_dir, work / "onnx")
        quill = {
            "format": 1,
            "task": "gector-tagging",
            "max_length": info["max_length"],
            "lowercase": info["lowercase"],
            "base_model": Path(info["base_model"]).name,
            "decoding": {},
        }
        fp32_dir = work / "fp32"
        write_model_dir(fp32_dir, onnx_fp32, hf_dir, final / "tokenizer.json", quill)
        sample = [r["src"] for r in dev_rows[:32]]
        max_diff = parity(hf_dir, fp32_dir, sample)
        log.info("parity torch vs onnx fp32: max |logit diff| = %.2e", max_diff)
        if max_diff > args.parity_tolerance:
            raise SystemExit(f"ONNX parity failed: {max_diff:.2e} > {args.parity_tolerance}")
        fp32 = OnnxTagger.load(fp32_dir, device="cpu", threads=args.threads, verify=False)
        decoding: dict[str, float] = {}
        do_tune = args.tune if tune_decoding is None else tune_decoding
        if do_tune and dev_rows:
            decoding, _ = tune(fp32, dev_rows)
        options = GrammarOptions(**decoding)  # type: ignore[arg-type]
        score_fp32 = dev_score(fp32, dev_rows, options) if dev_rows else {}
        record: dict[str, Any] = {
            "parity_max_abs_diff": max_diff,
            "decoding": decoding,
            "dev_fast_fp32": score_fp32,
            "size_fp32_mb": round(onnx_fp32.stat().st_size / 2**20, 1),
        }
        chosen = onnx_fp32
        if args.quantize in ("auto", "yes"):
            onnx_int8 = quantize_int8(onnx_fp32, work / "model.int8.onnx")
            int8_dir = work / "int8"
            write_model_dir(int8_dir, onnx_int8, hf_dir, final / "tokenizer.json", quill)
            int8 = OnnxTagger.load(int8_dir, device="cpu", threads=args.threads, verify=False)
            score_int8 = dev_score(int8, dev_rows, options) if dev_rows else {}
            record["dev_fast_int8"] = score_int8
            record["size_int8_mb"] = round(onnx_int8.stat().st_size / 2**20, 1)
            drop = score_fp32.get("f05", 0.0) - score_int8.get("f05", 0.0)
            keep = args.quantize == "yes" or drop <= args.max_f05_drop
            log.info(
                "int8: dev F0.5 %.1f vs fp32 %.1f (drop %.2f): %s",
                score_int8.get("f05", 0),
                score_fp32.get("f05", 0),
                drop,
                "kept" if keep else "rejected",
            )
            if keep:
                chosen = onnx_int8
        record["precision"] = "int8" if chosen != onnx_fp32 else "fp32"
        record["lowercase"] = info["lowercase"]
        quill["decoding"] = decoding
        quill["precision"] = record["precision"]
        if args.output.exists():
            shutil.rmtree(args.output)
        write_model_dir(args.output, chosen, hf_dir, final / "tokenizer.json", quill)
    return finish(args, record, t0, write_card)


def _fmt(x: Any) -> str:
    return f"{x:.1f}" if isinstance(x, float) else str(x)


def continued_from(base: Path) -> str | None:
    """The card line for a run that continued a trained tagger (``--base-model RUN/final``, or
    an exported model directory): what that tagger had been trained from and for how long, so
    the chain can be remade."""
    imported = base / SOURCE_FILE
    if imported.is_file():
        source = json.loads(imported.read_text("utf-8"))
        made = source.get("how_it_was_made") or []
        line = (
            f"- Continued from the exported model `{repo_relative(Path(source['model_dir']))}` "
            f"(labels kept; its weights read back from its {source['precision']} `model.onnx` "
            "by `training/grammar/from_onnx.py`); the steps below come on top of its training"
        )
        if not made:
            return line + "."
        return line + ", which its card described so:\n" + "\n".join(f"  {m}" for m in made)
    earlier = base.parent / "train.json"
    if not (base / "quill_train.json").is_file() or not earlier.is_file():
        return None
    prior = json.loads(earlier.read_text("utf-8"))
    train = command_line(
        "train", TrainArgs, prior["args"], skip=MACHINE_OPTIONS, always=("base_model", "seed")
    )
    return (
        f"- Continued from a tagger already trained (`{repo_relative(base)}`, labels kept): "
        f"{prior['steps']} steps of {prior['args']['batch_size']} sentences from "
        f"`{Path(prior['base_model']).name}` in {duration(prior['train_seconds'])} "
        f"(`{train} --data DATA0 --output RUN0`, on data made as below "
        "with the data step of that time); the steps below come on top of those."
    )


def write_card(out: Path, info: dict[str, Any]) -> None:
    """``card.md``: how the model was made and what it scored (rewritten after evaluation)."""
    train, export, stats = info["train"], info["export"], info.get("data", {})
    targs = train["args"]
    mode = train["mode"]
    # The commands that remake this model: every option that differs from its default, from
    # the arguments each step recorded (run-specific paths are left as DATA, RUN and MODEL).
    data_args = dict(stats.get("args", {}))
    data_args["corpus"] = [repo_relative(c) for c in data_args.get("corpus", [])]
    commands = remake_commands(
        "",
        (DataArgs, TrainArgs, ExportArgs),
        (data_args, targs, info.get("export_args", {})),
        train_always=("base_model", "seed"),
    )
    corpus = [Path(c).name for c in stats.get("args", {}).get("corpus", [])]
    if corpus:
        texts = ", ".join(f"`{c}`" for c in corpus)
    else:
        texts = "the vendored public-domain books in `training/corpus/`"
        if not data_args.get("no_stdlib"):
            texts += " and the Python standard library's docstrings"
    real = stats.get("real_pairs", 0)
    pairs = stats.get("train_pairs", train["train_pairs"])
    data_line = (
        f"- Data: {pairs:,} training pairs: synthetic errors (`training/grammar/data/noise.py`) in "
        f"{stats.get('clean_sentences', '?'):,} clean sentences from {texts}, "
        + (f"plus {real:,} real pairs (--parallel/--m2); " if real else "no learner data; ")
        + "nothing from JFLEG was used for training."
    )
    hw = train.get("hardware", {})
    lines = [
        f"# {info['name']}: GECToR-style grammar tagger",
        "",
        "A token classifier that gives each word an edit tag (`$KEEP`, `$DELETE`, `$REPLACE_w`, "
        "`$APPEND_w`, verb-form and noun-number transforms...; see "
        "`server/engine/grammar/tags.py`), decoded into grammar issues by "
        "`server.engine.grammar.GrammarCorrector` over `server.runtime.onnx_tagger.OnnxTagger`.",
        "",
        "## How it was made",
        "",
        f"- Base encoder: `{Path(train['base_model']).name}` "
        f"({train['total_parameters']:,} parameters with the head), {mode} fine-tuning, "
        f"{train['trainable_parameters']:,} trainable parameters.",
        continued_from(Path(train["base_model"])),
        f"- Labels: {train['labels']} (`id2label` in `config.json`). The base model is uncased: "
        "capitalisation is left to the corrector's rules."
        if export.get("lowercase", True)
        else "",
        data_line,
        f"- Training: {train['steps']} steps of {targs['batch_size']} sentences, "
        f"seed {targs['seed']}, {duration(train['train_seconds'])} on "
        f"{hw.get('cpus', '?')} CPU cores ({hw.get('processor', '?')}, "
        f"torch {hw.get('torch', '?')}, {hw.get('torch_threads', '?')} threads)"
        + (f", GPU {hw['gpu']}" if hw.get("gpu") else "")
        + ".",
        "- Commands: " + ", then ".join(f"`{c}`" for c in commands) + ".",
        f"- Export: ONNX opset 17 via optimum-onnx; torch/ONNX parity max |logit diff| "
        f"{export['parity_max_abs_diff']:.1e}; shipped precision **{export['precision']}** "
        f"({export.get('size_int8_mb', export['size_fp32_mb'])} MB int8, "
        f"{export['size_fp32_mb']} MB fp32).",
        "- Decoding defaults tuned on the synthetic dev set: "
        f'`{json.dumps(export["decoding"])}` (replaced by those of the section "Decoding, '
        'tuned on real learner sentences" when the card has one).',
        "",
        "## Development scores while exporting (fast span F0.5 on synthetic dev pairs)",
        "",
        *precision_table(
            export,
            "dev_fast",
            ["P", "R", "F0.5"],
            lambda s: [_fmt(s["precision"]), _fmt(s["recall"]), _fmt(s["f05"])],
        ),
    ]
    evaluation = info.get("evaluation") or {}
    if evaluation.get("markdown"):
        lines += ["", "## Evaluation", "", evaluation["markdown"]]
    lines += [
        "",
        "## What a GPU would change",
        "",
        "Training here was bounded by two CPU cores (about one optimizer step per second). On one "
        "GPU the same code (`accelerate launch -m training train ...`) runs 50-100x more steps in "
        "the same time: several epochs over millions of synthetic pairs, then a second stage on "
        "real learner data as GECToR does, and a larger encoder (BERT-base/RoBERTa-base) that "
        "the int8 CPU runtime can still serve at interactive speed. Expect the largest gains in "
        "recall. Serving needs no GPU; `onnxruntime-gpu` is used when present.",
        "",
    ]
    (out / "card.md").write_text(
        "\n".join(line for line in lines if line is not None) + "\n", "utf-8"
    )
