"""Prose formats: plain text, Markdown, reStructuredText, LaTeX and git commit messages.

Each extractor returns PROSE regions in document order, non-overlapping, with code-point
offsets into the text: one region per paragraph-like block (paragraph, heading, list item,
table row...), so that a grammar checker sees whole sentences and the checker's per-region
cache is invalidated only around an edit. Inline things that are not words (code spans, link
targets, math, commands, URLs) are holes inside their region rather than splits.

The parsers live in sibling modules (``plaintext``, ``markdown``, ``rst``, ``latex``,
``commit``). The functions here wrap them so that they never raise: the document being typed
is half-written most of the time, and an extractor bug must cost at worst a less precise
check (the plain-text paragraphs), not a failed request in the editor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..types import Region
from .commit import commit_regions
from .latex import latex_regions
from .markdown import markdown_regions
from .plaintext import plaintext_regions
from .rst import rst_regions

__all__ = [
    "extract_commit_message",
    "extract_latex",
    "extract_markdown",
    "extract_plaintext",
    "extract_rst",
]

_LOG = logging.getLogger(__name__)


def _guarded(parser: Callable[[str], list[Region]], text: str) -> list[Region]:
    """``parser(text)``, falling back to plain-text paragraphs if it raises (logged once per
    failure, with the traceback, so the bug can be reported)."""
    try:
        return parser(text)
    except Exception:
        _LOG.exception(
            "%s failed on a %d-character document; using plain-text paragraphs",
            parser.__name__,
            len(text),
        )
    try:
        return plaintext_regions(text)
    except Exception:
        _LOG.exception("plain-text fallback failed too")
        return []


def extract_plaintext(text: str) -> list[Region]:
    """Paragraphs separated by blank lines; URLs and e-mail addresses are holes."""
    try:
        return plaintext_regions(text)
    except Exception:
        _LOG.exception("plaintext_regions failed on a %d-character document", len(text))
        return []


def extract_markdown(text: str) -> list[Region]:
    """CommonMark + GFM prose: see :mod:`server.engine.extract.markdown`."""
    return _guarded(markdown_regions, text)


def extract_rst(text: str) -> list[Region]:
    """reStructuredText prose: see :mod:`server.engine.extract.rst`."""
    return _guarded(rst_regions, text)


def extract_latex(text: str) -> list[Region]:
    """LaTeX prose: see :mod:`server.engine.extract.latex`."""
    return _guarded(latex_regions, text)


def extract_commit_message(text: str) -> list[Region]:
    """Git commit message prose: see :mod:`server.engine.extract.commit`."""
    return _guarded(commit_regions, text)
