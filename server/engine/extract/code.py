"""Code via tree-sitter: comments, docstrings, string contents and identifiers.

``extract_code(text, language_id)`` parses ``text`` with the language's tree-sitter grammar and
runs one query (:mod:`server.engine.extract.code_queries`) that captures every comment, string
piece, escape, interpolation and identifier at once: Python only loops over what was captured,
never over the whole tree. The prose of comments and docstrings is cleaned up (code spans,
doctests, tags become holes; tool directives are dropped) by
:mod:`server.engine.extract.code_holes`.

An editor asks again after every keystroke, so repeated extraction of one document is made
cheap, without changing the result:

* grammars, parsers and compiled queries are built once per grammar;
* the last few parses of each grammar are remembered; the same text again returns the same
  regions, and a text that differs from one of them in a single stretch (an edit) is re-parsed
  incrementally from that tree (tree-sitter reuses everything outside the edit), and only the
  statements around the edit (plus whatever tree-sitter reports as structurally changed) are
  queried again; the regions before them are kept and the ones after them shifted;
* byte offsets (what tree-sitter reports) are code points as they are when the text is ASCII;
  otherwise a table of the non-ASCII runs converts them with a binary search.

Grammars are C code fed with arbitrary text: where one is known to crash on some input (the
shell grammar, see :data:`~server.engine.extract.code_queries.BASH_UNSAFE`), that input is
masked before parsing, keeping every offset.

Regions are in document order and never overlap; a file with syntax errors still gives the
comments, strings and identifiers tree-sitter recovers.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from ..types import Region, RegionKind
from .code_holes import Span, comment_regions, docstring_holes, has_words, merge
from .code_queries import GRAMMAR_OF, QUERIES, SPECS, WRAP_PREFIX, GrammarSpec, load_grammar

LANGUAGES: frozenset[str] = frozenset(
    {
        "python",
        "javascript",
        "javascriptreact",
        "typescript",
        "typescriptreact",
        "go",
        "rust",
        "java",
        "c",
        "cpp",
        "shellscript",
    }
)

#: Parses remembered per grammar: enough for a few open documents of one language...
_RECENT = 4
#: ...unless they are huge: a tree costs tens of bytes per node, so keep memory bounded.
_RECENT_BYTES = 8_000_000
#: Nodes smaller than this are re-queried whole rather than descended into.
_MIN_DESCEND = 1024

_log = logging.getLogger(__name__)

_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\w+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_BACKSLASH = re.compile(r"\\.", re.DOTALL)
_PY_STRING_OPEN = re.compile(r"([A-Za-z]*)(\"\"\"|'''|\"|')")
_START = attrgetter("start")
_END = attrgetter("end")
_EMPTY: tuple[Span, ...] = ()


def _region_factory() -> Callable[[int, int, RegionKind, tuple[Span, ...]], Region]:
    """A constructor for :class:`Region` that skips the frozen dataclass ``__init__``.

    A frozen dataclass sets each field through ``object.__setattr__``, which makes building the
    tens of thousands of identifier regions of a large file a visible part of its extraction
    time. Writing the slots directly is about three times faster. The shortcut is only taken
    when ``Region`` still has exactly the slots it sets; otherwise the real constructor is used.
    """
    names = [f.name for f in dataclasses.fields(Region)]
    slots = getattr(Region, "__slots__", ())
    if names != ["start", "end", "kind", "holes"] or sorted(slots) != sorted(names):
        return Region
    members: dict[str, Any] = {n: vars(Region)[n] for n in names}
    set_start, set_end = members["start"].__set__, members["end"].__set__
    set_kind, set_holes = members["kind"].__set__, members["holes"].__set__
    new = object.__new__

    def make(start: int, end: int, kind: RegionKind, holes: tuple[Span, ...]) -> Region:
        r: Region = new(Region)
        set_start(r, start)
        set_end(r, end)
        set_kind(r, kind)
        set_holes(r, holes)
        return r

    probe = make(1, 2, RegionKind.STRING, ((1, 2),))
    if probe != Region(1, 2, RegionKind.STRING, ((1, 2),)):  # pragma: no cover
        return Region
    return make


_make = _region_factory()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while regions are built.

    A large file gives a hundred thousand small objects; each 700 of them trigger a collection
    and every so often a full one over everything alive (remembered trees' regions included),
    which made extraction of a 100,000-line file up to twice as slow. Regions hold no cycles,
    so nothing is lost by collecting later.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(slots=True)
class _Parse:
    """One remembered parse: the text, its UTF-8 bytes (``data`` as parsed, masked where the
    grammar would crash; ``raw`` as they are, to find edits), the tree and the regions."""

    text: str
    raw: bytes
    data: bytes
    tree: Tree
    regions: list[Region]


@dataclass(slots=True)
class _Grammar:
    """A grammar's parser, compiled query and recent parses (a parser is not thread-safe)."""

    parser: Parser
    query: Query
    spec: GrammarSpec
    lock: threading.Lock = field(default_factory=threading.Lock)
    recent: list[_Parse] = field(default_factory=list)


