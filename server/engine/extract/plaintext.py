"""Plain text, and the helpers every prose extractor shares.

Everything here works on code-point offsets into the document's text and never copies more of
it than a line or a URL, so that the extractors built on top stay linear and allocation-light:
they run on every keystroke (the checker caches regions, but extraction itself is not cached).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ..types import Region, RegionKind

#: A ``(start, end)`` document range inside a region that is not words.
Hole = tuple[int, int]

#: The only line breaks editors and the LSP know. ``str.splitlines`` also splits at ``\f``,
#: ``\x1c``..``\x1e``, ``\x85``, ``\u2028``/``\u2029``, which would make our idea of "a line"
#: disagree with the editor's (a blank-line test would then split a paragraph at a form feed).
_EOL = re.compile(r"\r\n?|\n")
_EOL_CHAR = re.compile(r"[\r\n]")
_PROSE = RegionKind.PROSE
#: A letter (``\w`` minus digits and ``_``): a region without one has nothing to check.
_LETTER = re.compile(r"[^\W\d_]")

#: ``(start, end, next)`` of one line: ``end`` excludes the line break, ``next`` is where the
#: following line starts (``len(text)`` for the last one).
Line = tuple[int, int, int]


def split_lines(text: str) -> list[Line]:
    """Every line of ``text`` as ``(start, end, next)``; CRLF, lone CR and LF all break lines.

    A final line break does not start an extra empty line (it would only ever be blank).
    """
    lines: list[Line] = []
    pos = 0
    if "\r" not in text:
        # The common case, twice as fast as the regex: only LF, so split() finds every line.
        for part in text.split("\n"):
            end = pos + len(part)
            lines.append((pos, end, end + 1))
            pos = end + 1
        last_start, last_end, _ = lines.pop()
        if last_start < last_end:
            lines.append((last_start, last_end, last_end))
        return lines
    for m in _EOL.finditer(text):
        lines.append((pos, m.start(), m.end()))
        pos = m.end()
    if pos < len(text):
        lines.append((pos, len(text), len(text)))
    return lines


def line_end(text: str, pos: int, end: int) -> int:
    """Where the line holding ``pos`` ends (before its line break), at most ``end``."""
    m = _EOL_CHAR.search(text, pos, end)
    return m.start() if m else end


def is_blank(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is only spaces and tabs (a blank line, for every format)."""
    return not text[start:end].strip(" \t")


