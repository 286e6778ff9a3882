"""Session fixtures shared by several test folders.

``tiny_grammar_model`` is the grammar model that the ``tiny`` training preset makes, built once
per test session by the real pipeline (data -> train with LoRA -> Optimum ONNX export, parity,
int8, card, manifest), so the runtime, training and end-to-end tests all exercise a model made
the way a shipped one is. Nothing is downloaded: the tiny preset's base model and tokenizer
are built from a config, and the Hugging Face libraries run offline.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run and every machine (``derandomize``): a
# rare counterexample must not turn CI red at random. Exploring with fresh random examples is
# one variable away: ``HYPOTHESIS_PROFILE=explore make test`` (what found the decoder's glued
# fix in test_grammar_decode.py).
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Read by huggingface_hub when it is first imported: set before any test imports it.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny_grammar_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run directory of ``python -m training all --preset tiny --no-before`` (``data/``,
    ``train/``, ``model/``, ``all.json``), built once per session.

    The evaluation step is always skipped, as it is when ``../shared`` (JFLEG) is absent, so
    the result does not depend on the checkout having it. One training thread: the tiny model
    gains nothing from more, and on a busy two-core machine two threads were seven times slower.
    """
    from training.grammar import pipeline
    from training.grammar.args import AllArgs

    out = tmp_path_factory.mktemp("tiny-grammar")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "JFLEG", out / "no-evaluation-set")
        pipeline.run(AllArgs(preset="tiny", output=out, before=False, threads=1))
    return out


@pytest.fixture(scope="session")
def tiny_grammar_model(tiny_grammar_run: Path) -> Path:
    """The exported tiny model directory: ``model.onnx``, ``tokenizer.json``, ``config.json``,
    ``card.md`` and ``manifest.json``, loadable by ``OnnxTagger.load``. Treat it as read-only
    (tests that damage a model copy it first)."""
    return tiny_grammar_run / "model"


@pytest.fixture(scope="session")
def tiny_code_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run directory of ``python -m training code all --preset tiny`` (``data/``,
    ``train/``, ``model/``, ``eval/``, ``all.json``), built once per session by the real
    pipeline: corpus from the standard library, BPE, a from-scratch model, Optimum export with
    past key values, parity, int8 check, card, manifest, evaluation with the n-gram floor. One
    training thread, as for the grammar model."""
    from training.code import pipeline
    from training.code.args import CodeAllArgs

    out = tmp_path_factory.mktemp("tiny-code")
    pipeline.run(CodeAllArgs(preset="tiny", output=out, threads=1))
    return out


@pytest.fixture(scope="session")
def tiny_code_model(tiny_code_run: Path) -> Path:
    """The exported tiny code model (``model.onnx``, ``tokenizer.json``, ``config.json``,
    ``card.md``, ``manifest.json``), loadable by ``OnnxLM.load``. Treat it as read-only."""
    return tiny_code_run / "model"
