"""Typed arguments for every step: one dataclass per sub-command, turned into argparse options.

Each field's ``help`` metadata is its ``--help`` line and its default is the documented default,
so the dataclass is the single description of a step's inputs; presets are plain dicts of field
values over these defaults. The step dataclasses live with their models
(:mod:`training.grammar.args`, :mod:`training.code.args`); here are the helpers that turn them
into options and back into command lines, and :class:`LoopArgs`, the options of the shared
training loop that both ``train`` steps extend.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def opt(default: Any, help: str, **kw: Any) -> Any:
    """A dataclass field with a default and a help line."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"help": help, **kw})
    return field(default=default, metadata={"help": help, **kw})


@dataclass
class LoopArgs:
    """The options the shared training loop (:mod:`training.loop`) reads. Each model's
    ``train`` arguments extend them, and redeclare a field to change its default."""

    data: Path = opt(Path("runs/data"), "directory written by the data step")
    output: Path = opt(Path("runs/train"), "run directory: checkpoints, final model, log, metrics")
    epochs: float = opt(1.0, "passes over the training data (fractions allowed)")
    max_steps: int = opt(0, "stop after this many optimizer steps (0: from epochs)")
    max_minutes: float = opt(0.0, "stop cleanly after this much training time (0: no limit)")
    grad_accum: int = opt(1, "batches per optimizer step")
    eval_every: int = opt(500, "steps between dev evaluations")
    save_every: int = opt(1000, "steps between checkpoints")
    log_every: int = opt(25, "steps between loss log lines")
    seed: int = opt(13, "random seed (init, shuffling, dropout)")
    resume: bool = opt(False, "continue from the latest checkpoint in the output directory")
    threads: int = opt(0, "torch CPU threads (0: all cores)")
    cpu: bool = opt(False, "train on CPU even when a GPU is present")


def args_for(cls: type[T], values: dict[str, Any], **fixed: Any) -> T:
    """``cls`` from a preset's ``values`` and ``fixed`` ones, keys ``cls`` lacks left out (a
    preset section may serve several steps)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in {**values, **fixed}.items() if k in names})


def _base_type(tp: Any) -> tuple[Any, bool]:
    """``(element type, is_list)`` of a field annotation."""
    origin = typing.get_origin(tp)
    if origin in (list,):
        return typing.get_args(tp)[0], True
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], False
    return tp, False


def add_arguments(parser: argparse.ArgumentParser, cls: type[Any]) -> None:
    """One ``--option`` per dataclass field (``--no-x`` for booleans that default to true)."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        name = "--" + f.name.replace("_", "-")
        helptext = f.metadata.get("help", "")
        tp, is_list = _base_type(hints[f.name])
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        if tp is bool and not default:
            # A plain flag: BooleanOptionalAction would read "--no-stdlib" as "no_stdlib=False".
            parser.add_argument(name, action="store_true", help=helptext)
        elif tp is bool:
            parser.add_argument(
                name, action=argparse.BooleanOptionalAction, default=default, help=helptext
            )
        elif is_list:
            parser.add_argument(
                name,
                type=tp,
                action="append",
                default=None,
                help=f"{helptext} (repeatable)",
            )
        else:
            shown = "" if default is None else f" (default: {default})"  # None: said in the help
            parser.add_argument(name, type=tp, default=default, help=helptext + shown)


def from_namespace(
    cls: type[T], ns: argparse.Namespace, overrides: dict[str, Any] | None = None
) -> T:
    """Build ``cls`` from parsed options; ``overrides`` (a preset) fill options left at default."""
    values: dict[str, Any] = {}
    defaults = cls()  # type: ignore[call-arg]
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        value = getattr(ns, f.name, None)
        default = getattr(defaults, f.name)
        if value is None:
            value = default
        if overrides and f.name in overrides and value == default:
            value = overrides[f.name]
        values[f.name] = value
    return cls(**values)


def command_line(
    step: str,
    cls: type[Any],
    values: dict[str, Any],
    *,
    skip: tuple[str, ...] = (),
    always: tuple[str, ...] = (),
) -> str:
    """``python -m training STEP --option value ...`` (``STEP`` may be ``code data``) that
    rebuilds ``values`` (the fields of
    ``cls``, e.g. a run's recorded arguments): every option that differs from its default, plus
    those in ``always``; ``skip`` leaves machine-specific ones out (paths of the run itself)."""
    import shlex

    defaults = cls()
    hints = typing.get_type_hints(cls)
    parts = ["python", "-m", "training", *step.split()]
    for f in dataclasses.fields(cls):
        if f.name in skip or f.name not in values:
            continue
        value, default = values[f.name], getattr(defaults, f.name)
        _, is_list = _base_type(hints[f.name])
        plain_default = [str(d) for d in default] if is_list else default
        if isinstance(default, Path):
            plain_default = str(default)
        if f.name not in always and value == plain_default:
            continue
        name = "--" + f.name.replace("_", "-")
        if isinstance(default, bool):
            parts.append(name if value else "--no-" + name[2:])
        elif is_list:
            for item in value:
                parts += [name, str(item)]
        elif value is not None:
            parts += [name, str(value)]
    return shlex.join(parts)
