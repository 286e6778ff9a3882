"""Open documents as the client sees them, and the one place positions are converted.

pygls keeps documents too, but splits lines with ``str.splitlines``, which also breaks at
``\\f``, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028`` and ``\\u2029``. The LSP spec only
knows ``\\n``, ``\\r\\n`` and ``\\r``; a document holding any of the others would make
positions drift from the client's. So Quill keeps its own store with the spec's line rules, and
converts between code-point offsets (what the engine speaks) and client positions (UTF-16 code
units by default, or UTF-8 / UTF-32 when negotiated) here and nowhere else.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

#: A clock of edits across all documents: which open document was edited most recently.
_EDITS = itertools.count(1)


def _units(text: str, encoding: str) -> int:
    """Length of ``text`` in the client's code units."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF16:
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    return len(text.encode("utf-8", "surrogatepass"))


def _chars_for_units(line: str, units: int, encoding: str) -> int:
    """How many code points of ``line`` fit in ``units`` client units (clamped to the line).

    A position inside a surrogate pair or a multi-byte UTF-8 sequence lands before the
    character, which is what VS Code does.
    """
    if encoding == UTF32 or line.isascii():
        return max(0, min(units, len(line)))
    count = 0
    for index, ch in enumerate(line):
        width = 1
        if encoding == UTF16:
            width = 2 if ord(ch) > 0xFFFF else 1
        elif encoding == UTF8:
            width = len(ch.encode("utf-8", "surrogatepass"))
        if count + width > units:
            return index
        count += width
    return len(line)


@dataclass
class LineIndex:
    """Line starts of one text, by the LSP's line rules."""

    text: str
    starts: list[int] = field(default_factory=list)
    #: Where each line's content ends (before its line break).
    ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        starts = [0]
        ends = []
        for m in _LINE_BREAK.finditer(self.text):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(self.text))
        self.starts, self.ends = starts, ends

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line] : self.ends[line]]

    def offset_at(self, position: types.Position, encoding: str = UTF16) -> int:
        """Code-point offset of a client position; beyond a line's end or the last line it
        is clamped (as the spec asks), never an error."""
        line = position.line
        if line < 0:
            return 0
        if line >= self.line_count:
            return len(self.text)
        start = self.starts[line]
        chars = _chars_for_units(self.line_text(line), max(0, position.character), encoding)
        return start + chars

    def point_at(self, offset: int, encoding: str = UTF16) -> tuple[int, int]:
        """Client (line, character) of a code-point offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        # An offset between \r and \n belongs to the end of the line's content.
        column_end = min(offset, self.ends[line])
        return line, _units(self.text[start:column_end], encoding)

    def position_at(self, offset: int, encoding: str = UTF16) -> types.Position:
        """Client position of a code-point offset (clamped into the text)."""
        return types.Position(*self.point_at(offset, encoding))

    def range_at(self, start: int, end: int, encoding: str = UTF16) -> types.Range:
        return types.Range(self.position_at(start, encoding), self.position_at(end, encoding))

    def range_json(self, start: int, end: int, encoding: str = UTF16) -> dict[str, Any]:
        """:meth:`range_at` in its wire form (what diagnostics are sent as, see ``convert``)."""
        (sl, sc), (el, ec) = self.point_at(start, encoding), self.point_at(end, encoding)
        return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


class Document:
    """One open text document: its text, version and language, kept in sync with the client."""

    def __init__(self, uri: str, language_id: str, version: int, text: str):
        self.uri = uri
        self.language_id = language_id
        self.version = version
        self._text = text
        self._index: LineIndex | None = None
        #: When it was last opened or changed, on a clock shared by all documents.
        self.edited = next(_EDITS)
        #: (version, text) as one value: a worker thread reads both at once, never a new text
        #: with an old version while an edit is half applied (see :meth:`set_version`).
        self.snapshot: tuple[int, str] = (version, text)

    @property
    def text(self) -> str:
        return self._text

    @property
    def lines(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self._text)
        return self._index

    def apply_change(
        self, change: types.TextDocumentContentChangeEvent, encoding: str = UTF16
    ) -> None:
        """Apply one content change (incremental with a range, or the full text)."""
        if isinstance(change, types.TextDocumentContentChangePartial):
            index = self.lines
            start = index.offset_at(change.range.start, encoding)
            end = index.offset_at(change.range.end, encoding)
            if end < start:
                start, end = end, start
            self._text = self._text[:start] + change.text + self._text[end:]
        else:
            self._text = change.text
        self._index = None
        self.edited = next(_EDITS)

    def set_version(self, version: int) -> None:
        """The client's version after its changes are applied: publishes the snapshot."""
        self.version = version
        self.snapshot = (version, self._text)

    def offset_at(self, position: types.Position, encoding: str = UTF16) -> int:
        return self.lines.offset_at(position, encoding)

    def range_at(self, start: int, end: int, encoding: str = UTF16) -> types.Range:
        return self.lines.range_at(start, end, encoding)


class DocumentStore:
    """The open documents by URI."""

    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}

    def open(self, item: types.TextDocumentItem) -> Document:
        doc = Document(item.uri, item.language_id, item.version, item.text)
        self._docs[item.uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def close(self, uri: str) -> Document | None:
        return self._docs.pop(uri, None)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._docs.values()))

    def __len__(self) -> int:
        return len(self._docs)
