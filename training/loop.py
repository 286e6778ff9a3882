"""The training loop both models share: Accelerate, resume, accumulation, clipping, budget.

Each model's ``train`` step builds its data, model and optimizer, then hands them to
:meth:`Trainer.fit` with a :class:`Hooks` object for what differs between models (the loss of
a batch, a learning-rate rule, what happens after an optimizer step, how the held-out set is
scored). The loop itself is written once, so a fix to resuming, gradient accumulation, the time
budget or checkpointing reaches both models.

Hugging Face Accelerate picks the device (CUDA when present, else CPU) and, launched with
``accelerate launch -m training [code] train ...``, spreads the same code over several GPUs or
machines (data parallel; gradients are averaged by Accelerate). Only the main process writes
files (:meth:`Trainer.save_final`, :meth:`Trainer.write_record`, :mod:`training.checkpoints`).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm

from training import checkpoints
from training.args import LoopArgs
from training.runlog import hardware, write_json

log = logging.getLogger(__name__)


class Hooks:
    """What a model brings to the loop. ``loss`` defaults to the loss a Hugging Face model
    returns; every other method does nothing unless a model overrides it."""

    def loss(self, model: Any, batch: Any) -> torch.Tensor:
        """The loss of one batch (a Hugging Face model given ``labels`` returns it)."""
        return model(**batch).loss  # type: ignore[no-any-return]

    def started(self, model: Any, step: int) -> None:
        """Called once before the first batch, at ``step`` (not 0 after a resume)."""

    def epoch_started(self, epoch: int) -> None:
        """Called before each pass over the data (a sampler can reshuffle)."""

    def before_optimizer_step(self, optimizer: Any, step: int) -> None:
        """Called before every ``optimizer.step()`` (a learning-rate rule without a scheduler)."""

    def after_optimizer_step(self, model: Any, step: int) -> None:
        """Called after each optimizer step that applied gradients, with the new step count."""

    def progress(self, step: int, loss: float) -> dict[str, Any]:
        """Extra fields for the loss record every ``--log-every`` steps (e.g. tokens/s)."""
        return {}

    def evaluate(self, model: Any, step: int, history: dict[str, list[dict[str, Any]]]) -> None:
        """Score the held-out set every ``--eval-every`` steps and append to ``history``."""


@dataclass
class LoopResult:
    """Where the loop stopped: the optimizer steps done, the history, and whether the time
    budget ended it before the planned steps."""

    step: int
    history: dict[str, list[dict[str, Any]]]
    stopped_early: bool


def parameter_counts(model: torch.nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` parameters."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters())


def log_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """:func:`parameter_counts`, logged."""
    trainable, total = parameter_counts(model)
    log.info("parameters: %d trainable of %d (%.1f%%)", trainable, total, 100 * trainable / total)
    return trainable, total


def save_model(model: Any, out: Path, info: dict[str, Any]) -> Path:
    """``out/final``: the trained model (full weights, or a PEFT adapter) and
    ``quill_train.json`` (``info``: what the export step needs to know about it)."""
    final = out / "final"
    if final.exists():
        shutil.rmtree(final)
    model.save_pretrained(final)
    write_json(final / "quill_train.json", info)
    return final


class Trainer:
    """One training run: the Accelerate set-up (made first, so seeds and devices are set
    before any data or model exists), the loop, and the run's final files."""

    def __init__(self, args: LoopArgs) -> None:
        from accelerate import Accelerator
        from accelerate.utils import set_seed

        torch.set_num_threads(args.threads or os.cpu_count() or 1)
        self.args = args
        self.out = args.output
        self.out.mkdir(parents=True, exist_ok=True)
        self.accelerator = Accelerator(cpu=args.cpu, gradient_accumulation_steps=args.grad_accum)
        set_seed(args.seed)
        self.started = time.time()

    @property
    def is_main(self) -> bool:
        return bool(self.accelerator.is_main_process)

    def minutes(self) -> float:
        """Minutes since the run started (the time budget counts set-up too)."""
        return (time.time() - self.started) / 60

    def steps_per_epoch(self, batches: int) -> int:
        """Optimizer steps in one pass over ``batches`` batches."""
        return math.ceil(batches / self.args.grad_accum)

    def planned_steps(self, steps_per_epoch: int, *, at_least: int = 0) -> int:
        """``--max-steps``, else ``--epochs`` passes (``at_least`` steps)."""
        return self.args.max_steps or max(at_least, math.ceil(steps_per_epoch * self.args.epochs))

    def fit(
        self,
        hooks: Hooks,
        model: Any,
        optimizer: Any,
        loader: Iterable[Any],
        *,
        total_steps: int,
        steps_per_epoch: int,
        history: dict[str, list[dict[str, Any]]],
        scheduler: Any = None,
    ) -> LoopResult:
        """Train ``model`` (already prepared by the accelerator) for ``total_steps`` optimizer
        steps, or until ``--max-minutes``; continues from the last checkpoint with
        ``--resume``. Gradients are accumulated over ``--grad-accum`` batches and clipped to
        norm 1 before each step."""
        args, accelerator = self.args, self.accelerator
        step = 0
        restored = checkpoints.restore(accelerator, self.out) if args.resume else None
        if restored is not None:
            step, history = restored
        hooks.started(model, step)
        model.train()
        bar = tqdm(total=total_steps, initial=step, desc="train", unit="step", mininterval=5.0)
        running, seen = 0.0, 0
        stopped_early = False
        epoch = step // max(steps_per_epoch, 1)
        while step < total_steps:
            hooks.epoch_started(epoch)
            # A resumed run skips the batches its interrupted epoch had already used.
            resumed_epoch = epoch == step // max(steps_per_epoch, 1)
            skip = (step % steps_per_epoch) * args.grad_accum if resumed_epoch else 0
            batches = accelerator.skip_first_batches(loader, skip) if skip else loader
            for batch in batches:
                with accelerator.accumulate(model):
                    loss = hooks.loss(model, batch)
                    accelerator.backward(loss)
                    if accelerator.sync_gradients:
                        accelerator.clip_grad_norm_(model.parameters(), 1.0)
                    hooks.before_optimizer_step(optimizer, step)
                    optimizer.step()
                    if scheduler is not None:
                        scheduler.step()
                    optimizer.zero_grad()
                running += float(loss.detach())
                seen += 1
                if not accelerator.sync_gradients:
                    continue
                step += 1
                bar.update(1)
                hooks.after_optimizer_step(model, step)
                if step % args.log_every == 0:
                    fields = hooks.progress(step, running / seen)
                    history["loss"].append({"step": step, "loss": running / seen, **fields})
                    bar.set_postfix(loss=f"{running / seen:.3f}", **fields)
                    running, seen = 0.0, 0
                if step % args.eval_every == 0:
                    hooks.evaluate(model, step, history)
                if step % args.save_every == 0:
                    checkpoints.save(accelerator, self.out, step, history)
                if args.max_minutes and self.minutes() > args.max_minutes:
                    log.warning(
                        "time budget of %.0f minutes reached at step %d", args.max_minutes, step
                    )
                    stopped_early = True
                if step >= total_steps or stopped_early:
                    break
            epoch += 1
            if stopped_early:
                break
        bar.close()
        return LoopResult(step, history, stopped_early)

    def record(
        self,
        result: LoopResult,
        total_steps: int,
        parameters: tuple[int, int],
        final: Path,
        **fields: Any,
    ) -> dict[str, Any]:
        """The run's metrics: what every run records, with the model's own ``fields``."""
        return {
            "steps": result.step,
            "planned_steps": total_steps,
            "stopped_early": result.stopped_early,
            **fields,
            "trainable_parameters": parameters[0],
            "total_parameters": parameters[1],
            "train_seconds": round(time.time() - self.started, 1),
            "hardware": hardware(),
            "args": asdict(self.args),
            "history": result.history,
            "final": str(final),
        }

    def save_final(self, model: Any, save: Callable[[Any], Path]) -> Path:
        """``save(unwrapped model)`` on the main process; every process gets ``final/``."""
        unwrapped = self.accelerator.unwrap_model(model)
        return save(unwrapped) if self.is_main else self.out / "final"

    def write_record(
        self, metrics: dict[str, Any], plot: Callable[[dict[str, Any], Path], Any]
    ) -> None:
        """``train.json`` and the plots of the history, from the main process only."""
        if self.is_main:
            write_json(self.out / "train.json", metrics)
            plot(metrics["history"], self.out)
