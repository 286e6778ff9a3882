"""The README's promises, run through the shipped models as a new user would run them.

The README shows what ``make run`` prints and what ``quill fix`` makes of a few sentences. Both
are read from the README itself, so a retrained model (or an engine change) that breaks an
example fails here instead of leaving the README wrong.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.cli.test_cli import ROOT, run

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _make_run_block() -> list[str]:
    """The lines of the fenced block after "What `make run` prints looks like this:"."""
    match = re.search(r"What `make run` prints looks like this:\s*```\n(.*?)```", README, re.S)
    assert match, "the README no longer shows what `make run` prints"
    return [line for line in match.group(1).splitlines() if line.strip()]


def _fix_examples() -> list[tuple[str, str]]:
    """``(sentence, corrected)`` from the README's console blocks of the form
    ``$ echo "SENTENCE" | quill fix --stdout -`` followed by the output line."""
    pairs = re.findall(r'^\$ echo (".*?") \| quill fix --stdout -\n(.+)$', README, re.M)
    return [(shlex.split(sentence)[0], fixed) for sentence, fixed in pairs]


def test_make_run_output_is_what_the_readme_shows(tmp_path: Path) -> None:
    shown = _make_run_block()
    assert len(shown) >= 3
    result = run("check", "--select", "spelling,grammar", "examples", cwd=ROOT)
    assert result.returncode == 1, result.stderr
    printed = result.stdout.splitlines()
    missing = [line for line in shown if line not in printed]
    assert not missing, f"README lines `make run` no longer prints: {missing}\nprinted: {printed}"


def test_readme_has_fix_examples() -> None:
    assert len(_fix_examples()) >= 2


@pytest.mark.parametrize(("sentence", "fixed"), _fix_examples())
def test_readme_fix_examples_through_the_shipped_model(
    tmp_path: Path, sentence: str, fixed: str
) -> None:
    result = run(
        "fix", "--select", "spelling,grammar", "--stdout", "-", cwd=tmp_path, stdin=sentence
    )
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.rstrip("\n") == fixed
