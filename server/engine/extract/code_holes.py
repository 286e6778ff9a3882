"""Prose inside code: which parts of comments and docstrings are words, and which are not.

Comments and docstrings are prose with code mixed in: Markdown code spans and fences, doctest
sessions, reST roles and literal blocks, JSDoc / Javadoc / Doxygen tags, URLs. Those parts become
*holes* of the region (``Region.holes``): spelling skips them, grammar sees a placeholder, and the
sentence around them stays whole. Comments addressed to tools (``# noqa``, ``// eslint-disable``,
``//go:build``, shebangs) are not prose at all and give no region.

Everything here works on code-point offsets into the document and never slices more than a
line at a time, so that a file with thousands of comments stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from .code_queries import GrammarSpec

Span = tuple[int, int]

#: A letter: a region (or what its holes leave of it) without one has no word to check.
_LETTER = re.compile(r"[^\W\d_]")

# --- Inline holes --------------------------------------------------------------------------------
# Each family of holes is looked for only when its trigger character is in the text
# (``str.find`` is far cheaper than letting a regular expression try every position).

#: Markdown code span: a run of backticks, content, the same run (``x``, ```a `b` c```).
_CODE_SPAN = re.compile(r"(?P<ticks>`+)(?!`)[^\n]*?(?<!`)(?P=ticks)(?!`)")
#: A reST role right before a code span: ``:func:`` in :func:`foo`.
_ROLE = re.compile(r":[\w+.-]+(?::[\w+.-]+)*:(?=`)")
_URL_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_URL_TAIL = re.compile(r"[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}]")

#: Doc-comment tags that are followed by a name or reference (the name is code, not prose).
_NAME_TAGS = (
    "param|arg|argument|prop|property|tparam|template|typeparam|typedef|callback|throws?"
    "|exception|see|sa|member|memberof|var|def|class|struct|union|fn|ref|enum|namespace|module"
    "|requires|fires|emits|event|listens|mixes|borrows|alias|augments|extends|implements|lends"
    "|interface|headerfile|copydoc|p|c|a"
)
_TYPE = r"(?:[ \t]*\{(?:[^{}\n]|\{[^{}\n]*\})*\})?"
#: ``@param {T} name``, ``\\param[in] name``, ``@see Foo#bar``; any other tag and its type.
_TAG = re.compile(
    rf"[@\\](?:(?:{_NAME_TAGS})\b(?:\[[^\]\n]*\])?{_TYPE}(?:[ \t]+[^\s{{}}]+)?|[A-Za-z]\w*{_TYPE})"
)
#: ``{@code ...}`` / ``{@link Foo#bar}``, one level of nested braces allowed.
_INLINE_TAG = re.compile(r"\{@\w+(?:[^{}]|\{[^{}]*\})*\}")
#: ``@code ... @endcode`` (Doxygen): a code block, possibly over several lines.
_CODE_BLOCK_TAG = re.compile(r"[@\\]code\b.*?(?:[@\\]endcode\b|\Z)", re.DOTALL)
#: ``<pre>...</pre>`` and ``<code>...</code>`` blocks, then any other HTML tag.
_HTML = re.compile(
    r"<pre\b[^>]*>.*?(?:</pre\s*>|\Z)|<code\b[^>]*>.*?</code\s*>|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>",
    re.DOTALL | re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]\w*);")
_TAG_PRECEDERS = frozenset("@\\.") | frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
)


def _url_holes(text: str, start: int, end: int, holes: list[Span]) -> None:
    """``scheme://...`` URLs: found from their ``://``, which is cheap to look for."""
    pos = text.find("://", start, end)
    while pos >= 0:
        a = pos
        while a > start and text[a - 1] in _URL_SCHEME_CHARS:
            a -= 1
        stop = pos + 3
        if a < pos and text[a].isalpha():
            m = _URL_TAIL.match(text, stop, end)
            if m is not None:
                stop = m.end()
                holes.append((a, stop))
        pos = text.find("://", stop, end)


