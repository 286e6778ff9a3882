"""Suggestions ranked in context: the words around a misspelling choose among its candidates.

The noisy channel (:mod:`.suggest`) ranks ``recieve``'s candidates by letters and word
frequency alone, so ``I cant beleive it`` and ``a beleive`` get the same order. A reader
chooses by the neighbours, and so does this module, with word-pair counts from public-domain
books and the standard library's docstrings (``python -m training ngrams``, about 1.4 million
words, pairs seen twice or more: ``server/engine/data/bigrams.tsv.gz``).

For a candidate ``c`` between ``left`` and ``right`` the evidence is how much more often ``c``
follows ``left`` and precedes ``right`` than its own frequency predicts (pointwise mutual
information, ``ln P(c | left) / P(c)`` plus ``ln P(right | c) / P(right)``), with the pair
probabilities smoothed toward the word's (:attr:`Ranking.smoothing`) and each side's evidence
kept within [:attr:`Ranking.floor`, :attr:`Ranking.ceiling`], so that a pair the books never
wrote does not sink a good word. The channel already counted ``P(c)``; the context adds only
what the neighbours say. It reorders the candidates it is given and never adds one, so a bad
count can cost at most the order of words the channel already found plausible.

Pure: text in, order out; nothing is learned while checking.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from .lexicon import SortedTable, _read_gz

#: The start and end of a sentence, as the counts name them.
START, END = "<s>", "</s>"


@dataclass(frozen=True, slots=True)
class Ranking:
    """How much the neighbours count against the channel."""

    #: Weight of the context's evidence (nats of channel per nat of context).
    weight: float = 1.0
    #: Channel score given to a suggestion the channel did not score (a contraction) or that a
    #: list of known misspellings gives: the best scored candidate's plus this ...
    listed_bonus: float = 5.0
    #: ... less this for each listed fix before it (the lists put the likeliest first, and
    #: word pairs from 1.4 million words are too few to overrule them often).
    listed_step: float = 3.0
    #: Only the first this many suggestions are reordered.
    depth: int = 5
    #: Weight of a pair's count against the word's own probability in ``P(c | left)``.
    smoothing: float = 2.0
    #: A side's evidence is kept within these bounds (nats).
    floor: float = -1.0
    ceiling: float = 6.0


class WordPairs:
    """Word and word-pair counts (lower case), with ``<s>`` and ``</s>`` for sentence ends."""

    def __init__(self, table: SortedTable | Mapping[str, str]) -> None:
        self._table = table
        total = table.get("#total")
        self.total = max(int(total), 1) if total else 1

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> WordPairs:
        """A model from ``{"word": n, "left right": n}`` (tests and tools)."""
        text = {k: str(v) for k, v in counts.items()}
        if "#total" not in text:
            text["#total"] = str(sum(v for k, v in counts.items() if " " not in k))
        return cls(text)

    @classmethod
    def from_file(cls, path: Traversable | Path) -> WordPairs:
        return cls(SortedTable(_read_gz(path)))

    @classmethod
    def shipped(cls) -> WordPairs | None:
        """The shipped counts (loaded once per process); ``None`` when the file is missing."""
        with _SHIPPED_LOCK:
            if "pairs" not in _SHIPPED:
                source = resources.files("server.engine").joinpath("data/bigrams.tsv.gz")
                _SHIPPED["pairs"] = cls.from_file(source) if source.is_file() else None
            return _SHIPPED["pairs"]

    def count(self, key: str) -> int:
        """How often a word (``"word"``) or a pair (``"left right"``) was seen."""
        value = self._table.get(key)
        return int(value) if value else 0

    def _probability(self, word: str) -> float:
        return (self.count(word) + 0.5) / self.total

    def evidence(
        self, left: str | None, word: str, right: str | None, ranking: Ranking = Ranking()
    ) -> float:
        """What the neighbours say for ``word`` (nats; 0 when they say nothing)."""
        smoothing, floor, ceiling = ranking.smoothing, ranking.floor, ranking.ceiling
        score = 0.0
        parts = word.split(" ")
        first, last = parts[0], parts[-1]
        if left is not None:
            n_left = self.count(left)
            if n_left:
                p = self._probability(first)
                given = (self.count(f"{left} {first}") + smoothing * p) / (n_left + smoothing)
                score += min(ceiling, max(floor, math.log(given / p)))
        if right is not None:
            n_word = self.count(last)
            p = self._probability(right)
            given = (self.count(f"{last} {right}") + smoothing * p) / (n_word + smoothing)
            if self.count(right):
                score += min(ceiling, max(floor, math.log(given / p)))
        return score


_SHIPPED: dict[str, WordPairs | None] = {}
_SHIPPED_LOCK = threading.Lock()

_LAST_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?$")
_FIRST_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
#: A neighbour touching one of these is part of something else (a path, an e-mail, x-ray).
_JOINED = frozenset("'’-_/@\\")
_SENTENCE_MARK = frozenset(".!?")
#: How far to look for a neighbour (characters).
_REACH = 48


def neighbours(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The words just before and after ``text[start:end]`` (lower case): ``<s>`` / ``</s>``
    at a sentence's start / end, ``None`` where punctuation or a blank line stands between.
    One line break is a space (wrapped prose); the start of ``text`` starts a sentence."""
    return _left(text, start), _right(text, end)


