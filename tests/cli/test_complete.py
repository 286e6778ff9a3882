"""``quill complete PATH --line L --column C``: the suggestion on stdout, reasons on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import quill_main
from server.cli.positions import offset_of
from server.engine.completion import complete_text
from server.runtime.onnx_lm import OnnxLM

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
