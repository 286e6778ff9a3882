"""Git commit messages: the subject line, then one region per body paragraph or list item.

Left out, as git itself leaves them out of the commit: ``#`` comment lines, everything from
the scissors line on (``git commit -v`` puts the diff below it), and a ``diff --git`` without
scissors. Also left out, because they are not prose: the trailers in the last paragraph
(``Signed-off-by: Name <email>``...), indented blocks (logs, backtraces, code) and a
conventional-commit or subsystem prefix on the subject (``feat(parser):``, ``net/ipv4:``).
"""

from __future__ import annotations

import re

from ..types import Region
from .plaintext import add_region, is_blank, make_region, simple_holes, split_lines

#: Git's scissors line, with the default comment character; anything below it is dropped.
_SCISSORS = re.compile(r"#[ \t]*-+[ \t]*>8[ \t]*-+[ \t]*$")
_DIFF = re.compile(r"diff --git ")
#: ``Token: value``: git's trailer shape (a token has no spaces; ``:`` is the separator).
_TRAILER = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(\S.*)?$")
_CHERRY_PICK = re.compile(r"\(cherry picked from commit [0-9a-fA-F]+\)[ \t]*$")
#: A trailer value that is clearly not prose: an issue number, an address, a URL, a hash...
_NON_PROSE_VALUE = re.compile(
    r"#?[0-9]+\b|<|[A-Za-z][A-Za-z0-9+.-]*://|[0-9a-fA-F]{7,40}\b|[A-Z][A-Z0-9]+-[0-9]+\b|\S+@\S+"
)
#: Trailer tokens without a hyphen that git users write (hyphenated ones are taken as is:
#: ``Signed-off-by``, ``Co-authored-by``, ``Change-Id``...). "Note: this matters." in a last
#: paragraph is prose, not a trailer.
_KNOWN_TOKENS = frozenset(
    (
        "fixes",
        "closes",
        "close",
        "closed",
        "resolves",
        "resolved",
        "fix",
        "refs",
        "ref",
        "references",
        "see",
        "cc",
        "bug",
        "bugs",
        "issue",
        "issues",
        "link",
        "related",
        "ticket",
        "jira",
        "task",
    )
)
_GIT_TRAILERS = frozenset(("signed-off-by", "co-authored-by"))
_LIST_ITEM = re.compile(r"[ \t]{0,3}(?:[-*+]|[0-9]{1,9}[.)])[ \t]+")
_SUBJECT_PREFIX = re.compile(
    r"(?:(?:fixup|squash|amend)![ \t]+)*"
    r"(?:[a-z][\w./-]{0,39}(?:\([^()\r\n]{0,60}\))?!?:[ \t]+)?"
)


def _trailer_lines(text: str, lines: list[tuple[int, int, int]], para: list[int]) -> set[int]:
    """Which lines (indexes) of the last paragraph are trailers and their continuations.

    Git's rule, roughly: the paragraph is a trailer block when every line is a trailer, or when
    at least a quarter are and one of them is one git writes itself (``Signed-off-by``, the
    cherry-pick note). Only then are its trailer lines left out.
    """
    trailers: set[int] = set()
    count = 0
    every = True
    generated = False
    previous = False
    for k in para:
        ls, le, _ = lines[k]
        if previous and text[ls] in " \t":
            trailers.add(k)  # a folded continuation of the trailer above
            continue
        previous = False
        if _CHERRY_PICK.match(text, ls, le):
            generated = True
        else:
            m = _TRAILER.match(text, ls, le)
            if m is None:
                every = False
                continue
            token = m.group(1).lower()
            value = m.group(2) or ""
            if (
                "-" not in token
                and token not in _KNOWN_TOKENS
                and not _NON_PROSE_VALUE.match(value)
            ):
                every = False
                continue
            generated = generated or token in _GIT_TRAILERS
        trailers.add(k)
        previous = True
        count += 1
    if count and (every or (generated and 4 * count >= len(para))):
        return trailers
    return set()


def commit_regions(text: str) -> list[Region]:
    """The prose regions of a commit message (may raise on a bug; see ``prose``)."""
    lines = split_lines(text)
    stop = len(lines)
    for k, (ls, le, _) in enumerate(lines):
        if (text.startswith("#", ls) and _SCISSORS.match(text, ls, le)) or _DIFF.match(
            text, ls, le
        ):
            stop = k
            break
    # Paragraphs of line indexes; comment lines separate them like blank lines.
    paras: list[list[int]] = []
    current: list[int] = []
    for k in range(stop):
        ls, le, _ = lines[k]
        if text.startswith("#", ls) or is_blank(text, ls, le):
            if current:
                paras.append(current)
                current = []
            continue
        current.append(k)
    if current:
        paras.append(current)
    if not paras:
        return []

    regions: list[Region] = []

    def emit(start: int, last: int) -> None:
        end = lines[last][1]
        holes = simple_holes(text, start, end, code_spans=True, mentions=True)
        add_region(regions, make_region(text, start, end, holes))

    subject = paras[0][0]
    ls, le, _ = lines[subject]
    prefix = _SUBJECT_PREFIX.match(text, ls, le)
    emit(prefix.end() if prefix else ls, subject)
    paras[0] = paras[0][1:]

    skipped = _trailer_lines(text, lines, paras[-1]) if len(paras) > 1 else set()
    for para in paras:
        if not para:
            continue
        first_start = lines[para[0]][0]
        if text.startswith(("    ", "\t"), first_start):
            continue  # an indented block: a log, a backtrace, code
        item_first = -1
        item_start = 0
        item_last = -1
        for k in para:
            if k in skipped:
                if item_first >= 0:
                    emit(item_start, item_last)
                    item_first = -1
                continue
            ls, le, _ = lines[k]
            m = _LIST_ITEM.match(text, ls, le)
            if m is not None or item_first < 0:
                if item_first >= 0:
                    emit(item_start, item_last)
                item_first = k
                item_start = m.end() if m is not None else ls
            item_last = k
        if item_first >= 0:
            emit(item_start, item_last)
    return regions
