"""A cache of results by text, bounded by entries and by characters: the engine's caches.

Why one class: the engine caches what it computed from a piece of text (a passage's sentences,
a passage as grammar reads it) so that a keystroke redoes only the piece it changed. Every
such cache needs the same three things: least-recently-used eviction, a bound on the
characters its keys hold as well as on their number (a count alone lets a long editing session
fill it with large entries: every keystroke in a paragraph caches the whole paragraph again),
and a lock (the worker thread fills it while a settings change may clear it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """Least-recently-used ``K -> V``, at most ``size`` entries and ``chars`` characters of
    keys (``chars_of`` says how many a key holds)."""

    def __init__(self, size: int, chars: int, chars_of: Callable[[K], int]) -> None:
        self._cache: OrderedDict[K, V] = OrderedDict()
        self._size, self._max_chars, self._chars_of = size, chars, chars_of
        self.chars = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._cache.get(key)
            if value is not None:
                self._cache.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if key not in self._cache:
                self.chars += self._chars_of(key)
            self._cache[key] = value
            while len(self._cache) > self._size or self.chars > self._max_chars:
                old, _ = self._cache.popitem(last=False)
                self.chars -= self._chars_of(old)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self.chars = 0

    def __len__(self) -> int:
        return len(self._cache)
