"""An English sound key: words spelt differently but said alike get the same key.

Poor spellers write what they hear (``becuz``, ``sed``, ``nollij``, ``fisicks``), so their
misspellings are often many letters from the word but close to its sound. The suggester finds
such candidates by this key: the word's consonant sounds in order (Metaphone's letters,
Philips 1990), with what Metaphone leaves to chance made deterministic for misspellings:

* every vowel is dropped, except that a word starting with a vowel sound keeps one ``A``
  (``apollstree`` and ``upholstery`` both start ``AFLST``);
* the same sound twice in a row is one (``accommodation``/``acomodation``, ``ss``/``sc``);
* common spellings of one sound are one letter: ``c``/``k``/``ck``/``q``/``ch`` before a
  consonant -> ``K``; soft ``c``, ``s``, ``z``, ``sc`` before ``e i y`` -> ``S``; ``ph``/``gh``
  (as in *enough*) -> ``F``; ``sh``/``ti``/``ci``/``si`` before a vowel, ``ch`` -> ``X``
  (*sh*); ``th`` -> ``0``; soft ``g``, ``dg``, ``j`` -> ``J``; ``x`` -> ``KS``;
* silent letters go: initial ``kn gn pn wr ps``, final ``mb``, ``gh`` after a vowel before
  ``t`` or at the end (``night``, ``though``), ``h`` after a consonant it does not change,
  ``w`` and ``y`` that are not consonants.

Written here rather than taken from a library so that the rules can follow misspellings (a
library's Metaphone keeps ``KK``/``SS`` and vowel-initial letters apart) and stay the same on
every platform. The rules are regular-expression rewrites run over all the words at once
(joined by line breaks), so keying the whole dictionary takes a few hundredths of a second, once,
when the suggester first needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_M = re.MULTILINE

#: The rewrites, in order. Lower-case letters are spelling still to read, capitals are sounds
#: already decided (``A`` marks a word that starts with a vowel sound).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, _M), replacement)
    for pattern, replacement in (
        (r"^x", "s"),  # xylophone
        (r"([bdfgklmnprstvz])\1", r"\1"),  # a doubled consonant is one sound
        (r"^(en|r|t|c|sl)ough", r"\1ouf"),  # enough, rough, tough, cough
        (r"^laugh", "laf"),  # laugh, laughter
        (r"(?<=[aeiou])gh(?=t|$)", ""),  # night, though, caught
        (r"mb$", "m"),  # climb, thumb
        (r"[sc]?ch(?=[rl])", "k"),  # christmas, chlorine
        (r"sch", "sk"),  # school
        (r"tch", "ch"),  # watch
        (r"dg(?=[eiy])", "j"),  # edge, judge
        (r"sc(?=[eiy])", "s"),  # science, scene
        (r"[tcs]i(?=[aou])", "sh"),  # nation, special, mansion
        (r"ture", "cher"),  # nature
        (r"que$", "k"),  # unique, torque
        (r"qu", "kw"),  # quick
        (r"wh", "w"),  # where
        (r"^(?=[aeiou]|y(?![aeiou]))", "A"),  # a vowel sound first: one A
        (r"[cs]h", "X"),  # church, ship
        (r"th", "0"),  # thin, this
        (r"ph", "F"),  # phone
        (r"gh", "K"),  # ghost (silent and f cases are above)
        (r"c(?=[eiy])", "S"),  # city
        (r"c", "K"),
        (r"g(?=[eiy])", "J"),  # giant, page (get and give too: the same both ways)
        (r"g", "K"),
        (r"(?<![^\naeiouA])h(?=[aeiou])", "H"),  # h sounded only before a vowel
        (r"y(?=[aeiou])", "Y"),
        (r"w(?=[aeiou])", "W"),
        (r"x", "KS"),
    )
)

#: The letters left: one sound each, or none (vowels, silent h, w, y).
_SOUNDS: dict[str, str] = {
    **dict.fromkeys("aeiouyhw", ""),
    **{c: c.upper() for c in "bfjklmnpr"},
    "d": "T",  # t and d trade places in speech (reconized, sekond)
    "t": "T",
    "q": "K",
    "s": "S",
    "z": "S",
    "v": "F",
}
_LETTERS = str.maketrans(_SOUNDS)
#: The same, with every vowel one ``A`` (runs of them are one after the repeats go).
_WITH_VOWELS = str.maketrans({**_SOUNDS, **dict.fromkeys("aeiouy", "A")})
_REPEATS = re.compile(r"(.)\1+")
#: A final ``e`` after a consonant sound is silent (``nite``, ``because``), but not in ``be``
#: (read after the rewrites: ``page`` is ``paJe`` by then).
_SILENT_E = re.compile(r"(?<=[^\n][^aeiouyA\n])e$", _M)


def sound_key(word: str, vowels: bool = False) -> str:
    """The sound key of ``word`` (any case; letters other than a-z are ignored)."""
    return sound_keys((word,), vowels)[0]


def sound_keys(words: Iterable[str], vowels: bool = False) -> list[str]:
    """The sound keys of many words at once (the same as :func:`sound_key` of each).

    With ``vowels``, each run of vowels between the consonants stays as one ``A`` and a final
    silent ``e`` goes (``becuz`` and ``because`` are ``BAKAS``, ``books`` is ``BAKS``): the
    suggester measures with it how far two sound-alikes are; it finds them by the plain key.
    """
    plain, voweled = both_keys(words)
    return voweled if vowels else plain


def both_keys(words: Iterable[str]) -> tuple[list[str], list[str]]:
    """The plain and the vowel keys of many words, sharing the rewriting (the slow part)."""
    listed = [w.replace("\n", "") for w in words]
    if not listed:
        return [], []
    text = _NOT_LETTERS.sub("", "\n".join(listed).lower())
    text = _SILENT_START.sub(lambda m: m.group()[1], text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    plain = _REPEATS.sub(r"\1", text.translate(_LETTERS)).split("\n")
    voweled = _REPEATS.sub(r"\1", _SILENT_E.sub("", text).translate(_WITH_VOWELS)).split("\n")
    return plain, voweled


_NOT_LETTERS = re.compile(r"[^a-z\n]+")
#: Silent first letters: ``knee``, ``gnome``, ``write``, ``psalm``.
_SILENT_START = re.compile(r"^(?:kn|gn|pn|wr|ps)", _M)
