"""The step tables of ``python -m training`` and ``python -m training code``, and how a row
becomes a sub-command and runs.

A table maps a step's name to its argument dataclass and a help line; a second one, beside it,
to the function that runs the step (``"module:function"``), imported only when the step runs,
so ``--help`` and the steps that need no torch never load it.
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Any

from training.args import add_arguments, from_namespace
from training.runlog import setup_logging

#: Step name -> (argument dataclass, help line).
StepTable = dict[str, tuple[type[Any], str]]
#: Step name -> the function that runs it, as ``"module:function"``.
RunnerTable = dict[str, str]


def add_steps(sub: Any, steps: StepTable) -> None:
    """One sub-command of ``sub`` (an argparse sub-parsers object) per row of ``steps``."""
    for name, (cls, helptext) in steps.items():
        parser: argparse.ArgumentParser = sub.add_parser(
            name, help=helptext, description=f"{helptext}. {cls.__doc__ or ''}"
        )
        add_arguments(parser, cls)


def runners(package: str, steps: StepTable, **modules: str) -> RunnerTable:
    """Each step run by the ``run`` function of the module of ``package`` named like the step,
    or as ``modules`` says (``runners("training.code", STEPS, all="pipeline")``: ``all`` is
    ``training.code.pipeline:run``, ``train`` is ``training.code.train:run``)."""
    return {step: f"{package}.{modules.get(step, step)}:run" for step in steps}


def load(target: str) -> Any:
    """The function named ``"module:function"``."""
    module, _, function = target.partition(":")
    return getattr(import_module(module), function)


def run_step(
    steps: StepTable, runners: RunnerTable, name: str, ns: argparse.Namespace, log_name: str
) -> int:
    """Run step ``name`` with the options parsed into ``ns``; logs go to stderr and to
    ``OUTPUT/<log_name>.log``."""
    cls, _ = steps[name]
    args = from_namespace(cls, ns)
    setup_logging(args.output, log_name, ns.verbose)
    load(runners[name])(args)
    return 0
