"""Property-based fuzzing of the real server over stdio (pytest-lsp's client, hypothesis).

Hypothesis draws programs: opens, closes and reopens; incremental edits (inserts, deletes,
multi-line replacements, emoji and other surrogate pairs, CRLF, lone CR and mixed line
breaks, several changes in one notification, columns past a line's end, whole-text changes);
settings changes; completion and inline completion; code actions for the current diagnostics,
for ones the document has moved past, and with an edit racing the request; quick fixes and
fix-all applied the way an editor applies them; the dictionary and ignore commands; another
process adding a word to the user dictionary file. Diagnostics are pushed, or pulled with the
last result id. The client keeps its own copy of every version of every document, with its own
position arithmetic (nothing from ``server.lsp.documents``), and after every step checks:

* the server answers every request before a deadline, with a result (or a JSON-RPC error
  where the request is wrong: fix-all for a closed document), and shows no error;
* every published diagnostic names a version the client sent, versions never go backwards,
  and its range (and its related ranges) lie inside that version's text, on code-point
  boundaries in the negotiated units, covering exactly the flagged word;
* every edit a code action or ``quill.fixAll`` carries names the version it was made for
  (``server/lsp/actions.py``): the current one, or, when an edit raced the request, the one
  before, which a client then refuses. Applied to the client's text of the version it names,
  a quick fix replaces exactly the diagnostic's word (at each related place) by the
  suggestion it names;
* with spelling only, the diagnostics of a document's current version are exactly what a
  fresh checker finds in the client's text, with the settings and accepted words the client
  sent (the server checks edits incrementally, reusing what unchanged regions gave);
* a diagnostic of the current version gets one quick fix per suggestion (at most five), and
  fix-all applies the first suggestion of every diagnostic, overlapping ones dropped;
* ignoring a word or adding it to a dictionary (here or from another process) removes it from
  the next diagnostics, pulled ones included (a pull was answered "unchanged" after another
  process's dictionary change: found here, fixed in ``convert.report_id``);
* the server's copy of each document equals the client's (``quill.documentState``: version,
  line count, end position, SHA-256) after every step, and a closed one is gone.

One server process serves all of a test's examples (a process takes seconds to start); each
example opens fresh URIs and closes them at the end. The examples are derandomized so a run is
reproducible; ``QUILL_FUZZ_SEED=random`` draws new ones (hypothesis' database then replays a
failure), and ``QUILL_FUZZ_EXAMPLES`` sets how many.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import hashlib
import os
import re
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers as hypothesis_providers
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from server.engine.checkable import skip_reason
from server.engine.checker import Checker, CheckOptions
from server.lsp import commands
from server.lsp.actions import FIX_ALL_KIND
from server.lsp.settings import Settings
from tests.e2e.conftest import DEADLINE, QuillClient, start_client, stop_client

T = TypeVar("T")

RANDOM = os.environ.get("QUILL_FUZZ_SEED", "") == "random"


# Hypothesis mixes literals of every local module imported so far into what it draws, so a
# "derandomized" run drew other programs depending on which test files were collected with
# this one (the whole suite vs tests/reliability alone). Its pool stays empty here, so the
# examples are the same however the suite is run. (The programs it drew with the whole suite
# found a race, since fixed: a check still running under the old settings when a
# didChangeConfiguration arrived published its result, and cached its regions, as if made
# under the new ones.)
_EMPTY_POOL = hypothesis_providers.Constants(
    integers=hypothesis_providers.SortedSet(),
    floats=hypothesis_providers.SortedSet(key=hypothesis_providers.float_to_int),
    bytes=hypothesis_providers.SortedSet(),
    strings=hypothesis_providers.SortedSet(),
)
hypothesis_providers._get_local_constants = lambda: _EMPTY_POOL


def fuzz_settings(examples: int) -> settings:
    """Bounded, reproducible runs by default; ``QUILL_FUZZ_SEED=random`` varies the seed."""
    return settings(
        max_examples=int(os.environ.get("QUILL_FUZZ_EXAMPLES", examples)),
        deadline=None,
        derandomize=not RANDOM,
        print_blob=True,
    )


# -- the client's copy of a document: the LSP's line rules and columns, written from the spec --

_BREAK = re.compile(r"\r\n|\r|\n")


def line_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content: only \\n, \\r\\n and \\r break lines."""
    bounds, start = [], 0
    for m in _BREAK.finditer(text):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


