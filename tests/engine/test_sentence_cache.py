"""A passage's sentences from the cache, stretch by stretch, are exactly the splitter's."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.engine.grammar import sentence_cache
from server.engine.grammar.sentence_cache import SentenceCache, cut_points
from server.engine.grammar.sentences import split_sentences
from tests.engine.test_grammar_sentences import PIECES as SPLITTER_PIECES

#: Tokens that decide sentence ends: abbreviations, initials, URLs, dotted names, clitics,
#: hyphenated words, quotes and brackets, numbers, and the three end marks.
PIECES = (
    "the cat sat on the mat went home Dr. etc. e.g. U.S. J. R. Smith 3.14 os.path www.x.org/abc "
    "http://a.b/c don't well-known rock'n'roll ( ) [ ] \" “ ” ‘ ’ « » , ; : . . . ! ? ... "
    "The It A I she He 42 x"
).split()


def random_text(rng: random.Random, lines: int) -> str:
    out = []
    for _ in range(lines):
        words = [rng.choice(PIECES) for _ in range(rng.randrange(0, 12))]
        if rng.random() < 0.5:
            words.append(rng.choice(["word.", "went!", "why?", "Dr.", "etc.", "abc.", "x."]))
        out.append(" ".join(words) + rng.choice(["", " ", "\t", "\r"]))
    return "\n".join(out) + rng.choice(["", "\n"])


@pytest.mark.parametrize("seed", range(40))
def test_stretches_give_the_sentences_of_the_whole_passage(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sentence_cache, "STRETCH_CHARS", 40)  # cut often
    rng = random.Random(seed)
    text = random_text(rng, 200)
    whole = [(s.start, s.text) for s in split_sentences(text)]
    cache = SentenceCache()
    assert cache.sentences(text) == whole
    assert cache.sentences(text) == whole  # from the cache this time


def test_a_long_passage_is_cut_where_a_sentence_surely_ends() -> None:
    text = "It rained all day.\nwe stayed in.\nDr.\nSmith came, etc.\nThe end.\n" * 100
    points = cut_points(text, every=50)
    assert points
    for p in points:
        before = text[:p].rstrip()
        assert before.endswith(("day.", "in.", "end.")), before[-20:]


def test_an_edit_splits_again_only_its_stretch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = sentence_cache.split_sentences

    def counting(text: str) -> list:  # type: ignore[type-arg]
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(sentence_cache, "split_sentences", counting)
    text = "".join(f"This is line number {k} of a long log.\n" for k in range(400))
    cache = SentenceCache()
    cache.sentences(text)
    cut = len(calls)
    assert cut > 5  # a 16,000-character passage is split in stretches
    edited = text.replace("line number 200 ", "lnie number 200 ")
    assert cache.sentences(edited) == [(s.start, s.text) for s in split_sentences(edited)]
    assert len(calls) == cut + 1 and calls[-1] <= 2 * sentence_cache.STRETCH_CHARS


@settings(max_examples=300, deadline=None)
@given(st.lists(SPLITTER_PIECES | st.sampled_from(["word.\n", "ok!\r\n", "Dr.\n"]), max_size=80))
def test_stretches_agree_on_the_splitters_own_stress_pieces(pieces: list[str]) -> None:
    text = "".join(pieces)
    whole = [(s.start, s.text) for s in split_sentences(text)]
    saved = sentence_cache.STRETCH_CHARS
    sentence_cache.STRETCH_CHARS = 10
    try:
        assert SentenceCache().sentences(text) == whole
    finally:
        sentence_cache.STRETCH_CHARS = saved