def inline_holes(
    text: str, start: int, end: int, holes: list[Span], *, doc_tags: bool, roles: bool
) -> None:
    """Add the holes inside lines of ``text[start:end]``: code spans, URLs and (``doc_tags``)
    JSDoc / Javadoc / Doxygen tags and HTML, or (``roles``) reST roles."""
    if text.find("`", start, end) >= 0:
        for m in _CODE_SPAN.finditer(text, start, end):
            a, b = m.span()
            if a > start and text[a - 1] == "`":
                continue
            while roles and b < end and b - m.end() < 2 and text[b] == "_":
                b += 1  # `link <url>`_ and `anonymous link`__
            holes.append((a, b))
        if roles and text.find(":`", start, end) >= 0:
            holes.extend(m.span() for m in _ROLE.finditer(text, start, end))
    if text.find("://", start, end) >= 0:
        _url_holes(text, start, end, holes)
    if not doc_tags:
        return
    if text.find("{@", start, end) >= 0:
        holes.extend(m.span() for m in _INLINE_TAG.finditer(text, start, end))
    if text.find("@", start, end) >= 0 or text.find("\\", start, end) >= 0:
        for m in _TAG.finditer(text, start, end):
            a = m.start()
            if a > 0 and text[a - 1] in _TAG_PRECEDERS:
                continue  # an e-mail address, a path or a decorator call, not a tag
            holes.append(m.span())
        if text.find("code", start, end) >= 0:
            for m in _CODE_BLOCK_TAG.finditer(text, start, end):
                if not (m.start() > 0 and text[m.start() - 1] == "{"):
                    holes.append(m.span())
    if text.find("<", start, end) >= 0:
        holes.extend(m.span() for m in _HTML.finditer(text, start, end))
    if text.find("&", start, end) >= 0:
        holes.extend(m.span() for m in _ENTITY.finditer(text, start, end))


# --- Comment markers -----------------------------------------------------------------------------

_HASH_MARKER = re.compile(r"#+:?")
_SLASH_MARKER = re.compile(r"/+!?")
_BLOCK_MARKER = re.compile(r"/\*+!?")
_FENCE = re.compile(r"[ \t]*(?:\*[ \t]?)?[ \t]*(```|~~~)")
_BLOCK_LINE_START = re.compile(r"[ \t]*\*?[ \t]*")
_EXAMPLE_TAG = re.compile(r"[@\\]example\b")
_ANY_TAG = re.compile(r"[@\\][A-Za-z]")

_SKIP_CHARS = frozenset(" \t\r\n\f\v")
_HASH_SKIP_CHARS = _SKIP_CHARS | {"#"}
_BLOCK_SKIP_CHARS = _SKIP_CHARS | {"*"}


def merge(holes: list[Span], start: int, end: int) -> list[Span]:
    """Sort ``holes``, clip them to ``[start, end)`` and merge the ones that touch."""
    holes.sort()
    merged: list[Span] = []
    for hs, he in holes:
        hs = max(hs, start)
        he = min(he, end)
        if hs >= he:
            continue
        if merged and hs <= merged[-1][1]:
            if he > merged[-1][1]:
                merged[-1] = (merged[-1][0], he)
        else:
            merged.append((hs, he))
    return merged


def has_words(text: str, start: int, end: int, holes: Sequence[Span]) -> bool:
    """Whether a letter is left in ``text[start:end]`` once the holes are taken out."""
    pos = start
    for hs, he in holes:
        if hs > pos and _LETTER.search(text, pos, hs):
            return True
        pos = max(pos, he)
    return pos < end and _LETTER.search(text, pos, end) is not None


def trim(
    text: str, start: int, end: int, holes: list[Span], skip: frozenset[str] = _SKIP_CHARS
) -> tuple[int, int, list[Span]]:
    """Shrink ``[start, end)`` past whitespace (and holes) at both ends; clip the holes.

    A hole at an edge (a directive after the text, a fence at the top of a block comment) is
    dropped from the region rather than kept as a placeholder that grammar would have to read.
    """
    i = 0
    while start < end:
        if text[start] in skip:
            start += 1
        elif i < len(holes) and holes[i][0] <= start:
            start = max(start, holes[i][1])
            i += 1
        else:
            break
    j = len(holes) - 1
    while end > start:
        if text[end - 1] in skip:
            end -= 1
        elif j >= 0 and holes[j][1] >= end:
            end = min(end, holes[j][0])
            j -= 1
        else:
            break
    return start, end, [(hs, he) for hs, he in holes if hs < end and he > start]


def _lines(text: str, start: int, end: int) -> Iterator[Span]:
    """``(line_start, content_end)`` of each line of ``text[start:end]`` (``\\r\\n`` excluded)."""
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        if stop > pos and text[stop - 1] == "\r":
            yield pos, stop - 1
        else:
            yield pos, stop
        if nl < 0:
            return
        pos = nl + 1


def _first_non_blank(text: str, start: int, end: int) -> int:
    pos = start
    while pos < end and text[pos] in " \t":
        pos += 1
    return pos


# --- Comments ------------------------------------------------------------------------------------