@dataclass(frozen=True)
class Units:
    """The client's position arithmetic in the negotiated encoding (UTF-16 code units unless
    the client offered UTF-8 first), written apart from ``server.lsp.documents``."""

    encoding: str = "utf-16"

    def width(self, text: str) -> int:
        if self.encoding == "utf-32":
            return len(text)
        if self.encoding == "utf-16":
            return len(text.encode("utf-16-le", "surrogatepass")) // 2
        return len(text.encode("utf-8", "surrogatepass"))

    def columns(self, line: str) -> list[int]:
        """The columns of a line's code-point boundaries (0 .. its length)."""
        result = [0]
        for ch in line:
            result.append(result[-1] + self.width(ch))
        return result

    def offset_at(self, text: str, position: types.Position) -> int:
        """Code-point offset of a position; a column past the line's end means its end."""
        bounds = line_bounds(text)
        if position.line >= len(bounds):
            return len(text)
        start, end = bounds[position.line]
        return start + bisect.bisect_right(self.columns(text[start:end]), position.character) - 1

    def positions(self, text: str) -> list[types.Position]:
        """Every position a client can name in ``text``, in document order."""
        return [
            types.Position(line, column)
            for line, (start, end) in enumerate(line_bounds(text))
            for column in self.columns(text[start:end])
        ]

    def position_at(self, text: str, offset: int) -> types.Position:
        """The position of a code-point offset (never inside a line break)."""
        for line, (start, end) in enumerate(line_bounds(text)):
            if offset <= end:
                return types.Position(line, self.width(text[start:offset]))
        raise AssertionError(f"offset {offset} past the end of {text!r}")

    def end_position(self, text: str) -> types.Position:
        bounds = line_bounds(text)
        start, end = bounds[-1]
        return types.Position(len(bounds) - 1, self.width(text[start:end]))

    def on_boundary(self, text: str, position: types.Position) -> bool:
        """Whether the position names a real place: an existing line, a code-point boundary."""
        bounds = line_bounds(text)
        if not 0 <= position.line < len(bounds):
            return False
        start, end = bounds[position.line]
        return position.character in self.columns(text[start:end])

    def range_text(self, text: str, rng: types.Range) -> str:
        """The text a range covers, which must lie inside ``text``."""
        assert self.on_boundary(text, rng.start) and self.on_boundary(text, rng.end), (
            f"range {fmt(rng)} is not inside the text {text!r}"
        )
        start, end = self.offset_at(text, rng.start), self.offset_at(text, rng.end)
        assert start <= end, f"range {fmt(rng)} ends before it starts"
        return text[start:end]

    def apply_edits(self, text: str, edits: list[types.TextEdit]) -> str:
        """All edits at once, as a WorkspaceEdit means them (ranges of the original text)."""
        spans = sorted(
            (self.offset_at(text, e.range.start), self.offset_at(text, e.range.end), e.new_text)
            for e in edits
        )
        out, pos = [], 0
        for start, end, new_text in spans:
            assert start >= pos, f"overlapping edits: {[fmt(e.range) for e in edits]}"
            out += [text[pos:start], new_text]
            pos = end
        return "".join([*out, text[pos:]])

    def apply_changes(self, text: str, changes: list[types.TextDocumentContentChangeEvent]) -> str:
        """didChange's content changes, each applied to the result of the one before."""
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangeWholeDocument):
                text = change.text
                continue
            start = self.offset_at(text, change.range.start)
            end = self.offset_at(text, change.range.end)
            text = text[:start] + change.text + text[end:]
        return text

    def replace_spans(self, text: str, ranges: list[types.Range], new: str) -> str:
        """``text`` with every range replaced by ``new``."""
        spans = sorted((self.offset_at(text, r.start), self.offset_at(text, r.end)) for r in ranges)
        for start, end in reversed(spans):
            text = text[:start] + new + text[end:]
        return text


def as_changes(edits: list[types.TextEdit]) -> list[types.TextDocumentContentChangeEvent]:
    """A WorkspaceEdit's edits as an editor sends them back: last first, so that each range
    still names the same text when its turn comes."""
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    return [
        types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
        for e in reversed(ordered)
    ]


def fmt(rng: types.Range) -> str:
    s, e = rng.start, rng.end
    return f"{s.line}:{s.character}-{e.line}:{e.character}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# -- programs ------------------------------------------------------------------------------

TYPOS = ["wrod ", "recieve ", "teh ", "misspeled ", "Anothr ", "herre ", "Zorblax ", "frobnicator "]
#: Words, known typos, a made-up word, code with misspelt identifiers (found at several
#: places), code to complete, Markdown, surrogate pairs, and every kind of line break and
#: near-line-break (\u2028, form feed and NEL break lines for ``str.splitlines``, not for LSP).
POOL = [
    "the ", "word ", "receive ", "colour ", "color ", "quantity ", "and ", "He go ",
    *TYPOS,
    "recieveBuffer = 1\n", "recieveBuffer.x\n", "def total_quantitiy(items):\n",
    '    """Sum the quantites."""\n', "# a wrod\n", "`teh` ", "[wrod](https://exmple.com) ",
    "def f(x):\n    return ", "for i in range(10):\n    ", "class A:\n    def m(self):\n        ",
    "# Notes ", "😀", "𝔘", "😋😋 ", "é", "中文 ", "\t",
    "\n", "\r\n", "\r", "\n\n", "\r\r\n", "\u2028", "\x0c", "\x85",
    ". ", ", ", "'", '"', "(", ")", "_", " ",
]  # fmt: skip

#: Mostly the pool (so that there is something to flag), sometimes any text at all.
tokens = st.one_of(
    st.sampled_from(POOL),
    st.sampled_from(POOL),
    st.sampled_from(POOL),
    st.text(st.characters(codec="utf-8"), max_size=3),  # no lone surrogates: not valid text
)
#: A document always starts out with a known typo somewhere (edits may take it away).
document_texts = st.tuples(
    st.lists(tokens, max_size=10), st.sampled_from(TYPOS), st.lists(tokens, max_size=8)
).map(lambda parts: "".join(parts[0]) + parts[1] + "".join(parts[2]))
inserted_texts = st.lists(tokens, max_size=5).map("".join)

LANGUAGES = {"plaintext": "txt", "markdown": "md", "python": "py"}
SLOTS = 3
#: The server's default ``maxFileSize``: larger (or binary) documents are not checked.
MAX_FILE_SIZE = Settings().max_file_size
#: The error quill.fixAll answers for a document that is not open (the server also shows it).
EXPECTED_ERROR = "document is not open"


@dataclass(frozen=True)
class Open:
    """didOpen in a slot (a reopen when the slot was closed: same URI, a later version)."""

    slot: int
    language: str
    text: str


@dataclass(frozen=True)
class Change:
    """One content change: from the ``at``-th nameable position to ``span`` positions on,
    its end column ``overshoot`` past the line's end when it is at one (clamped, per spec)."""

    at: int
    span: int
    text: str
    overshoot: int


@dataclass(frozen=True)
class Edit:
    """didChange with one or more changes (``whole``: sent as the whole new text); the
    version goes up by ``1 + skip``."""

    slot: int
    changes: tuple[Change, ...]
    skip: int
    whole: bool


