"""Which findings the user has accepted: the one rule the checker, the CLI and the server share.

A word list (the user's and the workspace's dictionaries, ``--word`` and ``spelling.words``,
the words ignored in a document, the project's vocabulary) accepts a word, and a word speaks
only of spelling: a spelling finding, or grammar's ``grammar.spelling``, whose flagged text,
lower-cased, is in the list. Any other grammar finding is accepted only when the user ignored
it: its rule and its words (lower-cased, trimmed).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from .grammar.classify import SPELLING as GRAMMAR_SPELLING
from .types import Category, Issue


def speaks_of_spelling(issue: Issue) -> bool:
    """Word lists accept words: they apply to spelling findings only."""
    return issue.category is Category.SPELLING or issue.rule == GRAMMAR_SPELLING


def accepts_word(issue: Issue, words: Collection[str]) -> bool:
    """Whether ``words`` (lower-cased) accepts the word ``issue`` flags."""
    return speaks_of_spelling(issue) and issue.text.lower() in words


def without_accepted(
    issues: Iterable[Issue],
    word_lists: Iterable[Collection[str]],
    ignored_grammar: Collection[tuple[str, str]] = frozenset(),
) -> list[Issue]:
    """The ``issues`` the user has not accepted, in order.

    ``word_lists`` hold lower-cased words; ``ignored_grammar`` holds the grammar findings the
    user ignored, as ``(rule, flagged text lower-cased and trimmed)``.
    """
    lists = [words for words in word_lists if words]
    if not lists and not ignored_grammar:
        return list(issues)
    return [i for i in issues if not _accepted(i, lists, ignored_grammar)]


def _accepted(
    issue: Issue, lists: list[Collection[str]], ignored_grammar: Collection[tuple[str, str]]
) -> bool:
    word = issue.text.lower()
    if issue.category is Category.GRAMMAR and (issue.rule, word.strip()) in ignored_grammar:
        return True
    return speaks_of_spelling(issue) and any(word in words for words in lists)