_GRAMMARS: dict[str, _Grammar] = {}
_GRAMMARS_LOCK = threading.Lock()


def _grammar(name: str) -> _Grammar:
    """The grammar's parser and query, built on first use (compiling a query takes ~10 ms)."""
    g = _GRAMMARS.get(name)
    if g is None:
        with _GRAMMARS_LOCK:
            g = _GRAMMARS.get(name)
            if g is None:
                language = Language(load_grammar(name))
                g = _Grammar(Parser(language), Query(language, QUERIES[name]), SPECS[name])
                _GRAMMARS[name] = g
    return g


def clear_cache() -> None:
    """Forget every remembered parse (tests and benchmarks use it to measure a cold start)."""
    for g in list(_GRAMMARS.values()):
        with g.lock:
            g.recent.clear()


def extract_code(text: str, language_id: str) -> list[Region]:
    """The comments, docstrings, string contents and identifiers of ``text``, in order."""
    name = GRAMMAR_OF.get(language_id)
    if name is None or not text:
        return []
    g = _grammar(name)
    with g.lock:
        for i, parse in enumerate(g.recent):
            if parse.text == text:
                g.recent.append(g.recent.pop(i))
                return list(parse.regions)
        raw = text.encode("utf-8", "surrogatepass")
        data = _masked(text, raw, g.spec)
        base = _closest(g.recent, raw)
        with _gc_paused():
            if base is None:
                tree = g.parser.parse(data)
                regions = _regions(g, text, data, tree, 0, len(data))
            else:
                old = g.recent.pop(base[0])
                try:
                    tree, regions = _reparse(g, old, text, data, base[1], base[2])
                except Exception:  # a bug in the incremental path must not lose the document
                    _log.exception("incremental extraction failed; extracting %s afresh", name)
                    tree = g.parser.parse(data)
                    regions = _regions(g, text, data, tree, 0, len(data))
        g.recent.append(_Parse(text, raw, data, tree, regions))
        del g.recent[:-_RECENT]
        while len(g.recent) > 1 and sum(len(p.data) for p in g.recent) > _RECENT_BYTES:
            del g.recent[0]
    return list(regions)


# --- Offsets -------------------------------------------------------------------------------------


class _ByteMap:
    """UTF-8 byte offset -> code-point offset, for a text that is not ASCII.

    Only the runs of non-ASCII characters are recorded (between them bytes and code points
    advance together), so building the table costs one step per run, not per character.
    """

    __slots__ = ("_runs", "_starts")

    def __init__(self, text: str) -> None:
        self._starts: list[int] = []
        #: (byte start, byte end, code-point start, code-point end, the run's UTF-8 bytes)
        self._runs: list[tuple[int, int, int, int, bytes]] = []
        extra = 0
        for m in _NON_ASCII.finditer(text):
            cs, ce = m.span()
            encoded = m.group().encode("utf-8", "surrogatepass")
            bs = cs + extra
            self._starts.append(bs)
            self._runs.append((bs, bs + len(encoded), cs, ce, encoded))
            extra += len(encoded) - (ce - cs)

    def __call__(self, offset: int) -> int:
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        bs, be, cs, ce, encoded = self._runs[i]
        if offset >= be:
            return offset - (be - ce)
        # Inside the run (two non-ASCII characters in different nodes): count its characters.
        return cs + len(encoded[: offset - bs].decode("utf-8", "ignore"))


