"""``python -m training code <step>``: the sub-commands of the code model's pipeline."""

from __future__ import annotations

import argparse
from typing import Any

from training.args import add_arguments, from_namespace
from training.code.args import (
    CodeAllArgs,
    CodeDataArgs,
    CodeEvaluateArgs,
    CodeExportArgs,
    CodeRankerArgs,
    CodeTrainArgs,
)
from training.runlog import setup_logging

STEPS: dict[str, tuple[type[Any], str]] = {
    "data": (CodeDataArgs, "source files -> train / held-out split by file, byte-level BPE"),
    "train": (
        CodeTrainArgs,
        "train a causal LM with fill-in-the-middle (new, full, LoRA, prompt tuning)",
    ),
    "export": (CodeExportArgs, "export to ONNX with past key values, parity, int8, card"),
    "evaluate": (CodeEvaluateArgs, "next-line exact match / edit similarity, speed, n-gram floor"),
    "all": (CodeAllArgs, "the whole chain from a preset"),
    "ranker": (CodeRankerArgs, "fit the workspace-completion ranker and its silence threshold"),
}


def add_steps(parser: argparse.ArgumentParser) -> None:
    """The code steps as sub-commands of ``parser`` (``python -m training code``)."""
    sub = parser.add_subparsers(dest="code_step", required=True)
    for name, (cls, helptext) in STEPS.items():
        sp = sub.add_parser(name, help=helptext, description=f"{helptext}. {cls.__doc__ or ''}")
        add_arguments(sp, cls)


def main(ns: argparse.Namespace) -> int:
    cls, _ = STEPS[ns.code_step]
    args = from_namespace(cls, ns)
    setup_logging(args.output, f"code-{ns.code_step}", ns.verbose)
    if ns.code_step == "data":
        from training.code.data import run as run_data

        run_data(args)
    elif ns.code_step == "train":
        from training.code.train import run as run_train

        run_train(args)
    elif ns.code_step == "export":
        from training.code.export import run as run_export

        run_export(args)
    elif ns.code_step == "evaluate":
        from training.code.evaluate import run as run_evaluate

        run_evaluate(args)
    elif ns.code_step == "ranker":
        from training.code.ranker import run as run_ranker

        run_ranker(args)
    else:
        from training.code.pipeline import run as run_all

        run_all(args)
    return 0
