"""The project's own vocabulary: unknown words that many files of the workspace use.

A name like ``pygls`` or ``tokenizer`` that a dictionary does not know, but that a workspace
uses in several files, is the project's vocabulary, not a typo; flagging it everywhere would
bury the real findings. A word counts once it is flagged as *unknown* in at least
``min_files`` different files. Known misspellings (``recieve``) never count, however often
they appear, and a typo made in one file only stays flagged.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

from .types import Issue, Rule


class ProjectVocabulary:
    """Counts, per word, how many files flag it as unknown; thread-safe."""

    def __init__(self, min_files: int = 3):
        self.min_files = max(1, min_files)
        self._by_file: dict[str, frozenset[str]] = {}
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._words: frozenset[str] = frozenset()

    def update(self, key: str, issues: Iterable[Issue]) -> bool:
        """Record the unknown words of one file (replacing what it said before).

        Returns True when the set of accepted words changed.
        """
        words = frozenset(i.text.lower() for i in issues if i.rule == Rule.UNKNOWN_WORD.value)
        with self._lock:
            old = self._by_file.get(key, frozenset())
            if old == words:
                return False
            self._move(old, words)
            self._by_file[key] = words
            return self._refresh()

    def forget(self, key: str) -> bool:
        with self._lock:
            old = self._by_file.pop(key, frozenset())
            self._move(old, frozenset())
            return self._refresh()

    def set_min_files(self, min_files: int) -> bool:
        with self._lock:
            self.min_files = max(1, min_files)
            return self._refresh()

    def _move(self, old: frozenset[str], new: frozenset[str]) -> None:
        """Count ``new`` instead of ``old`` for one file. A word no file flags any more is
        dropped, not kept at zero: every keystroke can make a new unknown word, and zeros
        would grow the counts (and the time of each refresh) for as long as the server runs."""
        for word in old - new:
            left = self._counts[word] - 1
            if left > 0:
                self._counts[word] = left
            else:
                del self._counts[word]
        for word in new - old:
            self._counts[word] += 1

    def _refresh(self) -> bool:
        words = frozenset(w for w, n in self._counts.items() if n >= self.min_files)
        changed = words != self._words
        self._words = words
        return changed

    @property
    def words(self) -> frozenset[str]:
        return self._words

    @property
    def counted(self) -> int:
        """How many words are counted: those some file flags now, never more."""
        return len(self._counts)

    def __len__(self) -> int:
        return len(self._by_file)