def _masked(text: str, data: bytes, spec: GrammarSpec) -> bytes:
    """The bytes to parse: ``data`` (``text`` in UTF-8), what would crash the grammar masked.

    A masked character becomes ASCII letters of the same UTF-8 length, so byte offsets (and so
    every region) are those of the real text.
    """
    if spec.unsafe is None or len(data) == len(text) or spec.unsafe.search(text) is None:
        return data

    def mask(m: re.Match[str]) -> str:
        head, char = m.group()[:-1], m.group()[-1]
        return head + "x" * len(char.encode("utf-8", "surrogatepass"))

    return spec.unsafe.sub(mask, text).encode("utf-8", "surrogatepass")


def _byte_map(text: str, data: bytes) -> _ByteMap | None:
    """``None`` when byte and code-point offsets are the same (an ASCII text)."""
    return None if len(data) == len(text) else _ByteMap(text)


# --- Incremental re-parsing ----------------------------------------------------------------------


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix of ``a`` and ``b`` (binary search over compared slices)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """Length of the common suffix of ``a`` and ``b``, at most ``limit``."""
    la, lb = len(a), len(b)
    if a[la - limit :] == b[lb - limit :]:
        return limit
    lo, hi = 0, limit
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid
    return lo


def _closest(recent: Sequence[_Parse], data: bytes) -> tuple[int, int, int] | None:
    """``(index, prefix, suffix)`` of the remembered parse ``data`` is an edit of, if any.

    ``data`` is the unmasked UTF-8 of the new text. The edit is the single stretch between the
    common prefix and the common suffix (cut back to character boundaries). When more than half
    the text changed, a fresh parse is as fast and ``None`` is returned.
    """
    best: tuple[int, int, int] | None = None
    best_changed = len(data) // 2 + 1
    for i, parse in enumerate(recent):
        old = parse.raw
        prefix = _common_prefix(old, data)
        suffix = _common_suffix(old, data, min(len(old), len(data)) - prefix)
        changed = len(old) + len(data) - 2 * (prefix + suffix)
        if changed < best_changed:
            best, best_changed = (i, prefix, suffix), changed
    if best is None:
        return None
    i, prefix, suffix = best
    while 0 < prefix < len(data) and data[prefix] & 0xC0 == 0x80:
        prefix -= 1
    while suffix > 0 and data[len(data) - suffix] & 0xC0 == 0x80:
        suffix -= 1
    return i, prefix, suffix


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """Tree-sitter's (row, byte column) of a byte offset."""
    return data.count(b"\n", 0, offset), offset - (data.rfind(b"\n", 0, offset) + 1)


def _is_atomic(node: Node) -> bool:
    """Whether a node must be re-queried whole: its captures depend on one another (a string
    and its pieces, a comment) or its structure is unreliable (an error)."""
    t = node.type
    return (
        "string" in t
        or "comment" in t
        or "heredoc" in t
        or "template" in t
        or t in ("ERROR", "jsx_text", "interpolation")
        or node.is_missing
    )


