"""Completion from the workspace's own code: an index of its lines, the candidates it offers
at a cursor, and the features a ranker scores them by.

Why: a line the user is about to write very often exists already in the project (about one
non-trivial line in four occurs verbatim elsewhere in the same file, more than one in three
elsewhere in the repository), and a small model recognises which of a few such lines fits far
more often than it writes one token by token. So the workspace supplies candidates, a ranker
(:mod:`server.engine.completion_ranker`) picks one, and Quill says nothing when unsure.

The index keeps, for every file, its non-blank lines (indentation width and stripped text), and
across all files:

* how often each stripped line occurs (candidates for a typed line start: ``self.assert`` ->
  every line that starts so, by frequency);
* which lines follow each line, each pair of lines, and each *shape* of line (names and
  literals abstracted, :func:`shape`), with the change of indentation between them (candidates
  for the next line: after ``def __init__(self, x):`` one step deeper comes
  ``super().__init__()`` or ``self.x = x``, and the same after ``def __init__(self, a, b):``).

At the cursor, the file's own lines add candidates too: the lines that come after a context
whose names are like those of the lines just before the cursor (``context``).

Files are replaced whole (``add``) or dropped (``remove``), so an edit in the editor or on disk
costs one file's lines. Everything here is pure: text in, candidates out.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: A line longer than this is data, not code a person types: not indexed, never suggested.
MAX_LINE_CHARS = 300
#: Distinct lines appearing or going between two prefix queries past which the sorted view
#: is sorted anew rather than patched (a build, a large paste).
RESORT_AFTER = 2000
#: Candidates scored per request, at most (the most frequent first).
MAX_CANDIDATES = 40
#: Lines around the cursor whose repetition makes a candidate unlikely (it is already there).
NEARBY_LINES = 4
#: Lines before the cursor whose names and lines are "recent" (what the user is working with).
RECENT_LINES = 30
#: Lines before a line whose names make its context (:func:`_similar_context`).
CONTEXT_LINES = 3
#: A line after a context this similar to the cursor's (Jaccard of names) is a candidate.
SIMILAR_AT_LEAST = 0.4
#: Candidates from similar contexts, at most.
MAX_SIMILAR = 10

#: One indexed line: its indentation width (tabs count 4) and its stripped text.
Line = tuple[int, str]

#: Words a line's shape keeps (keywords and the names every class uses); every other name
#: becomes ``_``, so ``def __init__(self, x, y):`` and ``def __init__(self, a):`` share a shape.
_SHAPE_WORDS = frozenset(
    """False None True and as assert async await break class continue def del elif else
    except finally for from global if import in is lambda nonlocal not or pass raise return
    try while with yield self cls super const let var function new this static public private
    protected void fn pub impl struct enum match mut use mod package func type interface
    switch case default do end then""".split()
)
_DEFINITION = re.compile(r"\s*(?:async\s+)?(?:def|class|function|fn|func)\s+(\w+)")
_NAMES_RUN = re.compile(r"_(?:\s*,\s*_)+")


def indent_width(line: str) -> int:
    """Columns of leading whitespace (a tab counts 4)."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4
        else:
            break
    return width


def nonblank_lines(raws: Iterable[str]) -> Iterator[Line]:
    """The non-blank lines of ``raws``, as (indentation, stripped text)."""
    for raw in raws:
        stripped = raw.strip()
        if stripped:
            yield indent_width(raw), stripped


