"""Train the language guesser that tells English passages from others, by letter statistics.

Run once by a maintainer (the output is committed), from the repository root::

    python -m training langid

Why a model of our own: the server may depend only on onnxruntime, tokenizers, numpy and pygls,
and the job is narrow (is this passage English, or one of the languages people write next to
it?), so a character-trigram naive Bayes model in pure Python (``server/engine/langid.py``)
with 4,000 trigram probabilities per language is enough; libraries such as langid.py, CLD3 or
fastText's identifier bring native code or multi-megabyte models for a hundred languages.
Trigrams of letters, not words, are what make a *misspelt* English passage still English:
``recieve``, ``goverment`` and ``tommorow`` keep English letter sequences, while today's rule
(half the words unknown: foreign) skipped exactly the texts poor spellers write.

Text, all found on the machine (Debian's gettext catalogues, the vendored books):

* other languages: the translations (``msgstr``) of ``/usr/share/locale/LANG/LC_MESSAGES/*.mo``
  (coreutils, apt, glib, gtk, systemd, ...; each package's own licence, mostly GPL/LGPL);
* English: the same catalogues' ``msgid`` strings and the public-domain books of
  ``training/corpus/`` (Gutenberg, vendored from ``../shared/data/text``).

Only aggregate statistics are shipped (the log-probability of each kept trigram), never text.
Catalogues are split by package: a fixed quarter of the packages (:func:`held_out`, a hash of
the package name) is never learned from, so ``benchmarks/langid.py`` measures the model on
text it has not seen.

Output: ``server/engine/data/langid.json.gz`` with, per language, its trigram log-probabilities
and the floor for an unseen trigram.
"""

from __future__ import annotations

import argparse
import collections
import gettext
import gzip
import hashlib
import json
import math
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "server" / "engine" / "data" / "langid.json.gz"
LOCALE = Path("/usr/share/locale")
CORPUS = ROOT / "training" / "corpus"

#: Languages told apart: English, the five the issue measures, and other Latin-script languages
#: with catalogues on a Debian machine (a Swedish or Polish passage should not look more English
#: than anything else just because the model never saw Swedish). ``pt`` pools pt and pt_BR.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "fr": ("fr",),
    "de": ("de",),
    "es": ("es",),
    "it": ("it",),
    "nl": ("nl",),
    "pt": ("pt", "pt_BR"),
    "sv": ("sv",),
    "da": ("da",),
    "nb": ("nb",),
    "fi": ("fi",),
    "pl": ("pl",),
    "cs": ("cs",),
    "ro": ("ro",),
    "hu": ("hu",),
    "tr": ("tr",),
    "ca": ("ca",),
    "id": ("id",),
}
#: Catalogues of names (languages, countries, currencies, scripts), not sentences.
SKIP_DOMAINS = re.compile(r"^iso_|^xkeyboard-config$")
#: Trigrams kept per language (the most frequent), and the add-k smoothing.
KEEP = 4000
SMOOTHING = 0.5
#: Most characters of English book text used (the catalogues' English is about as long).
BOOK_CHARS = 3_000_000

_FORMAT = re.compile(r"%[-+ #0-9.*$lhjztqL]*[a-zA-Z%]|\{[^{}]*\}|<[^<>]*>|\$\{?\w+\}?|\\[nt]")
_ACCELERATOR = re.compile(r"(?<=\w)[_&](?=\w)|(?<![\w])[_&](?=\w)")


