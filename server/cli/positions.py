"""Positions for people: 1-based lines and columns, in code points, as ``quill check`` prints
them and ``quill complete`` reads them.

Lines break where the LSP says they do (``\\r\\n``, ``\\r`` or ``\\n``), so a file with lone
``\\r`` breaks has the same line numbers in both commands and in the editor.
"""

from __future__ import annotations

import bisect
import re

LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts (the first is 0)."""
    return [0, *(m.end() for m in LINE_BREAK.finditer(text))]


def line_column(offset: int, starts: list[int]) -> tuple[int, int]:
    """The 1-based line and column of a code-point ``offset`` (``starts``: :func:`line_starts`)."""
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def offset_of(text: str, line: int, column: int) -> int:
    """Code-point offset of a 1-based line and column, clamped into the text (a cursor past
    the end of a line or of the file is at that end, before its line break)."""
    starts = line_starts(text)
    line = max(1, min(line, len(starts)))
    start = starts[line - 1]
    if line == len(starts):
        end = len(text)
    else:
        end = starts[line] - (2 if text[starts[line] - 2 : starts[line]] == "\r\n" else 1)
    return min(start + max(column - 1, 0), end)
