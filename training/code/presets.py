"""Named presets for ``python -m training code all --preset NAME``: field values per step.

``tiny``     seconds on a CPU: 40 small standard-library files, a 384-token BPE, a 2-layer,
             64-wide Llama-style model (0.1M parameters), 150 steps: enough to write a few
             plausible tokens, so tests see non-empty suggestions. Tests and CI run it end to end.
``default``  the shipped model: the whole standard library (de-duplicated, 3% of files held
             out), an 8k BPE, a 4-layer, 192-wide Llama-style model (3.1M parameters, half of
             them the tied embedding) trained on 256-token FIM sequences, sized for about two
             hours on two CPU cores (training capped at 100 minutes). Sized by compute: two
             cores train about 2,000 tokens/s of this model, ~12M tokens in 100 minutes, and a
             larger one (6.5M parameters: ~900 tokens/s) sees too few tokens in that time.
``gpu``      for a machine with a GPU (not yet run: no GPU has been lent to this project's
             sessions so far): the standard library and the interpreter's site-packages, a 16k
             BPE, an 8-layer, 512-wide model (about 32M parameters) on 1,024-token FIM
             sequences, capped at 60 minutes; launch it with ``accelerate launch -m training
             code all --preset gpu`` to use every GPU.
``finetune``, ``finetune-lora``, ``finetune-prompt``
             adapt a trained model (``--base-model DIR``) to a user's code (``--corpus DIR``):
             10% of the files held out, 6 minutes of training, in full (lr 5e-4), with LoRA
             r=16 (lr 2e-3), or by prompt tuning 16 virtual tokens (lr 3e-2); the card of the
             shipped model compares the three with the model before fine-tuning.
"""

from __future__ import annotations

from typing import Any

from training.presets import Preset, choose


def _llama(
    hidden: int, layers: int, heads: int, kv_heads: int, intermediate: int, context: int
) -> dict[str, Any]:
    """A from-scratch Llama-style model's shape: the training options that size it."""
    return {
        "arch": "llama",
        "hidden": hidden,
        "layers": layers,
        "heads": heads,
        "kv_heads": kv_heads,
        "intermediate": intermediate,
        "context": context,
    }


def _schedule(batch_size: int, lr: float, warmup: float, **length: float) -> dict[str, float]:
    """Batch size, peak learning rate, warm-up share, and how long a run is: ``max_steps``, or
    ``epochs`` within a ``max_minutes`` budget."""
    return {"batch_size": batch_size, "lr": lr, "warmup": warmup, **length}


def _every(eval_every: int, save_every: int, log_every: int) -> dict[str, int]:
    """How often a run evaluates, saves a checkpoint and logs its loss, in steps."""
    return {"eval_every": eval_every, "save_every": save_every, "log_every": log_every}


PRESETS: dict[str, Preset] = {
    "tiny": {
        "data": {
            "max_files": 40,
            "max_file_bytes": 12_000,
            "heldout_fraction": 0.1,
            "max_heldout_files": 4,
            "vocab_size": 384,
        },
        "train": {
            **_llama(hidden=64, layers=2, heads=2, kv_heads=1, intermediate=128, context=96),
            **_schedule(batch_size=8, lr=3e-3, warmup=0.0, max_steps=150),
            **_every(75, 75, 25),
        },
        "export": {"check_samples": 12, "quantize": "auto", "max_drop": 1.0},
        "evaluate": {"samples": 16, "max_new_tokens": 12, "ngram_train_tokens": 50_000},
    },
    "default": {
        "data": {"vocab_size": 8192},
        "train": {
            **_llama(hidden=192, layers=4, heads=6, kv_heads=2, intermediate=512, context=256),
            **_schedule(batch_size=16, lr=1.5e-3, warmup=0.03, epochs=2.0, max_minutes=100.0),
            **_every(250, 250, 25),
        },
        "export": {"check_samples": 120, "quantize": "auto", "max_drop": 0.02},
        "evaluate": {"samples": 400},
    },
}

#: The default recipe scaled for a GPU: site-packages too, a 32M-parameter model, 1,024 tokens.
PRESETS["gpu"] = {
    "data": {"vocab_size": 16384, "site_packages": True},
    "train": {
        **PRESETS["default"]["train"],
        **_llama(hidden=512, layers=8, heads=8, kv_heads=4, intermediate=1408, context=1024),
        **_schedule(batch_size=32, lr=6e-4, warmup=0.03, epochs=3.0, max_minutes=60.0),
        **_every(500, 1000, 50),
    },
    "export": {**PRESETS["default"]["export"], "check_samples": 200},
    "evaluate": {"samples": 1000},
}


def _finetune(**train: Any) -> Preset:
    return {
        "data": {"vocab_size": 8192, "heldout_fraction": 0.1},
        "train": {
            "context": 256,
            "batch_size": 16,
            "warmup": 0.05,
            "epochs": 1.0,
            "max_minutes": 6.0,
            **_every(100, 250, 25),
            **train,
        },
        "export": {"check_samples": 60, "quantize": "auto", "max_drop": 0.02},
        "evaluate": {"samples": 200},
    }


PRESETS["finetune"] = _finetune(lr=5e-4)
PRESETS["finetune-lora"] = _finetune(lr=2e-3, lora_r=16)
PRESETS["finetune-prompt"] = _finetune(lr=3e-2, prompt_tokens=16)


def preset(name: str) -> Preset:
    return choose(PRESETS, name, "code preset")
