"""``python -m training``: every step and every option is documented by ``--help``, and the
options mean what they say."""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from training.__main__ import STEPS, main, parser
from training.args import command_line, from_namespace
from training.grammar.args import AllArgs, DataArgs, TrainArgs

ROOT = Path(__file__).resolve().parents[2]


def squash(text: str) -> str:
    """Text without whitespace: argparse re-wraps help lines (even inside hyphenated words)."""
    return "".join(text.split())


def step_help(step: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main([step, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_every_step() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "training", "--help"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for step in (*STEPS, "forms", "corpus"):
        assert step in done.stdout
    assert "usage: python -m training" in done.stdout


@pytest.mark.parametrize("step", list(STEPS))
def test_step_help_documents_every_option(step: str, capsys: pytest.CaptureFixture[str]) -> None:
    cls, summary = STEPS[step]
    out = squash(step_help(step, capsys))
    assert squash(summary) in out
    for f in dataclasses.fields(cls):
        option = "--" + f.name.replace("_", "-")
        helptext = f.metadata.get("help", "")
        assert helptext, f"{step} {option} has no help line"
        assert option in out, option
        assert squash(helptext) in out, option
        default = f.default if f.default is not dataclasses.MISSING else None
        if default is True:
            assert "--no-" + option[2:] in out  # a default-on switch can be turned off
        elif default not in (None, False) and not isinstance(default, list):
            assert squash(f"(default: {default})") in out, option


@pytest.mark.parametrize(("step", "option"), [("corpus", "--source"), ("forms", "")])
def test_maintenance_steps_have_help(
    step: str, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = step_help(step, capsys)
    assert f"usage: python -m training {step}" in out and option in out


def test_options_parse_into_the_step_arguments(tmp_path: Path) -> None:
    p = parser()
    data = from_namespace(
        DataArgs,
        p.parse_args(
            ["data", "--no-stdlib", "--corpus", "a.txt", "--corpus", "b", "--parallel", "s:t",
             "--m2", "x.m2", "--copies", "3", "--clean-fraction", "0.5"]
        ),
    )  # fmt: skip
    assert data.no_stdlib is True and data.corpus == [Path("a.txt"), Path("b")]
    assert (data.parallel, data.m2, data.copies, data.clean_fraction) == (
        ["s:t"], [Path("x.m2")], 3, 0.5
    )  # fmt: skip
    assert from_namespace(DataArgs, p.parse_args(["data"])) == DataArgs()
    train = from_namespace(TrainArgs, p.parse_args(["train", "--adalora", "--lora-r", "4"]))
    assert (train.adalora, train.lora_r, train.resume) == (True, 4, False)
    everything = from_namespace(AllArgs, p.parse_args(["all", "--no-before", "--eval-limit", "7"]))
    assert (everything.before, everything.eval_limit) == (False, 7)
    assert from_namespace(AllArgs, p.parse_args(["all"])).before is True


def test_command_line_round_trips_through_the_parser() -> None:
    args = TrainArgs(base_model="tiny", lora_r=8, epochs=2.5, adalora=True, seed=7)
    cmd = command_line("train", TrainArgs, dataclasses.asdict(args), always=("seed",))
    assert "--lora-r 8" in cmd and "--adalora" in cmd and "--batch-size" not in cmd
    parsed = from_namespace(TrainArgs, parser().parse_args(cmd.split()[3:]))
    assert parsed == args


def _subparsers(p: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subparsers(sub, f"{path} {name}".strip())


def test_every_option_of_every_step_has_a_help_line() -> None:
    # Steps added outside STEPS too (forms, corpus, report, the code model's steps).
    seen = 0
    for path, p in _subparsers(parser()):
        for action in p._actions:
            if action.option_strings and action.dest != "help":
                seen += 1
                assert action.help and action.help != argparse.SUPPRESS, (path, action.dest)
    assert seen > sum(len(dataclasses.fields(cls)) for cls, _ in STEPS.values())


def test_a_step_without_the_training_packages_says_how_to_install_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without the train extra a step names what is missing and `make train-deps`, no
    traceback (a package that cannot exist stands in for torch)."""
    import training.__main__ as cli

    monkeypatch.setattr(cli, "TRAINING_PACKAGES", ("quill_no_such_package", "json"))
    assert cli.missing_training_packages() == ["quill_no_such_package"]
    assert cli.main(["data", "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "quill_no_such_package is not installed" in err and "make train-deps" in err
    assert not (tmp_path / "out").exists()