@dataclass(frozen=True)
class Close:
    slot: int


@dataclass(frozen=True)
class Configure:
    """workspace/didChangeConfiguration with the whole section, some keys varied."""

    spelling: bool
    dialect: str
    words: tuple[str, ...]
    debounce_ms: int
    grammar: bool


@dataclass(frozen=True)
class Complete:
    """completion or inlineCompletion at the ``at``-th position (or the end of its line)."""

    slot: int
    at: int
    inline: bool
    line_end: bool


@dataclass(frozen=True)
class Actions:
    """codeAction for the diagnostics the client shows (``stale``: those of an older
    version, whatever their ranges now name); ``race``: changes sent right behind it."""

    slot: int
    stale: bool
    race: tuple[Change, ...]


@dataclass(frozen=True)
class Fix:
    """Take the ``pick``-th quick fix with an edit (applied as an editor does), or with a
    command (a dictionary or ignore: run it)."""

    slot: int
    pick: int
    command: bool


@dataclass(frozen=True)
class FixAll:
    """``quill.fixAll``: the server sends workspace/applyEdit; the editor applies it."""

    slot: int


@dataclass(frozen=True)
class Settle:
    """Wait for (or pull) every open document's diagnostics of its current version."""


@dataclass(frozen=True)
class Accept:
    """Another process (a second editor's Quill) adds a word to the user dictionary file:
    the ``pick``-th word flagged in a document, or a typo."""

    slot: int
    pick: int


Op = Open | Edit | Close | Configure | Complete | Actions | Fix | FixAll | Settle | Accept

slots = st.integers(0, SLOTS - 1)
changes = st.builds(
    Change,
    at=st.integers(0, 400),
    span=st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 60)),
    text=inserted_texts,
    overshoot=st.sampled_from([0, 0, 1, 50]),
)
edits = st.builds(
    Edit,
    slots,
    st.lists(changes, min_size=1, max_size=3).map(tuple),
    st.sampled_from([0, 0, 2]),
    st.sampled_from([False, False, False, True]),
)
races = st.one_of(st.just(()), st.lists(changes, min_size=1, max_size=2).map(tuple))
configures = st.builds(
    Configure,
    spelling=st.booleans(),
    dialect=st.sampled_from(["en-US", "en-GB"]),
    words=st.lists(st.sampled_from(["wrod", "Zorblax", "teh"]), max_size=2).map(tuple),
    debounce_ms=st.sampled_from([0, 0, 30]),
    grammar=st.booleans(),
)
accepts = st.builds(Accept, slots, st.integers(0, 20))
completes = st.builds(Complete, slots, st.integers(0, 400), st.booleans(), st.booleans())


@st.composite
def programs(draw: st.DrawFn, languages: list[str]) -> list[Op]:
    """Some documents opened, then steps: one of each kind (``one_of`` alone draws some kinds
    rarely, and a run must reach them all), and some edits, with random others around them."""
    opens = st.builds(Open, slots, st.sampled_from(languages), document_texts)
    ops: st.SearchStrategy[Op] = st.one_of(
        edits,
        opens,
        st.builds(Close, slots),
        configures,
        completes,
        st.builds(Actions, slots, st.booleans(), races),
        st.builds(Fix, slots, st.integers(0, 20), st.booleans()),
        st.builds(FixAll, slots),
        st.just(Settle()),
        accepts,
    )
    every_kind: list[Op] = [
        draw(configures),
        draw(completes),
        draw(st.builds(Actions, slots, st.just(True), st.just(()))),
        draw(st.builds(Actions, slots, st.booleans(), races.filter(bool))),
        draw(st.builds(Fix, slots, st.integers(0, 20), st.just(False))),
        draw(st.builds(Fix, slots, st.integers(0, 20), st.just(True))),
        draw(st.builds(FixAll, slots)),
        draw(st.builds(Close, slots)),
        draw(opens),
        draw(accepts),
    ]
    steps = draw(st.lists(ops, max_size=10))
    for op in [*every_kind, *draw(st.lists(edits, min_size=1, max_size=6))]:
        steps.insert(draw(st.integers(0, len(steps))), op)
    return [*draw(st.lists(opens, min_size=1, max_size=SLOTS)), *steps]


# -- the harness: one server, many examples --------------------------------------------------


@dataclass
class ClientDoc:
    uri: str
    language: str
    version: int
    text: str
    open: bool = True
    #: Words ignored in this document (quill.ignoreWord), lower-cased.
    ignored: set[str] = field(default_factory=set)
    #: Pull diagnostics: the last report's result id and items (an "unchanged" report
    #: means these still hold).
    result_id: str | None = None
    pulled: list[types.Diagnostic] = field(default_factory=list)
    #: Settings or accepted words changed since this version was sent. The next publication
    #: for this version may or may not reflect that (a check in flight publishes what it
    #: found), so before relying on "the current diagnostics" the client sends an empty
    #: edit: the first publication of that new version comes from a check that started
    #: after the change (see :meth:`Example.current`).
    dirty: bool = False


