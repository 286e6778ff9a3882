"""Is an unknown word in code a typo, or a name nobody put in a dictionary?

Code is full of words no dictionary has: ``nchannels``, ``kwonlyargs``, ``tkconsole``,
``flds``, ``klass``. A spell checker that flags them all is switched off within a day; one
that flags only listed misspellings (typos' approach) misses every typo nobody listed. Quill
weighs two explanations of an unknown word and flags it only when "a slip of the fingers on a
common word" clearly beats "a name built from pieces":

* **typo**: the noisy-channel score of the best correction (``ln P(word)`` weighted, minus
  the learned error model's cost of the slip), from :class:`~server.engine.suggest.Suggester`;
* **name**: the cheapest segmentation of the token into pieces that code is made of: English
  words, programming vocabulary (``kw``, ``args``, ``tk``), single letters at either end
  (``n``+``channels``), truncations of common words (``expon``, ``decomp``), and, for a token
  without vowels, an abbreviation (``flds``, ``cnt``).

Those scores and a few shape features (length, case, kind of region) go through a logistic
model whose weights and per-kind thresholds are learned by ``tools/train_typo_model.py`` from
typos planted in real code that Quill never checks for its benchmarks, and shipped in
``data/typo_model.json``. Prose keeps the classic behaviour (every unknown word is flagged):
there, a word a dictionary does not know is usually a misspelling.
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .lexicon import CODE, CORE, FLAG_BITS, GB, US, Lexicon
from .suggest import Suggester
from .types import RegionKind

#: The features, in the order the shipped weights expect.
FEATURES: tuple[str, ...] = (
    "typo_score",
    "typo_cost",
    "typo_bucket",
    "name_cost",
    "name_pieces",
    "name_minus_typo",
    "length",
    "no_vowel",
    "truncation",
    "title_case",
    "upper_case",
    "kind_identifier",
    "kind_comment",
    "kind_string",
)

#: Segmentation costs, in nats (comparable to the suggester's scores).
_NATS_PER_BUCKET = math.log(10) / 10
_LETTER_COST = 7.0  # a single letter glued to a word: n+channels, E+max, max+c
_CODE_COST = 12.0  # a programming-vocabulary piece with no frequency of its own
_PIECE_COST = 3.0  # every extra piece
_TRUNCATION_COST = 6.0  # on top of the truncated word's own cost
_ABBREVIATION_COST = 10.0  # a vowel-less run (flds, cnt) as one piece
_MAX_TOKEN = 40

_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class TypoModelWeights:
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    #: Flag when P(typo) >= threshold, per region kind value (``identifier``...).
    thresholds: dict[str, float]
    metadata: dict[str, Any]

    @classmethod
    def load(cls, text: str) -> TypoModelWeights:
        data = json.loads(text)
        if tuple(data["features"]) != FEATURES:
            raise ValueError("typo model features do not match this version of Quill")
        return cls(
            tuple(data["means"]),
            tuple(data["scales"]),
            tuple(data["weights"]),
            float(data["bias"]),
            {str(k): float(v) for k, v in data["thresholds"].items()},
            dict(data.get("metadata", {})),
        )


_SHIPPED: list[TypoModelWeights | None] = []
_LOCK = threading.Lock()


def shipped_weights() -> TypoModelWeights | None:
    """The trained weights from ``data/typo_model.json`` (None when not built yet)."""
    if not _SHIPPED:
        with _LOCK:
            if not _SHIPPED:
                path = resources.files("server.engine").joinpath("data", "typo_model.json")
                try:
                    _SHIPPED.append(TypoModelWeights.load(path.read_text(encoding="utf-8")))
                except FileNotFoundError:
                    _SHIPPED.append(None)
    return _SHIPPED[0]


class TypoModel:
    """Features and P(typo) for unknown words; thread-safe, memoised per word and kind."""

    def __init__(
        self,
        lexicon: Lexicon,
        suggester: Suggester,
        weights: TypoModelWeights | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.suggester = suggester
        self.weights = weights
        self._entries = lexicon.entry_dict()
        self._sorted: list[str] | None = None
        self._lock = threading.Lock()

    # -- segmentation ---------------------------------------------------------------------
    def _piece_cost(self, piece: str, at_edge: bool) -> float:
        """What it costs to read ``piece`` as one part of a name (inf when it cannot be)."""
        n = len(piece)
        if n == 1:
            return _LETTER_COST if at_edge and piece.isalpha() else math.inf
        value = self._entries.get(piece)
        if value is None and n > 1:
            value = self._entries.get(piece.capitalize())
        if value is not None:
            bucket = value >> FLAG_BITS
            if value & (US | GB) and (n >= 3 or value & CORE):
                return bucket * _NATS_PER_BUCKET
            if value & CODE and (n >= 3 or value & CORE):
                return min(bucket * _NATS_PER_BUCKET, _CODE_COST)
        if n >= 3 and not (_VOWELS & set(piece)):
            return _ABBREVIATION_COST + n
        if n >= 4:
            stem = self._truncation_of(piece)
            if stem is not None:
                return _TRUNCATION_COST + stem
        return math.inf

    def _truncation_of(self, piece: str) -> float | None:
        """The cost of the most common word that ``piece`` is a strict prefix of, if any."""
        words = self._sorted
        if words is None:
            with self._lock:
                if self._sorted is None:
                    limit = (60 + 1) << FLAG_BITS
                    self._sorted = sorted(
                        w
                        for w, v in self._entries.items()
                        if v < limit and v & (US | GB) and w.islower() and w.isalpha()
                    )
                words = self._sorted
        i = bisect.bisect_left(words, piece)
        best: float | None = None
        while i < len(words) and words[i].startswith(piece):
            if len(words[i]) > len(piece):
                cost = (self._entries[words[i]] >> FLAG_BITS) * _NATS_PER_BUCKET
                best = cost if best is None else min(best, cost)
            i += 1
            if i > 0 and best is not None and best < 10:
                break
        return best

    def name_cost(self, word: str) -> tuple[float, int]:
        """Cheapest reading of ``word`` (lower case) as a name made of pieces, and how many."""
        n = len(word)
        if n > _MAX_TOKEN:
            return math.inf, 0
        best = [math.inf] * (n + 1)
        pieces = [0] * (n + 1)
        best[0] = 0.0
        for end in range(1, n + 1):
            for start in range(max(0, end - 24), end):
                if best[start] == math.inf:
                    continue
                cost = self._piece_cost(word[start:end], start == 0 or end == n)
                if cost == math.inf:
                    continue
                total = best[start] + cost + (_PIECE_COST if start > 0 else 0.0)
                if total < best[end]:
                    best[end] = total
                    pieces[end] = pieces[start] + 1
        return best[n], pieces[n]

    # -- features ---------------------------------------------------------------------------
    def features(self, word: str, kind: RegionKind) -> list[float]:
        low = word.lower()
        typo_score, typo_cost, typo_bucket = self._typo(low)
        name, count = self.name_cost(low)
        name = min(name, 60.0)
        return [
            typo_score,
            typo_cost,
            float(typo_bucket),
            name,
            float(min(count, 5)),
            name - (-typo_score),
            float(min(len(word), 20)),
            0.0 if _VOWELS & set(low) else 1.0,
            1.0 if self._truncation_of(low) is not None else 0.0,
            1.0 if word[:1].isupper() and word[1:].islower() else 0.0,
            1.0 if word.isupper() else 0.0,
            1.0 if kind is RegionKind.IDENTIFIER else 0.0,
            1.0 if kind in (RegionKind.COMMENT, RegionKind.DOCSTRING) else 0.0,
            1.0 if kind is RegionKind.STRING else 0.0,
        ]

    def best_correction(self, low: str) -> tuple[str, float] | None:
        """The best one-word correction of a lower-case word and its error cost (nats)."""
        best: tuple[float, str] | None = None
        for score, form in self.suggester.score_candidates(low):
            if " " not in form and (best is None or (score, form) > best):
                best = (score, form)
        if best is None:
            return None
        score, form = best
        prior = -self.suggester.prior_bucket(form) * _NATS_PER_BUCKET
        return form, prior * self.suggester.tuning.prior_weight - score

    def _typo(self, low: str) -> tuple[float, float, int]:
        """(score, error cost, frequency bucket) of the best correction; poor when none."""
        scored = self.suggester.score_candidates(low)
        best: tuple[float, str] | None = None
        for score, form in scored:
            if " " in form:
                continue  # a missing space is not the typo we are judging here
            if best is None or (score, form) > best:
                best = (score, form)
        if best is None:
            return -60.0, 30.0, 100
        score, form = best
        bucket = self.suggester.prior_bucket(form)
        prior = -bucket * _NATS_PER_BUCKET * self.suggester.tuning.prior_weight
        return max(score, -60.0), min(prior - score, 30.0), bucket

    def probability(self, word: str, kind: RegionKind) -> float:
        """P(``word`` is a typo) in a region of ``kind`` (1.0 when no model is shipped)."""
        w = self.weights
        if w is None:
            return 1.0
        z = w.bias
        values = self.features(word, kind)
        for x, mean, scale, weight in zip(values, w.means, w.scales, w.weights, strict=True):
            z += weight * (x - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def is_typo(self, word: str, kind: RegionKind) -> bool:
        w = self.weights
        if w is None:
            return True
        threshold = w.thresholds.get(kind.value, w.thresholds.get("default", 0.5))
        return self.probability(word, kind) >= threshold
