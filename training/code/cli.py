"""``python -m training code <step>``: the sub-commands of the code model's pipeline."""

from __future__ import annotations

import argparse

from training import steps
from training.code.args import (
    CodeAllArgs,
    CodeDataArgs,
    CodeEvaluateArgs,
    CodeExportArgs,
    CodeRankerArgs,
    CodeTrainArgs,
)

STEPS: steps.StepTable = {
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

RUNNERS = steps.runners("training.code", STEPS, all="pipeline")


def add_steps(parser: argparse.ArgumentParser) -> None:
    """The code steps as sub-commands of ``parser`` (``python -m training code``)."""
    steps.add_steps(parser.add_subparsers(dest="code_step", required=True), STEPS)


def main(ns: argparse.Namespace) -> int:
    return steps.run_step(STEPS, RUNNERS, ns.code_step, ns, f"code-{ns.code_step}")
