"""The word-pair counts behind ranking in context (``python -m training ngrams``)."""

from __future__ import annotations

from pathlib import Path

from server.engine.context import WordPairs
from training.spelling import ngrams

TEXT = (
    "The cat sat on the mat. The dog, however, sat\non the mat too!\n\n"
    "A heading without a stop\n\nThe cat's mat."
)


def test_pairs_are_counted_within_sentences_and_broken_by_punctuation() -> None:
    words, pairs = ngrams.count([TEXT])
    assert pairs["<s> the"] == 3
    assert pairs["sat on"] == 2
    assert pairs["on the"] == 2  # a wrapped line is a space
    assert pairs["the mat"] == 2
    assert pairs["mat </s>"] == 2 and pairs["too </s>"] == 1
    assert pairs["stop </s>"] == 0  # no full stop, no sentence end
    assert pairs["dog however"] == 0 and pairs["however sat"] == 0  # commas break pairs
    assert pairs["stop the"] == 0  # a blank line ends the sentence
    assert pairs["the cat's"] == 1  # an inner apostrophe stays in the word
    assert words["the"] == 5 and words["<s>"] == 4


def test_the_table_is_pruned_sorted_and_read_back_by_the_engine(tmp_path: Path) -> None:
    words, pairs = ngrams.count([TEXT])
    rows = ngrams.table(words, pairs)
    assert rows == sorted(rows)
    kept = dict(rows)
    assert "sat on" in kept and "cat sat" not in kept  # seen once: dropped
    assert "dog" not in kept and kept["#total"] == sum(words.values())
    out = tmp_path / "bigrams.tsv.gz"
    ngrams.write(rows, out)
    model = WordPairs.from_file(out)
    assert model.count("sat on") == 2 and model.count("the") == 5
    assert model.total == sum(words.values())
