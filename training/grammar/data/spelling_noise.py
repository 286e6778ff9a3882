"""Misspell a word the way people do: real typo lists first, then keyboard, insertion,
deletion, transposition and phonetic mistakes.

Learner text is full of misspellings (JFLEG: "siences", "tecnologies", "becouse"); a grammar
tagger that has only seen grammatical noise would take every misspelling for an unknown word
and leave the sentence alone. Real misspelling lists give realistic patterns for common words;
the generated kinds cover every other word.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections import defaultdict
from pathlib import Path

#: The MIT-licensed typo list vendored with the repository (crate-ci/typos).
VENDORED_TYPOS = Path(__file__).resolve().parents[3] / "tools" / "data" / "typos-words.csv.gz"

_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
_POS = {c: (r, k) for r, row in enumerate(_ROWS) for k, c in enumerate(row)}
#: Keys next to each key on a QWERTY keyboard.
KEY_NEIGHBOURS: dict[str, str] = {
    c: "".join(
        _ROWS[r2][k2]
        for r2 in range(3)
        for k2 in range(len(_ROWS[r2]))
        if (r2, k2) != (r, k) and abs(r2 - r) <= 1 and abs(k2 - k) <= 1
    )
    for c, (r, k) in _POS.items()
}
#: Sound-alike spellings: (pattern, replacement), applied once at a random match.
PHONETIC: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("f", "ph"),
    ("ie", "ei"),
    ("ei", "ie"),
    ("ance", "ence"),
    ("ence", "ance"),
    ("ible", "able"),
    ("able", "ible"),
    ("tion", "sion"),
    ("sion", "tion"),
    ("c", "s"),
    ("c", "k"),
    ("k", "c"),
    ("s", "c"),
    ("ou", "o"),
    ("ea", "ee"),
    ("ee", "ea"),
    ("y", "i"),
    ("i", "y"),
    ("er", "ar"),
    ("ar", "er"),
    ("or", "er"),
    ("ent", "ant"),
    ("ant", "ent"),
    ("ght", "t"),
    ("wh", "w"),
    ("ck", "k"),
    ("x", "ks"),
    ("qu", "kw"),
    ("e", ""),
    ("a", "e"),
    ("e", "a"),
    ("ss", "s"),
    ("ll", "l"),
    ("tt", "t"),
    ("rr", "r"),
    ("mm", "m"),
    ("nn", "n"),
    ("s", "ss"),
    ("l", "ll"),
    ("t", "tt"),
    ("r", "rr"),
    ("m", "mm"),
    ("n", "nn"),
)


def load_typo_lists(paths: list[Path]) -> dict[str, list[str]]:
    """``correct word -> [misspellings]`` from ``typo,correction[,correction]`` CSV files and
    codespell's ``typo->correction`` lines (gzip or plain)."""
    out: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8", "replace")
        if "->" in text[:2000]:
            for line in text.splitlines():
                typo, _, fixes = line.partition("->")
                fix = fixes.split(",")[0].strip()
                if typo.isalpha() and fix.isalpha():
                    out[fix.lower()].append(typo.lower())
            continue
        for row in csv.reader(io.StringIO(text)):
            if len(row) == 2 and row[0].isalpha() and row[1].isalpha():  # one correction only
                out[row[1].lower()].append(row[0].lower())
    return dict(out)


def _edit(word: str, rng: random.Random) -> str:
    """One generated misspelling of a lower-case word (may return the word when nothing fits)."""
    kind = rng.choices(
        ["keyboard", "insert", "delete", "transpose", "phonetic", "double"],
        weights=[2, 1.5, 2, 1.5, 3, 1],
    )[0]
    n = len(word)
    if kind == "phonetic":
        options = [(p, r) for p, r in PHONETIC if p in word[1:]]  # keep the first letter
        if options:
            p, r = rng.choice(options)
            starts = [k for k in range(1, n) if word.startswith(p, k)]
            k = rng.choice(starts)
            return word[:k] + r + word[k + len(p) :]
        kind = "keyboard"
    if kind == "keyboard":
        k = rng.randrange(n)
        near = KEY_NEIGHBOURS.get(word[k])
        return word[:k] + rng.choice(near) + word[k + 1 :] if near else word
    if kind == "insert":
        k = rng.randrange(1, n + 1)
        near = KEY_NEIGHBOURS.get(word[k - 1], "e")
        return word[:k] + rng.choice(near) + word[k:]
    if kind == "delete":
        k = rng.randrange(1, n) if n > 2 else 0
        return word[:k] + word[k + 1 :]
    if kind == "transpose":
        k = rng.randrange(1, n - 1) if n > 2 else 0
        return word[:k] + word[k + 1] + word[k] + word[k + 2 :] if n > 1 else word
    k = rng.randrange(n)  # double a letter
    return word[: k + 1] + word[k] + word[k + 1 :]


def misspell(word: str, rng: random.Random, typos: dict[str, list[str]]) -> str | None:
    """A misspelling of ``word`` (case kept) or None when the word is too short to misspell."""
    low = word.lower()
    if len(low) < 3 or not low.isalpha():
        return None
    known = typos.get(low)
    out = rng.choice(known) if known and rng.random() < 0.5 else _edit(low, rng)
    if out == low or not out:
        return None
    if word[:1].isupper():
        out = out[:1].upper() + out[1:]
    return out
