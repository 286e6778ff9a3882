"""How often the grammar decoder's rules change text that needs no change.

The rules beside the tagger (``server/engine/grammar/decode.py`` and ``phrase_rules.py``) are
written for learners' errors; a rule that fires on edited prose is a false alarm in every
document a careful writer opens. This part of the grammar suite runs each rule family alone
(no tagger: a :class:`FakeTagger` that keeps every word) over a fixed sample of sentences of
edited English and counts the sentences it changes, with the first few as examples.

The sample: sentences of the vendored public-domain books (``training/corpus``) and of the
docstrings of some standard-library modules, drawn with a fixed seed. Both are text the
grammar model was trained on, which does not matter here: the rules learn nothing.
"""

from __future__ import annotations

import gzip
import inspect
import random
import re
from importlib import import_module
from typing import Any

from .common import ROOT, Table

#: Books of the training corpus that the sample reads (the largest one is left out: it is a
#: word-frequency list as much as prose).
BOOKS = ("pride-and-prejudice_1342", "frankenstein_84", "alice_11")
#: Standard-library modules whose docstrings (their own and their members') are read.
MODULES = (
    "email json argparse collections pathlib logging inspect random re typing dataclasses "
    "asyncio unittest"
).split()
SENTENCES = 8000
SEED = 0
#: The rule families, by their switch in GrammarOptions.
FAMILIES = (
    "agreement_rule",
    "article_rule",
    "phrase_rules",
    "number_rule",
    "comma_rule",
)
_ALL_OFF = {family: False for family in FAMILIES} | {"case_rules": False, "tense_rule": False}


def edited_sentences(limit: int = SENTENCES, seed: int = SEED) -> list[str]:
    """The sample: ``limit`` sentences of the books and docstrings, drawn with ``seed``."""
    from server.engine.grammar.sentences import split_sentences

    texts = []
    for book in BOOKS:
        with gzip.open(
            ROOT / "training" / "corpus" / f"{book}.txt.gz", "rt", encoding="utf-8"
        ) as f:
            texts.append(f.read())
    for name in MODULES:
        module = import_module(name)
        texts.append(inspect.getdoc(module) or "")
        for _, member in inspect.getmembers(module):
            # Only what the module defines: what it re-exports depends on what else the
            # process has imported, and the sample must not.
            defined = getattr(member, "__module__", None) or ""
            if callable(member) and (defined == name or defined.startswith(name + ".")):
                doc = inspect.getdoc(member)
                if doc:
                    texts.append(doc)
    sentences = [
        s.text for text in texts for s in split_sentences(re.sub(r"\s+", " ", text)) if s.text
    ]
    sentences.sort()  # the draw must not depend on the order inspect lists members in
    return random.Random(seed).sample(sentences, min(limit, len(sentences)))


def rule_changes(sentences: list[str]) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    """Per rule family, the sentences it alone changes, with its edits: the words around
    each edit, and its fix of them."""
    from server.engine.grammar import FakeTagger, GrammarCorrector, GrammarOptions

    out: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    for family in FAMILIES:
        options = GrammarOptions(**{**_ALL_OFF, family: True})
        corrector = GrammarCorrector(FakeTagger({}, cased=True), options)
        changed = []
        for c in corrector.correct(sentences):
            if c.issues:
                edits = []
                for i in c.issues:
                    before = c.sentence[max(0, i.start - 12) : i.start]
                    after = c.sentence[i.end : i.end + 12]
                    edits.append((f"{before}{i.text}{after}", f"{before}{i.suggestions[0]}{after}"))
                changed.append((c.sentence, edits))
        out[family] = changed
    return out


def table(quick: bool) -> tuple[Table, dict[str, Any]]:
    """The suite's table: sentences changed per family, per 1,000, and examples."""
    sentences = edited_sentences(SENTENCES // 8 if quick else SENTENCES)
    changes = rule_changes(sentences)
    n = len(sentences)
    result = Table(
        f"grammar rules alone on edited prose: {n:,} sentences of books and docstrings",
        ["rule family", "sentences changed", "per 1,000 sentences", "examples"],
    )
    for family, changed in changes.items():
        examples = "; ".join(
            f"“{text.strip()}” -> “{fix.strip()}”"
            for _, edits in changed[:3]
            for text, fix in edits
        )
        result.rows.append(
            [family, str(len(changed)), f"{1000 * len(changed) / n:.1f}", examples or "-"]
        )
    result.notes.append(
        "Each family alone (GrammarOptions with the others off, case rules off) over a "
        "FakeTagger that keeps every word: what the rule does to text that needs no change. "
        f"Sample: benchmarks/grammar_rules.py edited_sentences (seed {SEED})."
    )
    raw = {family: changed[:20] for family, changed in changes.items()}
    return result, {"sentences": n, "changed": raw}
