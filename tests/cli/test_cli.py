"""The CLI as a user runs it: a subprocess, real files, exit codes, both output formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI; spelling only unless a test selects (grammar has its own tests)."""
    if args and args[0] in ("check", "fix") and "--select" not in args:
        args = (args[0], "--select", "spelling", *args[1:])
    env = dict(
        os.environ,
        XDG_CONFIG_HOME=str(cwd / ".config-home"),
        PYTHONPATH=str(ROOT),
        HF_HUB_OFFLINE="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_findings_and_exit_code(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Title 😋\n\nWe recieve `teh` mail.\n", encoding="utf-8")
    result = run("check", "--format", "json", "a.md", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    (finding,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert finding == {
        "path": "a.md",
        "line": 3,
        "column": 4,
        "end_line": 3,
        "end_column": 11,
        "category": "spelling",
        "rule": "spelling.known-typo",
        "message": finding["message"],
        "text": "recieve",
        "suggestions": finding["suggestions"],
        "related": [],
    }
    assert finding["suggestions"][0] == "receive"
    assert "receive" in finding["message"]


def test_columns_count_code_points(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text("😋😋 wrod\r\nok\r\n", encoding="utf-8")
    result = run("check", "--format", "json", "e.txt", cwd=tmp_path)
    finding = json.loads(result.stdout)
    assert (finding["line"], finding["column"], finding["end_column"]) == (1, 4, 8)


def test_text_format(tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_text("A wrod.\n")
    result = run("check", "n.txt", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("n.txt:1:3: spelling.")
    assert "suggestions: word" in result.stdout


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(
        'def add(left, right):\n    """Add two numbers."""\n    return left + right\n'
    )
    result = run("check", "ok.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_directories_respect_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored/\n*.log.md\n")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "x.md").write_text("wrod\n")
    (tmp_path / "skip.log.md").write_text("wrod\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "y.md").write_text("wrod\n")
    (tmp_path / "src" / "data.bin").write_bytes(b"\x00\x01wrod")
    result = run("check", "--format", "json", ".", cwd=tmp_path)
    paths = {json.loads(line)["path"] for line in result.stdout.splitlines()}
    assert paths == {"src/y.md"}  # relative to the path given, as the user typed it


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    result = run("check", "nope.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope.md" in result.stderr


def test_usage_errors(tmp_path: Path) -> None:
    assert run("check", cwd=tmp_path).returncode == 2
    assert run("check", "--format", "xml", "x", cwd=tmp_path).returncode == 2
    bad = run("check", "--ignore-pattern", "(", "x", cwd=tmp_path)
    assert bad.returncode == 2 and "ignore-pattern" in bad.stderr
    assert run("check", "--select", "style", "x", cwd=tmp_path).returncode == 2


def test_undecodable_named_file_is_skipped_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 wrod\n".encode("latin-1"))
    result = run("check", "latin1.txt", cwd=tmp_path)
    assert result.returncode == 0
    assert "latin1.txt: skipped: it is not valid UTF-8" in result.stderr


def test_stdin(tmp_path: Path) -> None:
    result = run("check", "--format", "json", "-", cwd=tmp_path, stdin="Teh end.\n")
    assert json.loads(result.stdout)["text"] == "Teh"


def test_fix_stdout_keeps_lines(tmp_path: Path) -> None:
    """Line ends (LF, CRLF, blank lines) survive the fix; spelling and grammar both run (the
    grammar model leaves these sentences alone)."""
    text = "Teh wrod is misspeled.\n\nThe second line stays.\r\nAnothr one.\n"
    (tmp_path / "f.txt").write_bytes(text.encode())
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "server", "fix", "--stdout", "f.txt"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert result.stdout == b"The word is misspelled.\n\nThe second line stays.\r\nAnother one.\n"


def test_identifier_found_once_with_its_other_places(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text("recieveBuffer = []\nrecieveBuffer.append(1)\n")
    (finding,) = [
        json.loads(x)
        for x in run("check", "--format", "json", "r.py", cwd=tmp_path).stdout.splitlines()
    ]
    assert (finding["line"], finding["column"]) == (1, 1)
    assert finding["related"] == [{"line": 2, "column": 1, "end_line": 2, "end_column": 8}]
    assert "1 more in this file" in finding["message"]
    assert run("fix", "--write", "r.py", cwd=tmp_path).returncode == 0
    assert (tmp_path / "r.py").read_text() == "receiveBuffer = []\nreceiveBuffer.append(1)\n"


def test_fix_write_in_place(tmp_path: Path) -> None:
    path = tmp_path / "w.py"
    path.write_text("# Teh comment\nvalue = 1\n")
    result = run("fix", "--write", "w.py", cwd=tmp_path)
    assert result.returncode == 0
    assert path.read_text() == "# The comment\nvalue = 1\n"


def test_workspace_and_cli_words(tmp_path: Path) -> None:
    (tmp_path / ".quill").mkdir()
    (tmp_path / ".quill" / "dictionary.txt").write_text("# words\nfrobnicator\n")
    (tmp_path / "d.txt").write_text("The frobnicator and the zorblax.\n")
    assert run("check", "d.txt", "-w", "zorblax", cwd=tmp_path).returncode == 0
    result = run("check", "--format", "json", "d.txt", cwd=tmp_path)
    assert [json.loads(x)["text"] for x in result.stdout.splitlines()] == ["zorblax"]


def test_project_vocabulary_across_files(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.md").write_text(f"# {name}\n\nRun zorbulate on the {name} data.\n")
    (tmp_path / "d.md").write_text("Then grumblify it.\n")
    result = run("check", "--format", "json", ".", cwd=tmp_path)
    flagged = {json.loads(x)["text"] for x in result.stdout.splitlines()}
    assert "zorbulate" not in flagged  # used in three files: the project's vocabulary
    assert "grumblify" in flagged  # one file only: still flagged


def test_dialect(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("The colour is nice.\n")
    us = run("check", "--format", "json", "c.txt", cwd=tmp_path)
    assert json.loads(us.stdout)["suggestions"] == ["color"]
    assert run("check", "--dialect", "en-GB", "c.txt", cwd=tmp_path).returncode == 0


def test_no_suggestions_lists_faster_with_known_fixes_only(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("Teh borwn fox.\n")
    result = run("check", "--format", "json", "--no-suggestions", "s.txt", cwd=tmp_path)
    findings = {
        json.loads(x)["text"]: json.loads(x)["suggestions"] for x in result.stdout.splitlines()
    }
    assert findings == {"Teh": ["The"], "borwn": []}


def test_grammar_findings_read_as_one_edit_each(tmp_path: Path) -> None:
    """The shipped grammar model's message names the edit; the text output adds no empty or
    anchor-repeating suggestion list ("(suggestions: )", "(suggestions: is an)"), while JSON
    keeps the suggestions for tools."""
    (tmp_path / "g.txt").write_text(
        "He is honest man.\nWe went home, and, slept.\nWe recieve mail.\n",
        encoding="utf-8",
    )
    result = run("check", "--select", "spelling,grammar", "g.txt", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert "g.txt:1:4: grammar.article: Missing article: insert “an”." in lines, lines
    assert any(line.endswith("Punctuation: remove “,”.") for line in lines), lines
    assert not any("(suggestions: )" in line or "(suggestions: is an" in line for line in lines), (
        lines
    )
    assert any("'recieve'" in line and "(suggestions: receive" in line for line in lines), lines
    found = [
        json.loads(x)
        for x in run(
            "check", "--select", "grammar", "--format", "json", "g.txt", cwd=tmp_path
        ).stdout.splitlines()
    ]
    assert ["is an"] in [f["suggestions"] for f in found]


def test_a_dense_misspelling_list_is_checked_not_taken_for_a_foreign_language(
    tmp_path: Path,
) -> None:
    from tests.engine.test_langid import MISSPELLINGS

    # One misspelling a line and no blank line: one paragraph where every word is unknown.
    (tmp_path / "words.txt").write_text("\n".join(MISSPELLINGS) + "\n", encoding="utf-8")
    result = run("check", "--format", "json", "words.txt", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    flagged = [json.loads(line)["text"] for line in result.stdout.splitlines()]
    assert flagged == MISSPELLINGS
    # A French paragraph next to it is still left alone.
    (tmp_path / "fr.txt").write_text(
        "Nous sommes arrivés à la gare vers huit heures, mais le train était déjà parti. "
        "Il a fallu attendre le suivant pendant presque une heure dans le froid.\n",
        encoding="utf-8",
    )
    assert run("check", "fr.txt", cwd=tmp_path).returncode == 0
