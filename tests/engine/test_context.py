"""Suggestions ranked in context: the neighbours reorder the channel's candidates."""

from __future__ import annotations

import pytest

from server.engine.checker import Checker
from server.engine.context import END, START, Ranking, WordPairs, neighbours, rerank
from server.engine.lexicon import Lexicon
from server.engine.spelling import Speller
from server.engine.types import RegionKind, Token

#: A tiny corpus's counts: "form" follows "a" and "the", "from" precedes "the".
COUNTS = {
    "a": 50,
    "the": 80,
    "form": 10,
    "from": 30,
    "of": 40,
    "<s>": 20,
    "a form": 6,
    "the form": 3,
    "from the": 20,
    "form of": 5,
    "<s> from": 2,
}


@pytest.fixture(scope="module")
def pairs() -> WordPairs:
    return WordPairs.from_counts(COUNTS)


def _at(text: str, word: str) -> tuple[str | None, str | None]:
    start = text.index(word)
    return neighbours(text, start, start + len(word))


def test_neighbours_are_the_words_next_to_the_misspelling() -> None:
    assert _at("I cant beleive it.", "beleive") == ("cant", "it")
    assert _at("Thay are here.", "Thay") == (START, "are")
    assert _at("It is gone. Thay left.", "Thay") == (START, "left")
    assert _at("We will recieve.", "recieve") == ("will", END)
    assert _at("a wrapped\nrecieve the", "recieve") == ("wrapped", "the")


def test_punctuation_and_blank_lines_break_the_neighbourhood() -> None:
    assert _at("one, recieve; two", "recieve") == (None, None)
    assert _at("a title\n\nrecieve it", "recieve") == (START, "it")
    assert _at("heading recieve\n\nNext", "recieve") == ("heading", None)
    assert _at("see /usr/lib-recieve now", "recieve") == (None, "now")
    assert _at("the recieve-side x", "recieve") == ("the", None)


def test_evidence_is_what_the_pairs_add_to_the_word_s_own_frequency(pairs: WordPairs) -> None:
    assert pairs.evidence("a", "form", "of") > 0 > pairs.evidence("a", "from", "of")
    assert pairs.evidence(None, "from", "the") > pairs.evidence(None, "form", "the")
    # Words the counts do not know say nothing either way.
    assert pairs.evidence("zyzzyva", "form", None) == 0.0
    assert pairs.evidence(None, "form", "zyzzyva") == 0.0
    assert pairs.evidence(None, "form", None) == 0.0
    # An unseen pair costs at most the floor.
    assert pairs.evidence("a", "from", None) >= Ranking().floor


def test_rerank_reorders_only_the_candidates_it_is_given(pairs: WordPairs) -> None:
    channel = {"from": -10.0, "form": -10.5, "farm": -12.0}
    order = ("from", "form", "farm")
    assert rerank(order, channel, "a", "of", pairs) == ("form", "from", "farm")
    assert rerank(order, channel, None, "the", pairs) == order
    assert rerank(order, channel, None, None, pairs) == order
    # The channel still counts: a far worse candidate is not pulled up by its neighbours.
    assert rerank(("from", "form"), {"from": -10.0, "form": -30.0}, "a", "of", pairs)[0] == "from"
    # Case is kept and nothing is invented.
    assert rerank(("From", "Form"), channel, START, "of", pairs) == ("Form", "From")
    assert set(rerank(order, channel, "a", "of", pairs)) == set(order)


def test_a_listed_fix_the_channel_did_not_score_keeps_its_place(pairs: WordPairs) -> None:
    # "from" came from the list of known misspellings: the best score plus a bonus.
    assert rerank(("from", "form"), {"form": -10.0}, None, "the", pairs)[0] == "from"


def test_the_speller_ranks_in_running_text_but_not_in_identifiers(pairs: WordPairs) -> None:
    lex = Lexicon.from_words(["a", "the", "of", "form", "from"], bucket=50)
    speller = Speller(lex, use_typo_model=False)
    speller.pairs = pairs
    text = "It is a fomr of art."
    start = text.index("fomr")
    token = Token(start, start + 4, "fomr", RegionKind.PROSE, "fomr")
    plain = speller.judge("fomr", RegionKind.PROSE)
    assert plain is not None and set(plain.suggestions) == {"form", "from"}
    ranked = speller.in_context(plain, token, text)
    assert ranked.suggestions[0] == "form"
    assert "'form'" in ranked.message
    issues = speller.check_tokens([token], text=text)
    assert issues[0].suggestions[0] == "form"
    ident = Token(start, start + 4, "fomr", RegionKind.IDENTIFIER, "fomr")
    judged = speller.judge("fomr", RegionKind.IDENTIFIER)
    assert judged is not None
    assert speller.in_context(judged, ident, text) is judged


def test_the_checker_ranks_by_the_shipped_counts() -> None:
    """With the shipped counts: ``a big hous near`` is a house, which the channel alone ranks
    after ``hours``."""
    text = "She lives in a big hous near the river."
    checker = Checker()
    assert checker.speller.pairs is not None, "server/engine/data/bigrams.tsv.gz is missing"
    channel_only = Checker()
    channel_only.speller.pairs = None

    def first(c: Checker) -> str:
        return next(i for i in c.check(text, "plaintext").issues if i.text == "hous").suggestions[0]

    assert first(channel_only) == "hours"
    assert first(checker) == "house"


def test_listed_fixes_lead_in_the_list_s_order(pairs: WordPairs) -> None:
    """A known misspelling's fixes outrank the channel's other candidates, and the first
    listed one stays first unless the neighbours speak strongly for a later one."""
    channel = {"from": -10.0, "form": -9.0, "farm": -8.0}
    order = ("farm", "form", "from")
    assert rerank(order, channel, None, None, pairs, listed=["from"]) == order  # no context
    assert rerank(order, channel, "x", "y", pairs, listed=["from"])[0] == "from"
    assert rerank(order, channel, None, "the", pairs, listed=["from", "form"])[0] == "from"
    weak = Ranking(listed_step=0.0)
    assert rerank(order, channel, "a", "of", pairs, weak, listed=["from", "form"])[0] == "form"