def _unit(root: Node, start: int, end: int) -> tuple[int, int]:
    """The byte range to query again after an edit touching ``[start, end)`` (new offsets).

    Going down from the root while a single, large, non-atomic child contains the change, it is
    the run of that node's children that touch the change, widened by one sibling on each side
    (so a statement inserted before a docstring re-queries the docstring), by the comments
    around it (Markdown fences carry from one line comment to the next) and, when only comments
    precede it, back to the first child and on to the next statement (whether a string is a
    docstring depends on there being no statement before it).
    Everything a region depends on then lies inside the range or is unchanged outside it.
    """
    node = root
    while True:
        kids = node.children
        if not kids:
            return node.start_byte, node.end_byte
        first = 0
        while first < len(kids) and kids[first].end_byte < start:
            first += 1
        last = len(kids) - 1
        while last > 0 and kids[last].start_byte > end:
            last -= 1
        if first == last:
            kid = kids[first]
            if (
                kid.start_byte < start
                and end < kid.end_byte
                and kid.end_byte - kid.start_byte >= _MIN_DESCEND
                and kid.child_count > 1
                and not _is_atomic(kid)
            ):
                node = kid
                continue
        lo, hi = min(first, last), max(first, last)
        lo, hi = max(lo - 1, 0), min(hi + 1, len(kids) - 1)
        while lo > 0 and "comment" in kids[lo].type and "comment" in kids[lo - 1].type:
            lo -= 1
        while hi + 1 < len(kids) and "comment" in kids[hi + 1].type:
            hi += 1
        if all("comment" in k.type or not k.is_named for k in kids[:lo]):
            # Only comments before: the first statement after the range may have become (or
            # stopped being) a docstring, whichever statement comes first now.
            lo = 0
            while hi + 1 < len(kids) and (
                "comment" in kids[hi + 1].type or not kids[hi + 1].is_named
            ):
                hi += 1
            hi = min(hi + 1, len(kids) - 1)
        return kids[lo].start_byte, kids[hi].end_byte


def _shifted(regions: Sequence[Region], delta: int) -> list[Region]:
    """``regions`` moved by ``delta`` code points (regions are immutable: new ones)."""
    if delta == 0:
        return list(regions)
    make, empty = _make, _EMPTY
    return [
        make(
            r.start + delta,
            r.end + delta,
            r.kind,
            tuple((a + delta, b + delta) for a, b in r.holes) if r.holes else empty,
        )
        for r in regions
    ]


def _units(old_tree: Tree, tree: Tree, prefix: int, new_end: int) -> list[tuple[int, int]]:
    """The sorted, disjoint byte ranges (new offsets) to query again after an edit.

    One around the edit and whatever tree-sitter reports as structurally changed. Inside error
    recovery, though, the changed ranges can miss a change (a token that was an identifier
    becoming a keyword in an ERROR node far from the edit), so every top-level statement that
    has an error, in either tree, is queried again too (the edited old tree is in new offsets).
    """
    start, end = prefix, new_end
    for r in old_tree.changed_ranges(tree):
        start = min(start, r.start_byte)
        end = max(end, r.end_byte)
    root = tree.root_node
    u0, u1 = _unit(root, start, end)
    wanted = [(min(u0, start), max(u1, end))]
    for old_or_new in (old_tree.root_node, root):
        if old_or_new.has_error:
            wanted.extend(
                _unit(root, kid.start_byte, kid.end_byte)
                for kid in old_or_new.children
                if kid.has_error
            )
    wanted.sort()
    units = [wanted[0]]
    for u0, u1 in wanted[1:]:
        if u0 <= units[-1][1]:
            units[-1] = (units[-1][0], max(units[-1][1], u1))
        else:
            units.append((u0, u1))
    return units