def make_region(text: str, start: int, end: int, holes: Collection[Hole] = ()) -> Region | None:
    """A tight PROSE region for ``text[start:end]``, or ``None`` when it has nothing to check.

    Whitespace is trimmed from both ends; holes are sorted, clipped to the region and merged
    where they touch or overlap, so every extractor can hand over what it found without
    re-checking those invariants itself. A region whose text outside the holes holds no letter
    (a table's ``|---|`` row, a paragraph that is only a URL or only math) is dropped: there is
    nothing for the speller to look at, and an empty region would only cost a cache entry.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    if not holes:
        if _LETTER.search(text, start, end) is None:
            return None
        return Region(start, end, _PROSE)
    kept: list[Hole] = []
    for a, b in sorted(holes):
        if a < start:
            a = start
        if b > end:
            b = end
        if a >= b:
            continue
        if kept and a <= kept[-1][1]:
            if b > kept[-1][1]:
                kept[-1] = (kept[-1][0], b)
            continue
        kept.append((a, b))
    pos = start
    for a, b in kept:
        if _LETTER.search(text, pos, a):
            break
        pos = b
    else:
        if not _LETTER.search(text, pos, end):
            return None
    return Region(start, end, _PROSE, tuple(kept))


# --- URLs, e-mail addresses and @mentions ---------------------------------------------------

#: Characters that may appear in a URL scheme (``https``, ``git+ssh``).
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
#: The body of a URL: everything up to whitespace or a character that cannot be in one
#: unescaped and usually ends it in prose or markup (``<``, ``>``, a backtick).
_URL_BODY = re.compile(r"[^\s<>`]+")
#: The same, stopping at ``]`` too: inside Markdown link text the ``]`` closes the text.
_URL_BODY_NO_BRACKET = re.compile(r"[^\s<>`\]]+")
#: Punctuation that ends a sentence rather than a URL (GFM's extended autolink rule).
_URL_TRAILING = frozenset("?!.,:;*_~'\"")
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+_-")
_EMAIL_DOMAIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_MENTION = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9][\w.-]*)?")


def _trim_url(text: str, start: int, end: int) -> int:
    """End of the URL ``text[start:end]`` without the sentence punctuation that follows it."""
    while end > start:
        ch = text[end - 1]
        if ch in _URL_TRAILING or (
            ch == ")" and text.count("(", start, end) < text.count(")", start, end)
        ):
            end -= 1
        else:
            break
    return end


def url_at_scheme(text: str, colon: int, lo: int, end: int, brackets: bool = False) -> Hole | None:
    """The URL whose ``://`` starts at ``colon``, its scheme found backwards no further than ``lo``.

    ``brackets`` stops the URL at ``]`` (a bare URL used as Markdown link text).
    """
    start = colon
    limit = max(lo, colon - 32)
    while start > limit and text[start - 1] in _SCHEME_CHARS:
        start -= 1
    while start < colon and not text[start].isalpha():
        start += 1
    if start == colon:
        return None
    body = (_URL_BODY_NO_BRACKET if brackets else _URL_BODY).match(text, colon + 3, end)
    if body is None:
        return None
    stop = _trim_url(text, colon + 3, body.end())
    if stop <= colon + 3:
        return None
    return (start, stop)


def url_at_www(text: str, pos: int, lo: int, end: int, brackets: bool = False) -> Hole | None:
    """The ``www.`` URL starting at ``pos`` (GFM's extended autolink), if it is one."""
    if pos > lo and (text[pos - 1].isalnum() or text[pos - 1] in "./-_@:"):
        return None
    body = (_URL_BODY_NO_BRACKET if brackets else _URL_BODY).match(text, pos + 4, end)
    if body is None or not (text[pos + 4].isascii() and text[pos + 4].isalnum()):
        return None
    stop = _trim_url(text, pos + 4, body.end())
    return (pos, stop) if stop > pos + 4 else None


def email_or_mention(text: str, at: int, lo: int, end: int, mentions: bool) -> Hole | None:
    """The e-mail address around the ``@`` at ``at`` (local part no earlier than ``lo``), or,
    when ``mentions``, the GitHub-style ``@user``/``@org/team`` starting there."""
    start = at
    while start > lo and text[start - 1] in _EMAIL_LOCAL:
        start -= 1
    while start < at and text[start] in ".-":
        start += 1
    if start < at:
        dom = _EMAIL_DOMAIN.match(text, at + 1, end)
        if dom is not None:
            return (start, dom.end())
        return None
    if mentions and (at == lo or not (text[at - 1].isalnum() or text[at - 1] in "_@")):
        m = _MENTION.match(text, at, end)
        if m is not None:
            return (at, m.end())
    return None


_PLAIN_SPECIAL = re.compile(r"://|www\.|@|`")


def simple_holes(
    text: str, start: int, end: int, *, code_spans: bool = False, mentions: bool = False
) -> list[Hole]:
    """Holes for text without markup: URLs, e-mail addresses, and optionally backtick code
    spans (commit messages borrow Markdown's habit) and ``@mentions``."""
    holes: list[Hole] = []
    tick_fail: dict[int, int] = {}
    i = start
    search = _PLAIN_SPECIAL.search
    while True:
        m = search(text, i, end)
        if m is None:
            return holes
        p = m.start()
        ch = text[p]
        hole: Hole | None
        if ch == ":":
            hole = url_at_scheme(text, p, i, end)
        elif ch == "w":
            hole = url_at_www(text, p, i, end)
        elif ch == "@":
            hole = email_or_mention(text, p, i, end, mentions)
        else:
            hole = None
            if code_spans:
                run = p
                while run < end and text[run] == "`":
                    run += 1
                close = find_backtick_run(text, run, end, run - p, tick_fail)
                if close >= 0:
                    hole = (p, close + run - p)
                else:
                    i = run
                    continue
        if hole is None:
            i = p + 1
        else:
            holes.append(hole)
            i = hole[1]


def find_closing(text: str, token: str, start: int, end: int, fail: dict[str, int]) -> int:
    """``text.find(token, start, end)``, remembering failures in ``fail``.

    A closing delimiter that is missing from ``start`` on is missing from any later start too,
    so a document of unclosed ``<!--`` or ``\\(`` costs one scan per delimiter kind, not one
    per opener (which would be quadratic).
    """
    if start >= fail.get(token, end + 1):
        return -1
    q = text.find(token, start, end)
    if q < 0:
        fail[token] = start
    return q


def find_backtick_run(text: str, pos: int, end: int, n: int, fail: dict[int, int]) -> int:
    """Start of the next run of exactly ``n`` backticks in ``text[pos:end]``, or -1.

    ``fail`` remembers, per run length, the earliest position from which a search already came
    up empty: a later search from further on must fail too, so a paragraph full of unmatched
    backticks costs one scan per run length instead of one per backtick (quadratic).
    """
    if pos >= fail.get(n, end + 1):
        return -1
    start = pos
    while True:
        j = text.find("`", pos, end)
        if j < 0:
            fail[n] = start
            return -1
        k = j + 1
        while k < end and text[k] == "`":
            k += 1
        if k - j == n:
            return j
        pos = k


def plaintext_regions(text: str) -> list[Region]:
    """Paragraphs separated by blank lines; URLs and e-mail addresses are holes."""
    regions: list[Region] = []
    para_start = -1
    para_end = -1
    for ls, le, _ in split_lines(text):
        if is_blank(text, ls, le):
            if para_start >= 0:
                add_region(
                    regions,
                    make_region(
                        text, para_start, para_end, simple_holes(text, para_start, para_end)
                    ),
                )
                para_start = -1
            continue
        if para_start < 0:
            para_start = ls
        para_end = le
    if para_start >= 0:
        add_region(
            regions,
            make_region(text, para_start, para_end, simple_holes(text, para_start, para_end)),
        )
    return regions


def add_region(regions: list[Region], region: Region | None) -> None:
    """Append ``region`` unless :func:`make_region` found nothing to check."""
    if region is not None:
        regions.append(region)
