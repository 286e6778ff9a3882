"""Sentences and words for grammar: offsets that always point at the original characters,
and sentence ends that survive abbreviations, initials, decimals, quotes, emoji and CRLF."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.engine.grammar.sentences import detokenize, split_sentences, tokenize

#: Text pieces that stress offsets: multi-code-point emoji, CRLF, clitics, quotes, numbers.
_PIECES = (
    "the The cat Dr. e.g. U.S. 3.14 1st don't John's well-known 😋 👩‍💻 é naïve “ ” \" ' ( ) . ! ? "
    "... , — http://example.com/a.b a@b.org os.path"
)
PIECES = st.sampled_from([*_PIECES.split(), " ", "  ", "\n", "\r\n", "\r\n\r\n", "\t"])
TEXTS = st.lists(PIECES, max_size=30).map("".join) | st.text(max_size=60)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_every_word_is_the_text_at_its_offsets(text: str) -> None:
    words = tokenize(text)
    for w in words:
        assert text[w.start : w.end] == w.text
        assert w.text and not any(c.isspace() for c in w.text)
    assert all(a.end <= b.start for a, b in pairwise(words))
    # Every letter and digit belongs to some word (only underscores and spaces may be left out).
    covered = {i for w in words for i in range(w.start, w.end)}
    assert all(i in covered for i, c in enumerate(text) if c.isalnum())


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_sentences_partition_the_words_in_order(text: str) -> None:
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.words and s.words[0].start == s.start and s.words[-1].end == s.end
    assert all(a.end <= b.start for a, b in pairwise(sentences))
    assert [w for s in sentences for w in s.words] == tokenize(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith arrived at 3.30 p.m. on Monday. He left early.",
            ["Dr. Smith arrived at 3.30 p.m. on Monday.", "He left early."],
        ),
        ("Pi is 3.14 exactly. Yes it is.", ["Pi is 3.14 exactly.", "Yes it is."]),
        ("Use e.g. this one. It works.", ["Use e.g. this one.", "It works."]),
        ("The U.S. Army came. It won.", ["The U.S. Army came.", "It won."]),
        ("J. R. R. Tolkien wrote. Then he slept.", ["J. R. R. Tolkien wrote.", "Then he slept."]),
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("He left (quickly.) Then it rained.", ["He left (quickly.)", "Then it rained."]),
        # A closing quote after "?" or "!" and a lower-case word: the sentence goes on.
        ('"Where are you going?" she asked him.', ['"Where are you going?" she asked him.']),
        ("“Stop it now!” he shouted at them.", ["“Stop it now!” he shouted at them."]),
        # A full stop after an ordinary word ends a sentence even before a lower-case word.
        ("A wrapped line. it goes on here.", ["A wrapped line.", "it goes on here."]),
        ("Wait... What happened? Nothing!", ["Wait...", "What happened?", "Nothing!"]),
        ("See www.example.com today. Thanks.", ["See www.example.com today.", "Thanks."]),
        ("Version 2.0.1 is out. Get it.", ["Version 2.0.1 is out.", "Get it."]),
    ],
)
def test_sentence_ends(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text)] == expected


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_split_with_either_line_end(newline: str) -> None:
    nl = newline
    text = f"A heading{nl}{nl}the first line{nl}goes on here.{nl} \t{nl}End."
    sentences = split_sentences(text)
    expected = ["A heading", "the first line\ngoes on here.", "End."]
    assert [s.text.replace("\r\n", "\n") for s in sentences] == expected
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_offsets_after_emoji_and_crlf_are_code_points() -> None:
    text = "I like 👩‍💻 and 😋.\r\nHe go home."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["I like 👩‍💻 and 😋.", "He go home."]
    go = sentences[1].words[1]
    assert go.text == "go" and text[go.start : go.end] == "go"
    assert go.start == len("I like 👩‍💻 and 😋.\r\nHe ")


def test_clitics_and_abbreviations_are_tokens() -> None:
    words = [w.text for w in tokenize("I don't know John's dog, etc. now")]
    assert words == "I do n't know John 's dog , etc. now".split()


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (["Hello", ",", "world", "!"], "Hello, world!"),
        (["I", "do", "n't", "know", "."], "I don't know."),
        (["(", "see", "above", ")"], "(see above)"),
        (["It", "costs", "$", "5", "."], "It costs $5."),
    ],
)
def test_detokenize_uses_english_spacing(tokens: list[str], text: str) -> None:
    assert detokenize(tokens) == text
    assert [w.text for w in tokenize(text)] == tokens
