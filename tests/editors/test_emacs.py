"""Emacs in batch mode with eglot (Debian's ``emacs-nox`` and ``elpa-eglot``) driven through
``editors/emacs/quill.el`` against the real server: Flymake shows Quill's diagnostics, a quick
fix is applied, ``quill-add-word`` removes a diagnostic, ``quill-fix-all`` fixes the buffer.

Skipped where Emacs or eglot is not installed (``.ci/run`` installs both); every wait in
``emacs_driver.el`` has a deadline and fails when it runs out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.editors.test_neovim import MARKDOWN

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("emacs_driver.el")
EMACS = shutil.which("emacs")


def has_eglot() -> bool:
    if EMACS is None:
        return False
    probe = subprocess.run(
        [EMACS, "--batch", "-q", "--eval", "(require 'eglot)"],
        capture_output=True,
        timeout=60,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not has_eglot(), reason="Emacs with eglot not installed (apt-get install emacs-nox elpa-eglot)"
)


def test_emacs_eglot(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / ".git").mkdir()
    (workspace / "notes.md").write_text(MARKDOWN, encoding="utf-8")
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    result = tmp_path / "report.json"
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
            "QUILL_EMACS_PLUGIN": str(ROOT / "editors" / "emacs"),
            "QUILL_TEST_WORKSPACE": str(workspace),
            "QUILL_TEST_CMD": json.dumps(
                [
                    sys.executable,
                    "-m",
                    "server",
                    *os.environ.get("QUILL_TEST_SERVER_ARGS", "").split(),
                ]
            ),
            "QUILL_TEST_RESULT": str(result),
        }
    )
    assert EMACS is not None
    proc = subprocess.run(
        [EMACS, "--batch", "-q", "-l", str(DRIVER)],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = json.loads(result.read_text()) if result.exists() else None
    if proc.returncode != 0 or not report or report.get("ok") is not True:
        pytest.fail(
            f"Emacs failed (exit {proc.returncode})\nreport: {json.dumps(report, indent=1)}\n"
            f"output: {proc.stderr[-4000:]}{proc.stdout[-2000:]}"
        )
    assert report["flagged"] == ["recieve", "sentance", "zorblaxian"]
    assert "Change 'recieve' to 'receive'" in report["actions"]
    assert report["dictionary"].splitlines()[-1] == "zorblaxian"
    assert report["text"] == MARKDOWN.replace("recieve", "receive").replace("sentance", "sentence")
    assert report["status"] == "grammar is off"
