"""Vulgar words and slurs are accepted when typed but never offered as a correction."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from server.engine import never_suggest
from server.engine.checker import Checker
from server.engine.lexicon import Lexicon
from server.engine.spelling import Speller
from server.engine.suggest import Suggester
from server.engine.types import RegionKind

TYPO_LIST = Path(__file__).resolve().parents[3] / "shared/data/typo-lists/typos-words.csv"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.shipped()


@pytest.fixture(scope="module")
def speller(lex: Lexicon) -> Speller:
    return Speller(lex)


def test_the_list_holds_scowls_nosuggest_words_and_they_stay_words(lex: Lexicon) -> None:
    listed = lex.never_suggested
    assert listed == never_suggest.shipped()
    for word in ("fuck", "fucked", "shit", "cunt", "nigger", "asshole", "faggot", "wanker"):
        assert word in listed, word
        assert lex.knows(word), word  # typed on purpose: not a misspelling
    for word in ("crap", "damn", "bloody", "cock", "duck", "facade"):
        assert word not in listed, word


def test_parse_skips_comments_and_ignores_case() -> None:
    assert never_suggest.parse("# a comment\n\nFoo\nbar\n") == {"foo", "bar"}
    assert never_suggest.is_listed("Bull Foo", frozenset({"foo"}))
    assert not never_suggest.is_listed("food", frozenset({"foo"}))


def test_facade_no_longer_gets_a_vulgar_suggestion(speller: Speller) -> None:
    listed = speller.lexicon.never_suggested
    for typo in ("façade", "facde", "fcade", "faccade", "fackade", "façcade"):
        suggestions = speller.suggest(typo)
        assert suggestions, typo
        assert not any(never_suggest.is_listed(s, listed) for s in suggestions), suggestions


def test_a_listed_word_is_never_a_candidate_even_when_it_is_the_only_close_one() -> None:
    lex = Lexicon.from_words(["duck", "dock", "fuck"], never_suggested=["fuck"])
    suggestions = Suggester(lex).suggest("fuk", limit=5)
    assert "fuck" not in suggestions
    assert lex.knows("fuck")


def test_a_vulgar_listed_fix_is_not_offered() -> None:
    lex = Lexicon.from_words(["fuck", "funk"], typos={"fcuk": "fuck"}, never_suggested=["fuck"])
    verdict = Speller(lex, use_typo_model=False).judge("fcuk", RegionKind.PROSE)
    assert verdict is not None
    assert "fuck" not in verdict.suggestions


def _one_edit_away(word: str) -> list[str]:
    """Deletions and neighbour swaps of ``word``: the typos nearest to a listed word."""
    out = {word[:i] + word[i + 1 :] for i in range(len(word))}
    out |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return sorted(w for w in out if len(w) >= 3 and w != word)


def _sample_misspellings(n: int) -> list[str]:
    """``n`` misspellings of real words: the typo list's when ../shared has it, else made."""
    if TYPO_LIST.exists():
        with TYPO_LIST.open(encoding="utf-8") as handle:
            typos = sorted({row[0] for row in csv.reader(handle) if row and row[0].isalpha()})
        return random.Random(18).sample(typos, min(n, len(typos)))
    rng = random.Random(18)
    words = sorted(w for w in Lexicon.shipped().entry_dict() if w.isalpha() and w.islower())
    out = []
    for word in rng.sample(words, n):
        i = rng.randrange(len(word))
        out.append(word[:i] + rng.choice("aeioustrnl") + word[i + 1 :])
    return out


def test_no_suggestion_for_many_misspellings_is_on_the_list(speller: Speller) -> None:
    listed = speller.lexicon.never_suggested
    queries = _sample_misspellings(1000)
    # The hardest cases: one letter dropped or swapped in a listed word itself.
    queries += [t for w in sorted(listed) if w.isalpha() for t in _one_edit_away(w)]
    offenders = []
    for typo in queries:
        for suggestion in speller.suggest(typo):
            if never_suggest.is_listed(suggestion, listed):
                offenders.append((typo, suggestion))
    assert len(queries) > 1500
    assert offenders == []


def test_a_document_with_vulgar_words_typed_on_purpose_is_not_flagged() -> None:
    issues = Checker().check("What the fuck, he said, this is bullshit and shit.\n", "plaintext")
    assert issues.issues == []