def _left(text: str, start: int) -> str | None:
    window = max(0, start - _REACH)
    before = text[window:start].rstrip(" \t")
    if before.endswith("\n"):
        before = before[:-1].rstrip(" \t")
        if before.endswith("\n"):
            return START  # a paragraph starts here
    if not before:
        return START if window == 0 else None
    last = before[-1]
    if last in _SENTENCE_MARK:
        return START
    m = _LAST_WORD.search(before)
    if m is None:
        return None
    if m.start() == 0 and window > 0:
        return None  # cut by the window: maybe not the whole word
    if m.start() > 0 and (before[m.start() - 1].isalnum() or before[m.start() - 1] in _JOINED):
        return None
    return m.group().lower().replace("’", "'")


def _right(text: str, end: int) -> str | None:
    after = text[end : end + _REACH].lstrip(" \t")
    if after.startswith("\n"):
        after = after[1:].lstrip(" \t")
    if not after or after[0] == "\n":
        return None  # the end of a paragraph without a full stop (a heading, a list item)
    if after[0] in _SENTENCE_MARK:
        following = after[1:2]
        return END if not following or following.isspace() or following in "\"')]’”" else None
    m = _FIRST_WORD.match(after)
    if m is None:
        return None
    following = after[m.end() : m.end() + 1]
    if following and (following.isalnum() or following in _JOINED):
        return None
    if not following and end + _REACH < len(text):
        return None  # cut by the window
    return m.group().lower().replace("’", "'")


def rerank(
    suggestions: Sequence[str],
    channel: Mapping[str, float],
    left: str | None,
    right: str | None,
    pairs: WordPairs,
    ranking: Ranking = Ranking(),
    listed: Sequence[str] = (),
) -> tuple[str, ...]:
    """``suggestions`` in the order the channel and the neighbours agree on.

    ``channel`` maps a suggestion (lower case) to its noisy-channel score; a suggestion it
    lacks, or one of the ``listed`` fixes of a known misspelling (lower case, best first),
    gets the best score plus :attr:`Ranking.listed_bonus` (less :attr:`Ranking.listed_step`
    per listed fix before it). Ties keep the given order.
    """
    if (left is None and right is None) or len(suggestions) < 2:
        return tuple(suggestions)
    head = list(suggestions[: ranking.depth])
    known = [channel[s.lower()] for s in head if s.lower() in channel]
    top = max(known) if known else 0.0
    rank = {fix: i for i, fix in reversed(list(enumerate(listed)))}
    scored = []
    for i, s in enumerate(head):
        low = s.lower()
        if low in rank:
            base = top + ranking.listed_bonus - rank[low] * ranking.listed_step
        else:
            base = channel.get(low, top + ranking.listed_bonus)
        scored.append((-(base + ranking.weight * pairs.evidence(left, low, right, ranking)), i, s))
    scored.sort()
    return (*(s for _, _, s in scored), *suggestions[ranking.depth :])
