"""reStructuredText: one region per paragraph, section title, list item, field body, footnote,
table row and prose directive paragraph; code, directives, comments and targets are left out.

reST is indentation-structured, so this is a line loop with a handful of states: "skip every
line indented deeper than N" covers literal blocks, comments, targets, substitution definitions
and non-prose directives (nested content included, whatever it is), and prose directives
(``note``, ``warning``, ``versionadded``...) simply let their indented body be parsed like the
rest of the document. Paragraphs end at blank lines and indentation changes, as in docutils.
"""

from __future__ import annotations

import re

from ..types import Region
from .plaintext import (
    Hole,
    add_region,
    email_or_mention,
    make_region,
    split_lines,
    url_at_scheme,
    url_at_www,
)

#: Indentation deeper than any real line: "any deeper indentation continues this paragraph".
_DEEP = 1 << 30


def _names(spec: str) -> frozenset[str]:
    """A set of names written as one whitespace-separated string (long lists stay readable)."""
    return frozenset(spec.split())


#: Directives whose argument (a title, or the first line of the body) and body are prose.
_PROSE_DIRECTIVES = _names(
    """attention caution danger error hint important note tip warning admonition seealso todo
    topic sidebar rubric epigraph highlights pull-quote compound deprecated versionadded
    versionchanged versionremoved table list-table glossary centered hlist tab tab-item card
    dropdown grid-item-card group-tab"""
)
#: Directives whose argument is not prose (a path, a signature, an expression) but whose body
#: is: figure captions, Sphinx object descriptions, ``only``/``container`` content. Any
#: domain-qualified directive (``py:function``) counts too.
_BODY_DIRECTIVES = _names(
    """figure only container class function method attribute property data exception
    decorator describe object envvar option cmdoption program confval module grid grid-item
    tab-set tabs"""
)

_DIRECTIVE = re.compile(r"\.\.[ \t]+([A-Za-z0-9](?:[\w.+:-]*?[\w])?)[ \t]*::(?=[ \t]|$)")
_EXPLICIT = re.compile(r"\.\.(?=[ \t]|$)")
_TARGET = re.compile(r"\.\.[ \t]+(?:_|\|)")
_FOOTNOTE = re.compile(r"\.\.[ \t]+\[(?:[0-9]+|#[\w.-]*|\*|[A-Za-z][\w.-]*)\](?=[ \t]|$)")
_ANON_TARGET = re.compile(r"__(?=[ \t]|$)")
_DOCTEST = re.compile(r">>>(?=[ \t]|$)")
_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1+[ \t]*$")
_TABLE_BORDER = re.compile(r"(?:=+(?:[ \t]+=+)+|\+[-=+:]*\+?|-+(?:[ \t]+-+)+)[ \t]*$")
_BULLET = re.compile(r"[-*+\u2022\u2023\u2043](?:[ \t]+|$)")
#: Roman numerals, all lower or all upper case: "vivid." must not be taken for item "vivid".
_ROMAN = (
    r"(?=[ivxlcdm])m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
    r"|(?=[IVXLCDM])M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
)
_ENUMERATOR = r"(?:[0-9]+|#|[A-Za-z]|" + _ROMAN + r")"
_ENUMERATED = re.compile(r"(?:" + _ENUMERATOR + r"[.)]|\(" + _ENUMERATOR + r"\))(?:[ \t]+|$)")
_FIELD = re.compile(r":(?:[^:\\`\s]|\\.)(?:[^:\\`]|\\.)*:(?:[ \t]+|$)")
_OPTION = re.compile(
    r"(?:--?[A-Za-z0-9][\w-]*|/[A-Za-z0-9])(?:[ =](?:<[^<>]+>|[\w-]+))?"
    r"(?:,[ \t]+(?:--?[A-Za-z0-9][\w-]*|/[A-Za-z0-9])(?:[ =](?:<[^<>]+>|[\w-]+))?)*"
    r"(?:[ \t]{2,}|$)"
)
_DIRECTIVE_OPTION = re.compile(r":[\w.+ -]+:(?=[ \t]|$)")
_LINE_BLOCK = re.compile(r"\|(?=[ \t]|$)")

