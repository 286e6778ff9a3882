"""``python -m training train --resume``: a run stopped after a checkpoint continues from it and
ends where an uninterrupted run ends (same steps, same history, same weights)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from training import checkpoints
from training.grammar import train as train_module
from training.grammar.args import TrainArgs
from training.grammar.presets import preset


class Interrupted(Exception):
    pass


def small_run(tiny_grammar_run: Path, out: Path, **overrides: Any) -> TrainArgs:
    """The tiny preset's training on a slice of its data: 6 batches an epoch, 8 steps, a
    checkpoint every 3 steps. The base model is copied from the session's run (not rebuilt)."""
    names = {f.name for f in dataclasses.fields(TrainArgs)}
    values = {k: v for k, v in preset("tiny")["train"].items() if k in names}
    values.update(
        data=tiny_grammar_run / "data", output=out, max_train=96, batch_size=16, max_steps=8,
        save_every=3, eval_every=4, log_every=1, threads=1,
    )  # fmt: skip
    values.update(overrides)
    out.mkdir(parents=True)
    shutil.copytree(tiny_grammar_run / "train" / "base", out / "base")
    return TrainArgs(**values)


def adapter(run: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return load_file(str(run / "final" / "adapter_model.safetensors"))


@pytest.fixture(scope="module")
def straight(tiny_grammar_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same small run, never interrupted."""
    return train_module.run(
        small_run(tiny_grammar_run, tmp_path_factory.mktemp("straight") / "run")
    )


@pytest.mark.parametrize("stop_at", [3, 6])  # mid-epoch, and at the end of the first epoch
def test_an_interrupted_run_resumes_from_its_checkpoint(
    tiny_grammar_run: Path,
    straight: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stop_at: int,
) -> None:
    import torch

    assert straight["steps"] == 8
    checkpoint = checkpoints.save

    def crash_after_checkpoint(accelerator: Any, out: Path, step: int, history: Any) -> None:
        checkpoint(accelerator, out, step, history)
        if step == stop_at:
            raise Interrupted

    args = small_run(tiny_grammar_run, tmp_path / "stopped")
    with monkeypatch.context() as m:
        m.setattr(checkpoints, "save", crash_after_checkpoint)
        with pytest.raises(Interrupted):
            train_module.run(args)
    assert not (args.output / "final").exists()
    assert checkpoints.latest(args.output) == args.output / "checkpoints" / f"step-{stop_at}"

    resumed = train_module.run(dataclasses.replace(args, resume=True))
    assert resumed["steps"] == straight["steps"]
    for key, field in (("loss", "loss"), ("dev", "f05")):  # the first steps' come from the record
        got, want = resumed["history"][key], straight["history"][key]
        assert [p["step"] for p in got] == [p["step"] for p in want]
        assert [p[field] for p in got] == pytest.approx([p[field] for p in want], rel=1e-5)
    a, b = adapter(Path(straight["final"]).parent), adapter(args.output)
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-5, atol=1e-6, msg=name)
