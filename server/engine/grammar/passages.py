"""The prose of a document as grammar sees it: passages of running text with offsets kept.

Spelling checks words one by one, so a region with holes (inline code, a link target, ``$x$``)
or a comment split over lines is fine as it is. Grammar reads whole sentences, so it needs:

- consecutive comment lines joined into one passage (``# This are a comment`` /
  ``# that spans lines.`` is one sentence), with the comment markers between them blanked;
- holes replaced: a link target (``](https://...)``) by spaces, anything else (inline code,
  maths) by a placeholder word, so "Call `run()` to start" reads "Call X to start";
- Markdown emphasis marks (``**``, ``__``, ``~~``) and link brackets blanked.

Every replacement has the same length as what it replaces, so an offset into a passage's text
is an offset into the document after adding ``passage.start``; ``masked`` says which
characters are not the document's own, and a correction touching them is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..bounded_cache import BoundedCache
from ..types import Region, RegionKind

#: Region kinds grammar reads: running text, comments and docstrings (never code or strings).
GRAMMAR_KINDS = frozenset({RegionKind.PROSE, RegionKind.COMMENT, RegionKind.DOCSTRING})

#: What may separate two comment regions that continue one another: whitespace and comment
#: markers, with exactly one line break.
_COMMENT_GAP = re.compile(r"[ \t]*\r?\n[ \t]*(?:#+|//+|/?\*+|--+|;+|%+|!)?[ \t]*")
#: Markdown emphasis and link brackets (blanked in prose regions).
_MARKUP = re.compile(r"\*{1,3}|_{2,3}|~~|\[|\]")
PLACEHOLDER = "X"


@dataclass(frozen=True, slots=True)
class Passage:
    """``text`` stands for ``document[start:start + len(text)]``; ``masked`` holds passage-relative
    ``(start, end)`` ranges that were blanked or replaced."""

    start: int
    text: str
    masked: tuple[tuple[int, int], ...]

    def touches_mask(self, start: int, end: int) -> bool:
        """Does ``[start, end)`` (passage offsets) overlap a masked range? An insertion
        (``start == end``) touches one only strictly inside it."""
        for s, e in self.masked:
            if start == end:
                if s < start < e:
                    return True
            elif start < e and s < end:
                return True
        return False


def _groups(text: str, regions: Sequence[Region]) -> list[list[Region]]:
    """Grammar regions, with runs of comment lines that continue each other grouped."""
    groups: list[list[Region]] = []
    for region in regions:
        if region.kind not in GRAMMAR_KINDS:
            continue
        if groups:
            last = groups[-1][-1]
            if (
                region.kind is RegionKind.COMMENT
                and last.kind is RegionKind.COMMENT
                and _COMMENT_GAP.fullmatch(text, last.end, region.start)
            ):
                groups[-1].append(region)
                continue
        groups.append([region])
    return groups


def _blank(chars: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if chars[k] not in "\r\n":
            chars[k] = " "


#: A passage's text and masked ranges, relative to its start.
_Built = tuple[str, tuple[tuple[int, int], ...]]


class PassageCache(BoundedCache[tuple[object, ...], _Built]):
    """Passages as built before, by their text and regions (relative to the passage): after
    an edit only the edited passage is built again (blanking a 3,000-line paragraph's markup
    cost 15 ms a keystroke). Bounded by entries and characters; thread-safe."""

    def __init__(self, size: int = 20_000, chars: int = 8_000_000) -> None:
        super().__init__(size, chars, lambda key: len(str(key[0])))


def _key(text: str, group: list[Region], markdown: bool) -> tuple[object, ...]:
    start = group[0].start
    shape = tuple(
        (r.kind, r.start - start, r.end - start, tuple((s - start, e - start) for s, e in r.holes))
        for r in group
    )
    return (text[start : group[-1].end], markdown, shape)


def passages(
    text: str,
    regions: Sequence[Region],
    *,
    markdown: bool = False,
    cache: PassageCache | None = None,
) -> list[Passage]:
    """The passages grammar should read in ``text``, in document order (built again only
    where ``cache`` has not seen the passage's text and regions)."""
    out: list[Passage] = []
    for group in _groups(text, regions):
        start, end = group[0].start, group[-1].end
        key = _key(text, group, markdown) if cache is not None else None
        built = cache.get(key) if cache is not None and key is not None else None
        if built is not None:
            out.append(Passage(start, *built))
            continue
        chars = list(text[start:end])
        masked: list[tuple[int, int]] = []
        previous_end = start
        for region in group:
            if region.start > previous_end:  # the comment markers between two lines
                _blank(chars, previous_end - start, region.start - start)
                masked.append((previous_end - start, region.start - start))
            previous_end = region.end
            for hole_start, hole_end in region.holes:
                s, e = hole_start - start, hole_end - start
                _blank(chars, s, e)
                if not text.startswith("](", hole_start):
                    chars[s] = PLACEHOLDER
                masked.append((s, e))
            if markdown and region.kind is RegionKind.PROSE:
                body = "".join(chars[region.start - start : region.end - start])
                for m in _MARKUP.finditer(body):
                    s, e = m.start() + region.start - start, m.end() + region.start - start
                    _blank(chars, s, e)
                    masked.append((s, e))
        passage = Passage(start, "".join(chars), tuple(sorted(masked)))
        if cache is not None and key is not None:
            cache.put(key, (passage.text, passage.masked))
        out.append(passage)
    return out