def index_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text`` worth indexing, as (indentation, stripped text)."""
    return [line for line in nonblank_lines(text.splitlines()) if len(line[1]) <= MAX_LINE_CHARS]


def shape(line: str) -> str:
    """``line`` with its names (other than keywords and dunders) and literals abstracted: the
    key under which lines that do the same thing with other names share what follows them."""
    out = _IDENT.sub(lambda m: m[0] if m[0] in _SHAPE_WORDS or m[0].startswith("__") else "_", line)
    out = _LITERAL.sub("0", out)
    return _NAMES_RUN.sub("_", out)


_LITERAL = re.compile(r"\b\d[\w.]*|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")


#: What follows one key: the one line seen after it (most keys have one), or a Counter of them.
Following = tuple[int, str] | Counter[tuple[int, str]]


def _bump(table: dict[Any, Following], key: Any, item: tuple[int, str], sign: int) -> None:
    """Count ``item`` after ``key`` once more (``sign`` 1) or once less (-1, dropping what
    reaches zero, so a removed file leaves nothing behind). A key followed by one line once
    holds that line itself: a Counter per line would take three times the memory."""
    held = table.get(key)
    if held is None:
        if sign > 0:
            table[key] = item
        return
    if isinstance(held, tuple):
        if sign > 0:
            table[key] = Counter({held: 1}) + Counter({item: 1})
        elif held == item:
            del table[key]
        return
    held[item] += sign
    if held[item] <= 0:
        del held[item]
        if not held:
            del table[key]


def following(table: dict[Any, Following], key: Any) -> Counter[tuple[int, str]]:
    """What follows ``key`` in ``table``, counted (empty when nothing does)."""
    held = table.get(key)
    if held is None:
        return Counter()
    if isinstance(held, tuple):
        return Counter({held: 1})
    return held


@dataclass
class CodeIndex:
    """Lines of a set of files and what follows what (see the module docstring)."""

    files: dict[str, list[Line]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    follows: dict[str, Following] = field(default_factory=dict)
    follows2: dict[tuple[str, str], Following] = field(default_factory=dict)
    #: What follows each shape of line (:func:`shape`).
    follows_shape: dict[str, Following] = field(default_factory=dict)
    #: Lines and characters indexed (kept as counts: a status may read them from another thread).
    line_count: int = 0
    char_count: int = 0
    #: Every distinct line, sorted (None: to be sorted at the next prefix query), and the
    #: lines that appeared or went since it was last brought up to date.
    _sorted: list[str] | None = None
    _sorted_new: set[str] = field(default_factory=set)
    _sorted_gone: set[str] = field(default_factory=set)

    def add(self, key: str, text: str) -> None:
        """Index ``text`` as the file ``key``, replacing what was indexed for it. Only the
        lines that changed (between the unchanged start and end of the file) and the pairs
        that touch them are counted again: an edit in an open document costs its size, not
        the file's."""
        new = index_lines(text)
        old = self.files.get(key)
        self.files[key] = new
        if old is None:
            self._apply(new, +1, 0, len(new))
            return
        same = min(len(old), len(new))
        start = 0
        while start < same and old[start] == new[start]:
            start += 1
        end = 0
        while end < same - start and old[-1 - end] == new[-1 - end]:
            end += 1
        self._apply(old, -1, start, len(old) - end)
        self._apply(new, +1, start, len(new) - end)

    def remove(self, key: str) -> None:
        lines = self.files.pop(key, None)
        if lines is not None:
            self._apply(lines, -1, 0, len(lines))

    def _apply(self, lines: Sequence[Line], sign: int, start: int, end: int) -> None:
        """Count (``sign`` 1) or uncount (-1) ``lines[start:end]`` and every pair that
        involves one of them (a pair reaches two lines back)."""
        if start >= end and start >= len(lines):
            return
        window = lines[start:end]
        self.line_count += sign * len(window)
        self.char_count += sign * sum(len(text) for _, text in window)
        counts = self.counts
        for _, text in window:
            counts[text] += sign
            if counts[text] <= 0:
                del counts[text]
                self._sorted_change(text, self._sorted_gone, self._sorted_new)
            elif sign > 0 and counts[text] == 1:
                self._sorted_change(text, self._sorted_new, self._sorted_gone)
        for i in range(max(1, start), min(len(lines), end + 2)):
            before = lines[i - 2][1] if i >= 2 else ""
            prev = lines[i - 1][1]
            item = (lines[i][0] - lines[i - 1][0], lines[i][1])  # shared by the three tables
            _bump(self.follows, prev, item, sign)
            _bump(self.follows2, (before, prev), item, sign)
            _bump(self.follows_shape, shape(prev), item, sign)

    def _sorted_change(self, text: str, into: set[str], cancels: set[str]) -> None:
        """Note a line that appeared or disappeared for the sorted view: applied at the next
        prefix query (an edit costs a few insertions, not a sort of every line); past
        :data:`RESORT_AFTER` changes the view is simply sorted again."""
        if self._sorted is None:
            return
        if text in cancels:
            cancels.discard(text)
        else:
            into.add(text)
        if len(self._sorted_new) + len(self._sorted_gone) > RESORT_AFTER:
            self._sorted = None
            self._sorted_new.clear()
            self._sorted_gone.clear()

    def starting_with(self, typed: str) -> list[str]:
        """Distinct lines that start with ``typed`` and go on past it."""
        if self._sorted is None:
            self._sorted = sorted(self.counts)
        lines = self._sorted
        for gone in self._sorted_gone:
            at = bisect.bisect_left(lines, gone)
            if at < len(lines) and lines[at] == gone:
                del lines[at]
        for new in self._sorted_new:
            bisect.insort(lines, new)
        self._sorted_gone.clear()
        self._sorted_new.clear()
        lo = bisect.bisect_right(lines, typed)  # the line equal to ``typed`` adds nothing
        hi = bisect.bisect_left(lines, typed + "\U0010ffff")
        return lines[lo:hi]


