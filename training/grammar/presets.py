"""Named presets for ``python -m training all --preset NAME``: field values per step.

``tiny``      seconds on a CPU: a 2-layer, 64-wide BERT with its own tokenizer, LoRA, a few
              hundred sentences from two of the vendored books (reading the whole corpus to
              keep 600 sentences took longer than training). Tests and CI run it end to end.
``default``   the shipped model: all-MiniLM-L6-v2 fully fine-tuned on synthetic errors in the
              vendored books, the stdlib's docstrings and reference manual, and 40,000
              sentences of installed packages' docstrings; four noisy copies of each sentence,
              the quarter of one-error sentences first (the curriculum); one epoch is about
              two hours on one core of a 2-core machine (capped by ``max_minutes``).
``default-lora``  the same data and budget with LoRA (r=16 on all attention and dense
              layers): the comparison row in the model card.
``gpu``       the default recipe for one GPU (``accelerate launch``): eight noisy copies,
              three epochs, larger batches; about 20 minutes on an H100.
"""

from __future__ import annotations

from pathlib import Path

from training.presets import Preset, choose

_BOOKS = Path(__file__).resolve().parents[1] / "corpus"

PRESETS: dict[str, Preset] = {
    "tiny": {
        "data": {
            "corpus": [
                _BOOKS / "frankenstein_84.txt.gz",
                _BOOKS / "pride-and-prejudice_1342.txt.gz",
            ],
            "max_sentences": 600,
            "copies": 2,
            "dev_sentences": 60,
            "no_stdlib": True,
        },
        "train": {
            "base_model": "tiny",
            "tiny_hidden": 64,
            "tiny_layers": 2,
            "tiny_vocab": 1500,
            "lora_r": 8,
            "lora_alpha": 16,
            "epochs": 2.0,
            "batch_size": 32,
            "lr": 3e-3,
            "head_lr": 3e-3,
            "label_vocab": 300,
            "min_label_count": 1,
            "eval_every": 20,
            "save_every": 20,
            "log_every": 5,
            "max_length": 64,
            "warmup": 0.0,
        },
        "export": {"dev_sentences": 40, "quantize": "auto", "max_f05_drop": 100.0},
    },
    "default": {
        "data": {"copies": 4, "easy_share": 0.25, "dev_sentences": 1000, "seed": 17},
        "train": {
            "base_model": "minilm",
            "epochs": 1.0,
            "batch_size": 32,
            "lr": 1e-4,
            "head_lr": 1e-3,
            "cold_steps": 300,
            "label_vocab": 5000,
            "min_label_count": 3,
            "eval_every": 500,
            "save_every": 500,
            "log_every": 25,
            "max_length": 80,
            "max_minutes": 120.0,
            "threads": 1,
            "seed": 17,
        },
        "export": {"dev_sentences": 1000, "quantize": "auto", "max_f05_drop": 1.0},
    },
}

#: The default recipe with LoRA instead of full fine-tuning (ten times the encoder's rate).
PRESETS["default-lora"] = {
    **PRESETS["default"],
    "train": {**PRESETS["default"]["train"], "lr": 1e-3, "lora_r": 16, "lora_alpha": 32},
}


#: The default recipe scaled for one GPU: more noisy copies, three epochs, twice the batch.
PRESETS["gpu"] = {
    **PRESETS["default"],
    "data": {**PRESETS["default"]["data"], "copies": 8},
    "train": {
        **PRESETS["default"]["train"],
        "epochs": 3.0,
        "batch_size": 64,
        "lr": 1.5e-4,
        "max_minutes": 25.0,
        "threads": 0,
        "save_every": 1000,
        "eval_every": 1000,
    },
}


def preset(name: str) -> Preset:
    return choose(PRESETS, name, "preset")