@dataclass
class Harness:
    """A real server and its client on an event loop of their own, shared by the examples of
    one test. Hypothesis calls the test synchronously; each example runs to completion on
    this loop (with a deadline), so the server process outlives the examples."""

    loop: asyncio.AbstractEventLoop
    quill: QuillClient
    base: dict[str, Any]
    #: Whether the grammar model is configured: its findings arrive in passes, so the checks
    #: that need a document's complete diagnostics apply to spelling only.
    grammar: bool
    units: Units
    #: The client pulls diagnostics (textDocument/diagnostic) instead of being sent them.
    pull: bool
    #: Fresh checkers, one per dialect, for what the server should find (spelling only).
    checkers: dict[str, Checker] = field(default_factory=dict)
    #: Every version of every document the client sent: (uri, version) -> text.
    texts: dict[tuple[str, int], str] = field(default_factory=dict)
    #: The last version each URI had (a reopen continues from it, so versions stay unique).
    versions: dict[str, int] = field(default_factory=dict)
    published_version: dict[str, int] = field(default_factory=dict)
    checked_publications: int = 0
    checked_messages: int = 0
    examples: int = 0
    #: What the examples did, summed: a fuzz run that never reached a step proves nothing.
    counts: dict[str, int] = field(default_factory=dict)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 4 * DEADLINE) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def checker(self, dialect: str) -> Checker:
        if dialect not in self.checkers:
            options = CheckOptions(spelling=True, dialect=dialect, grammar=False)
            self.checkers[dialect] = Checker(options)
        return self.checkers[dialect]


