"""Real parallel data (M2 files, source/target line files) read, tokenised like the engine, and
turned into tagged training pairs by the data step."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.engine.grammar import tags as T
from training.__main__ import main
from training.grammar.data import parallel

M2 = """\
S This are a apple .
A 1 2|||R:VERB:SVA|||is|||REQUIRED|||-NONE-|||0
A 2 3|||R:DET|||an|||REQUIRED|||-NONE-|||0
A 3 4|||R:NOUN:NUM|||apples|||REQUIRED|||-NONE-|||1
A 2 3|||U:DET|||-NONE-|||REQUIRED|||-NONE-|||1
A 1 2|||R:VERB:SVA|||are|||REQUIRED|||-NONE-|||1
A 0 1|||R:DET|||These|||REQUIRED|||-NONE-|||1

S It is fine .
A -1 -1|||noop|||-NONE-|||REQUIRED|||-NONE-|||0

S He go school every day .
A 1 2|||R:VERB:SVA|||goes|||REQUIRED|||-NONE-|||0
A 2 2|||M:PREP|||to|||REQUIRED|||-NONE-|||0
"""  # the last block has no blank line after it

CLEAN = (
    "The old house stood at the end of a quiet lane near the river. "
    "Every morning the baker opened his shop before the sun came up. "
    "She walked to the market and bought fresh bread for her family. "
    "They were happy to see the children playing in the garden again. "
    "He has lived in this small town for more than twenty years now. "
    "The teacher asked the students to read the first chapter at home. "
    "We could hear the rain falling on the roof all through the night. "
    "My brother wants to become a doctor when he finishes his studies. "
    "The train to the city leaves from the station at seven o'clock. "
    "It was the coldest winter that anyone in the village could remember. "
) * 3


@pytest.fixture
def m2_file(tmp_path: Path) -> Path:
    path = tmp_path / "learners.m2"
    path.write_text(M2, "utf-8")
    return path


@pytest.fixture
def line_files(tmp_path: Path) -> tuple[Path, Path]:
    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("She don't like it at all.\n\nI has two cat.\n", "utf-8")
    tgt.write_text("She doesn't like it at all.\n\nI have two cats.\n", "utf-8")
    return src, tgt


def test_m2_gives_one_pair_per_annotator(m2_file: Path) -> None:
    pairs = list(parallel.read_m2(m2_file))
    assert pairs == [
        ("This are a apple .".split(), "This is an apple .".split()),
        ("This are a apple .".split(), "These are apples .".split()),
        ("It is fine .".split(), "It is fine .".split()),  # noop: a correct sentence
        ("He go school every day .".split(), "He goes to school every day .".split()),
    ]


def test_m2_edits_apply_right_to_left_with_deletions_and_insertions() -> None:
    source = "a b c d".split()
    edits = [(0, 1, "R", "x y", 0), (1, 2, "U", "-NONE-", 0), (3, 3, "M", "z", 0)]
    assert parallel.apply_m2(source, edits, 0) == "x y c z d".split()
    assert parallel.apply_m2(source, edits, 1) == source  # another annotator's edits only


def test_line_files_are_tokenised_like_the_engine_and_blank_lines_skipped(
    line_files: tuple[Path, Path],
) -> None:
    assert list(parallel.read_lines(*line_files)) == [
        ("She do n't like it at all .".split(), "She does n't like it at all .".split()),
        ("I has two cat .".split(), "I have two cats .".split()),
    ]


def test_line_files_of_different_lengths_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("One.\nTwo.\n", "utf-8")
    (tmp_path / "b").write_text("One.\n", "utf-8")
    with pytest.raises(ValueError):
        list(parallel.read_lines(tmp_path / "a", tmp_path / "b"))


@pytest.fixture
def quill_logging() -> Iterator[None]:
    """``main`` installs log handlers (one writes into the output folder): remove them after."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_quill", False)]:
        root.removeHandler(handler)
        handler.close()


def test_the_data_step_adds_real_pairs_with_their_tags(
    tmp_path: Path, m2_file: Path, line_files: tuple[Path, Path], quill_logging: None
) -> None:
    corpus = tmp_path / "clean.txt"
    corpus.write_text(CLEAN, "utf-8")
    out = tmp_path / "data"
    src, tgt = line_files
    argv = ["data", "--corpus", str(corpus), "--no-stdlib", "--output", str(out),
            "--parallel", f"{src}:{tgt}", "--m2", str(m2_file), "--copies", "1",
            "--dev-sentences", "1"]  # fmt: skip
    assert main(argv) == 0
    stats = json.loads((out / "stats.json").read_text("utf-8"))
    rows = [json.loads(line) for line in (out / "train.jsonl").read_text("utf-8").splitlines()]
    # Ten distinct clean sentences (the corpus repeats them): one dev, nine noised once each.
    assert stats["clean_sentences"] == 10 and stats["args"]["no_stdlib"] is True
    assert (stats["dev_pairs"], stats["real_pairs"], stats["train_pairs"]) == (1, 6, 9 + 6)
    assert (out / "data.log").is_file()  # the step logs into its output folder

    def pair(source: str, target: str) -> tuple[list[str], list[str], list[str]]:
        src, tgt = [T.START, *source.split()], [T.START, *target.split()]
        (row,) = [r for r in rows if r["src"] == src[1:] and r["tgt"] == tgt[1:]]
        assert row["tags"] == T.align(src, tgt)
        return src, tgt, row["tags"]

    src, tgt, tags = pair("This are a apple .", "This is an apple .")
    assert tags[3] == "$REPLACE_an" and T.apply(src, tags) == tgt
    src, tgt, tags = pair("This are a apple .", "These are apples .")
    assert T.apply(src, tags) == tgt
    src, tgt, tags = pair("It is fine .", "It is fine .")
    assert tags == [T.KEEP] * 5
    src, tgt, tags = pair("She do n't like it at all .", "She does n't like it at all .")
    assert tags[2] == "$TRANSFORM_VERB_VB_VBZ" and T.apply(src, tags) == tgt
    src, tgt, tags = pair("I has two cat .", "I have two cats .")
    assert T.apply(src, tags) == tgt
    # "go" -> "goes" and "to" inserted after it: one tag per token, so the insertion waits for
    # a second pass (the first edit on a token is kept).
    src, tgt, tags = pair("He go school every day .", "He goes to school every day .")
    assert tags[2] == "$TRANSFORM_VERB_VB_VBZ"
    assert T.apply(src, tags) == [T.START, *"He goes school every day .".split()]
    assert T.correct_iteratively(src, tgt) == (tgt, 2)
