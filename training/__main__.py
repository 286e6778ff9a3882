"""``python -m training <step> [options]``: how each of Quill's models is made.

The grammar model (:mod:`training.grammar`): ``data`` (synthetic errors -> edit tags),
``train`` (fine-tune; full, LoRA or AdaLoRA), ``export`` (ONNX, parity, int8, card, manifest),
``evaluate`` (span P/R/F0.5 through the exported model and the engine's corrector), ``all``
(everything, from a preset), ``report`` (runs side by side), and two maintenance steps:
``forms`` (rebuild the engine's verb/noun tables with lemminflect) and ``corpus`` (re-vendor
the public-domain books from ../shared/data/text). The code-completion model
(:mod:`training.code`): ``code STEP``. The spelling data (:mod:`training.spelling`):
``lexicon`` (dictionary and error model), ``typo-model`` (typos or names in code),
``langid`` (the language guesser that skips passages in other languages) and ``ngrams`` (the
word-pair counts that rank suggestions by their neighbours).

Every option is listed by ``python -m training STEP --help``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from training import steps
from training.grammar.args import (
    AllArgs,
    DataArgs,
    ErrorMixArgs,
    EvaluateArgs,
    ExportArgs,
    TrainArgs,
    TuneArgs,
)
from training.runlog import setup_logging

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is ever downloaded
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

STEPS: steps.StepTable = {
    "data": (DataArgs, "make training pairs: synthetic errors in clean text, plus real pairs"),
    "train": (TrainArgs, "fine-tune a token classifier on the edit tags"),
    "export": (ExportArgs, "export to ONNX, check parity, quantise, write card and manifest"),
    "evaluate": (EvaluateArgs, "score exported models (span P/R/F0.5, ERRANT)"),
    "tune": (TuneArgs, "choose decoding thresholds on real learner sentences, for precision"),
    "error-mix": (ErrorMixArgs, "ERRANT error types of real corrections beside the synthetic data"),
    "all": (AllArgs, "the whole chain from a preset"),
}

RUNNERS = steps.runners(
    "training.grammar", STEPS, data="data.build", all="pipeline", **{"error-mix": "error_mix"}
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="step", required=True)
    steps.add_steps(sub, STEPS)
    sub.add_parser(
        "forms", help="rebuild server/engine/data/{verb,noun}_forms.tsv.gz with lemminflect"
    )
    rp = sub.add_parser("report", help="compare runs of `all` (before / full / LoRA) in one table")
    rp.add_argument(
        "--run",
        type=Path,
        action="append",
        required=True,
        help="an `all` output directory (repeatable; the first also gives the 'before' row)",
    )
    rp.add_argument(
        "--output",
        type=Path,
        default=Path("benchmarks/results/grammar-training"),
        help="writes OUTPUT.md and OUTPUT.json",
    )
    rp.add_argument(
        "--card", type=Path, default=None, help="also put the table into this model card"
    )
    rp.add_argument(
        "--source",
        default="JFLEG dev (754 sentences, 4 references)",
        help="how to name the evaluation set",
    )
    rp.add_argument(
        "--reevaluate",
        action="store_true",
        help="score every run's exported model again with the engine as it is now",
    )
    rp.add_argument(
        "--command",
        action="append",
        default=[],
        help="a command that remakes the model or the table, for the card's Reproduce section "
        "(repeatable)",
    )
    from training.code.cli import add_steps as add_code_steps

    add_code_steps(
        sub.add_parser(
            "code",
            help="the code-completion model: data, train, export, evaluate, all",
            description="python -m training code STEP: the code-completion model's pipeline",
        )
    )
    for name, (helptext, _) in OWN_OPTIONS.items():
        sub.add_parser(name, help=f"{helptext} (python -m training {name} --help)", add_help=False)
    cp = sub.add_parser(
        "corpus", help="re-vendor training/corpus/*.txt.gz from ../shared/data/text"
    )
    cp.add_argument(
        "--source", type=Path, default=None, help="folder with gutenberg/ and norvig-big.txt"
    )
    return p


#: Commands that parse their own options: name -> (help line, ``"module:function"`` taking them).
OWN_OPTIONS = {
    "lexicon": (
        "build the spelling dictionary and error model into server/engine/data",
        "training.spelling.lexicon:main",
    ),
    "typo-model": (
        "train the model that tells typos from names in code (server/engine/data)",
        "training.spelling.typo_model:main",
    ),
    "langid": (
        "build the letter-trigram language guesser (server/engine/data/langid.json.gz)",
        "training.spelling.langid:main",
    ),
    "ngrams": (
        "count word pairs for ranking suggestions in context (server/engine/data/bigrams.tsv.gz)",
        "training.spelling.ngrams:main",
    ),
}

#: Steps that need none of the training packages (they read text or fetch word lists).
NO_TRAINING_PACKAGES = ("corpus", *OWN_OPTIONS)

#: Import names of the ``train`` extra every other step needs.
TRAINING_PACKAGES = ("torch", "transformers", "accelerate", "peft", "optimum", "onnx", "tqdm")


def missing_training_packages() -> list[str]:
    """The ``train`` extra's packages this interpreter cannot import."""
    return [name for name in TRAINING_PACKAGES if importlib.util.find_spec(name) is None]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in OWN_OPTIONS:
        return int(steps.load(OWN_OPTIONS[argv[0]][1])(argv[1:]) or 0)
    ns = parser().parse_args(argv)
    missing = missing_training_packages() if ns.step not in NO_TRAINING_PACKAGES else []
    if missing:
        print(
            f"python -m training {ns.step} needs the training packages, and "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed here.\n"
            "Install them with `make train-deps` (the project's .venv: the CPU build of "
            "torch, transformers, peft, optimum, ...), or `pip install -e '.[train,cpu]'`.",
            file=sys.stderr,
        )
        return 2
    if ns.step == "forms":
        setup_logging(None, "forms", ns.verbose)
        from training.grammar.data.forms import write_tables

        write_tables()
        return 0
    if ns.step == "report":
        setup_logging(None, "report", ns.verbose)
        from training.grammar.report import run as run_report

        run_report(ns.run, ns.output, ns.card, ns.source, ns.command, ns.reevaluate)
        return 0
    if ns.step == "code":
        from training.code.cli import main as code_main

        return code_main(ns)
    if ns.step == "corpus":
        setup_logging(None, "corpus", ns.verbose)
        from training.grammar.data.corpus import SHARED_TEXT, vendor_corpus

        vendor_corpus(ns.source or SHARED_TEXT)
        return 0
    return steps.run_step(STEPS, RUNNERS, ns.step, ns, ns.step)


if __name__ == "__main__":
    sys.exit(main())