@dataclass(frozen=True)
class Cursor:
    """Where completion is asked: the lines before the cursor's line, the cursor's line up to
    the cursor, and the lines after it (all as the editor has them)."""

    before: Sequence[str]
    line_prefix: str
    after: Sequence[str] = ()
    #: The index key of the file the cursor is in (its lines count as "same file").
    file: str | None = None

    @property
    def typed(self) -> str:
        """What was typed on the cursor's line after its indentation."""
        return self.line_prefix.lstrip(" \t")

    @property
    def indent(self) -> int:
        return indent_width(self.line_prefix)

    def previous(self, n: int) -> list[Line]:
        """The last ``n`` non-blank lines before the cursor's line, nearest last."""
        return list(itertools.islice(nonblank_lines(reversed(self.before)), n))[::-1]


def cursor_at(text: str, offset: int, file: str | None = None, window: int = 200) -> Cursor:
    """The :class:`Cursor` at ``offset`` of ``text`` (``window`` lines each way)."""
    offset = max(0, min(offset, len(text)))
    start = text.rfind("\n", 0, offset) + 1
    # Only the window is cut and split, not the whole file on every request.
    first = start
    for _ in range(window + 1):
        if first <= 0:
            break
        first = text.rfind("\n", 0, first - 1) + 1
    before = text[first:start].splitlines()[-window:] if start else []
    end = text.find("\n", offset)
    last = end
    for _ in range(window + 1):
        if last < 0:
            break
        last = text.find("\n", last + 1)
    rest = text[end + 1 : last if last >= 0 else len(text)] if end >= 0 else ""
    after = rest.splitlines()[:window]
    return Cursor(before, text[start:offset].rstrip("\r"), after, file)


#: The features of a candidate, in the order the ranker's weights use.
FEATURES = (
    "bias",
    "follows",  # log(1 + times the line follows the previous line)
    "follows_share",  # that, as a share of all lines after the previous line
    "follows_indent",  # log(1 + of those, with the cursor's change of indentation)
    "follows2",  # log(1 + times it follows the previous two lines)
    "follows2_share",
    "shape_indent",  # log(1 + times it follows a line of the previous line's shape, same indent)
    "shape_share",  # its share of all lines after lines of that shape
    "frequency",  # log(1 + times the line occurs anywhere)
    "prefix_share",  # its share of the lines that start as typed (0 at a line start)
    "same_file",  # log(1 + times it occurs in the cursor's file)
    "nearby",  # it is one of the lines right around the cursor already
    "known_names",  # share of the names in what it adds that the file already uses
    "unknown_names",  # log(1 + names in what it adds that the file never uses)
    "added_chars",  # log(1 + characters it adds)
    "typed_chars",  # log(1 + characters typed on the line)
    "competitors",  # log(1 + distinct candidates)
    "redefines",  # it defines (def, class) a name the file already defines
    "string_line",  # it starts with a quote: docstrings and data are hard to guess
    "digits",  # share of its characters that are digits (tables of numbers)
    "at_line_start",  # nothing typed on the line yet (the next-line case)
    "line_start_follows_share",  # follows_share, at a line start only
    "line_start_shape_share",  # shape_share, at a line start only
    "follows_indent_share",  # its share of the lines after the previous line at this indent
    "recent_names",  # share of the names in what it adds used in the last lines before the cursor
    "recent_line",  # it occurs among the last lines before the cursor (beyond the nearby ones)
    "context_similarity",  # how like the cursor's last lines are those before it nearby (names)
)


