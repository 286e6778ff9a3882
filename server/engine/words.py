"""From a region of text to the words worth spell-checking.

Two jobs, both about precision (few false positives):

* mask what is not a word: URLs, e-mail addresses, paths, hex numbers and hashes, UUIDs,
  base64, numbers with units, HTML entities, and in string literals escapes and format
  specifiers (``%s``, ``{name}``, ``%(key)s``), plus the user's ``ignorePatterns``;
* split identifiers and code-like tokens into words: ``HTTPServer`` -> ``HTTP`` + ``Server``,
  ``parse_json2xml`` -> ``parse`` + ``json`` + ``xml``, ``URLs`` -> ``URLs`` (one word), so a
  misspelt part is flagged alone, with its own offsets.

Everything here works on code-point offsets of the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .types import Region, RegionKind, Token

# --- things that are not words --------------------------------------------------------------


def _alternatives(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Each group runs only on text holding the character it needs (most paragraphs hold no URL,
# path or e-mail address, so most regions skip most patterns).
_SKIP_GROUPS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (  # URLs with a scheme, and www. hosts
        re.compile(r"://|www\."),
        _alternatives(
            r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s<>\"'`)\]}]*",
            r"\bwww\.[^\s<>\"'`)\]}]+",
        ),
    ),
    (  # e-mail addresses
        re.compile("@"),
        _alternatives(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    ),
    (  # runs that contain digits: UUIDs, hex numbers and hashes, base64, numbers with units
        re.compile(r"\d"),
        _alternatives(
            r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b",
            r"\b0[xX][0-9A-Fa-f_]+\b",
            r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b",
            r"\b(?=[0-9A-F]*[0-9])(?=[0-9A-F]*[A-F])[0-9A-F]{7,}\b",
            r"(?<![\w/+])(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])"
            r"[A-Za-z0-9+/]{20,}={0,2}",
            # 10px, 5ms, 2GB, 3rd, x86_64, 1e-5, v1.2.3
            r"\b\d[\d_.,]*(?:[eE][+-]?\d+)?[A-Za-z]{0,4}\b",
            r"\b[vV]\d+(?:\.\d+)+\w*",
        ),
    ),
    (  # colours
        re.compile("#"),
        _alternatives(r"#[0-9A-Fa-f]{3,8}\b"),
    ),
    (  # paths: absolute, home-relative, dot-relative, Windows drive, and a/b/c.ext
        re.compile(r"[/\\]"),
        _alternatives(
            r"(?<![\w.])(?:~|\.{1,2})?/(?:[\w.@+-]+/)*[\w.@+-]+/?",
            r"\b[A-Za-z]:\\[^\s\"'`]*",
            r"\b[\w.-]+(?:/[\w.-]+)+\.[A-Za-z0-9]{1,5}\b",
        ),
    ),
    (  # HTML / XML entities
        re.compile("&"),
        _alternatives(r"&#?\w+;"),
    ),
)

# In string literals: escapes and format specifiers (printf, str.format, f-string leftovers,
# shell/JS interpolation leftovers).
_STRING_SKIP = re.compile(
    # A backslash and the letters after it: escapes the extractor could not split off (raw
    # strings, regexes, Windows paths): "\nWorld" or "\Microsoft" are not words.
    r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}]*\}|[0-7]{1,3}|[A-Za-z]+|.)"
    r"|%(?:\([^)]*\))?[-#0 +']*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|q|j|z|t)?"
    r"[diouxXeEfFgGcrsaAnpb%]\w*"  # ...and a word glued to it: RPM's %define, %files
    r"|\{[^{}\s]*\}"
    r"|\$\{[^}]*\}|\$\w+"
)

# --- word candidates --------------------------------------------------------------------------

# A raw token: letters first, then letters, digits, underscores and inner apostrophes/hyphens.
_RAW_TOKEN = re.compile(r"[^\W\d_][\w]*(?:['’\-.]\w+)*", re.UNICODE)

# Parts of an identifier. Order matters: plural acronyms (URLs, IDs) before acronym runs.
_ID_PART = re.compile(
    r"[A-Z]{2,}s(?![a-z])"  # URLs, IDs, APIs
    r"|[A-Z]+(?=[A-Z][a-z])"  # HTTP in HTTPServer
    r"|[A-Z]?[a-z]+"  # Server, get
    r"|[A-Z]+"  # XML, IO
    r"|[^\W\d_]+"  # other letters (accented words)
)
_ASCII_LETTERS = re.compile(r"[A-Za-z]")


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with every ``[start, end)`` span replaced by spaces (offsets are kept)."""
    chars: list[str] | None = None
    for start, end in spans:
        if end <= start:
            continue
        if chars is None:
            chars = list(text)
        chars[start:end] = " " * (end - start)
    return text if chars is None else "".join(chars)