def _block_line_holes(text: str, start: int, end: int, doc_tags: bool) -> list[Span]:
    """Holes made of whole lines in a block comment: Markdown fences, JSDoc ``@example``."""
    holes: list[Span] = []
    fence: str | None = None
    example_from = -1
    for ls, le in _lines(text, start, end):
        m = _FENCE.match(text, ls, le)
        if fence is not None:
            holes.append((ls, le))
            if m is not None and m.group(1) == fence:
                fence = None
            continue
        if m is not None:
            fence = m.group(1)
            holes.append((m.start(1), le))
            continue
        if doc_tags:
            content = _BLOCK_LINE_START.match(text, ls, le)
            cs = content.end() if content is not None else ls
            if example_from >= 0 and _ANY_TAG.match(text, cs, le):
                holes.append((example_from, cs))
                example_from = -1
            if example_from < 0 and _EXAMPLE_TAG.match(text, cs, le):
                example_from = cs
    if example_from >= 0:
        holes.append((example_from, end))
    return holes


def comment_regions(
    text: str, spans: Sequence[Span], spec: GrammarSpec
) -> list[tuple[int, int, list[Span]]]:
    """``(start, end, holes)`` of the prose in each comment of ``spans`` (sorted).

    Consecutive line comments share Markdown fence state, so the code lines of a rustdoc
    ``/// ```...``` `` example give no region at all.
    """
    out: list[tuple[int, int, list[Span]]] = []
    fence: str | None = None
    prev_end = -1
    for s, e in spans:
        if spec.hash_comments:
            if s == 0 and text.startswith("#!"):
                continue
            holes = [
                m.span()
                for m in spec.directive.finditer(text, s, e)
                if m.start() == s or text[m.start() - 1] in _SKIP_CHARS
            ]
            m = _HASH_MARKER.match(text, s, e)
            bs = m.end() if m is not None else s
            be = e
            is_block = False
        else:
            if spec.directive.match(text, s, e):
                continue
            holes = []
            is_block = text.startswith("/*", s)
            if is_block:
                m = _BLOCK_MARKER.match(text, s, e)
                bs = m.end() if m is not None else s
                be = e - 2 if e - 2 >= bs and text.startswith("*/", e - 2) else e
                while be > bs and text[be - 1] == "*":
                    be -= 1
            else:
                m = _SLASH_MARKER.match(text, s, e)
                bs = m.end() if m is not None else s
                be = e

        if not is_block:
            # Fence state carries over to the next line comment only if it is on the next line.
            if prev_end < 0 or text.count("\n", prev_end, s) > 1 or text[prev_end:s].strip():
                fence = None
            prev_end = e
            if spec.tab_indented_code and text.startswith("\t", bs):
                continue
            fm = _FENCE.match(text, bs, be)
            if fm is not None:
                marker = fm.group(1)
                fence = None if fence == marker else (fence or marker)
                continue
            if fence is not None:
                continue
        elif (
            text.find("```", bs, be) >= 0
            or text.find("~~~", bs, be) >= 0
            or (spec.doc_tags and text.find("example", bs, be) >= 0)
        ):
            holes.extend(_block_line_holes(text, bs, be, spec.doc_tags))

        inline_holes(text, bs, be, holes, doc_tags=spec.doc_tags, roles=False)
        holes = merge(holes, bs, be)
        skip = _HASH_SKIP_CHARS if spec.hash_comments else _SKIP_CHARS
        bs, be, holes = trim(text, bs, be, holes, _BLOCK_SKIP_CHARS if is_block else skip)
        if bs < be and has_words(text, bs, be, holes):
            out.append((bs, be, holes))
    return out


# --- Python docstrings ---------------------------------------------------------------------------

#: Directives whose body is code (hole the directive and its indented block).
_CODE_DIRECTIVES = frozenset(
    {
        "code",
        "code-block",
        "sourcecode",
        "doctest",
        "testcode",
        "testoutput",
        "testsetup",
        "testcleanup",
        "ipython",
        "math",
        "literalinclude",
        "highlight",
        "jupyter-execute",
        "productionlist",
        "parsed-literal",
        "plot",
        "graphviz",
        "csv-table",
    }
)
#: Directives whose argument and body are prose (hole only the ``.. name::`` marker).
_PROSE_DIRECTIVES = frozenset(
    {
        "note",
        "warning",
        "tip",
        "hint",
        "important",
        "caution",
        "danger",
        "attention",
        "error",
        "seealso",
        "admonition",
        "todo",
        "topic",
        "sidebar",
        "rubric",
        "versionadded",
        "versionchanged",
        "deprecated",
        "versionremoved",
        "epigraph",
        "pull-quote",
        "hlist",
    }
)
_DIRECTIVE = re.compile(r"\.\.[ \t]+([\w:-]+)::")
_TARGET = re.compile(r"\.\.[ \t]+(?:_|\||\[)")
_FIELD = re.compile(r":([A-Za-z][\w-]*)(?:[ \t]+[^:\n`]+)?:(?=\s|$)")
_WHOLE_LINE_FIELDS = frozenset({"type", "rtype", "vartype", "kwtype", "ytype"})
_GOOGLE_HEADER = re.compile(
    r"(?:Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Kwargs|Other Parameters"
    r"|Attributes|Raises|Exceptions|Returns|Return|Yields|Yield|Warns|Warnings|Receives)"
    r"[ \t]*:[ \t]*$"
)
_GOOGLE_ENTRY = re.compile(r"\*{0,2}[\w.]+(?:\[[^\]\n]*\])?(?:[ \t]*\([^)\n]*\))?[ \t]*:(?=\s|$)")
_NUMPY_SECTIONS = frozenset(
    {
        "parameters",
        "other parameters",
        "returns",
        "yields",
        "receives",
        "raises",
        "warns",
        "attributes",
        "methods",
        "see also",
    }
)
_UNDERLINE = re.compile(r"-{3,}[ \t]*$")
#: ``name : type``, ``a, b : int``, ``ValueError``: a NumPy-style entry line (no prose).
_NUMPY_ENTRY = re.compile(r"\**[\w.]+(?:[ \t]*,[ \t]*\**[\w.]+)*[ \t]*(?::.*)?$")


