"""Accents are optional in English spelling: ``naïve`` and ``naive``, ``café`` and ``cafe``.

English borrows words with their diacritics and drops them freely; both forms are standard
(SCOWL, the source of Quill's word list, keeps accents on some words, ``café``, and not on
others, ``naive``; Hunspell's ``en_US`` strips them all, Aspell ships ``w_accents`` and
``wo_accents`` builds of the same list). So the lexicon accepts a word whose accents differ from
an entry's, in either direction, instead of listing every placement (see
``Lexicon.knows``): ``résumé``, ``façade``, ``coöperate`` and ``rôle`` come from ``resume``,
``facade``, ``cooperate`` and ``role``; ``cafe`` and ``cliche`` from ``café`` and ``cliché``.

Only combining marks go (acute, grave, circumflex, diaeresis, cedilla, tilde, ring...):
letters of their own (``ß``, ``æ``, ``ø``, ``ł``) are kept, so a German or Polish word does not
fold into an English one by losing a letter.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def strip_accents(word: str) -> str:
    """``word`` without its combining marks (``résumé`` -> ``resume``); ASCII comes back as is."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def has_accents(word: str) -> bool:
    """Does ``word`` carry a combining mark that :func:`strip_accents` would remove?"""
    return not word.isascii() and strip_accents(word) != word