class Example:
    """One hypothesis example: its documents, and the steps that check every invariant."""

    def __init__(self, harness: Harness) -> None:
        harness.examples += 1
        self.h = harness
        self.units = harness.units
        self.quill = harness.quill
        self.prefix = f"ex{harness.examples}"
        self.docs: dict[int, ClientDoc] = {}
        #: The settings last sent, and the words added to a dictionary (lower-cased).
        self.values = harness.base
        self.dictionary: set[str] = set()

    # -- running -------------------------------------------------------------------------
    async def run(self, program: list[Op]) -> None:
        self.reset()
        try:
            for op in program:
                await self.step(op)
            await self.settle()
        except BaseException:
            with contextlib.suppress(Exception):
                await self.close_all()
            raise
        await self.close_all()
        self.check_publications()

    async def step(self, op: Op) -> None:
        self.h.count(type(op).__name__)
        if isinstance(op, Open):
            self.open(op)
        elif isinstance(op, Edit):
            self.edit(op)
        elif isinstance(op, Close):
            self.close(self.target(op.slot))
        elif isinstance(op, Configure):
            self.configure(op)
        elif isinstance(op, Complete):
            await self.complete(op)
        elif isinstance(op, Actions):
            await self.actions(op)
        elif isinstance(op, Fix):
            await self.fix(op)
        elif isinstance(op, FixAll):
            await self.fix_all(op.slot)
        elif isinstance(op, Accept):
            await self.accept(op)
        else:
            await self.settle()
        self.check_publications()
        self.check_messages()
        for doc in self.docs.values():
            await self.check_state(doc)

    def reset(self) -> None:
        """Settings back to the base, dictionaries emptied (the server re-reads a changed
        file), so one example's words do not decide what the next one sees."""
        for path in (
            self.quill.config_home / "quill" / "dictionary.txt",
            self.quill.workspace / ".quill" / "dictionary.txt",
        ):
            path.unlink(missing_ok=True)
        self.send_settings(self.h.base)
        self.values, self.dictionary = self.h.base, set()

    async def close_all(self) -> None:
        for doc in self.docs.values():
            self.close(doc)
        for doc in self.docs.values():
            await self.check_state(doc)

    # -- document sync -------------------------------------------------------------------
    def target(self, slot: int) -> ClientDoc:
        """The document a step acts on: one this example opened (open or closed since)."""
        opened = sorted(self.docs)
        return self.docs[opened[slot % len(opened)]]

    def record(self, doc: ClientDoc) -> None:
        self.h.texts[(doc.uri, doc.version)] = doc.text
        self.h.versions[doc.uri] = doc.version

    def open(self, op: Open) -> None:
        previous = self.docs.get(op.slot)
        if previous is not None and previous.open:
            return
        name = f"{self.prefix}-{op.slot}.{LANGUAGES[op.language]}"
        uri = previous.uri if previous else self.quill.uri(name)
        doc = ClientDoc(uri, op.language, self.h.versions.get(uri, 0) + 1, op.text)
        self.docs[op.slot] = doc
        self.record(doc)
        self.quill.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=op.language, version=doc.version, text=op.text
                )
            )
        )

    def close(self, doc: ClientDoc) -> None:
        if not doc.open:
            return
        doc.open = False
        self.quill.lsp.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(doc.uri))
        )

    def edit(self, op: Edit) -> None:
        self.change(self.target(op.slot), op.changes, 1 + op.skip, op.whole)

    def change(
        self, doc: ClientDoc, changes: tuple[Change, ...], step: int = 1, whole: bool = False
    ) -> None:
        """Turn drawn changes into ranges of the client's text and send them."""
        text = doc.text
        sent: list[types.TextDocumentContentChangeEvent] = []
        for change in changes:
            named = self.units.positions(text)
            first = change.at % len(named)
            start, end = named[first], named[min(first + change.span, len(named) - 1)]
            line_start, line_end = line_bounds(text)[end.line]
            if change.overshoot and end.character == self.units.width(text[line_start:line_end]):
                end = types.Position(end.line, end.character + change.overshoot)
            partial = types.TextDocumentContentChangePartial(
                range=types.Range(start, end), text=change.text
            )
            sent.append(partial)
            text = self.units.apply_changes(text, [partial])
        if whole:
            sent = [types.TextDocumentContentChangeWholeDocument(text=text)]
        self.send_changes(doc, sent, step)
        if doc.open:
            doc.text = text
            self.record(doc)
        self.h.count("changes", len(sent))

    def send_changes(
        self, doc: ClientDoc, changes: list[types.TextDocumentContentChangeEvent], step: int = 1
    ) -> None:
        """didChange (also for a closed document: the server must ignore it)."""
        if doc.open:
            doc.version += step
        self.quill.lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=doc.uri, version=doc.version
                ),
                content_changes=changes,
            )
        )

    def apply_as_editor(self, doc: ClientDoc, edit: types.WorkspaceEdit) -> None:
        """Apply a workspace edit for the current version as an editor does and send it back
        as didChange."""
        _, text_edits = self.versioned_edits(doc, edit, {doc.version})
        expected = self.units.apply_edits(doc.text, text_edits)
        changes = as_changes(text_edits)
        assert self.units.apply_changes(doc.text, changes) == expected, "edits sent back differ"
        self.send_changes(doc, changes)
        doc.text = expected
        self.record(doc)

    async def check_state(self, doc: ClientDoc) -> None:
        """The server's copy of the document is the client's (or it is not open there)."""
        state = await self.quill.execute(
            types.Command(title="state", command=commands.DOCUMENT_STATE, arguments=[doc.uri])
        )
        if not doc.open:
            assert state is None, f"{doc.uri} is closed, but the server still has it: {state}"
            return
        end = self.units.end_position(doc.text)
        expected = {
            "uri": doc.uri,
            "version": doc.version,
            "languageId": doc.language,
            "lineCount": len(line_bounds(doc.text)),
            "end": {"line": end.line, "character": end.character},
            "sha256": digest(doc.text),
        }
        assert state == expected, f"the server's copy differs from the client's {doc.text!r}"

    # -- settings --------------------------------------------------------------------------
    async def accept(self, op: Accept) -> None:
        """Append to the user dictionary as another Quill process would: the server re-reads
        the file when it changes, so the next diagnostics must let the word through."""
        doc = self.target(op.slot)
        flagged = sorted({data(d)["word"] for d in await self.current(doc)}) if doc.open else []
        choices = [w for w in flagged if " " not in w] or [t.strip() for t in TYPOS]
        word = choices[op.pick % len(choices)]
        path = self.quill.config_home / "quill" / "dictionary.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"{word}\n")
        self.dictionary.add(word.lower())
        for other in self.docs.values():
            other.dirty = True
        if doc.open:
            argument = {"word": word, "scope": "user"}
            still = [d for d in await self.current(doc) if accepted(d, argument)]
            assert not still, f"{word!r} still flagged in {doc.uri} after another process added it"

    def send_settings(self, values: dict[str, Any]) -> None:
        self.quill.lsp.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"quill": values})
        )
        for doc in self.docs.values():
            doc.dirty = True

    def configure(self, op: Configure) -> None:
        values = copy.deepcopy(self.h.base)
        values["spelling"].update(enabled=op.spelling, dialect=op.dialect, words=list(op.words))
        values["diagnostics"]["debounceMs"] = op.debounce_ms
        values["grammar"]["enabled"] = op.grammar and self.h.grammar
        self.send_settings(values)
        self.values = values

    # -- diagnostics -----------------------------------------------------------------------
    def check_publications(self) -> None:
        """Every diagnostic published since the last look names a version the client sent
        and lies inside its text, on the flagged word."""
        published = self.quill.recorder.published
        assert not (self.h.pull and published), "diagnostics pushed to a client that pulls"
        for params in published[self.h.checked_publications :]:
            self.h.count("publications")
            if params.version is None:  # the clear that follows a close
                assert not params.diagnostics, f"unversioned diagnostics for {params.uri}"
                continue
            key = (params.uri, params.version)
            assert key in self.h.texts, f"diagnostics for a version never sent: {key}"
            last = self.h.published_version.get(params.uri, 0)
            assert params.version >= last, f"{params.uri}: v{params.version} after v{last}"
            self.h.published_version[params.uri] = params.version
            text = self.h.texts[key]
            for d in params.diagnostics:
                self.h.count("diagnostics")
                word = data(d)["word"]
                assert self.units.range_text(text, d.range) == word, (
                    f"{word!r} not at {fmt(d.range)}"
                )
                for related in d.related_information or []:
                    assert related.location.uri == params.uri
                    assert self.units.range_text(text, related.location.range) == word
        self.h.checked_publications = len(published)

    def check_messages(self) -> None:
        """No error messages: a handler that raised is reported as one (pygls), except the
        one answering this client's own wrong request (fix-all for a closed document)."""
        messages = self.quill.lsp.messages
        for message in messages[self.h.checked_messages :]:
            if message.type == types.MessageType.Error:
                assert EXPECTED_ERROR in message.message, message.message
        self.h.checked_messages = len(messages)

    async def current(self, doc: ClientDoc) -> list[types.Diagnostic]:
        """The diagnostics of the document as it is now, after everything the client did:
        with spelling only, exactly what a fresh checker finds in the client's text (the
        server checks edits incrementally, reusing what it found in unchanged regions)."""
        if self.h.pull:
            diagnostics = await self.pull(doc)
        else:
            diagnostics = await self.pushed(doc)
        if not self.h.grammar:
            found = sorted((fmt(d.range), data(d)["word"], str(d.code)) for d in diagnostics)
            assert found == self.expected(doc), f"not what a fresh check finds in {doc.text!r}"
        return diagnostics

    async def pushed(self, doc: ClientDoc) -> list[types.Diagnostic]:
        """The first diagnostics published for the current version; an empty edit first if
        something changed since it was sent (see :attr:`ClientDoc.dirty`)."""
        if doc.dirty:
            start = types.Position(0, 0)
            touch = types.TextDocumentContentChangePartial(range=types.Range(start, start), text="")
            self.send_changes(doc, [touch])
            self.record(doc)
            doc.dirty = False
        return await self.quill.diagnostics(doc.uri, doc.version)

    async def pull(self, doc: ClientDoc) -> list[types.Diagnostic]:
        """textDocument/diagnostic with the last result id: the server answers "unchanged"
        only when the last report still holds. No empty edit: the request is answered after
        everything sent before it."""
        report = await asyncio.wait_for(
            self.quill.lsp.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=doc.uri),
                    previous_result_id=doc.result_id,
                )
            ),
            DEADLINE,
        )
        if isinstance(report, types.RelatedUnchangedDocumentDiagnosticReport):
            assert doc.result_id is not None and report.result_id == doc.result_id
            self.h.count("unchanged reports")
        else:
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            doc.result_id, doc.pulled = report.result_id, list(report.items)
        for d in doc.pulled:
            assert self.units.range_text(doc.text, d.range) == data(d)["word"]
        return doc.pulled

    def expected(self, doc: ClientDoc) -> list[tuple[str, str, str]]:
        """What the server should publish for the document's current text: a fresh check with
        the settings last sent, less the words the user accepted (server/lsp/state.py)."""
        spelling = self.values.get("spelling", {})
        if not spelling.get("enabled", True) or skip_reason(doc.text, MAX_FILE_SIZE):
            return []
        checker = self.h.checker(spelling.get("dialect", "en-US"))
        issues = checker.check(doc.text, doc.language, use_cache=False).issues
        words = {w.lower() for w in spelling.get("words", [])} | self.dictionary | doc.ignored
        return sorted(
            (fmt(self.range_of(doc.text, i.start, i.end)), i.text, i.rule)
            for i in issues
            if i.text.lower() not in words
        )

    def range_of(self, text: str, start: int, end: int) -> types.Range:
        return types.Range(self.units.position_at(text, start), self.units.position_at(text, end))

    async def settle(self) -> None:
        for doc in self.docs.values():
            if doc.open:
                await self.current(doc)

    # -- code actions ----------------------------------------------------------------------
    def versioned_edits(
        self, doc: ClientDoc, edit: types.WorkspaceEdit, versions: set[int]
    ) -> tuple[int, list[types.TextEdit]]:
        """The version a workspace edit names, and its edits. It must name one: an edit made
        for an older version is what a client has to refuse, so it must be able to tell."""
        assert edit.changes is None, "unversioned edits"
        (change,) = edit.document_changes or []
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == doc.uri
        version = change.text_document.version
        assert version in versions, f"an edit for v{version}; the client sent {versions}"
        return version, [e for e in change.edits if isinstance(e, types.TextEdit)]

    async def code_actions(
        self,
        doc: ClientDoc,
        diagnostics: list[types.Diagnostic],
        *,
        fresh: bool,
        race: tuple[Change, ...] = (),
    ) -> list[types.CodeAction]:
        """Ask for actions and check each against the client's text of the version its edit
        names. ``fresh``: the diagnostics are the current version's. ``race``: changes sent
        while the request is on its way, so the answer may be for either version (or none:
        the server gives up when the document changes under it)."""
        before = doc.version
        request = asyncio.ensure_future(self.quill.code_actions(doc.uri, diagnostics))
        if race:
            await asyncio.sleep(0)  # the request is on the wire before the change
            self.change(doc, race)
            self.h.count("raced requests")
        actions = await request
        self.h.count("actions", len(actions))
        fixes: dict[int, list[str]] = {}
        for action in actions:
            if action.command is not None:
                assert action.edit is None and action.kind == types.CodeActionKind.QuickFix
                (diagnostic,) = action.diagnostics or []
                assert diagnostic in diagnostics
                assert action.command.command in (commands.ADD_WORD, commands.IGNORE_WORD)
                argument = argument_of(action.command)
                assert argument["word"] == data(diagnostic)["word"]
                assert argument["uri"] == doc.uri
                continue
            assert action.edit is not None
            version, edits = self.versioned_edits(doc, action.edit, {before, doc.version})
            text = self.h.texts[(doc.uri, version)]
            exact = fresh and version == before and not self.h.grammar
            if version != doc.version:
                self.h.count("stale edits a client refuses")
            if action.kind == FIX_ALL_KIND:
                if exact:
                    assert sorted_edits(edits) == fix_all_expected(diagnostics)
                self.units.apply_edits(text, edits)  # inside the text, none overlapping
                continue
            assert action.kind == types.CodeActionKind.QuickFix
            (diagnostic,) = action.diagnostics or []
            assert diagnostic in diagnostics
            suggestion = check_fix(self.units, text, diagnostic, edits, exact)
            fixes.setdefault(diagnostics.index(diagnostic), []).append(suggestion)
            self.h.count("quick fixes")
        if fresh and not race and not self.h.grammar:
            for index, diagnostic in enumerate(diagnostics):
                wanted = list(data(diagnostic)["suggestions"][:5])
                assert fixes.get(index, []) == wanted, f"fixes for {data(diagnostic)}"
        return actions

    async def actions(self, op: Actions) -> None:
        doc = self.target(op.slot)
        if not doc.open:
            result = await asyncio.wait_for(
                self.quill.lsp.text_document_code_action_async(
                    types.CodeActionParams(
                        text_document=types.TextDocumentIdentifier(uri=doc.uri),
                        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                        context=types.CodeActionContext(diagnostics=[]),
                    )
                ),
                DEADLINE,
            )
            assert result is None
            return
        older = [
            p
            for p in self.quill.recorder.published
            if p.uri == doc.uri and p.version is not None and p.version < doc.version
            if p.diagnostics
        ]
        if op.stale and older:
            self.h.count("stale requests")
            diagnostics = list(older[-1].diagnostics)
            await self.code_actions(doc, diagnostics, fresh=False, race=op.race)
        else:
            await self.code_actions(doc, await self.current(doc), fresh=True, race=op.race)

    async def fix(self, op: Fix) -> None:
        doc = self.target(op.slot)
        if not doc.open:
            return
        diagnostics = await self.current(doc)
        actions = [
            a
            for a in await self.code_actions(doc, diagnostics, fresh=True)
            if a.kind != FIX_ALL_KIND and (a.command is not None) == op.command
        ]
        if not actions:
            return
        action = actions[op.pick % len(actions)]
        if action.edit is not None:
            self.apply_as_editor(doc, action.edit)
            self.h.count("fixes applied")
            return
        assert action.command is not None
        argument = argument_of(action.command)
        result = await self.quill.execute(action.command)
        assert isinstance(result, dict)
        self.h.count(action.command.command)
        # A dictionary reaches every open document; an ignore, its own.
        affected = [d for d in self.docs.values() if d.open] if "scope" in argument else [doc]
        if "scope" in argument:
            self.dictionary.add(argument["word"].lower())
        elif "rule" not in argument:
            doc.ignored.add(argument["word"].lower())
        for other in affected:
            other.dirty = True
            still = [d for d in await self.current(other) if accepted(d, argument)]
            assert not still, f"{argument} still flagged in {other.uri}: {still}"

    async def fix_all(self, slot: int) -> None:
        doc = self.target(slot)
        command = types.Command(title="fix all", command=commands.FIX_ALL, arguments=[doc.uri])
        if not doc.open:
            with pytest.raises(JsonRpcException, match=EXPECTED_ERROR):
                await self.quill.execute(command)
            return
        diagnostics = await self.current(doc)
        applied = len(self.quill.recorder.applied_edits)
        result = await self.quill.execute(command)
        assert isinstance(result, dict)
        new = self.quill.recorder.applied_edits[applied:]
        if not result.get("fixes"):
            assert new == [] and result == {"applied": False, "fixes": 0}
            assert self.h.grammar or not fix_all_expected(diagnostics)
            return
        (params,) = new
        _, edits = self.versioned_edits(doc, params.edit, {doc.version})
        assert result == {"applied": True, "fixes": len(edits)}
        if not self.h.grammar:
            assert sorted_edits(edits) == fix_all_expected(diagnostics)
        self.apply_as_editor(doc, params.edit)
        self.h.count("fix-all applied")

    # -- completion ------------------------------------------------------------------------
    async def complete(self, op: Complete) -> None:
        doc = self.target(op.slot)
        named = self.units.positions(doc.text)
        position = named[op.at % len(named)]
        if op.line_end:
            position = [p for p in named if p.line == position.line][-1]
        ident = types.TextDocumentIdentifier(uri=doc.uri)
        if op.inline:
            inline = await asyncio.wait_for(
                self.quill.lsp.text_document_inline_completion_async(
                    types.InlineCompletionParams(
                        text_document=ident,
                        position=position,
                        context=types.InlineCompletionContext(
                            trigger_kind=types.InlineCompletionTriggerKind.Automatic
                        ),
                    )
                ),
                DEADLINE,
            )
            if not doc.open:
                assert inline is None
                return
            assert isinstance(inline, types.InlineCompletionList)
            for suggestion in inline.items:
                assert suggestion.range == types.Range(position, position)
                assert isinstance(suggestion.insert_text, str) and suggestion.insert_text
                self.h.count("inline suggestions")
            return
        listed = await asyncio.wait_for(
            self.quill.lsp.text_document_completion_async(
                types.CompletionParams(text_document=ident, position=position)
            ),
            DEADLINE,
        )
        if not doc.open or doc.language != "python":
            assert listed is None
            return
        assert isinstance(listed, types.CompletionList)
        for item in listed.items:
            self.h.count("completion items")
            if isinstance(item.text_edit, types.TextEdit):
                typed = self.units.range_text(doc.text, item.text_edit.range)
                assert item.text_edit.range.end == position
                assert item.text_edit.new_text.startswith(typed)
            else:  # an identifier of the document (ASCII letters, digits and _)
                assert re.search(rf"(?<![A-Za-z0-9_]){re.escape(item.label)}", doc.text), item