def _reparse(
    g: _Grammar, old: _Parse, text: str, data: bytes, prefix: int, suffix: int
) -> tuple[Tree, list[Region]]:
    """Re-parse an edit of ``old``; query again only around the edit, keep the rest.

    Old regions between re-queried ranges are kept; those after the edit are moved by the
    change in length (the edit is a single stretch, so that is the same everywhere after it).
    Should an old region straddle a re-queried range, the trees disagree more than tree-sitter
    said, and everything is queried again.
    """
    old_data = old.data
    old_end, new_end = len(old_data) - suffix, len(data) - suffix
    old_tree = old.tree
    old_tree.edit(
        prefix,
        old_end,
        new_end,
        _point(data, prefix),
        _point(old_data, old_end),
        _point(data, new_end),
    )
    tree = g.parser.parse(data, old_tree)
    units = _units(old_tree, tree, prefix, new_end)

    conv = _byte_map(text, data)
    delta = len(text) - len(old.text)
    edit_start = conv(prefix) if conv is not None else prefix
    regions = old.regions
    out: list[Region] = []
    k = 0  # the first old region not yet kept or replaced
    for u0, u1 in units:
        c0 = conv(u0) if conv is not None else u0
        c1 = conv(u1) if conv is not None else u1
        # A unit never starts or ends inside the edit: before it, old and new offsets agree;
        # after it they differ by ``delta``. (An end at the point of a deletion is after it, so
        # that the deleted text's old regions are replaced.)
        c0_old = c0 if u0 <= prefix else c0 - delta
        c1_old = c1 - delta if u1 >= new_end else c1
        i = bisect_right(regions, c0_old, lo=k, key=_END)
        j = bisect_left(regions, c1_old, lo=i, key=_START)
        if (i < len(regions) and regions[i].start < c0_old) or (
            j > i and regions[j - 1].end > c1_old
        ):
            return tree, _regions(g, text, data, tree, 0, len(data))
        out.extend(_moved(regions[k:i], edit_start, delta))
        out.extend(_regions(g, text, data, tree, u0, u1))
        k = j
    out.extend(_moved(regions[k:], edit_start, delta))
    return tree, out


def _moved(kept: list[Region], edit_start: int, delta: int) -> list[Region]:
    """Kept old regions, moved by ``delta`` if they are after the edit (they are all on the
    same side of it: the edit lies inside a re-queried range)."""
    return _shifted(kept, delta) if kept and kept[0].start >= edit_start else kept


# --- Regions -------------------------------------------------------------------------------------


def _spans(nodes: list[Node], conv: _ByteMap | None) -> list[Span]:
    """The code-point spans of ``nodes``, sorted, without empty (missing) ones."""
    if conv is None:
        out = [n.byte_range for n in nodes]
    else:
        out = [(conv(n.start_byte), conv(n.end_byte)) for n in nodes]
    out = [(s, e) for s, e in out if s < e]
    out.sort()
    return out


def _inside(starts: list[int], reach: list[int], s: int, e: int) -> bool:
    """Whether ``[s, e)`` lies inside one of the spans whose sorted starts are ``starts`` and
    whose running maximum end is ``reach``."""
    i = bisect_right(starts, s) - 1
    return i >= 0 and reach[i] >= e


def _cuts_within(cuts: list[Span], starts: list[int], s: int, e: int) -> list[Span]:
    """The cuts that lie entirely inside ``[s, e)`` (not those of an enclosing string)."""
    out: list[Span] = []
    i = bisect_left(starts, s)
    while i < len(cuts) and cuts[i][0] < e:
        if cuts[i][1] <= e:
            out.append(cuts[i])
        i += 1
    return out


def _captures(g: _Grammar, tree: Tree, lo: int, hi: int) -> dict[str, list[Node]]:
    """The query's captures; with a byte range, only the nodes entirely inside it."""
    cursor = QueryCursor(g.query)
    whole = lo == 0 and hi >= tree.root_node.end_byte
    if whole:
        return cursor.captures(tree.root_node)
    cursor.set_byte_range(lo, hi)
    caps = cursor.captures(tree.root_node)
    for name, nodes in caps.items():
        caps[name] = [n for n in nodes if lo <= n.start_byte and n.end_byte <= hi]
    return caps


