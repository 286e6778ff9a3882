"""The project vocabulary counts only the words some file flags now: a long editing session,
where every keystroke can make a new unknown word, does not grow it."""

from __future__ import annotations

from server.engine.types import Category, Issue, Rule
from server.engine.vocabulary import ProjectVocabulary


def unknown(word: str) -> Issue:
    return Issue(0, len(word), word, Rule.UNKNOWN_WORD.value, Category.SPELLING, "unknown word")


def test_counts_are_bounded_by_the_words_flagged_now() -> None:
    vocabulary = ProjectVocabulary(min_files=2)
    for step in range(5000):  # one document typed into: each version flags a new word
        vocabulary.update("file:///doc.md", [unknown(f"zorb{step}"), unknown("pygls")])
    assert vocabulary.counted == 2
    vocabulary.update("file:///other.md", [unknown("pygls")])
    assert vocabulary.words == frozenset({"pygls"})
    vocabulary.forget("file:///doc.md")
    assert vocabulary.counted == 1 and vocabulary.words == frozenset()
    vocabulary.forget("file:///other.md")
    assert vocabulary.counted == 0