@dataclass(frozen=True)
class Candidate:
    """A whole line the workspace suggests, what it adds at the cursor, and its features."""

    line: str
    text: str
    features: tuple[float, ...]
    #: Which sources proposed it: ``follows``, ``follows2``, ``shape``, ``prefix``, ``context``.
    sources: frozenset[str]


def _by_line(found: Counter[tuple[int, str]], delta: int) -> tuple[Counter[str], Counter[str]]:
    """How often each line follows, at any change of indentation and at ``delta``."""
    anywhere: Counter[str] = Counter()
    here: Counter[str] = Counter()
    for (d, text), n in found.items():
        anywhere[text] += n
        if d == delta:
            here[text] += n
    return anywhere, here


def _matching(counter: Counter[tuple[int, str]] | None, typed: str) -> Counter[tuple[int, str]]:
    if not counter:
        return Counter()
    return Counter({k: v for k, v in counter.items() if k[1].startswith(typed) and k[1] != typed})


def _similar_context(cursor: Cursor, typed: str, delta: int) -> dict[str, float]:
    """Lines of the editor's window around the cursor (its file) that come after lines like
    the ones before the cursor: each line that starts as typed and comes at the cursor's change
    of indentation, with the best Jaccard similarity between the names in the
    :data:`CONTEXT_LINES` non-blank lines before it and in those before the cursor. A pattern
    the file repeats with variations (a test per case, a branch per option) is found this way
    even when the line just above differs from every earlier one."""
    window = list(nonblank_lines(cursor.before))
    here = len(window)
    window.extend(nonblank_lines(cursor.after))
    names: dict[int, set[str]] = {}  # each line's names, found only when needed

    def names_before(j: int) -> set[str]:
        out: set[str] = set()
        for k in range(max(0, j - CONTEXT_LINES), j):
            if k not in names:
                names[k] = set(_IDENT.findall(window[k][1]))
            out |= names[k]
        return out

    context = names_before(here)
    out: dict[str, float] = {}
    if not context:
        return out
    for j in range(1, len(window)):
        if here - CONTEXT_LINES < j < here + CONTEXT_LINES:  # its context is (partly) the cursor's
            continue
        ind, text = window[j]
        if (
            ind - window[j - 1][0] != delta
            or not text.startswith(typed)
            or text == typed
            or len(text) > MAX_LINE_CHARS
        ):
            continue
        theirs = names_before(j)
        shared = len(theirs & context)
        sim = shared / (len(theirs) + len(context) - shared)
        if sim > out.get(text, 0.0):
            out[text] = sim
    return out


