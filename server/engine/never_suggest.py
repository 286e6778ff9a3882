"""Words never offered as a correction: vulgar words and slurs (Hunspell's ``NOSUGGEST``).

They stay words (a writer who types one is not told it is misspelt), but a suggester that
ranks by letters and frequency would otherwise offer them for innocent typos: ``façade`` once
got "fucked". Hunspell marks them ``NOSUGGEST`` and CSpell has the same idea; the list and its
source (SCOWL's taboo lists, which Hunspell's ``en_US`` uses, plus a few words by hand) are in
``data/never_suggest.txt``. Matching ignores case, and a multi-word suggestion (a split of a
run-together word) is refused when any of its words is listed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def parse(text: str) -> frozenset[str]:
    """The words of a ``never_suggest.txt`` (``#`` comments and blank lines skipped), lower case."""
    words = (line.strip() for line in text.splitlines())
    return frozenset(w.lower() for w in words if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def shipped() -> frozenset[str]:
    """The shipped list (read once per process)."""
    source = resources.files("server.engine").joinpath("data", "never_suggest.txt")
    return parse(source.read_text(encoding="utf-8"))


def is_listed(form: str, words: frozenset[str]) -> bool:
    """Is the suggestion ``form`` (one word, or words separated by spaces) on the list?"""
    return any(part.lower() in words for part in form.split(" "))
