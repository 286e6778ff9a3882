"""A passage's sentences, remembered: an edit splits again only the stretch it changed.

Why: after a keystroke, grammar must find the edited sentence among all the document's
sentences (the others are answered from the correction cache). Splitting every passage into
sentences again was most of an edit's cost on a long document (about 300 ms of 360 on 3,000
lines of learner prose, tokenising ~2,000 sentences to tag one). So the sentences of each
stretch of text are cached by that text.

A passage of one long paragraph (a log, prose written one sentence per line with no blank line,
where Markdown sees a single 3,000-line paragraph) would still be split whole on every edit,
so a long passage is cut first into *stretches* at line ends where the splitter itself always
ends a sentence (a full stop, ``!`` or ``?`` right after an ordinary word, at the end of a
line: see :func:`sentences._is_end`). Splitting stretch by stretch then gives exactly the
sentences that splitting the passage whole gives (a test checks it on random texts).
"""

from __future__ import annotations

import re

from ..bounded_cache import BoundedCache
from .sentences import ABBREVIATIONS, split_sentences

#: A passage longer than this is cut into stretches (shorter ones are one stretch).
STRETCH_CHARS = 1500
#: Stretches whose sentences the cache keeps, and characters of their text at most.
CACHE_SIZE = 20_000
CACHE_CHARS = 8_000_000

#: A line that surely ends a sentence: its last token is ``.``, ``!`` or ``?`` right after a
#: word of two or more letters that stands alone (after a space, the line's start or an opening
#: bracket or quote: not the end of a URL, a dotted name, a hyphenated word or a clitic) and is
#: not an abbreviation (which would keep the period).
_SURE_END = re.compile(r"(?<![^\s(\[\"“‘«])([^\W\d_]{2,})$")
#: Where to look for one: an end mark at the end of a line (rare, so found first, fast).
_LINE_END = re.compile(r"[.!?][ \t\r]*\n")
#: Letters looked at before an end mark (a longer word is not English: no cut there).
_WORD_WINDOW = 40

#: Sentences of a stretch: (start in the stretch, text).
Parts = tuple[tuple[int, str], ...]


def cut_points(text: str, every: int = STRETCH_CHARS) -> list[int]:
    """Offsets (just after a line break) where ``text`` may be cut into stretches of at least
    ``every`` characters without moving any sentence boundary."""
    points: list[int] = []
    last = 0
    for m in _LINE_END.finditer(text):
        end = m.end()
        if end - last < every or end >= len(text):
            continue
        word = _SURE_END.search(text, max(0, m.start() - _WORD_WINDOW), m.start())
        if word is None or word.start() == max(0, m.start() - _WORD_WINDOW) > 0:
            continue  # no word right before the mark, or one too long to judge
        if word.group(1).lower() in ABBREVIATIONS:
            continue
        points.append(end)
        last = end
    return points


class SentenceCache:
    """Sentences of passages, cached by stretch of text (thread-safe)."""

    def __init__(self, size: int = CACHE_SIZE, chars: int = CACHE_CHARS) -> None:
        self._cache: BoundedCache[str, Parts] = BoundedCache(size, chars, len)

    def sentences(self, text: str) -> list[tuple[int, str]]:
        """The sentences of ``text`` as (start, text), as :func:`split_sentences` gives them."""
        if len(text) <= STRETCH_CHARS:
            return list(self._stretch(text))
        out: list[tuple[int, str]] = []
        start = 0
        for end in [*cut_points(text, STRETCH_CHARS), len(text)]:
            out += [(start + s, part) for s, part in self._stretch(text[start:end])]
            start = end
        return out

    def _stretch(self, text: str) -> Parts:
        parts = self._cache.get(text)
        if parts is None:
            parts = tuple((s.start, s.text) for s in split_sentences(text))
            self._cache.put(text, parts)
        return parts

    def clear(self) -> None:
        self._cache.clear()
