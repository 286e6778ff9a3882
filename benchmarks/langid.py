"""langid: misspelling-dense English is checked, passages in other languages are not flagged.

Quill skips a passage it takes for another language (or for data) instead of flagging each of
its words. Three measurements, all through the engine's ``Checker.check(text, "plaintext")``
(what ``quill check`` does with a ``.txt`` file):

* **Lists of misspellings**, one per line, no blank lines (what a dyslexic writer's or a
  teacher's word list looks like, and the issue's "400 misspellings: 3 findings"): files of 400
  real misspellings drawn with a fixed seed from crate-ci/typos' ``words.csv`` and codespell's
  dictionary (``../shared/data/typo-lists``), only plain lower-case words of four letters or
  more that Quill's dictionary does not have (a real word cannot be flagged by any spelling
  checker). *Detection* = misspellings flagged / misspellings.
* **Running English with 30%, 45% and 60% of its words misspelt**: paragraphs of five
  sentences of the public-domain Gutenberg books (``../shared/data/text/gutenberg``), where
  that share of the words of four letters or more is replaced by a real misspelling of the word
  from the same lists (a word with none keeps its spelling; the share counts the planted
  ones). *Detection* = planted misspellings flagged; *false flags* = other words flagged, per
  1,000 of them.
* **Passages in French, German, Spanish, Dutch and Italian**: the translations of the gettext
  catalogues under ``/usr/share/locale`` that ``python -m training langid`` held out (a quarter
  of the packages, by a hash of the name: the language model never saw them), messages whose
  words are mostly the English original's left out (``git --no-checkout``), joined into
  paragraphs of 15 to 60 words. *Flagged* = passages with any spelling finding, and words
  flagged / words.

Targets (issue 18): detection >= 95% on the lists; < 1% of non-English passages flagged.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from typing import Any

from . import corpora
from .common import Table, pct

SEED = "langid-v1"
#: The same measurements on main before issue 18's language guesser (commit e432fdd, where a
#: passage with half its distinct words unknown was skipped as foreign), for the record; the
#: same inputs (SCOWL installed, so misspellings that are SCOWL words are not planted).
BEFORE = {
    "lists": "0 of 2,000 misspellings flagged (0.0%)",
    "dense": "30%: 100.0%, 45%: 100.0%, 60%: 54.3% (1,550 of 2,852) detected",
    "foreign": "287 of 4,728 passages flagged (6.1%): fr 159, de 18, es 32, nl 2, it 76; "
    "4,299 words flagged",
}
LIST_WORDS = 400
DENSITIES = (0.3, 0.45, 0.6)
LANGUAGES = ("fr", "de", "es", "nl", "it")
PASSAGE_WORDS = (15, 60)
_LETTERS = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"(?<![\w’'\-])[A-Za-z]+(?![\w’'\-])")


def _checker() -> Any:
    from server.engine.checker import Checker

    return Checker()


def misspelling_pool() -> list[tuple[str, str]]:
    """``(misspelling, word)`` pairs, sorted: plain, four letters or more, not in Quill's
    dictionary."""
    from server.engine.lexicon import Lexicon

    lexicon = Lexicon.shipped()
    pairs: set[tuple[str, str]] = set()
    for source in corpora.load_typo_sources(min_len=4):
        for word, typos in source.by_word.items():
            for typo in typos:
                if len(typo) >= 4 and not lexicon.knows(typo):
                    pairs.add((typo, word))
    return sorted(pairs)


def list_files(count: int) -> list[list[str]]:
    """``count`` lists of :data:`LIST_WORDS` distinct misspellings (seeded)."""
    pool = sorted({typo for typo, _ in misspelling_pool()})
    rng = random.Random(SEED)
    rng.shuffle(pool)
    return [pool[i * LIST_WORDS : (i + 1) * LIST_WORDS] for i in range(count)]


def _flagged_spans(checker: Any, text: str) -> list[tuple[int, int]]:
    from server.engine.types import Category

    issues = checker.check(text, "plaintext").issues
    return [(i.start, i.end) for i in issues if i.category is Category.SPELLING]


def measure_lists(checker: Any, files: list[list[str]]) -> dict[str, int]:
    found = words = 0
    for words_of_file in files:
        text = "\n".join(words_of_file) + "\n"
        flagged = {text[s:e] for s, e in _flagged_spans(checker, text)}
        found += sum(1 for w in words_of_file if w in flagged)
        words += len(words_of_file)
    return {"words": words, "detected": found}


def paragraphs(count: int, rng: random.Random, size: int = 5) -> list[str]:
    sentences = corpora.gutenberg_sentences()
    starts = sorted(rng.sample(range(0, len(sentences) - size), count))
    return [" ".join(sentences[s : s + size]) for s in starts]


def plant(
    paragraph: str, density: float, by_word: dict[str, list[str]], rng: random.Random
) -> tuple[str, list[tuple[int, int]]]:
    """The paragraph with ``density`` of its 4+-letter words misspelt, and the planted spans."""
    matches = [m for m in _WORD.finditer(paragraph) if len(m.group()) >= 4]
    candidates = [m for m in matches if by_word.get(m.group().lower())]
    want = round(density * len(matches))
    chosen = sorted(rng.sample(candidates, min(want, len(candidates))), key=lambda m: m.start())
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    last = 0
    length = 0
    for m in chosen:
        out.append(paragraph[last : m.start()])
        length += m.start() - last
        typo = corpora.match_case(m.group(), rng.choice(by_word[m.group().lower()]))
        spans.append((length, length + len(typo)))
        out.append(typo)
        length += len(typo)
        last = m.end()
    out.append(paragraph[last:])
    return "".join(out), spans


def measure_dense(checker: Any, count: int) -> list[dict[str, Any]]:
    by_word: dict[str, list[str]] = {}
    for typo, word in misspelling_pool():
        by_word.setdefault(word, []).append(typo)
    results = []
    for density in DENSITIES:
        rng = random.Random(f"{SEED}-{density}")
        planted = found = other = clean_words = words = 0
        for paragraph in paragraphs(count, rng):
            text, spans = plant(paragraph, density, by_word, rng)
            flagged = set(_flagged_spans(checker, text))
            planted += len(spans)
            found += sum(1 for s in spans if s in flagged)
            other += len(flagged - set(spans))
            n = len(_WORD.findall(text))
            words += n
            clean_words += n - len(spans)
        results.append(
            {
                "density": density,
                "paragraphs": count,
                "words": words,
                "planted": planted,
                "detected": found,
                "false_flags": other,
                "clean_words": clean_words,
            }
        )
    return results


def passages(language: str, limit: int) -> Iterator[str]:
    """Held-out catalogue translations joined into paragraphs of 15-60 words (seeded)."""
    from training.spelling.langid import catalogues, translated, words_of

    rng = random.Random(f"{SEED}-{language}")
    made = 0
    for _domain, pairs in catalogues(language, evaluation=True):
        buffer: list[str] = []
        words = 0
        target = rng.randint(*PASSAGE_WORDS)
        for msgid, msgstr in pairs:
            if not translated(msgid, msgstr):
                continue
            message = " ".join(" ".join(words_of(msgstr)).split())
            if not message:
                continue
            buffer.append(message)
            words += len(message.split())
            if words >= target:
                yield ". ".join(buffer) + "."
                made += 1
                if made >= limit:
                    return
                buffer, words, target = [], 0, rng.randint(*PASSAGE_WORDS)


def measure_foreign(checker: Any, limit: int) -> list[dict[str, Any]]:
    results = []
    for language in LANGUAGES:
        count = flagged_passages = flagged_words = words = 0
        for passage in passages(language, limit):
            spans = _flagged_spans(checker, passage)
            count += 1
            words += len(_LETTERS.findall(passage))
            flagged_words += len(spans)
            flagged_passages += bool(spans)
        results.append(
            {
                "language": language,
                "passages": count,
                "flagged_passages": flagged_passages,
                "words": words,
                "flagged_words": flagged_words,
            }
        )
    return results


def run(quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    checker = _checker()
    lists = measure_lists(checker, list_files(1 if quick else 5))
    dense = measure_dense(checker, 20 if quick else 100)
    foreign = measure_foreign(checker, 100 if quick else 1000)

    t1 = Table(
        "langid: lists of misspellings, one per line, no blank lines",
        ["misspellings", "flagged", "detection", "target"],
    )
    n, found = lists["words"], lists["detected"]
    t1.rows.append([str(n), str(found), pct(found, n), ">= 95%"])
    t1.notes.append(
        f"{lists['words'] // LIST_WORDS} file(s) of {LIST_WORDS} real misspellings (typos and "
        "codespell lists, not in Quill's dictionary), each checked as one plaintext document."
    )
    t1.notes.append(f"Before (main at e432fdd): {BEFORE['lists']}.")
    t2 = Table(
        "langid: running English with many words misspelt (Gutenberg paragraphs)",
        ["misspelt", "paragraphs", "planted", "detection", "false flags / 1,000 clean words"],
    )
    for r in dense:
        t2.rows.append(
            [
                f"{r['density']:.0%} of 4+-letter words",
                str(r["paragraphs"]),
                str(r["planted"]),
                pct(r["detected"], r["planted"]),
                f"{1000 * r['false_flags'] / max(r['clean_words'], 1):.1f}",
            ]
        )
    t2.notes.append(
        f"Before (main at e432fdd): {BEFORE['dense']}; false flags are names, British and "
        "archaic spellings of the books (the same words on main where it checked them)."
    )
    t3 = Table(
        "langid: passages in other languages (held-out gettext translations)",
        ["language", "passages", "flagged passages", "words flagged", "target"],
    )
    for r in foreign:
        t3.rows.append(
            [
                r["language"],
                str(r["passages"]),
                f"{r['flagged_passages']} ({pct(r['flagged_passages'], r['passages'])})",
                f"{r['flagged_words']} of {r['words']} ({pct(r['flagged_words'], r['words'])})",
                "< 1% of passages",
            ]
        )
    t3.notes.append(f"Before (main at e432fdd): {BEFORE['foreign']}.")
    all_passages = sum(r["passages"] for r in foreign)
    all_flagged = sum(r["flagged_passages"] for r in foreign)
    summary = [
        f"langid: misspelling lists detection {pct(lists['detected'], lists['words'])} "
        "(target >= 95%)",
        "langid: running text at "
        + ", ".join(
            f"{r['density']:.0%} misspelt {pct(r['detected'], r['planted'])}" for r in dense
        )
        + " detected",
        f"langid: non-English passages flagged {pct(all_flagged, all_passages)} of "
        f"{all_passages} (target < 1%)",
    ]
    return {
        "suite": "langid",
        "tables": [t.as_dict() for t in (t1, t2, t3)],
        "raw": {"lists": lists, "dense": dense, "foreign": foreign},
        "seconds": time.perf_counter() - started,
        "summary": summary,
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run("--quick" in sys.argv)["raw"], indent=1))
