"""``quill complete PATH --line L --column C``: the suggestion on stdout, reasons on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import quill_main
from server.cli.positions import offset_of
from server.engine.completion import complete_text
from server.runtime import code_model
from server.runtime.onnx_lm import OnnxLM
from tests.e2e.test_workspace_completion import SHAPES

TEXT = "for i in range(10):\n    \n"


def test_offset_of_is_one_based_and_clamped() -> None:
    text = "ab\r\ncd\n"
    assert offset_of(text, 1, 1) == 0 and offset_of(text, 2, 2) == 5
    assert offset_of(text, 1, 99) == 2  # past the end of the line: before its \r\n
    assert offset_of(text, 99, 1) == len(text)


def test_prints_what_the_engine_suggests(
    tiny_code_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "a.py"
    src.write_text(TEXT)
    lm = OnnxLM.load(tiny_code_model, device="cpu", threads=1)
    expected, _ = complete_text(lm, TEXT, TEXT.index("\n") + 5, max_new_tokens=8)
    argv = ["complete", str(src), "--line", "2", "--column", "5", "--max-tokens", "8"]
    code = quill_main([*argv, "--model", str(tiny_code_model), "--device", "cpu"])
    out, err = capsys.readouterr()
    if expected:
        assert code == 0 and out == expected + "\n"
    else:
        assert code == 1 and out == "" and "no suggestion" in err


def test_a_missing_model_or_file_is_an_error(
    tmp_path: Path, tiny_code_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "a.py"
    src.write_text(TEXT)
    args = ["complete", str(src), "--line", "1", "--column", "1"]
    assert quill_main([*args, "--model", str(tmp_path / "none")]) == 2
    assert "code completion is off" in capsys.readouterr().err
    assert quill_main(["complete", str(tmp_path / "no.py"), "--line", "1", "--column", "1"]) == 2
    md = tmp_path / "a.md"
    md.write_text("prose\n")
    assert (
        quill_main(
            ["complete", str(md), "--line", "1", "--column", "3", "--model", str(tiny_code_model)]
        )
        == 1
    )
    assert "no completion for markdown" in capsys.readouterr().err


def test_the_workspace_supplies_the_line_without_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in an editor: another file of the file's repository supplies the line, ranked and
    shown because the ranker is sure of it; no code model is needed."""
    monkeypatch.setattr(code_model, "DEFAULT_MODEL", tmp_path / "no-model-installed")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "lib").mkdir()
    (repo / "lib" / "shapes.py").write_text(SHAPES)
    (repo / "notes.md").write_text("class Box:\n    def __init__(self, x, y):\n        prose\n")
    src = repo / "app" / "box.py"
    src.parent.mkdir()
    src.write_text("class Box:\n    def __init__(self, x, y):\n        \n")
    argv = ["complete", str(src), "--line", "3", "--column", "9", "--verbose"]
    assert quill_main(argv) == 0
    out, err = capsys.readouterr()
    assert out == "super().__init__()\n"
    assert f"workspace {repo}: 2 files" in err  # the repository, not the file's folder
    # Mid-line: the rest of the line after what was typed.
    src.write_text("class Box:\n    def __init__(self, x, y):\n        super().\n")
    assert quill_main(["complete", str(src), "--line", "3", "--column", "17"]) == 0
    assert capsys.readouterr().out == "__init__()\n"
    # Only the file's own folder as the workspace: nothing there is sure, and no model writes.
    only = ["complete", str(src), "--line", "3", "--column", "9", "--workspace", str(src.parent)]
    src.write_text("class Box:\n    def __init__(self, x, y):\n        \n")
    assert quill_main(only) == 1
    out, err = capsys.readouterr()
    assert out == "" and "no code model is installed to write one" in err
