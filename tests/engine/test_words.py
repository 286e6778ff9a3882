"""Tokenising regions into words: what is skipped, how identifiers split, offsets."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from server.engine.types import Region, RegionKind
from server.engine.words import _split_unicode, split_identifier, tokenize


def words(text: str, kind: RegionKind = RegionKind.PROSE) -> list[str]:
    return [t.text for t in tokenize(text, Region(0, len(text), kind))]


def test_plain_prose_words_and_contractions() -> None:
    assert words("Don't panic, it's John's book.") == ["Don't", "panic", "it", "John", "book"]


def test_urls_emails_paths_and_hashes_are_skipped() -> None:
    text = (
        "See https://exmple.com/some_pth?q=zzz and www.fooo.org, mail bob.smth@exmple.org, "
        "open /usr/lib/libfoo.so or ~/.config/quil/x.txt or C:\\Windos\\fle, "
        "commit 3f9a2bc7d1 uuid 123e4567-e89b-12d3-a456-426614174000 color #ff00aa "
        "key QWxhZGRpbjpvcGVuIHNlc2FtZQ2x9Z== size 10px 5ms 64bit v1.2.3 x86_64 &nbsp;"
    )
    assert words(text) == [
        "See",
        "and",
        "mail",
        "open",
        "or",
        "or",
        "commit",
        "uuid",
        "color",
        "key",
        "size",
        "x",
    ]


def test_hyphenated_and_code_like_tokens_split_in_prose() -> None:
    assert words("a well-known getHTTPResponse and snake_case_name") == [
        "a",
        "well",
        "known",
        "get",
        "HTTP",
        "Response",
        "and",
        "snake",
        "case",
        "name",
    ]


def test_string_escapes_and_format_specifiers_are_masked() -> None:
    text = r"Hello %s World %(name)s %-5.2f {0} {name!r} ${HOME} $USER \x41 \u00e9 \t"
    assert words(text, RegionKind.STRING) == ["Hello", "World"]


def test_percent_macros_are_not_split_into_words() -> None:
    # "%define" is a macro (RPM, SQL), not "%d" followed by the word "efine".
    assert words("%define name %setup -n xy", RegionKind.STRING) == ["name", "n", "xy"]


def test_backslash_words_in_raw_strings_are_not_words() -> None:
    # Escapes the extractor could not split off (raw strings, regexes, Windows paths).
    text = r"Software\Microsoft\Windows and \d+\sfoo then Text"
    assert words(text, RegionKind.STRING) == ["Software", "and", "then", "Text"]


def test_escapes_are_not_masked_in_prose() -> None:
    # In prose a backslash is just a character; "World" stays a word either way.
    assert "World" in words("Hello\\nWorld")


def test_identifier_region_is_split_with_offsets() -> None:
    text = "x = parseHTTPResponse_code2(y)"
    region = Region(4, 27, RegionKind.IDENTIFIER)
    tokens = tokenize(text, region)
    assert [(t.text, t.start, t.end) for t in tokens] == [
        ("parse", 4, 9),
        ("HTTP", 9, 13),
        ("Response", 13, 21),
        ("code", 22, 26),
    ]
    assert all(t.whole == "parseHTTPResponse_code2" for t in tokens)


def test_holes_are_not_words() -> None:
    text = "Use the `frobnicte` function"
    region = Region(0, len(text), RegionKind.PROSE, holes=((8, 19),))
    assert words_of(text, region) == ["Use", "the", "function"]


def words_of(text: str, region: Region) -> list[str]:
    return [t.text for t in tokenize(text, region)]


def test_offsets_with_emoji_and_crlf() -> None:
    text = "😋 café\r\nrecieve 😋word"
    tokens = tokenize(text, Region(0, len(text), RegionKind.PROSE))
    for t in tokens:
        assert text[t.start : t.end] == t.text
    assert [t.text for t in tokens] == ["café", "recieve", "word"]


def test_ignore_patterns_mask_text() -> None:
    import re

    text = "Ticket JIRA-1234 and TODO(bob) here"
    tokens = tokenize(text, Region(0, len(text), RegionKind.PROSE), [re.compile(r"TODO\(\w+\)")])
    assert [t.text for t in tokens] == ["Ticket", "JIRA", "and", "here"]


def test_split_identifier_cases() -> None:
    cases = {
        "HTTPServer": ["HTTP", "Server"],
        "getHTTPResponseCode": ["get", "HTTP", "Response", "Code"],
        "IOError": ["IO", "Error"],
        "parseJSON2XML": ["parse", "JSON", "XML"],
        "URLs": ["URLs"],
        "userIDsByName": ["user", "IDs", "By", "Name"],
        "MAX_RECIEVE_SIZE": ["MAX", "RECIEVE", "SIZE"],
        "kebab-case-name": ["kebab", "case", "name"],
        "__init__": ["init"],
        "straßeName": ["straße", "Name"],
    }
    for word, parts in cases.items():
        assert [p for _, p in split_identifier(word)] == parts, word


identifier_chars = st.text(
    alphabet=string.ascii_letters + string.digits + "_-$", min_size=0, max_size=30
)


@given(identifier_chars)
def test_unicode_splitter_agrees_with_ascii_regex(word: str) -> None:
    assert _split_unicode(word) == split_identifier(word)


@given(st.text(min_size=0, max_size=40))
def test_parts_are_letters_at_their_offsets(word: str) -> None:
    for offset, part in split_identifier(word):
        assert word[offset : offset + len(part)] == part
        assert part.isalpha()


@given(st.text(max_size=200), st.sampled_from(list(RegionKind)))
def test_tokens_always_match_their_offsets(text: str, kind: RegionKind) -> None:
    for t in tokenize(text, Region(0, len(text), kind)):
        assert text[t.start : t.end] == t.text
        assert 0 <= t.start < t.end <= len(text)
