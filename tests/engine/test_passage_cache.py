"""Passages from the cache are the passages built anew, before and after an edit."""

from __future__ import annotations

import pytest

from server.engine.extract import extract_regions
from server.engine.grammar.passages import PassageCache, passages

MARKDOWN = """# A title

Some **bold** text with `code()` and a [link](https://example.com/a.b) in it.
A second line of the same paragraph.

- a list item with _emphasis_
- another one

Last paragraph, plain.
"""
PYTHON = '''# A comment that goes on
# over two lines, with ``code``.
def f(x):
    """A docstring with `spans` in it."""
    return x  # a trailing remark
'''


@pytest.mark.parametrize(("text", "language"), [(MARKDOWN, "markdown"), (PYTHON, "python")])
def test_cached_passages_are_the_passages_built_anew(text: str, language: str) -> None:
    cache = PassageCache()
    markdown = language == "markdown"
    for version in (text, text.replace("text", "texts"), text.replace("A", "The")):
        regions = extract_regions(version, language)
        fresh = passages(version, regions, markdown=markdown)
        assert passages(version, regions, markdown=markdown, cache=cache) == fresh
        assert passages(version, regions, markdown=markdown, cache=cache) == fresh  # cached
    cache.clear()


def test_the_cache_keeps_to_its_character_budget() -> None:
    cache = PassageCache(chars=500)
    for k in range(100):
        text = f"Paragraph number {k} says something.\n"
        passages(text, extract_regions(text, "markdown"), markdown=True, cache=cache)
    assert cache.chars <= 500 and len(cache) > 0