def docstring_holes(text: str, start: int, end: int, first_indent: int) -> list[Span]:
    """Holes of the docstring ``text[start:end]`` (its contents, quotes excluded).

    Line by line: doctest sessions (``>>>``, ``...`` and the expected output up to a blank
    line), fenced code, literal blocks after ``::`` and code directives, directive markers and
    targets, field-list markers (``:param name:``; ``:type x: int`` is all code), the names and
    types of Google-style (``name (int):``) and NumPy-style (``name : int``) parameter lists.
    Inline: ``literals``, `code`, ``:role:`target```, URLs.

    ``first_indent`` is the column of the opening quote, so that a first line ending in ``::``
    is compared with the lines under it as Python's ``inspect.cleandoc`` would.
    """
    holes: list[Span] = []
    mode = ""  # "doctest", "fence", "literal" or ""
    fence = ""
    base = 0  # indentation a literal block must exceed
    pending_literal = False
    google = -1  # indentation of the current Google section header, -1 outside one
    entry_indent = -1
    numpy = -1  # indentation of the current NumPy section's entries, -1 outside one
    prev_text = ""  # the last non-blank line, stripped (for NumPy section headers)
    first = True
    for ls, le in _lines(text, start, end):
        fs = _first_non_blank(text, ls, le)
        indent = first_indent if first else fs - ls
        first = False
        blank = fs >= le

        if mode == "fence":
            if not blank:
                holes.append((fs, le))
            if text.startswith(fence, fs):
                mode = ""
            continue
        if mode == "doctest":
            if blank:
                mode = ""
            else:
                holes.append((fs, le))
            continue
        if mode == "literal":
            if blank or indent > base:
                if not blank:
                    holes.append((fs, le))
                continue
            mode = ""
        if blank:
            continue
        if pending_literal:
            pending_literal = False
            if indent > base:
                mode = "literal"
                holes.append((fs, le))
                continue

        line = text[fs:le]
        if line.startswith(">>>"):
            mode = "doctest"
            holes.append((fs, le))
            continue
        if line.startswith(("```", "~~~")):
            mode = "fence"
            fence = line[:3]
            holes.append((fs, le))
            continue

        if google >= 0 and indent <= google:
            google = -1
        if numpy >= 0 and indent < numpy:
            numpy = -1

        dm = _DIRECTIVE.match(line)
        if dm is not None:
            name = dm.group(1).lower()
            if name in _PROSE_DIRECTIVES:
                holes.append((fs, fs + dm.end()))
            else:
                holes.append((fs, le))
                if name in _CODE_DIRECTIVES or name.endswith(":code-block"):
                    pending_literal = True
                    base = indent
        elif _TARGET.match(line):
            holes.append((fs, le))
        elif _UNDERLINE.match(line):
            numpy = indent if prev_text.lower().rstrip(":") in _NUMPY_SECTIONS else -1
        elif numpy >= 0 and indent == numpy and _NUMPY_ENTRY.match(line):
            holes.append((fs, le))
        elif _GOOGLE_HEADER.match(line):
            google = indent
            entry_indent = -1
        elif google >= 0:
            if entry_indent < 0:
                entry_indent = indent
            if indent == entry_indent:
                gm = _GOOGLE_ENTRY.match(line)
                if gm is not None:
                    holes.append((fs, fs + gm.end()))
        else:
            fm = _FIELD.match(line)
            if fm is not None:
                whole = fm.group(1).lower() in _WHOLE_LINE_FIELDS
                holes.append((fs, le if whole else fs + fm.end()))

        if line.rstrip().endswith("::") and (dm is None or dm.group(1) not in _PROSE_DIRECTIVES):
            pending_literal = True
            base = indent
        prev_text = line.strip()

    inline_holes(text, start, end, holes, doc_tags=False, roles=True)
    return holes
