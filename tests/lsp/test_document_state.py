"""``quill.documentState``: the digest a client compares with its own copy of a document."""

from __future__ import annotations

import hashlib

from lsprotocol import types

from server.lsp.commands import document_state
from server.lsp.documents import UTF8, UTF16, Document


def test_digest_of_the_text_after_incremental_changes() -> None:
    doc = Document("file:///a.md", "markdown", 1, "😀 wrod\r\nline\rlast")
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(0, 3), types.Position(0, 7)), text="word"
        )
    )
    doc.version = 2
    text = "😀 word\r\nline\rlast"
    assert doc.text == text
    assert document_state(doc, UTF16) == {
        "uri": "file:///a.md",
        "version": 2,
        "languageId": "markdown",
        "lineCount": 3,
        "end": {"line": 2, "character": 4},
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def test_end_position_in_the_negotiated_units() -> None:
    doc = Document("file:///b.txt", "plaintext", 7, "x\n😀𝔘é")
    utf16, utf8 = document_state(doc, UTF16), document_state(doc, UTF8)
    assert utf16 is not None and utf8 is not None
    assert utf16["end"] == {"line": 1, "character": 5}
    assert utf8["end"] == {"line": 1, "character": 10}


def test_a_document_that_is_not_open_has_no_state() -> None:
    assert document_state(None, UTF16) is None