def data(diagnostic: types.Diagnostic) -> dict[str, Any]:
    """What Quill put in its diagnostic: the flagged word, suggestions, rule, category."""
    assert isinstance(diagnostic.data, dict), diagnostic
    return diagnostic.data


def argument_of(command: types.Command) -> dict[str, Any]:
    """The one argument of a dictionary or ignore command: ``{"word", "uri", ...}``."""
    (argument,) = command.arguments or [None]
    assert isinstance(argument, dict), command
    return argument


def check_fix(
    units: Units, text: str, diagnostic: types.Diagnostic, edits: list[types.TextEdit], exact: bool
) -> str:
    """A quick fix replaces the flagged word, and only it, at each of its places, with one
    suggestion; returns which. ``exact``: the diagnostic is of this very text, so its places
    are the fix's places."""
    word, suggestions = data(diagnostic)["word"], data(diagnostic)["suggestions"]
    assert edits, "a quick fix without edits"
    new = {e.new_text for e in edits}
    assert len(new) == 1 and next(iter(new)) in suggestions, (new, suggestions)
    ranges = sorted(fmt(e.range) for e in edits)
    assert fmt(diagnostic.range) in ranges
    if exact:
        related = [r.location.range for r in diagnostic.related_information or []]
        assert ranges == sorted(fmt(r) for r in [diagnostic.range, *related])
    for e in edits:
        assert units.range_text(text, e.range) == word, f"the fix for {word!r} replaces more"
    suggestion = next(iter(new))
    expected = units.replace_spans(text, [e.range for e in edits], suggestion)
    assert units.apply_edits(text, edits) == expected
    return suggestion


