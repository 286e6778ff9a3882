"""Which language is a passage in? Character-trigram naive Bayes, pure Python.

The checker skips passages in other languages (a French quotation, Spanish strings in code)
instead of flagging every word. It used to take a passage for foreign when half its words were
unknown, which also skipped the English that most needs checking: a child's or a dyslexic
writer's text, or a list of misspellings. Letter statistics tell the two apart: ``recieve``,
``goverment`` and ``tommorow`` are made of English trigrams (`` re``, ``ver``, ``ent``,
``ow ``), ``aujourd'hui`` and ``Rechnungen`` are not.

The model (``data/langid.json.gz``, built by ``python -m training langid``, see
``training/spelling/langid.py`` for the text it learned from) holds, for English and 17 other
Latin-script languages, the log-probabilities of each language's 4,000 most frequent letter
trigrams (words padded with a space at each end) and a floor for the others. A passage's score
in a language is its trigrams' mean log-probability; :meth:`LanguageModel.guess` compares
English with the best other language. Scripts other than Latin need no statistics: a passage
whose letters are mostly Cyrillic, Greek or CJK is simply not English (:func:`latin_share`).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np

#: Trigrams scored at most per passage: a long region's first ones decide (1,500 characters
#: give about as many trigrams, and a few hundred separate languages clearly).
MAX_TRIGRAMS = 600

_LOCK = threading.Lock()
_SHIPPED: list[LanguageModel] = []


def trigrams(words: Iterable[str]) -> Iterator[str]:
    """Letter trigrams of each word in lower case, padded with a space at both ends."""
    for word in words:
        padded = f" {word.lower()} "
        for i in range(len(padded) - 2):
            yield padded[i : i + 3]


def latin_share(words: Iterable[str]) -> float:
    """The share of letters that are Latin (ASCII or Latin-1/Extended: ``é``, ``ł``, ``ß``)."""
    latin = total = 0
    for word in words:
        for ch in word:
            if ch.isalpha():
                total += 1
                if ch < "\u0250":
                    latin += 1
    return latin / total if total else 1.0


@dataclass(frozen=True)
class Guess:
    """The best language, and English's mean log-probability per trigram against it."""

    language: str
    #: English's score minus the best other language's (nats per trigram; > 0: English wins).
    margin: float
    #: English's own score: very low for data (base64, hex) as much as for other languages.
    english: float
    trigrams: int


class LanguageModel:
    """Trigram log-probabilities per language; thread-safe (read only after loading).

    Held as one matrix (a row per trigram any language kept, a column per language, the
    language's floor where it did not keep that trigram) and one dict from trigram to row:
    a passage is a few hundred dict probes and one numpy mean, and the model costs ~2 MB
    instead of a dict per language.
    """

    def __init__(self, languages: Mapping[str, tuple[float, Mapping[str, float]]]) -> None:
        if "en" not in languages:
            raise ValueError("the language model needs English")
        self._names = ("en", *sorted(lang for lang in languages if lang != "en"))
        floors = np.array([languages[lang][0] for lang in self._names], dtype=np.float32)
        rows: dict[str, int] = {}
        for lang in self._names:
            for gram in languages[lang][1]:
                rows.setdefault(gram, len(rows) + 1)
        matrix = np.tile(floors, (len(rows) + 1, 1))  # row 0: a trigram nobody kept
        for column, lang in enumerate(self._names):
            table = languages[lang][1]
            for gram, logp in table.items():
                matrix[rows[gram], column] = logp
        self._rows = rows
        self._matrix = matrix

    @classmethod
    def shipped(cls) -> LanguageModel:
        """The model in ``data/langid.json.gz`` (loaded once per process)."""
        if not _SHIPPED:
            with _LOCK:
                if not _SHIPPED:
                    source = resources.files("server.engine").joinpath("data", "langid.json.gz")
                    _SHIPPED.append(cls.from_json(gzip.decompress(source.read_bytes())))
        return _SHIPPED[0]

    @classmethod
    def from_json(cls, raw: bytes | str) -> LanguageModel:
        data = json.loads(raw)
        return cls(
            {
                lang: (float(model["floor"]), {g: float(p) for g, p in model["grams"].items()})
                for lang, model in data["languages"].items()
            }
        )

    @property
    def languages(self) -> tuple[str, ...]:
        return self._names

    def scores(self, words: Iterable[str]) -> tuple[dict[str, float], int]:
        """Each language's mean log-probability per trigram, and how many trigrams were read."""
        get = self._rows.get
        rows: list[int] = []
        for gram in trigrams(words):
            rows.append(get(gram, 0))
            if len(rows) >= MAX_TRIGRAMS:
                break
        if not rows:
            return dict.fromkeys(self._names, 0.0), 0
        means = self._matrix[rows].mean(axis=0, dtype=np.float64)
        return {lang: float(means[i]) for i, lang in enumerate(self._names)}, len(rows)

    def guess(self, words: Iterable[str]) -> Guess:
        """The most likely language of ``words`` and how English compares with it."""
        scores, n = self.scores(words)
        english = scores["en"]
        best_other = max(self._names[1:], key=lambda lang: (scores[lang], lang))
        margin = english - scores[best_other]
        language = "en" if margin >= 0 else best_other
        return Guess(language, margin, english, n)
