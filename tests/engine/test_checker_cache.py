"""The region cache and the grammar sentence cache are bounded by entries and by characters: a
long editing session, where every keystroke caches its paragraph or sentence again, cannot
grow them past either bound."""

from __future__ import annotations

import pytest

from server.engine import checker as checker_module
from server.engine.checker import Checker, CheckOptions
from server.engine.extract import extract_regions
from server.engine.grammar import FakeTagger, GrammarCorrector
from server.engine.grammar.document import GrammarPass
from server.engine.types import CheckCancelled


def test_the_region_cache_stays_within_its_character_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checker_module, "CACHE_CHARS", 2000)
    checker = Checker(CheckOptions(dialect="en-US"))
    paragraph = "The quick brown fox jumps over the lazy dog near the river bank. " * 3
    for k in range(300):  # typing into one paragraph: each version is a new region
        text = f"{paragraph[: k % 150]}x{paragraph[k % 150 :]}\n\nA second paragraf {k}.\n"
        checker.check(text, "markdown")
        entries, chars = checker.cached
        assert chars <= 2000
    # The newest versions are the ones kept, and a check of the latest one is a cache hit.
    assert entries >= 2
    assert checker.check(text, "markdown").issues == checker.check(text, "markdown").issues
    checker.clear_cache()
    assert checker.cached == (0, 0)


def test_the_region_cache_stays_within_its_entry_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker_module, "CACHE_SIZE", 50)
    checker = Checker(CheckOptions(dialect="en-US"))
    for k in range(200):
        checker.check(f"Note number {k} is herre.\n", "markdown")
    entries, chars = checker.cached
    assert entries == 50 and 0 < chars < 50 * 40
    sizes = checker.cache_sizes()
    assert sizes == {"regions": 50, "regionChars": chars, "sentences": 0, "sentenceChars": 0}


def test_the_grammar_sentence_cache_stays_within_its_budgets() -> None:
    grammar = GrammarPass(
        GrammarCorrector(FakeTagger({"this [are]": ("$REPLACE_is", 0.9)})),
        cache_size=1000,
        cache_chars=600,
    )
    sentence = "I think this are a sentence that someone keeps typing into all day long"
    for k in range(200):
        text = f"{sentence[: k % 60]}x{sentence[k % 60 :]}.\n"
        grammar.check(text, extract_regions(text, "markdown"), markdown=True)
        entries, chars = grammar.cached
        assert chars <= 600 and entries <= 600 // len(sentence) + 1
    found = grammar.check(text, extract_regions(text, "markdown"), markdown=True).issues
    assert [i.suggestions for i in found] == [("is",)]  # still checked right after evictions
    grammar.clear_cache()
    assert grammar.cached == (0, 0)


def test_a_region_checked_under_replaced_options_is_not_cached() -> None:
    """A check that started before configure() (another thread, in the server) must not
    leave its regions in the cache, where the next check under the new options would find
    them: en-US's verdict on "colour" must not survive a switch to en-GB."""
    from server.engine.types import CheckStats

    checker = Checker()
    checker.configure(CheckOptions(dialect="en-US"))
    text = "The colour is nice.\n"
    (region,) = extract_regions(text, "plaintext")
    old_speller, old_patterns = checker._speller, checker._patterns
    checker.configure(CheckOptions(dialect="en-GB"))  # arrives while the old check runs
    found, _ = checker._region_issues(text, region, old_speller, old_patterns, CheckStats())
    assert [i.text for i in found] == ["colour"]  # the old check's own answer
    assert checker.cache_sizes()["regions"] == 0
    assert [i.text for i in checker.check(text, "plaintext").issues] == []


def test_a_keystroke_in_a_huge_paragraph_checks_one_piece_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 2,000-line paragraph (one sentence per line, no blank line) is read by spelling in
    pieces: the same findings as reading it whole, and an edit checks one piece again."""
    lines = [
        f"Line {k} has a misteak and {'recieve' if k % 7 == 0 else 'receive'} here."
        for k in range(2000)
    ]
    text = "\n".join(lines) + "\n"
    whole = Checker(CheckOptions(dialect="en-US", grammar=False))
    monkeypatch.setattr(checker_module, "SPELLING_PIECE_CHARS", 10**9)
    expected = whole.check(text, "markdown").issues
    monkeypatch.undo()
    pieces = Checker(CheckOptions(dialect="en-US", grammar=False))
    first = pieces.check(text, "markdown")
    assert first.issues == expected and len(expected) > 2000
    assert first.stats.regions_checked > 20  # read in pieces
    lines[1000] = lines[1000].replace("has", "hsa")
    edited = "\n".join(lines) + "\n"
    again = pieces.check(edited, "markdown")
    assert again.stats.regions_checked == 1
    assert any(i.text == "hsa" for i in again.issues)
    assert len(again.issues) == len(expected) + 1


def test_a_quick_look_flags_the_same_words_and_is_never_taken_for_a_full_check() -> None:
    checker = Checker(CheckOptions(dialect="en-US", grammar=False))
    text = "A wrod and a teh here.\n\nAnother paragraf.\n"
    quick = checker.check(text, "markdown", quick=True)
    assert quick.provisional
    again = checker.check(text, "markdown", quick=True)
    assert again.provisional and again.stats.regions_checked == 0  # the quick look is cached
    full = checker.check(text, "markdown")
    assert not full.provisional and full.stats.regions_checked == 2  # not the quick results
    assert [i.text for i in quick.issues] == [i.text for i in full.issues]
    by_word = {i.text: i for i in full.issues}
    assert by_word["wrod"].suggestions[0] == "word"  # ranked
    assert {i.text: i.suggestions for i in quick.issues}["teh"] == ("the",)  # a known fix
    after = checker.check(text, "markdown", quick=True)
    assert not after.provisional  # once ranked, a quick look takes the ranked results


def test_a_check_stops_inside_a_region_when_asked_and_caches_nothing_of_it() -> None:
    """Ranking a dozen misspellings' suggestions takes a while: a keystroke must not wait for
    the region to end, so the stop flag is looked at word by word."""
    checker = Checker(CheckOptions(dialect="en-US", grammar=False))
    text = "One paragraf with sevral misspellings that reqire ranked sugestions here.\n"
    looks = 0

    def stop_after_a_few_words() -> bool:
        nonlocal looks
        looks += 1
        return looks > 4  # the region's own look, then three words

    with pytest.raises(CheckCancelled):
        checker.check(text, "markdown", should_stop=stop_after_a_few_words)
    assert checker.cached == (0, 0)
    assert checker.check(text, "markdown").stats.regions_checked == 1