def accepted(diagnostic: types.Diagnostic, argument: dict[str, Any]) -> bool:
    """Whether a dictionary or ignore command's ``argument`` accepts what ``diagnostic`` flags:
    a grammar ignore names its rule and words, the others a spelling word (any case)."""
    word = data(diagnostic)["word"].lower()
    if "rule" in argument:
        return bool(
            diagnostic.code == argument["rule"] and word.strip() == argument["word"].lower()
        )
    return bool(data(diagnostic)["category"] == "spelling" and word == argument["word"].lower())


def sorted_edits(edits: list[types.TextEdit]) -> list[tuple[str, str]]:
    key = [((e.range.start.line, e.range.start.character), e) for e in edits]
    return [(fmt(e.range), e.new_text) for _, e in sorted(key, key=lambda k: k[0])]


def fix_all_expected(diagnostics: list[types.Diagnostic]) -> list[tuple[str, str]]:
    """Fix-all's edits for these diagnostics: the first suggestion at every place of every
    diagnostic that has one, in document order, an edit overlapping the one before dropped."""
    candidates = []
    for d in diagnostics:
        if not data(d)["suggestions"]:
            continue
        places = [d.range, *(r.location.range for r in d.related_information or [])]
        for r in places:
            start, end = (r.start.line, r.start.character), (r.end.line, r.end.character)
            candidates.append((start, end, r, data(d)["suggestions"][0]))
    result, last_end = [], (-1, -1)
    for start, end, r, new in sorted(candidates, key=lambda c: (c[0], c[1])):
        if start < last_end:
            continue
        result.append((fmt(r), new))
        last_end = end
    return result


