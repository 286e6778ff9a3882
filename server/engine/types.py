"""Plain data shared by every part of the engine.

Offsets are code-point indices into the document's text (Python ``str`` indices). They are
converted to editor positions (UTF-16 by default) exactly once, at the LSP border
(``server.lsp.convert``), and to 1-based line/column by the CLI.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import NamedTuple


class RegionKind(enum.Enum):
    """What a stretch of a document is, which decides how its words are found and judged."""

    #: Running text: a paragraph of Markdown, plain text, reST, LaTeX or a commit message.
    PROSE = "prose"
    #: A comment in code (the comment markers may be included; they are not words).
    COMMENT = "comment"
    #: A docstring: prose inside a string literal.
    DOCSTRING = "docstring"
    #: The contents of a string literal (quotes, escapes and interpolations excluded where the
    #: grammar allows; format specifiers are masked by the tokenizer).
    STRING = "string"
    #: One identifier: split at camelCase, snake_case, kebab-case, digits and acronyms.
    IDENTIFIER = "identifier"


@dataclass(frozen=True, slots=True)
class Region:
    """A stretch ``text[start:end]`` of a document that should be checked.

    ``holes`` are sorted, non-overlapping ``(start, end)`` document ranges inside the region
    that are not words (an inline code span in a Markdown paragraph, ``$x$`` in LaTeX, a doctest
    line in a docstring). Keeping them inside the region, rather than splitting the region
    around them, keeps a paragraph whole: spelling skips the holes, grammar sees a placeholder.
    """

    start: int
    end: int
    kind: RegionKind
    holes: tuple[tuple[int, int], ...] = ()


class Token(NamedTuple):
    """A word to check, found inside a region.

    ``start``/``end`` are document offsets. ``whole`` is the identifier or token the word came
    from (``recieveData`` for the word ``recieve``), which the speller may accept as a whole.
    A named tuple rather than a frozen dataclass: a large document makes hundreds of thousands
    of tokens, and a tuple is several times cheaper to build.
    """

    start: int
    end: int
    text: str
    kind: RegionKind
    whole: str = ""


class CheckCancelled(Exception):
    """Raised inside a check when its ``should_stop()`` turned true; the result is abandoned."""


class Category(str, enum.Enum):
    SPELLING = "spelling"
    GRAMMAR = "grammar"


class Rule(str, enum.Enum):
    """Stable rule ids: they appear in diagnostics (``code``), the CLI's JSON and settings."""

    #: A word no dictionary knows.
    UNKNOWN_WORD = "spelling.unknown-word"
    #: A word found in a list of real, known misspellings (high confidence).
    KNOWN_TYPO = "spelling.known-typo"
    #: A correct word of the other English dialect (``colour`` in en-US).
    DIALECT = "spelling.dialect"


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: what is wrong at ``[start, end)`` and how to fix it (best first)."""

    start: int
    end: int
    text: str
    rule: str
    category: Category
    message: str
    suggestions: tuple[str, ...] = ()
    confidence: float = 1.0
    #: Other places with the same mistake that one fix must change together: the other
    #: occurrences of a misspelt identifier in the document (renaming one alone would break
    #: the code), as ``(start, end)`` document offsets.
    related: tuple[tuple[int, int], ...] = ()

    def shifted(self, delta: int) -> Issue:
        """The same issue moved by ``delta`` code points (regions are cached region-relative).
        Built directly, not with ``dataclasses.replace`` (five times slower): a check shifts
        every finding of the document, hundreds of them on every keystroke."""
        return Issue(
            self.start + delta,
            self.end + delta,
            self.text,
            self.rule,
            self.category,
            self.message,
            self.suggestions,
            self.confidence,
            tuple((s + delta, e + delta) for s, e in self.related) if self.related else (),
        )

    def with_related(self, related: tuple[tuple[int, int], ...]) -> Issue:
        return replace(self, related=related)

    @property
    def full_message(self) -> str:
        """The message, saying how many more places one fix will change."""
        if not self.related:
            return self.message
        return f"{self.message} ({len(self.related)} more in this file, fixed together)"

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Every place this issue covers: its own range first, then the related ones."""
        return ((self.start, self.end), *self.related)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``new_text`` (code-point offsets)."""

    start: int
    end: int
    new_text: str


@dataclass(slots=True)
class CheckStats:
    """How much work one check did; the server logs it and the benchmarks read it."""

    regions: int = 0
    regions_checked: int = 0
    tokens: int = 0
    extra: dict[str, float] = field(default_factory=dict)