# Inline.
_INLINE = re.compile(r"[\\`|\[@]|://|www\.")
_ROLE_BEFORE = re.compile(r":[A-Za-z][\w.+-]*(?::[A-Za-z][\w.+-]*)*:\Z")
_ROLE_AFTER = re.compile(r":[A-Za-z][\w.+-]*(?::[A-Za-z][\w.+-]*)*:")
_FOOTNOTE_REF = re.compile(r"\[(?:[0-9]+|#[\w.-]*|\*|[A-Za-z][\w.-]*)\]_")
_START_BEFORE = frozenset(" \t\r\n-:/'\"<([{")


def _directive_kind(name: str) -> str:
    """``"prose"``, ``"body"`` or ``"skip"`` for a directive name."""
    lowered = name.lower()
    if lowered in _PROSE_DIRECTIVES:
        return "prose"
    if lowered in _BODY_DIRECTIVES or ":" in lowered:
        return "body"
    return "skip"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.regions: list[Region] = []
        self.para_start = -1
        self.para_end = 0
        self.para_lo = 0  # a continuation line's indentation must lie in [lo, hi]
        self.para_hi = 0
        self.para_base = 0  # indentation a literal block after "::" must exceed
        #: After a paragraph ending in "::", the indentation its literal block must exceed.
        self.literal: int | None = None

    def open_para(self, start: int, end: int, lo: int, hi: int, base: int) -> None:
        self.para_start, self.para_end = start, end
        self.para_lo, self.para_hi, self.para_base = lo, hi, base

    def close_para(self) -> None:
        start = self.para_start
        if start < 0:
            return
        self.para_start = -1
        text = self.text
        end = self.para_end
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 2 and text[end - 2 : end] == "::":
            self.literal = self.para_base
        if start < end:
            add_region(self.regions, make_region(text, start, end, inline_holes(text, start, end)))

    def emit_line(self, start: int, end: int) -> None:
        """A line block line or grid table row: its text without the outer pipes."""
        text = self.text
        while end > start and text[end - 1] in " \t":
            end -= 1
        if end > start and text[end - 1] == "|":
            end -= 1
        add_region(self.regions, make_region(text, start, end, inline_holes(text, start, end)))

    def run(self) -> list[Region]:
        text = self.text
        lines = split_lines(text)
        skip: int | None = None  # skip blank lines and lines indented deeper than this
        skip_to_blank = False  # doctest blocks end at a blank line
        header: int | None = None  # directive header lines (options...) deeper than this
        header_all = False  # skip every header line, not only options
        n = len(lines)
        for idx in range(n):
            ls, le, _ = lines[idx]
            p = ls
            while p < le and text[p] in " \t":
                p += 1
            blank = p >= le
            indent = p - ls
            if not blank and "\t" in text[ls:p]:
                indent = len(text[ls:p].expandtabs(8))
            if skip_to_blank:
                if blank:
                    skip_to_blank = False
                continue
            if skip is not None:
                if blank or indent > skip:
                    continue
                skip = None
            if header is not None:
                if blank:
                    header = None
                elif indent > header and (header_all or _DIRECTIVE_OPTION.match(text, p, le)):
                    self.close_para()
                    continue
                else:
                    header = None
            if blank:
                self.close_para()
                continue
            if self.para_start >= 0:
                if _is_adornment(text, p, le):
                    self.close_para()  # a section title's underline
                    self.literal = None
                    continue
                if self.para_lo <= indent <= self.para_hi:
                    self.para_end = le
                    continue
                self.close_para()
            if self.literal is not None:
                base = self.literal
                self.literal = None
                if indent > base:
                    skip = base
                    continue

            ch = text[p]
            if ch == "." and _EXPLICIT.match(text, p, le):
                m = _DIRECTIVE.match(text, p, le)
                if m is not None:
                    kind = _directive_kind(m.group(1))
                    if kind == "skip":
                        skip = indent
                        continue
                    header = indent
                    header_all = kind == "body"
                    if kind == "prose":
                        arg = m.end()
                        while arg < le and text[arg] in " \t":
                            arg += 1
                        if arg < le:
                            self.open_para(arg, le, indent + 1, _DEEP, indent)
                    continue
                fm = _FOOTNOTE.match(text, p, le)
                if fm is not None:
                    body = fm.end()
                    if body < le:
                        self.open_para(body, le, indent + 1, _DEEP, indent)
                    continue
                if (
                    _TARGET.match(text, p, le) is None
                    and p + 2 >= le - _trailing(text, p, le)
                    and (idx + 1 >= n or _blank_line(text, lines[idx + 1]))
                ):
                    continue  # an empty comment: it does not swallow the next indented block
                skip = indent  # a comment, hyperlink target or substitution definition
                continue
            if ch == ">" and _DOCTEST.match(text, p, le):
                skip_to_blank = True
                continue
            if ch == ":" and text.startswith("::", p) and p + 2 >= le - _trailing(text, p, le):
                self.literal = indent  # "::" alone: the expanded literal block marker
                continue
            if _is_adornment(text, p, le) or _TABLE_BORDER.match(text, p, le):
                continue  # an overline, a transition or a table border
            if ch == "|" and _LINE_BLOCK.match(text, p, le):
                self.emit_line(p + 1, le)
                continue
            if ch == "_" and _ANON_TARGET.match(text, p, le):
                skip = indent
                continue
            m = None
            if ch in "-*+\u2022\u2023\u2043":
                m = _BULLET.match(text, p, le)
            if m is None and (ch.isalnum() or ch in "(#"):
                m = _ENUMERATED.match(text, p, le)
            if m is not None:
                body = m.end()
                if body < le:
                    col = indent + (body - p)
                    self.open_para(body, le, col, col, indent)
                continue
            if ch == ":":
                m = _FIELD.match(text, p, le)
                if m is not None:
                    if m.end() < le:
                        self.open_para(m.end(), le, indent + 1, _DEEP, indent)
                    continue
            if ch in "-/":
                m = _OPTION.match(text, p, le)
                if m is not None:
                    if m.end() < le:
                        self.open_para(m.end(), le, indent + 1, _DEEP, indent)
                    continue
            self.open_para(p, le, indent, indent, indent)
        self.close_para()
        return self.regions


