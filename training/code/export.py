"""The export step: merge LoRA, export with Optimum (past key values), parity, int8, card.

The shipped directory is what :class:`server.runtime.onnx_lm.OnnxLM` loads: ``model.onnx``
(Optimum's ``text-generation-with-past``: one graph taking the cache of the previous tokens),
``tokenizer.json``, ``config.json`` (with a ``quill`` section: context, FIM sentinels, stop
tokens), ``card.md`` and ``manifest.json`` (sha256 of every other file).

Parity compares torch and onnxruntime logits twice: the whole sequence in one pass, and the
last tokens fed one at a time through the cache (the path generation takes). int8
(:func:`training.export.quantize_int8`, per-channel as for the grammar model) is kept when the
next-line edit similarity of the int8 model on held-out cases is within ``--max-drop`` of fp32
and it is not slower. The ONNX export, quantisation, record, card helpers and manifest are
:mod:`training.export`.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from training.card import duration, precision_table, remake_commands
from training.code.args import CodeDataArgs, CodeExportArgs, CodeTrainArgs
from training.code.data import PAD, STDLIB
from training.code.evaluate import evaluate_model, make_cases
from training.export import (
    export_onnx,
    finish,
    quantize_int8,
    train_record,
    write_model_dir,
)
from training.runlog import read_jsonl

log = logging.getLogger(__name__)


def merged_model(final: Path, work: Path) -> tuple[Path, Path, dict[str, Any]]:
    """A plain Hugging Face directory and tokenizer for ``final``: LoRA adapters merged into
    the weights, or a soft prompt baked in (:func:`bake_soft_prompt`)."""
    info = json.loads((final / "quill_train.json").read_text("utf-8"))
    tokenizer_json = final / "tokenizer.json"
    if not info.get("lora") and not info.get("prompt_tokens"):
        return final, tokenizer_json, info
    import torch
    from peft import PeftModel
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(info["base_model"], dtype=torch.float32)
    size = Tokenizer.from_file(str(tokenizer_json)).get_vocab_size()
    if size > base.get_input_embeddings().weight.shape[0]:
        base.resize_token_embeddings(size)
    out = work / "merged"
    if info.get("prompt_tokens"):
        tokenizer_json = bake_soft_prompt(PeftModel.from_pretrained(base, final), final, out, info)
        return out, tokenizer_json, info
    model = PeftModel.from_pretrained(base, final).merge_and_unload()
    with torch.no_grad():
        model.save_pretrained(out)
    log.info("merged LoRA adapters into %s", out)
    return out, tokenizer_json, info


def bake_soft_prompt(peft_model: Any, final: Path, out: Path, info: dict[str, Any]) -> Path:
    """Prompt tuning leaves the weights as they were and learns ``n`` input embeddings put
    before every sequence. ONNX cannot hold a peft wrapper, so the embeddings become ``n`` new
    tokens (``<|soft_prompt_k|>``) of the vocabulary; the runtime puts their ids before every
    prompt and never generates them (``quill.prompt``). Checks that the baked model gives the
    peft model's logits (``info["prompt_parity"]``); returns the extended tokenizer."""
    import torch
    from tokenizers import AddedToken, Tokenizer

    tokenizer = Tokenizer.from_file(str(final / "tokenizer.json"))
    prompt = peft_model.get_prompt_embedding_to_save(adapter_name="default").detach()
    names = [f"<|soft_prompt_{k}|>" for k in range(prompt.shape[0])]
    tokenizer.add_special_tokens([AddedToken(n, special=True) for n in names])
    ids = [int(tokenizer.token_to_id(n)) for n in names]
    model = peft_model.get_base_model().eval()
    rows = model.get_input_embeddings().weight.shape[0]
    if max(ids) >= rows:
        model.resize_token_embeddings(max(ids) + 1, mean_resizing=False)
    with torch.no_grad():
        model.get_input_embeddings().weight[ids] = prompt.to(model.dtype)
        sample = torch.tensor([[*range(5, 45)]])
        ref = peft_model(input_ids=sample).logits[0, -sample.shape[1] :]
        baked = model(input_ids=torch.tensor([[*ids, *range(5, 45)]])).logits[0, len(ids) :]
    # Only the original vocabulary's logits: the new rows exist only to be banned.
    info["prompt_parity"] = float((ref[:, :rows] - baked[:, :rows]).abs().max())
    info["prompt_ids"] = ids
    model.save_pretrained(out)
    tokenizer.save(str(out / "tokenizer.json"))
    log.info(
        "baked a %d-token soft prompt into the vocabulary (ids %d-%d); parity with peft %.2e",
        len(ids),
        ids[0],
        ids[-1],
        info["prompt_parity"],
    )
    return out / "tokenizer.json"


