"""Checkpoints of a training run, so that ``--resume`` continues where a run stopped.

Every ``--save-every`` steps the loop saves Accelerate's state (model, optimizer, scheduler,
random generators) under ``checkpoints/step-N`` and the step and history beside it in
``trainer_state.json``; the last two checkpoints are kept (the newest may be cut short by the
interruption it guards against). Under ``accelerate launch`` every process runs this code:
``save_state`` coordinates itself, and only the main process writes or deletes anything else,
so several processes never race on one file.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from training.runlog import write_json

#: Checkpoints kept; older ones are deleted after each save.
KEEP = 2

log = logging.getLogger(__name__)


def saved(out: Path) -> list[Path]:
    """The run's checkpoint directories, oldest first."""
    return sorted((out / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1]))


def latest(out: Path) -> Path | None:
    """The newest checkpoint of the run in ``out``, if any."""
    found = saved(out)
    return found[-1] if found else None


def save(accelerator: Any, out: Path, step: int, history: dict[str, Any]) -> None:
    """Save the state at ``step`` and the history so far; keep the last :data:`KEEP`."""
    accelerator.save_state(str(out / "checkpoints" / f"step-{step}"))
    if accelerator.is_main_process:
        write_json(out / "trainer_state.json", {"step": step, "history": history})
        for old in saved(out)[:-KEEP]:
            shutil.rmtree(old, ignore_errors=True)


def restore(accelerator: Any, out: Path) -> tuple[int, dict[str, Any]] | None:
    """Load the newest checkpoint into ``accelerator``'s prepared objects; returns the step and
    history it was saved at, or ``None`` when the run has none."""
    checkpoint = latest(out)
    if checkpoint is None:
        return None
    accelerator.load_state(str(checkpoint))
    state = json.loads((out / "trainer_state.json").read_text("utf-8"))
    log.info("resumed from %s at step %d", checkpoint, state["step"])
    return int(state["step"]), dict(state["history"])
