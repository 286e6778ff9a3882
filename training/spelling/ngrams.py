"""Build the word-pair counts that rank spelling suggestions by the words around a misspelling.

Run once by a maintainer (the output is committed), from the repository root::

    python -m training ngrams

``recieve the`` and ``a recieve`` want different words; the noisy channel (letters and word
frequency) cannot tell, the neighbours can. The engine (:mod:`server.engine.context`) asks
how often a candidate follows its left neighbour and precedes its right one, so it needs word
and word-pair counts, nothing more.

Text (all of it rebuildable without ``../shared``):

* ``training/corpus/norvig-big.txt.gz``: 6 MB of public-domain books (Norvig's ``big.txt``);
* the docstrings of the running interpreter's standard library (PSF licence): technical
  English, the register of comments and READMEs.

The four Gutenberg books vendored beside ``big.txt`` are left out on purpose: the
``running-text`` benchmark plants its misspellings in their sentences, and a model that had
read those very sentences would be measured on its memory.

Counting: text is lower-cased; a sentence starts with ``<s>`` and ends with ``</s>``; pairs are
counted only between words with nothing but spaces between them (a comma, a dash or a quote
breaks the pair, as the engine does when it reads the neighbours). Pairs seen fewer than
:data:`MIN_PAIR` times and words seen fewer than :data:`MIN_WORD` times are dropped, which
keeps the file small.

Output: ``server/engine/data/bigrams.tsv.gz``, sorted ``key<TAB>count`` lines: ``word`` for a
word, ``left right`` for a pair, ``#total`` for the number of words counted.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import re
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "server" / "engine" / "data" / "bigrams.tsv.gz"
CORPUS = ROOT / "training" / "corpus"
#: The vendored books read (the others hold the running-text benchmark's sentences).
BOOKS = ("norvig-big.txt.gz",)

#: Pairs seen fewer times are dropped ...
MIN_PAIR = 2
#: ... and so are words seen fewer times.
MIN_WORD = 2

START, END = "<s>", "</s>"

_WRAPPED = re.compile(r"(?<!\n)\n(?!\n)")
#: A sentence ends at . ! ? (closing quotes or brackets may follow) before a capital or a
#: paragraph break.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"')\]’”]*(?:\s*\n\s*\n\s*|\s+(?=[\"'(\[“‘]*[A-Z]))|\n\s*\n"
)
#: Words (with an inner apostrophe: don't) and the punctuation that breaks a pair.
_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?|[^\sa-z]")


def sentences(text: str) -> Iterator[list[str]]:
    """Each sentence's tokens (lower-cased words and single punctuation marks)."""
    text = _WRAPPED.sub(" ", text)
    for chunk in _SENTENCE_END.split(text):
        tokens = [t.replace("’", "'") for t in _TOKEN.findall(chunk.lower())]
        if any(t[0].isalpha() for t in tokens):
            yield tokens


def count(texts: Iterable[str]) -> tuple[collections.Counter[str], collections.Counter[str]]:
    """Word counts and pair counts (``"left right"``) of ``texts``."""
    words: collections.Counter[str] = collections.Counter()
    pairs: collections.Counter[str] = collections.Counter()
    for text in texts:
        for tokens in sentences(text):
            if tokens[-1] in (".", "!", "?"):
                tokens = [*tokens[:-1], END]
            tokens = [START, *tokens]
            previous = ""
            for token in tokens:
                if token[0].isalpha() or token in (START, END):
                    words[token] += 1
                    if previous:
                        pairs[f"{previous} {token}"] += 1
                    previous = token
                else:
                    previous = ""  # punctuation breaks the pair
    return words, pairs


def table(
    words: collections.Counter[str], pairs: collections.Counter[str]
) -> list[tuple[str, int]]:
    """The pruned, sorted lines of the shipped file."""
    kept = {w: c for w, c in words.items() if c >= MIN_WORD}
    rows = [("#total", sum(words.values())), *kept.items()]
    for pair, c in pairs.items():
        left, right = pair.split(" ")
        if c >= MIN_PAIR and left in kept and right in kept:
            rows.append((pair, c))
    rows.sort()
    return rows


def default_texts(include_stdlib: bool = True) -> Iterator[str]:
    """The books of :data:`BOOKS`, then the standard library's docstrings."""
    from training.grammar.data.corpus import read_text, stdlib_docstrings

    for name in BOOKS:
        path = CORPUS / name
        if not path.is_file():
            raise SystemExit(f"{path} is missing (python -m training corpus vendors it)")
        yield read_text(path)
    if include_stdlib:
        yield "\n\n".join(stdlib_docstrings())


def write(rows: list[tuple[str, int]], out: Path) -> None:
    text = "".join(f"{key}\t{c}\n" for key, c in rows)
    out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training ngrams", description=__doc__)
    parser.add_argument("--output", type=Path, default=OUT)
    parser.add_argument("--no-stdlib", action="store_true", help="books only")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    words, pairs = count(default_texts(not args.no_stdlib))
    rows = table(words, pairs)
    write(rows, args.output)
    kept_pairs = sum(1 for key, _ in rows if " " in key)
    print(
        f"{sum(words.values()):,} words counted; kept {len(rows) - kept_pairs - 1:,} words and "
        f"{kept_pairs:,} pairs -> {args.output} ({args.output.stat().st_size:,} bytes, "
        f"{time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