def parity(hf_dir: Path, onnx_dir: Path, texts: list[str], context: int) -> float:
    """Largest |logit| difference between torch and onnxruntime: whole sequences in one pass,
    and their last 8 tokens fed one by one through the key/value cache."""
    import torch
    from transformers import AutoModelForCausalLM

    from server.runtime.onnx_lm import OnnxLM

    lm = OnnxLM.load(onnx_dir, device="cpu", threads=2, verify=False)
    model = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    worst = 0.0
    for text in texts:
        ids = lm.encode(text)[:context]
        if len(ids) < 10:
            continue
        with torch.no_grad():
            ref = model(input_ids=torch.tensor([ids])).logits[0].numpy()
        worst = max(worst, float(np.abs(ref - lm.logits(ids)).max()))
        lm.reset()
        lm._prefill(ids[:-8])
        for k in range(len(ids) - 8, len(ids)):
            step = lm._step([ids[k]])
            worst = max(worst, float(np.abs(ref[k] - step).max()))
    return worst


def languages(extensions: str) -> list[str]:
    """Language ids of the training files (the server completes only these)."""
    from server.engine.extract import language_for_path

    found = (language_for_path("x" + e.strip()) for e in extensions.split(","))
    return sorted({lang for lang in found if lang})


def quill_section(info: dict[str, Any], precision: str) -> dict[str, Any]:
    fim = info.get("fim")
    return {
        "format": 1,
        "task": "code-completion",
        "context": int(info["context"]),
        "fim": fim,
        "stop_tokens": [info["eos"], *(fim.values() if fim else ()), PAD],
        "base_model": Path(info["base_model"]).name if info.get("base_model") else "",
        "precision": precision,
        "languages": info.get("languages", []),
        "prompt": info.get("prompt_ids", []),
    }


