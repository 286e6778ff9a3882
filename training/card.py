"""What both model cards share: the records a card is written from, the commands that remake
the model, and how a training time reads.

A card (``card.md`` in a model directory) says how the model was made from the runs' own
records, never from memory: the data, train and export steps each record their arguments, and
:func:`remake_commands` turns them back into the command lines that rebuild the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from training.args import command_line

#: Train options that name the machine or the run's own paths: not part of a recipe.
MACHINE_OPTIONS = ("data", "output", "resume", "threads", "cpu")


def card_info(args: Any, record: dict[str, Any], train: dict[str, Any]) -> dict[str, Any]:
    """Everything a card is written from: the train, export and data steps' records."""
    stats_path = Path(train["args"]["data"]) / "stats.json"
    stats = json.loads(stats_path.read_text("utf-8")) if stats_path.is_file() else {}
    return {
        "name": record["name"],
        "train": train,
        "export": record,
        "data": stats,
        "export_args": asdict(args),
        "evaluation": {},
    }


def duration(seconds: float) -> str:
    """A training time for a card: seconds below two minutes, else minutes."""
    return f"{seconds / 60:.0f} minutes" if seconds >= 120 else f"{seconds:.0f} seconds"


def remake_commands(
    prefix: str,
    classes: tuple[type[Any], type[Any], type[Any]],
    recorded: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
    *,
    train_always: tuple[str, ...],
) -> list[str]:
    """The data, train and export commands (``python -m training PREFIX STEP ...``) that remake
    a model: every option that differs from its default in the arguments each step
    ``recorded``, plus the seed (and ``train_always``); the run's own paths are left as DATA,
    RUN and MODEL."""
    data_cls, train_cls, export_cls = classes
    data_args, train_args, export_args = recorded
    return [
        command_line(f"{prefix}data", data_cls, data_args, skip=("output",), always=("seed",))
        + " --output DATA",
        command_line(
            f"{prefix}train", train_cls, train_args, skip=MACHINE_OPTIONS, always=train_always
        )
        + " --data DATA --output RUN",
        command_line(f"{prefix}export", export_cls, export_args, skip=("run", "output", "threads"))
        + " --run RUN --output MODEL",
    ]


def precision_table(
    export: dict[str, Any], key: str, columns: list[str], cells: Callable[[Any], list[str]]
) -> list[str]:
    """A markdown table of the export step's checks, one row per precision it scored
    (``export["KEY_fp32"]``, ``export["KEY_int8"]``)."""
    lines = ["| precision | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for precision in ("fp32", "int8"):
        scores = export.get(f"{key}_{precision}")
        if scores:
            lines.append("| " + " | ".join([precision, *cells(scores)]) + " |")
    return lines
