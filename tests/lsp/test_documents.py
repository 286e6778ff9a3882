"""Position conversion and incremental sync, by the LSP's rules (UTF-16, \\n \\r\\n \\r only)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from server.lsp.documents import UTF8, UTF16, UTF32, Document, LineIndex


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def test_utf16_positions_count_surrogate_pairs() -> None:
    text = "a😋b\r\nc😋d"
    index = LineIndex(text)
    # 'b' is code point 2, UTF-16 column 3 (the emoji takes two units)
    assert index.position_at(2, UTF16) == pos(0, 3)
    assert index.position_at(2, UTF32) == pos(0, 2)
    assert index.position_at(2, UTF8) == pos(0, 5)
    # 'd' on the second line: after \r\n
    d = text.index("d")
    assert index.position_at(d, UTF16) == pos(1, 3)
    assert index.offset_at(pos(1, 3), UTF16) == d


def test_only_lsp_line_breaks_count() -> None:
    text = "one\u2028two\x0cthree\rfour\nfive\r\nsix"
    index = LineIndex(text)
    assert index.line_count == 4
    assert index.line_text(0) == "one\u2028two\x0cthree"
    assert index.position_at(text.index("six")) == pos(3, 0)


def test_positions_past_the_end_are_clamped() -> None:
    text = "ab\ncd"
    index = LineIndex(text)
    assert index.offset_at(pos(0, 99)) == 2
    assert index.offset_at(pos(9, 0)) == len(text)
    assert index.position_at(99) == pos(1, 2)


def test_position_inside_crlf_maps_to_line_end() -> None:
    index = LineIndex("ab\r\ncd")
    assert index.position_at(3) == pos(0, 2)


def change(sl: int, sc: int, el: int, ec: int, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(pos(sl, sc), pos(el, ec)), text=text
    )


def test_incremental_changes_with_emoji_and_crlf() -> None:
    doc = Document("file:///x.md", "markdown", 1, "😋 helo\r\nworld")
    doc.apply_change(change(0, 5, 0, 5, "l"))  # after "😋 he" (2 + 1 + 2 units)
    assert doc.text == "😋 hello\r\nworld"
    doc.apply_change(change(0, 8, 1, 0, " "))  # join the lines
    assert doc.text == "😋 hello world"
    doc.apply_change(types.TextDocumentContentChangeWholeDocument(text="new"))
    assert doc.text == "new"


texts = st.text(alphabet=st.sampled_from(list("ab \n\r😋é\u2028\t")), max_size=40)


@given(texts, st.sampled_from([UTF8, UTF16, UTF32]))
def test_offset_position_round_trip(text: str, encoding: str) -> None:
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        if offset > 0 and text[offset - 1] == "\r" and offset < len(text) and text[offset] == "\n":
            continue  # between \r and \n is not a position a client can name
        position = index.position_at(offset, encoding)
        assert index.offset_at(position, encoding) == offset


def _client_apply(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


@given(texts, st.data())
def test_incremental_edit_matches_client(text: str, data: st.DataObject) -> None:
    """The server's text after an edit equals what the client has (UTF-16 ranges)."""
    doc = Document("file:///t", "plaintext", 1, text)
    index = LineIndex(text)
    valid = [
        o
        for o in range(len(text) + 1)
        if not (0 < o < len(text) and text[o - 1] == "\r" and text[o] == "\n")
    ]
    a = data.draw(st.sampled_from(valid))
    b = data.draw(st.sampled_from([o for o in valid if o >= a]))
    new = data.draw(texts)
    rng = index.range_at(a, b, UTF16)
    doc.apply_change(types.TextDocumentContentChangePartial(range=rng, text=new))
    assert doc.text == _client_apply(text, a, b, new)
