"""The one rule for accepted words, as the checker, the CLI and the server apply it."""

from __future__ import annotations

from server.engine.accepted import accepts_word, speaks_of_spelling, without_accepted
from server.engine.types import Category, Issue


def issue(text: str, rule: str, category: Category) -> Issue:
    return Issue(0, len(text), text, rule, category, "message")


SPELLING = issue("Frobnicator", "spelling.unknown-word", Category.SPELLING)
GRAMMAR_SPELLING = issue("wrod", "grammar.spelling", Category.GRAMMAR)
AGREEMENT = issue("He go ", "grammar.verb-form", Category.GRAMMAR)


def test_word_lists_speak_of_spelling_only() -> None:
    assert speaks_of_spelling(SPELLING) and speaks_of_spelling(GRAMMAR_SPELLING)
    assert not speaks_of_spelling(AGREEMENT)
    assert accepts_word(SPELLING, {"frobnicator"}) and accepts_word(GRAMMAR_SPELLING, {"wrod"})
    assert not accepts_word(AGREEMENT, {"he go "})


def test_without_accepted_keeps_order_and_what_no_list_accepts() -> None:
    issues = [SPELLING, AGREEMENT, GRAMMAR_SPELLING]
    assert without_accepted(issues, [frozenset(), {"frobnicator"}]) == [AGREEMENT, GRAMMAR_SPELLING]
    assert without_accepted(issues, [], {("grammar.verb-form", "he go")}) == [
        SPELLING,
        GRAMMAR_SPELLING,
    ]
    assert without_accepted(issues, []) == issues