# -- the tests -------------------------------------------------------------------------------

SPELLING_ONLY: dict[str, Any] = {
    "diagnostics": {"debounceMs": 0},
    "grammar": {"enabled": False},
    # Learnt project words would accept the fuzzer's typos after a few documents.
    "spelling": {"learnProjectWords": False},
    "completion": {"maxTokens": 4, "timeoutMs": 0, "generate": True},
}


@contextlib.contextmanager
def harness(
    tmp: Path,
    base: dict[str, Any],
    *,
    grammar: bool = False,
    capabilities: str = "visual-studio-code",
    encoding: str = "utf-16",
    pull: bool = False,
) -> Iterator[Harness]:
    """Start the server with ``base`` settings and the named client's capabilities, which
    decide the position encoding."""
    loop = asyncio.new_event_loop()
    try:
        quill = loop.run_until_complete(
            start_client(tmp, capabilities=capabilities, initialization_options=base, pull=pull)
        )
        h = Harness(loop, quill, base, grammar, Units(encoding), pull)
        try:
            status = h.run(h.quill.execute(types.Command(title="s", command=commands.STATUS)))
            assert status["positionEncoding"] == encoding
            yield h
        finally:
            loop.run_until_complete(stop_client(quill))
    finally:
        loop.close()


def spelling_only(tmp: Path) -> dict[str, Any]:
    """Grammar off; completion asked of a model directory that does not exist (it answers,
    with identifiers of the document only)."""
    options = copy.deepcopy(SPELLING_ONLY)
    options["models"] = {"code": str(tmp / "no-code-model")}
    return options


@pytest.fixture(scope="module")
def spelling_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """VS Code's capabilities: positions in UTF-16 code units."""
    tmp = tmp_path_factory.mktemp("fuzz-spelling")
    with harness(tmp, spelling_only(tmp)) as h:
        yield h


@pytest.fixture(scope="module")
def utf8_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Neovim's capabilities: it offers UTF-8 first, so positions count bytes."""
    tmp = tmp_path_factory.mktemp("fuzz-utf8")
    with harness(tmp, spelling_only(tmp), capabilities="neovim", encoding="utf-8") as h:
        yield h


@pytest.fixture(scope="module")
def pull_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """A client that pulls diagnostics (and so is sent none)."""
    tmp = tmp_path_factory.mktemp("fuzz-pull")
    with harness(tmp, spelling_only(tmp), pull=True) as h:
        yield h


@pytest.fixture(scope="module")
def model_server(
    tmp_path_factory: pytest.TempPathFactory, tiny_grammar_model: Path, tiny_code_model: Path
) -> Iterator[Harness]:
    """The tiny grammar and code models the training presets build in this session."""
    tmp = tmp_path_factory.mktemp("fuzz-models")
    options = copy.deepcopy(SPELLING_ONLY)
    options["grammar"] = {"enabled": True}
    options["models"] = {"grammar": str(tiny_grammar_model), "code": str(tiny_code_model)}
    with harness(tmp, options, grammar=True) as h:
        yield h


def fuzz(h: Harness, examples: int, languages: list[str]) -> None:
    """Run the property on ``h``'s server (a nested ``@given``: the server fixture is
    module-scoped and the function-scoped pytest machinery stays out of hypothesis' loop)."""

    @fuzz_settings(examples)
    @given(program=programs(languages))
    def sessions(program: list[Op]) -> None:
        h.run(Example(h).run(program))

    sessions()


#: What a run must have reached: a fuzz run that never got to fixes proves nothing about them.
REACHED = [
    "changes", "Close", "Configure", "Complete", "diagnostics", "quick fixes", "fixes applied",
    "stale requests", "raced requests", "fix-all applied", "publications",
]  # fmt: skip


def test_spelling_server_survives_random_sessions(spelling_server: Harness) -> None:
    fuzz(spelling_server, examples=80, languages=sorted(LANGUAGES))
    missing = [what for what in REACHED if not spelling_server.counts.get(what)]
    assert not missing, f"the programs never reached {missing}: {spelling_server.counts}"


def test_utf8_positions_survive_random_sessions(utf8_server: Harness) -> None:
    fuzz(utf8_server, examples=25, languages=sorted(LANGUAGES))
    assert utf8_server.counts.get("quick fixes"), utf8_server.counts


def test_pulled_diagnostics_survive_random_sessions(pull_server: Harness) -> None:
    fuzz(pull_server, examples=25, languages=sorted(LANGUAGES))
    assert pull_server.counts.get("unchanged reports"), pull_server.counts


def test_grammar_and_completion_models_survive_random_sessions(model_server: Harness) -> None:
    fuzz(model_server, examples=20, languages=["python", "python", "markdown"])
    assert model_server.counts.get("inline suggestions"), model_server.counts