def held_out(domain: str) -> bool:
    """Is this package's catalogue kept for evaluation (a fixed quarter, by name)?"""
    digest = hashlib.blake2b(domain.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 4 == 0


def clean(message: str) -> str:
    """A catalogue string as prose: no format directives, markup, accelerators or escapes."""
    return _ACCELERATOR.sub("", _FORMAT.sub(" ", message))


_WORD = re.compile(r"[^\W\d_]+")


def words_of(message: str) -> list[str]:
    """The words (runs of letters) of a catalogue string, cleaned first."""
    return _WORD.findall(clean(message))


def translated(msgid: str, msgstr: str) -> bool:
    """Is ``msgstr`` a translation, not the English kept (command lines, option names)?

    A message whose words are mostly the original's (``git bisect --no-checkout``) is English
    left as it was: it would teach the other language English trigrams, and it would be an
    English passage in the evaluation.
    """
    theirs = [w.lower() for w in words_of(msgstr) if len(w) > 1]
    if not theirs:
        return False
    ours = {w.lower() for w in words_of(msgid)}
    return sum(w in ours for w in theirs) / len(theirs) < 0.5


def catalogue(path: Path) -> list[tuple[str, str]]:
    """``(msgid, msgstr)`` pairs of a ``.mo`` file (plural forms: the first of each)."""
    try:
        with path.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    except Exception:  # a damaged or oddly encoded catalogue: skip it, never fail the build
        return []
    pairs: list[tuple[str, str]] = []
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if isinstance(key, tuple) and key[1] != 0:
            continue
        if msgid and value and isinstance(msgid, str) and isinstance(value, str):
            pairs.append((msgid.split("\x04")[-1], value))
    return sorted(pairs)


def catalogues(
    language: str, locale: Path = LOCALE, *, evaluation: bool
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """``(package, pairs)`` of one locale's catalogues: training or held-out ones."""
    for code in LANGUAGES.get(language, (language,)):
        folder = locale / code / "LC_MESSAGES"
        for path in sorted(folder.glob("*.mo")):
            domain = path.stem
            if SKIP_DOMAINS.search(domain) or held_out(domain) != evaluation:
                continue
            yield domain, catalogue(path)


def count(texts: Iterable[str]) -> collections.Counter[str]:
    from server.engine.langid import trigrams  # here: benchmarks read catalogues without it

    counts: collections.Counter[str] = collections.Counter()
    for text in texts:
        counts.update(trigrams(words_of(text)))
    return counts


def english_books(limit: int = BOOK_CHARS) -> list[str]:
    """The vendored public-domain books, cut to ``limit`` characters in all."""
    texts: list[str] = []
    left = limit
    for path in sorted(CORPUS.glob("*.txt.gz")):
        text = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        share = limit // max(len(list(CORPUS.glob("*.txt.gz"))), 1)
        texts.append(text[: min(share, left)])
        left -= min(share, left)
    return texts


def model_of(counts: collections.Counter[str]) -> dict[str, object]:
    """The kept trigrams' ``ln P`` (add-k over every trigram seen) and the unseen floor."""
    total = sum(counts.values())
    vocabulary = len(counts)
    denominator = total + SMOOTHING * (vocabulary + 1)
    kept = dict(counts.most_common(KEEP))
    grams = {g: round(math.log((c + SMOOTHING) / denominator), 2) for g, c in kept.items()}
    # An unseen or pruned trigram gets the probability of a pruned one: at most the rarest kept.
    rarest = min(kept.values()) if kept else 1
    floor = round(math.log((min(rarest, 2) + SMOOTHING) / denominator), 2)
    return {"floor": floor, "grams": grams, "trigrams": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training langid", description=__doc__)
    parser.add_argument("--locale", type=Path, default=LOCALE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    models: dict[str, object] = {}
    english_ids: set[str] = set()
    packages: dict[str, int] = {}
    for language in LANGUAGES:
        texts: list[str] = []
        for domain, pairs in catalogues(language, args.locale, evaluation=False):
            packages[language] = packages.get(language, 0) + 1
            for msgid, msgstr in pairs:
                english_ids.add(msgid)
                if translated(msgid, msgstr):
                    texts.append(msgstr)
            del domain
        counts = count(texts)
        if not counts:
            print(f"  {language}: no catalogues under {args.locale}", file=sys.stderr)
            continue
        models[language] = model_of(counts)
        print(f"  {language}: {sum(counts.values()):,} trigrams", file=sys.stderr)
    english = count([*sorted(english_ids), *english_books()])
    models["en"] = model_of(english)
    print(f"  en: {sum(english.values()):,} trigrams", file=sys.stderr)
    data = {
        "about": "Character-trigram log-probabilities per language; built by "
        "`python -m training langid` (training/spelling/langid.py) from Debian's gettext "
        "catalogues (msgstr per language, msgid for English; a quarter of the packages held "
        "out) and public-domain books. Aggregate statistics only.",
        "smoothing": SMOOTHING,
        "keep": KEEP,
        "packages": packages,
        "languages": dict(sorted(models.items())),
    }
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    args.out.write_bytes(gzip.compress(raw.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