def _is_adornment(text: str, p: int, le: int) -> bool:
    """Whether the line content ``text[p:le]`` is a section adornment or transition: one
    punctuation character repeated (``::`` and ``..`` are markup of their own)."""
    if _ADORNMENT.match(text, p, le) is None:
        return False
    return text[p:le].rstrip(" \t") not in ("::", "..")


def _blank_line(text: str, line: tuple[int, int, int]) -> bool:
    ls, le, _ = line
    return all(text[i] in " \t" for i in range(ls, le))


def _trailing(text: str, start: int, end: int) -> int:
    """How many spaces and tabs ``text[start:end]`` ends with."""
    k = end
    while k > start and text[k - 1] in " \t":
        k -= 1
    return end - k


def inline_holes(text: str, start: int, end: int) -> list[Hole]:
    """The holes of one reST paragraph: inline literals, interpreted text and roles, embedded
    link targets ``<url>``, substitution and footnote references, bare URLs and e-mails.

    ```name`_`` references and ``_`inline targets``` stay prose: they are the words a reader
    sees.
    """
    holes: list[Hole] = []
    literal_fail = end + 1
    tick_fail = end + 1
    i = start
    search = _INLINE.search
    while True:
        m = search(text, i, end)
        if m is None:
            return holes
        p = m.start()
        c = text[p]
        hole: Hole | None = None
        if c == "\\":
            i = p + 2
            continue
        if c == "`":
            if p + 1 < end and text[p + 1] == "`":
                q = _literal_close(text, p + 2, end) if p + 2 < literal_fail else -1
                if q < 0:
                    literal_fail = min(literal_fail, p + 2)
                    i = p + 2
                    continue
                stop = q + 2
                while stop < end and text[stop] == "`":
                    stop += 1
                hole = (p, stop)
            else:
                q = _tick_close(text, p, end) if p + 1 < tick_fail else -1
                if q < 0:
                    tick_fail = min(tick_fail, p + 1)
                    i = p + 1
                    continue
                hole = _interpreted(text, p, q, i, end)
                if hole is None:
                    i = q + 1
                    while i < end and text[i] == "_":
                        i += 1
                    continue
        elif c == "|":
            hole = _substitution(text, p, start, end)
        elif c == "[":
            fm = _FOOTNOTE_REF.match(text, p, end)
            if fm is not None:
                hole = (p, fm.end())
        elif c == "@":
            hole = email_or_mention(text, p, i, end, False)
        elif c == ":":
            hole = url_at_scheme(text, p, i, end)
        else:
            hole = url_at_www(text, p, i, end)
        if hole is None:
            i = p + 1
        else:
            holes.append(hole)
            i = hole[1]


