"""Typed arguments of ``python -m training code <step>``: one dataclass per step.

The same conventions as :mod:`training.args` (whose helpers turn these into argparse options):
each field's ``help`` is its ``--help`` line, its default the documented default, and presets
(:mod:`training.code.presets`) are dicts of field values over these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.args import LoopArgs, opt


@dataclass
class CodeDataArgs:
    """``python -m training code data``: source files -> train / held-out split + tokenizer."""

    output: Path = opt(
        Path("runs/code/data"),
        "directory for train.jsonl, heldout.jsonl, tokenizer.json and stats.json",
    )
    corpus: list[Path] = opt(
        [],
        "source folders or files (.gitignore respected); default: the standard library of "
        "the running interpreter",
    )
    site_packages: bool = opt(
        False, "add the running interpreter's site-packages to the default corpus"
    )
    extensions: str = opt(".py", "comma-separated file name endings to read")
    max_files: int = opt(0, "files to keep at most after de-duplication, chosen at random (0: all)")
    max_file_bytes: int = opt(
        300_000, "skip larger files (generated tables and data dumps teach nothing)"
    )
    heldout_fraction: float = opt(0.03, "share of files held out for evaluation (split by file)")
    max_heldout_files: int = opt(60, "held-out files at most (0: no cap)")
    tokenizer: Path | None = opt(
        None, "use this tokenizer.json (e.g. a base model's) instead of training one"
    )
    vocab_size: int = opt(8192, "byte-level BPE vocabulary size (special tokens included)")
    seed: int = opt(13, "random seed (file choice and split)")


@dataclass
class CodeTrainArgs(LoopArgs):
    """``python -m training code train``: a causal LM on fill-in-the-middle examples (the
    loop's options are :class:`training.args.LoopArgs`)."""

    # The loop's options whose default or help differ for this model.
    data: Path = opt(Path("runs/code/data"), "directory written by the data step")
    output: Path = opt(
        Path("runs/code/train"), "run directory: checkpoints, final model, log, metrics"
    )
    eval_every: int = opt(250, "steps between held-out loss evaluations")
    save_every: int = opt(500, "steps between checkpoints")
    seed: int = opt(13, "random seed (init, FIM splits, shuffling)")

    base_model: str = opt(
        "",
        "a local Hugging Face causal LM directory to fine-tune (its own tokenizer; FIM "
        "sentinels are added when it lacks them); empty: a new model built from --arch and the "
        "size options with the data step's tokenizer",
    )
    arch: str = opt("llama", "from-scratch architecture: llama (RoPE, SwiGLU, GQA) or gpt2")
    hidden: int = opt(256, "from scratch: hidden size")
    layers: int = opt(6, "from scratch: layers")
    heads: int = opt(8, "from scratch: attention heads")
    kv_heads: int = opt(4, "from scratch (llama): key/value heads (grouped-query attention)")
    intermediate: int = opt(704, "from scratch: feed-forward width")
    context: int = opt(256, "tokens per training sequence (and the model's context length)")
    lora_r: int = opt(0, "LoRA rank for --base-model (0: full fine-tuning)")
    prompt_tokens: int = opt(
        0,
        "prompt tuning (peft) for --base-model: this many trained virtual tokens before every "
        "input, the model's own weights frozen (0: off; not with --lora-r)",
    )
    lora_alpha: int = opt(16, "LoRA alpha (scaling = alpha / r)")
    lora_dropout: float = opt(0.05, "LoRA dropout")
    lora_target_modules: str = opt(
        "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj,c_attn,c_proj,c_fc",
        "comma-separated module names LoRA adapts (names absent from the model are skipped)",
    )
    fim_rate: float = opt(
        0.5, "share of examples turned into fill-in-the-middle (prefix, suffix, middle)"
    )
    fim_line_start: float = opt(
        0.5,
        "share of fill-in-the-middle splits whose middle starts right after a line's "
        "indentation (where an editor asks for a whole line) instead of at a random character",
    )
    max_train_files: int = opt(0, "training files to use at most (0: all)")
    batch_size: int = opt(16, "sequences per batch (per device)")
    lr: float = opt(
        1e-3, "peak learning rate (AdamW; cosine decay to a tenth over the steps or --max-minutes)"
    )
    weight_decay: float = opt(0.1, "AdamW weight decay")
    warmup: float = opt(0.03, "share of the run (steps or time) with linear warm-up")


@dataclass
class CodeEvaluateArgs:
    """``python -m training code evaluate``: next-line completion on held-out files."""

    model: list[Path] = opt([], "exported model directories to score (each one row)")
    name: list[str] = opt([], "row names for the models (default: directory names)")
    data: Path = opt(
        Path("runs/code/data"), "data step directory (heldout.jsonl; train.jsonl for the n-gram)"
    )
    samples: int = opt(400, "next-line cases drawn from the held-out files")
    corpus: list[Path] = opt(
        [],
        "draw the cases from these folders' files instead (.gitignore respected): code "
        "from another repository, which the model never saw",
    )
    extensions: str = opt(".py", "with --corpus: file name endings to read")
    prefix_only: bool = opt(
        True, "also score each model without the code after the cursor (what FIM adds)"
    )
    mid_line: bool = opt(
        True,
        "also score with the cursor at a random point inside the line (the rest of the line "
        "is the target), as while the user types",
    )
    neighbours: int = opt(
        3,
        "also score with up to this many other files of the case's folder open as context "
        "(0: no such row)",
    )
    ngram: int = opt(4, "order of the n-gram floor (0: no n-gram row)")
    ngram_train_tokens: int = opt(3_000_000, "training tokens the n-gram counts at most")
    max_new_tokens: int = opt(48, "tokens generated per case at most")
    context_tokens: int = opt(0, "prompt budget in tokens (0: the model's own)")
    fim: bool = opt(True, "give the model the code after the cursor (fill-in-the-middle)")
    output: Path = opt(Path("runs/code/eval"), "directory for metrics.json and table.md")
    threads: int = opt(2, "onnxruntime intra-op threads")
    seed: int = opt(13, "random seed (case choice)")


@dataclass
class CodeExportArgs:
    """``python -m training code export``: ONNX with past key values, parity, int8, card."""

    run: Path = opt(Path("runs/code/train"), "training run directory (its final/ is exported)")
    output: Path = opt(Path("models/code-small"), "model directory to write")
    name: str = opt("", "model name for the card (default: the output directory's name)")
    quantize: str = opt(
        "auto",
        "int8 dynamic quantisation: auto (keep it if next-line quality holds and it is "
        "not slower), yes, no",
    )
    max_drop: float = opt(
        0.02, "auto: largest loss of edit similarity (0 to 1) int8 may cost on the check cases"
    )
    check_samples: int = opt(120, "held-out next-line cases for the int8 quality check")
    parity_tolerance: float = opt(
        2e-3, "largest |logit| difference allowed between torch and fp32 ONNX"
    )
    opset: int = opt(18, "ONNX opset")
    threads: int = opt(2, "threads for onnxruntime")


@dataclass
class CodeAllArgs:
    """``python -m training code all``: data, train, export, evaluate in one go."""

    preset: str = opt(
        "tiny",
        "preset name (see training/code/presets.py): tiny, default, finetune, finetune-lora, "
        "finetune-prompt",
    )
    output: Path = opt(Path("runs/code"), "run directory; each step writes a sub-directory")
    data: Path | None = opt(None, "reuse this data directory instead of running the data step")
    corpus: list[Path] = opt([], "source folders for the data step (default: the preset's)")
    base_model: str = opt("", "fine-tune this local causal LM instead of the preset's model")
    lora_r: int = opt(-1, "LoRA rank with --base-model (-1: the preset's, 0: full)")
    prompt_tokens: int = opt(
        -1, "prompt tuning with --base-model: virtual tokens (-1: the preset's, 0: off)"
    )
    before: bool = opt(
        True, "with --base-model: also score the base model before fine-tuning (a 'before' row)"
    )
    ship: Path | None = opt(None, "also copy the exported model here (e.g. models/code-small)")
    evaluate: bool = opt(True, "score the exported model and the n-gram floor on held-out files")
    eval_samples: int = opt(0, "next-line cases to score (0: the preset's)")
    eval_corpus: list[Path] = opt(
        [], "also score on these folders' files: code from repositories the model never saw"
    )
    threads: int = opt(0, "torch threads for training (0: the preset's, else all cores)")
    max_minutes: float = opt(0.0, "override the preset's training time budget (0: keep it)")


@dataclass
class CodeRankerArgs:
    """``python -m training code ranker``: fit the workspace-completion ranker on repositories
    (the candidates' features -> the chance a candidate is the line written) and calibrate the
    threshold below which Quill says nothing."""

    output: Path = opt(Path("runs/code/ranker"), "directory for ranker.json and metrics")
    repo: list[Path] = opt(
        [],
        "repositories (folders of source) to learn from; default: a fixed list of packages in "
        "the running interpreter's site-packages, none of them a benchmark repository",
    )
    cases: int = opt(400, "cases drawn per repository and kind (next line, mid-line)")
    precision: float = opt(
        0.6, "the precision among shown suggestions the threshold is calibrated for"
    )
    l2: float = opt(1.0, "L2 penalty of the logistic regression")
    seed: int = opt(0, "random seed (case choice)")
    ship: Path | None = opt(
        None,
        "also write the ranker here (server/engine/data/completion_ranker.json ships; with "
        "--model, the model's own ranker.json, and its manifest is rewritten)",
    )
    model: Path | None = opt(
        None,
        "a code model directory: also fit the second stage, which re-scores the ranker's "
        "shortlist with this model's log-likelihood of each line",
    )
    threads: int = opt(2, "onnxruntime threads for --model")
