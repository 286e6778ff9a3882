"""Accented and plain spellings of English words are both accepted, in both dialects."""

from __future__ import annotations

import pytest

from server.engine.accents import has_accents, strip_accents
from server.engine.checker import Checker, CheckOptions
from server.engine.lexicon import GB, US, Lexicon


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.shipped()


def test_strip_accents_removes_marks_not_letters() -> None:
    assert strip_accents("résumé") == "resume"
    assert strip_accents("coöperate") == "cooperate"
    assert strip_accents("Façade") == "Facade"
    assert strip_accents("Straße") == "Straße"  # ß is a letter, not a marked s
    assert strip_accents("plain") == "plain"
    assert has_accents("naïve") and not has_accents("naive") and not has_accents("Straße")


ACCENTED = [
    "naïve",
    "naïvely",
    "naïveté",
    "café",
    "cafés",
    "résumé",
    "résumés",
    "façade",
    "fiancée",
    "fiancé",
    "coöperate",
    "rôle",
    "élite",
    "cliché",
    "protégé",
    "soufflé",
    "exposé",
    "décor",
    "déjà",
]


@pytest.mark.parametrize("dialect", ["en-US", "en-GB"])
@pytest.mark.parametrize("word", ACCENTED)
def test_accented_words_in_both_dialects(lex: Lexicon, word: str, dialect: str) -> None:
    plain = strip_accents(word)
    for form in (word, word.capitalize(), word.upper(), plain, plain.capitalize()):
        assert lex.knows(form, dialect), (form, dialect)


def test_accents_do_not_make_words(lex: Lexicon) -> None:
    # An accent on a misspelling, or on a word no entry has, is still unknown.
    for word in ("recieve", "recíeve", "días", "crème-brulée-ish", "naïv"):
        assert not lex.knows(word), word


def test_a_name_keeps_its_capital_without_its_accent() -> None:
    lex = Lexicon.from_words(["Dvořák", "café"], flags=US | GB)
    assert lex.knows("Dvorak") and lex.knows("DVORAK")
    assert not lex.knows("dvorak")
    assert lex.knows("cafe") and lex.knows("Cafe") and lex.knows("CAFE")


def test_accents_follow_the_dialect() -> None:
    lex = Lexicon.from_words(["colour"], flags=GB)
    assert lex.knows("cölour", "en-GB")
    assert not lex.knows("cölour", "en-US")


def test_the_issue_sentence_has_no_findings() -> None:
    text = (
        "A naïve café owner read their résumé and admired the façade. The fiancée smiled: "
        "déjà vu.\n"
    )
    for dialect in ("en-US", "en-GB"):
        checker = Checker()
        checker.configure(CheckOptions(dialect=dialect))
        assert checker.check(text, "plaintext").issues == [], dialect