def run(args: CodeExportArgs) -> dict[str, Any]:
    """Export ``args.run``'s final model into ``args.output``; returns the export record."""
    t0 = time.time()
    final = args.run / "final"
    if not final.is_dir():
        raise SystemExit(f"{final}: no trained model (run the train step first)")
    train = train_record(args.run)
    data_dir = Path(train["args"]["data"])
    held = read_jsonl(data_dir / "heldout.jsonl")
    cases = make_cases(held, args.check_samples, seed=7)
    with tempfile.TemporaryDirectory(prefix="quill-code-export-") as tmp:
        work = Path(tmp)
        hf_dir, tokenizer_json, info = merged_model(final, work)
        stats_path = data_dir / "stats.json"
        if stats_path.is_file():
            data_args = json.loads(stats_path.read_text("utf-8"))["args"]
            info["languages"] = languages(data_args.get("extensions", ".py"))
        onnx_fp32 = export_onnx(hf_dir, work / "onnx", "text-generation-with-past", args.opset)
        fp32_dir = work / "fp32"
        write_model_dir(fp32_dir, onnx_fp32, hf_dir, tokenizer_json, quill_section(info, "fp32"))
        max_diff = parity(hf_dir, fp32_dir, [f["text"] for f in held[:4]], int(info["context"]))
        log.info("parity torch vs onnx fp32: max |logit diff| = %.2e", max_diff)
        if max_diff > args.parity_tolerance:
            raise SystemExit(f"ONNX parity failed: {max_diff:.2e} > {args.parity_tolerance}")
        if info.get("prompt_parity", 0.0) > args.parity_tolerance:
            raise SystemExit(
                f"the baked soft prompt differs from peft's: {info['prompt_parity']:.2e} > "
                f"{args.parity_tolerance}"
            )
        check = {"threads": args.threads, "max_new_tokens": 32}
        score_fp32, _ = evaluate_model(fp32_dir, cases, **check)
        record: dict[str, Any] = {
            "parity_max_abs_diff": max_diff,
            **(
                {"prompt_parity_max_abs_diff": info["prompt_parity"]}
                if "prompt_parity" in info
                else {}
            ),
            "check_fp32": score_fp32,
            "size_fp32_mb": round(onnx_fp32.stat().st_size / 2**20, 1),
        }
        chosen, chosen_dir = onnx_fp32, fp32_dir
        if args.quantize in ("auto", "yes"):
            onnx_int8 = quantize_int8(onnx_fp32, work / "model.int8.onnx")
            int8_dir = work / "int8"
            write_model_dir(
                int8_dir, onnx_int8, hf_dir, tokenizer_json, quill_section(info, "int8")
            )
            score_int8, _ = evaluate_model(int8_dir, cases, **check)
            record["check_int8"] = score_int8
            record["size_int8_mb"] = round(onnx_int8.stat().st_size / 2**20, 1)
            drop = score_fp32["edit_similarity"] - score_int8["edit_similarity"]
            # int8 is there to be faster: a small model may not be (quantising activations on
            # the fly costs more than its matrix products save), and then fp32 ships.
            slower = score_int8["latency_median_ms"] > 1.1 * score_fp32["latency_median_ms"]
            keep = args.quantize == "yes" or (drop <= args.max_drop and not slower)
            log.info(
                "int8: edit similarity %.3f vs fp32 %.3f (drop %.3f), median latency %.1f vs "
                "%.1f ms: %s",
                score_int8["edit_similarity"],
                score_fp32["edit_similarity"],
                drop,
                score_int8["latency_median_ms"],
                score_fp32["latency_median_ms"],
                "kept" if keep else "rejected",
            )
            if keep:
                chosen, chosen_dir = onnx_int8, int8_dir
        record["precision"] = "int8" if chosen != onnx_fp32 else "fp32"
        if args.output.exists():
            shutil.rmtree(args.output)
        args.output.mkdir(parents=True)
        for name in ("model.onnx", "tokenizer.json", "config.json"):
            shutil.copy(chosen_dir / name, args.output / name)
    return finish(args, record, t0, write_card)


def corpus_section(corpus: list[dict[str, Any]]) -> list[str]:
    """The card's list of what the model was trained on: every package, its version and its
    training files (:func:`training.code.data.inventory`)."""
    if not corpus:
        return []
    lines = ["", "## Training corpus (training files per package)", ""]
    stdlib = [c for c in corpus if c["source"] == STDLIB]
    if stdlib:
        total = sum(c["files"] for c in stdlib)
        lines.append(
            f"Python {stdlib[0]['version']} standard library, {total} files: "
            + ", ".join(f"{c['package']} {c['files']}" for c in stdlib)
            + "."
        )
    others = [c for c in corpus if c["source"] != STDLIB]
    if others:
        lines += ["", "| package | version | files |", "|---|---|---|"]
        lines += [f"| {c['package']} | {c['version'] or '-'} | {c['files']} |" for c in others]
    return lines