def _regions(g: _Grammar, text: str, data: bytes, tree: Tree, lo: int, hi: int) -> list[Region]:
    """The regions of the nodes inside the byte range ``[lo, hi)``, sorted."""
    spec = g.spec
    caps = _captures(g, tree, lo, hi)
    conv = _byte_map(text, data)
    empty: list[Node] = []
    make = _make
    regions: list[Region] = []

    # Identifiers: by far the most numerous captures, so the loop is kept minimal.
    kind = RegionKind.IDENTIFIER
    idents = caps.get("ident", empty)
    if conv is None:
        ranges = [n.byte_range for n in idents]
    else:
        ranges = [(conv(n.start_byte), conv(n.end_byte)) for n in idents]
    if spec.filter_identifiers:
        words = (_WORD.search(text, s, e) for s, e in ranges)
        regions = [make(*m.span(), kind, _EMPTY) for m in words if m and _LETTER.search(m[0])]
    else:
        regions = [make(s, e, kind, _EMPTY) for s, e in ranges if s < e]
    for s, e in _spans(caps.get("private", empty), conv):
        if text.startswith("#", s):
            s += 1
        if s < e:
            regions.append(make(s, e, kind, _EMPTY))

    cuts = _spans(caps.get("cut", empty), conv)
    cut_starts = [s for s, _ in cuts]
    skips = _spans(caps.get("skip", empty), conv)

    # Python docstrings: one region each, escapes and code as holes; their pieces are skipped.
    for s, e in _spans(caps.get("doc", empty), conv):
        m = _PY_STRING_OPEN.match(text, s, e)
        if m is None or "f" in m.group(1).lower():
            continue  # an f-string is not a docstring; it is checked as a string
        quote = m.group(2)
        cs = m.end()
        ce = e - len(quote)
        if ce < cs or not text.startswith(quote, ce):
            ce = e  # unterminated (a syntax error)
        skips.append((s, e))
        holes = docstring_holes(text, cs, ce, s - (text.rfind("\n", 0, s) + 1))
        holes.extend(_cuts_within(cuts, cut_starts, cs, ce))
        holes = merge(holes, cs, ce)
        if has_words(text, cs, ce, holes):
            regions.append(make(cs, ce, RegionKind.DOCSTRING, tuple(holes)))
    skips.sort()
    skip_starts = [s for s, _ in skips]
    skip_reach: list[int] = []
    for _, e in skips:
        skip_reach.append(max(e, skip_reach[-1]) if skip_reach else e)

    # String contents: content nodes as they are; wrapped strings without their quotes.
    candidates = _spans(caps.get("content", empty), conv)
    for node in caps.get("wrap", empty):
        s, e = node.byte_range
        if conv is not None:
            s, e = conv(s), conv(e)
        cs = s + WRAP_PREFIX.get(node.type, 0)
        ce = e - 1 if node.type != "heredoc_body" and e - 1 >= cs and text[e - 1] in "\"'" else e
        candidates.append((cs, ce))
    for s, e in _spans(caps.get("jsx", empty), conv):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        candidates.append((s, e))
    kind = RegionKind.STRING
    for s, e in candidates:
        if s >= e or (skips and _inside(skip_starts, skip_reach, s, e)):
            continue
        inner = _cuts_within(cuts, cut_starts, s, e) if cuts else []
        if spec.regex_escapes and text.find("\\", s, e) >= 0:
            inner.extend(m.span() for m in _BACKSLASH.finditer(text, s, e))
            inner.sort()
        pos = s
        for cs, ce in inner:
            if cs > pos and _LETTER.search(text, pos, cs):
                regions.append(make(pos, cs, kind, _EMPTY))
            pos = max(pos, ce)
        if pos < e and _LETTER.search(text, pos, e):
            regions.append(make(pos, e, kind, _EMPTY))

    # Comments.
    kind = RegionKind.COMMENT
    for s, e, holes in comment_regions(text, _spans(caps.get("comment", empty), conv), spec):
        regions.append(make(s, e, kind, tuple(holes)))

    # Document order; drop anything overlapping what came before (error recovery can nest).
    regions.sort(key=_START)
    out: list[Region] = []
    last = 0
    limit = len(text)
    for r in regions:
        if r.start >= last and r.end <= limit:
            out.append(r)
            last = r.end
    return out