def _spans(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    for m in pattern.finditer(text):
        yield m.start(), m.end()


def masked_region_text(
    text: str, region: Region, ignore_patterns: Iterable[re.Pattern[str]] = ()
) -> str:
    """The region's text with holes, non-words and ignored patterns blanked out."""
    body = text[region.start : region.end]
    if region.holes:
        body = mask(body, ((s - region.start, e - region.start) for s, e in region.holes))
    return mask_non_words(body, region.kind, ignore_patterns)


def mask_non_words(
    body: str, kind: RegionKind, ignore_patterns: Iterable[re.Pattern[str]] = ()
) -> str:
    """Blank out URLs, paths, hashes... (and escapes in strings) of an extracted region."""
    if kind is RegionKind.IDENTIFIER:
        return body
    if kind is RegionKind.STRING:
        body = mask(body, list(_spans(_STRING_SKIP, body)))
    spans: list[tuple[int, int]] = []
    for trigger, pattern in _SKIP_GROUPS:
        if trigger.search(body):
            spans.extend(_spans(pattern, body))
    for pattern in ignore_patterns:
        spans.extend(_spans(pattern, body))
    return mask(body, spans)


def split_identifier(word: str) -> list[tuple[int, str]]:
    """Split an identifier into words with their offsets inside ``word``.

    >>> split_identifier("getHTTPResponse_code2")
    [(0, 'get'), (3, 'HTTP'), (7, 'Response'), (16, 'code')]
    """
    if word.isascii():
        return [(m.start(), m.group()) for m in _ID_PART.finditer(word)]
    return _split_unicode(word)


def _split_unicode(word: str) -> list[tuple[int, str]]:
    """The same rules as ``_ID_PART`` with Unicode case classes (``straßeName``)."""
    parts: list[tuple[int, str]] = []
    i, n = 0, len(word)
    while i < n:
        if not word[i].isalpha():
            i += 1
            continue
        start = i
        if word[i].isupper():
            j = i
            while j < n and word[j].isupper():
                j += 1
            if (
                j - i >= 2
                and j < n
                and word[j] == "s"
                and (j + 1 == n or not word[j + 1].islower())
            ):
                i = j + 1  # URLs
            elif j - i >= 2 and j < n and word[j].islower():
                i = j - 1  # HTTP in HTTPServer
            elif j - i >= 2 or j == n or not word[j].islower():
                i = j
            else:
                i = j
                while i < n and word[i].islower():
                    i += 1
        else:
            while i < n and word[i].isalpha() and not word[i].isupper():
                i += 1
        parts.append((start, word[start:i]))
    return parts


def _is_plain_word(raw: str) -> bool:
    """True for a token that is an ordinary word (no inner capitals, digits or joiners)."""
    if not raw.isalpha():
        return False
    if raw.islower() or raw.isupper():
        return True
    return raw[0].isupper() and raw[1:].islower()


def tokenize(
    text: str,
    region: Region,
    ignore_patterns: Iterable[re.Pattern[str]] = (),
) -> list[Token]:
    """The words of ``region`` in ``text``, each with document offsets.

    Prose-like regions keep contractions whole (``don't``), drop possessive ``'s`` and split
    hyphenated and code-like tokens into parts; identifier regions are split into parts, each
    carrying the whole identifier in ``Token.whole``.
    """
    body = masked_region_text(text, region, ignore_patterns)
    base = region.start
    kind = region.kind
    tokens: list[Token] = []
    if kind is RegionKind.IDENTIFIER:
        _split_into(tokens, body, 0, base, kind)
        return tokens
    for m in _RAW_TOKEN.finditer(body):
        raw = m.group()
        start = m.start()
        if _is_plain_word(raw):
            tokens.append(Token(base + start, base + m.end(), raw, kind, raw))
            continue
        # Possessives and contractions: keep "don't" whole, drop "'s".
        if "'" in raw or "’" in raw:
            word = raw.replace("’", "'")
            if word.lower().endswith("'s") and word[:-2].replace("'", "").isalpha():
                raw = raw[:-2]
                if _is_plain_word(raw):
                    tokens.append(Token(base + start, base + start + len(raw), raw, kind, raw))
                    continue
            elif word.replace("'", "").isalpha() and word.count("'") == 1:
                tokens.append(Token(base + start, base + m.end(), raw, kind, raw))
                continue
        # Everything else (hyphenated, dotted, camelCase, snake_case, with digits): split.
        for piece in re.finditer(r"[^'’\-.]+", raw):
            _split_into(tokens, piece.group(), start + piece.start(), base, kind)
    return tokens


def _split_into(tokens: list[Token], word: str, offset: int, base: int, kind: RegionKind) -> None:
    parts = split_identifier(word)
    if len(parts) == 1 and parts[0][1] == word:
        tokens.append(Token(base + offset, base + offset + len(word), word, kind, word))
        return
    for rel, part in parts:
        start = base + offset + rel
        tokens.append(Token(start, start + len(part), part, kind, word))


def has_letters(text: str) -> bool:
    return _ASCII_LETTERS.search(text) is not None