def write_card(out: Path, info: dict[str, Any], evaluation: str = "") -> None:
    """``card.md``: how the model was made and what it scored."""
    train, export, stats = info["train"], info["export"], info.get("data", {})
    targs = train["args"]
    data_args = dict(stats.get("args", {}))
    commands = remake_commands(
        "code ",
        (CodeDataArgs, CodeTrainArgs, CodeExportArgs),
        (data_args, targs, info.get("export_args", {})),
        train_always=("seed",),
    )
    roots = stats.get("roots", [])
    corpus = ", ".join(f"`{r}`" for r in roots) or "?"
    hw = train.get("hardware", {})
    if train["mode"] == "from scratch":
        model_line = (
            f"- Model: a new {targs['arch']} causal LM, {targs['layers']} layers, hidden "
            f"{targs['hidden']}, {targs['heads']} heads ({targs['kv_heads']} key/value), "
            f"feed-forward {targs['intermediate']}, context {targs['context']} tokens: "
            f"{train['total_parameters']:,} parameters, trained from scratch."
        )
    else:
        model_line = (
            f"- Model: `{Path(train['base_model']).name}` fine-tuned ({train['mode']}), "
            f"{train['trainable_parameters']:,} trainable of {train['total_parameters']:,} "
            "parameters."
        )
    lines = [
        f"# {info['name']}: code completion model",
        "",
        "A causal language model trained with fill-in-the-middle, so the code after the cursor "
        "is used. Served by `server.runtime.onnx_lm.OnnxLM` (onnxruntime, greedy decoding, "
        "key/value cache) through `server.engine.completion` (context window, stop rules).",
        "",
        "In Quill the model ranks more than it writes: it scores the workspace's candidate lines "
        "at the cursor (`score_middles`), and a rescorer fitted with this model "
        "(`python -m training code ranker --model DIR --ship DIR/ranker.json`, kept in the "
        "model's directory) decides which to show and when to stay silent. It writes lines "
        "itself only where `completion.generate` is on.",
        "",
        "## How it was made",
        "",
        model_line,
        f"- Data: {stats.get('train_files', '?')} training files ({stats.get('train_mb', '?')} MB, "
        f"{train['train_tokens']:,} tokens) from {corpus}, de-duplicated "
        f"({stats.get('duplicates_dropped', 0)} duplicates dropped); "
        f"{stats.get('heldout_files', '?')} files held out (split by file) for evaluation. "
        f"Byte-level BPE of {data_args.get('vocab_size', '?')} tokens with FIM sentinels.",
        f"- Training: {train['steps']} steps of {targs['batch_size']}x{targs['context']} tokens "
        f"({train['tokens_seen']:,} tokens, {train['epochs_done']} epochs), FIM rate "
        f"{targs['fim_rate']}, seed {targs['seed']}, {duration(train['train_seconds'])} on "
        f"{hw.get('cpus', '?')} CPU cores (torch {hw.get('torch', '?')}, "
        f"{hw.get('torch_threads', '?')} threads)"
        + (f", GPU {hw['gpu']}" if hw.get("gpu") else "")
        + (" (stopped by the time budget)" if train.get("stopped_early") else "")
        + ". "
        f"Held-out loss {train['heldout_loss']:.3f} "
        f"(perplexity {train['heldout_perplexity']:.1f}).",
        "- Commands: " + ", then ".join(f"`{c}`" for c in commands) + ".",
        f"- Export: ONNX opset {info.get('export_args', {}).get('opset', '?')} via optimum-onnx "
        "(text-generation-with-past); torch/ONNX parity max |logit diff| "
        f"{export['parity_max_abs_diff']:.1e}; shipped precision **{export['precision']}** "
        f"({export.get('size_int8_mb', '-')} MB int8, {export['size_fp32_mb']} MB fp32).",
        "",
        "## Check while exporting (next-line cases from held-out files)",
        "",
        *precision_table(
            export,
            "check",
            ["exact match %", "edit similarity", "tokens/s", "median latency ms"],
            lambda s: [
                f"{s['exact_match']:.1f}",
                f"{s['edit_similarity']:.3f}",
                f"{s['tokens_per_second']:.0f}",
                f"{s['latency_median_ms']:.1f}",
            ],
        ),
    ]
    lines += corpus_section(stats.get("corpus", []))
    if evaluation:
        lines += ["", "## Evaluation", "", evaluation]
    lines += [
        "",
        "## What a GPU would change",
        "",
        "Two CPU cores train a model of a few million parameters on about one pass over the "
        "standard library in two hours. One GPU gives 50-100x the tokens in the same time: a "
        "20-100M-parameter model over the standard library plus site-packages for several "
        "epochs, or LoRA on a pretrained code model (`--base-model`), which is where next-line "
        "exact match rises well above what a small from-scratch model reaches. Serving needs no "
        "GPU; `onnxruntime-gpu` is used when present.",
        "",
    ]
    (out / "card.md").write_text("\n".join(lines) + "\n", "utf-8")