def _literal_close(text: str, pos: int, end: int) -> int:
    """The double backtick closing an inline literal whose content starts at ``pos``, or -1.

    Docutils' end-string rule: not after whitespace, and not followed by a letter or digit, so
    that a literal holding a double backtick followed by a word, or one with a space before a
    double backtick, ends where docutils ends it.
    Whether a position can close does not depend on the opener, which lets the caller
    remember a failed search.
    """
    while True:
        q = text.find("``", pos, end)
        if q < 0:
            return -1
        if q > pos and not text[q - 1].isspace() and not (q + 2 < end and text[q + 2].isalnum()):
            return q
        pos = q + 1


def _tick_close(text: str, opener: int, end: int) -> int:
    """The backtick closing interpreted text opened at ``opener`` (not after a space, not part
    of a double backtick, not right after the opener, not followed by a letter), or -1."""
    pos = opener + 1
    while True:
        q = text.find("`", pos, end)
        if q < 0:
            return -1
        if q + 1 < end and text[q + 1] == "`":
            pos = q + 2
            continue
        if (
            q > opener + 1
            and not text[q - 1].isspace()
            and not (q + 1 < end and text[q + 1].isalnum())
        ):
            return q
        pos = q + 1


def _interpreted(text: str, p: int, q: int, lo: int, end: int) -> Hole | None:
    """The hole for the interpreted text ``text[p:q+1]`` (backticks included), or ``None``
    when it is a hyperlink reference or inline target whose text is prose.

    ``lo`` is how far back a ``:role:`` prefix may be looked for.
    """
    after = q + 1
    back = max(lo, p - 80)
    rm = _ROLE_BEFORE.search(text[back:p])
    if rm is not None:
        return (back + rm.start(), after)
    if after < end and text[after] == "_":
        # A reference: `text <target>`_ keeps its text, but the target is a hole.
        if text[q - 1] == ">":
            lt = text.rfind("<", p + 1, q)
            if lt > p:  # docutils wants a space before "<"; sloppy docs often lack it
                return (lt, q)
        return None
    sm = _ROLE_AFTER.match(text, after, end)
    if sm is not None:
        return (p, sm.end())
    if p > 0 and text[p - 1] == "_":
        return None  # an inline target: _`term`
    if p > 0 and text[p - 1] not in _START_BEFORE and not text[p - 1].isspace():
        return None  # not inline markup (a start-string must follow space or punctuation)
    return (p, after)


def _substitution(text: str, p: int, start: int, end: int) -> Hole | None:
    """The ``|name|`` substitution reference at ``p`` (with a ``_``/``__`` suffix), or ``None``."""
    if p + 1 >= end or text[p + 1].isspace() or text[p + 1] == "|":
        return None
    if p > start and (text[p - 1].isalnum() or text[p - 1] == "|"):
        return None
    q = text.find("|", p + 1, min(end, p + 200))
    if q < 0 or text[q - 1].isspace() or "\n" in text[p:q] or "\r" in text[p:q]:
        return None
    stop = q + 1
    if text.startswith("__", stop):
        stop += 2
    elif stop < end and text[stop] == "_":
        stop += 1
    return (p, min(stop, end))


def rst_regions(text: str) -> list[Region]:
    """The prose regions of a reStructuredText document (may raise on a bug; see ``prose``)."""
    return _Parser(text).run()
