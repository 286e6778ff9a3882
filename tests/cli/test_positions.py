"""Lines and columns for people: ``quill check`` prints them, ``quill complete`` reads them,
and both break lines where the LSP does (``\\r\\n``, ``\\r``, ``\\n``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from server.cli import complete, quill_main
from server.cli.positions import line_column, line_starts, offset_of
from server.engine.completion import Generation
from server.runtime import code_model
from server.runtime.code_model import CodeModel

#: Old Mac OS line ends: lone carriage returns.
LONE_CR = "x = 1\r# a wrod here\rprint(x)\r"


def test_line_column_and_offset_of_are_inverses_on_every_kind_of_break() -> None:
    text = "ab\r\ncd\ref\ngh"
    starts = line_starts(text)
    assert starts == [0, 4, 7, 10]
    for offset in range(len(text) + 1):
        if text[offset - 1 : offset + 1] == "\r\n":
            continue  # between \r and \n: not a place a person can name
        line, column = line_column(offset, starts)
        assert offset_of(text, line, column) == offset
    assert offset_of(text, 2, 99) == 6  # past the end of the line: before its lone \r


def test_check_and_complete_agree_on_a_file_with_lone_carriage_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The line and column ``quill check`` prints for a finding are where ``quill complete``
    puts its cursor when given them (``complete`` once split lines on ``\\n`` only, so a file
    with lone ``\\r`` breaks was one long line to it)."""
    src = tmp_path / "a.py"
    src.write_bytes(LONE_CR.encode())
    check = ["check", str(src), "--format", "json", "--select", "spelling"]
    assert quill_main([*check, "--no-user-dictionary"]) == 1
    (finding,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert finding["text"] == "wrod" and (finding["line"], finding["column"]) == (2, 5)

    cursors: list[int] = []

    def complete_text(generator: Any, text: str, offset: int, **kwargs: Any) -> Any:
        cursors.append(offset)
        return "", Generation("", "stop")

    monkeypatch.setattr(complete, "complete_text", complete_text)
    model = CodeModel(object(), "fake", Path("fake"))  # type: ignore[arg-type]
    monkeypatch.setattr(code_model, "load_code_model", lambda *args: model)
    where = ["--line", str(finding["line"]), "--column", str(finding["column"])]
    assert quill_main(["complete", str(src), *where]) == complete.EXIT_NONE
    assert cursors == [LONE_CR.index("wrod")]