def candidates(index: CodeIndex, cursor: Cursor) -> list[Candidate]:
    """Every line the index proposes at ``cursor``, with its features (unranked)."""
    typed = cursor.typed
    prev = cursor.previous(2)
    prev1 = prev[-1] if prev else (0, "")
    prev2 = prev[-2][1] if len(prev) == 2 else ""
    delta = cursor.indent - prev1[0]

    after1 = _matching(following(index.follows, prev1[1]), typed) if prev else Counter()
    after2 = _matching(following(index.follows2, (prev2, prev1[1])), typed) if prev else Counter()
    by_text1, by_text1_indent = _by_line(after1, delta)
    by_text2, _ = _by_line(after2, delta)
    after_shape = (
        _matching(following(index.follows_shape, shape(prev1[1])), typed) if prev else Counter()
    )
    by_shape, by_shape_indent = _by_line(after_shape, delta)

    pool: dict[str, set[str]] = {}
    for text in by_text1:
        pool.setdefault(text, set()).add("follows")
    for text in by_text2:
        pool.setdefault(text, set()).add("follows2")
    for text, _ in by_shape_indent.most_common(MAX_CANDIDATES // 2):
        pool.setdefault(text, set()).add("shape")
    similar = _similar_context(cursor, typed, delta) if prev else {}
    for text, sim in sorted(similar.items(), key=lambda kv: -kv[1])[:MAX_SIMILAR]:
        if sim >= SIMILAR_AT_LEAST:
            pool.setdefault(text, set()).add("context")
    prefix_total = 0
    if typed:
        started = index.starting_with(typed)
        prefix_total = sum(index.counts[t] for t in started)
        for text in sorted(started, key=lambda t: -index.counts[t])[:MAX_CANDIDATES]:
            pool.setdefault(text, set()).add("prefix")
    if not pool:
        return []
    if len(pool) > MAX_CANDIDATES:
        best = sorted(
            pool,
            key=lambda t: (
                -(4 * by_text2[t] + 2 * by_text1[t] + by_shape_indent[t] + index.counts[t])
            ),
        )[:MAX_CANDIDATES]
        pool = {t: pool[t] for t in best}

    same_file: Counter[str] = Counter()
    if cursor.file is not None:
        same_file.update(text for _, text in index.files.get(cursor.file, ()))
    nearby = {
        raw.strip()
        for raw in [*cursor.before[-NEARBY_LINES:], *cursor.after[:NEARBY_LINES]]
        if raw.strip()
    }
    names_in_file = set(_IDENT.findall("\n".join([*cursor.before, *cursor.after])))
    names_in_file.update(_IDENT.findall(cursor.line_prefix))
    total1 = sum(by_text1.values())
    total2 = sum(by_text2.values())
    total_shape = sum(by_shape.values())
    competitors = math.log1p(len(pool))
    out = []
    defined = {m[1] for raw in [*cursor.before, *cursor.after] if (m := _DEFINITION.match(raw))}
    total1_indent = sum(by_text1_indent.values())
    recent = [raw.strip() for raw in cursor.before[-RECENT_LINES:]]
    recent_names = set(_IDENT.findall("\n".join(recent)))
    recent_names.update(_IDENT.findall(cursor.line_prefix))
    recent_lines = set(recent)
    at_start = 0.0 if typed else 1.0
    for text, sources in pool.items():
        added = text[len(typed) :]
        definition = _DEFINITION.match(text)
        follows_share = by_text1[text] / total1 if total1 else 0.0
        shape_share = by_shape[text] / total_shape if total_shape else 0.0
        names = set(_IDENT.findall(added))
        known = len(names & names_in_file)
        features = (
            1.0,
            math.log1p(by_text1[text]),
            follows_share,
            math.log1p(by_text1_indent[text]),
            math.log1p(by_text2[text]),
            by_text2[text] / total2 if total2 else 0.0,
            math.log1p(by_shape_indent[text]),
            shape_share,
            math.log1p(index.counts[text]),
            index.counts[text] / prefix_total if prefix_total else 0.0,
            math.log1p(same_file[text]),
            1.0 if text in nearby else 0.0,
            known / len(names) if names else 1.0,
            math.log1p(len(names) - known),
            math.log1p(len(added)),
            math.log1p(len(typed)),
            competitors,
            1.0 if definition and definition[1] in defined else 0.0,
            1.0 if text[:1] in "\"'" else 0.0,
            sum(ch.isdigit() for ch in text) / len(text),
            at_start,
            at_start * follows_share,
            at_start * shape_share,
            by_text1_indent[text] / total1_indent if total1_indent else 0.0,
            len(names & recent_names) / len(names) if names else 1.0,
            1.0 if text in recent_lines else 0.0,
            similar.get(text, 0.0),
        )
        out.append(Candidate(text, added, features, frozenset(sources)))
    return out
