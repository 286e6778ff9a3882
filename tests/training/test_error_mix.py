"""The data step's error mix: the kinds made follow the weights, each new kind makes the ERRANT
type it is meant to, the curriculum's easy stage comes first, and the error-mix step puts the
real and synthetic type shares side by side."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from training.__main__ import main
from training.grammar.args import DataArgs
from training.grammar.data.build import noisy_pairs
from training.grammar.data.noise import Noiser
from training.grammar.error_mix import Mix, table
from training.grammar.train import LengthBucketSampler

from .test_parallel_data import CLEAN, quill_logging  # noqa: F401  (fixture)

SENTENCES = [s.split() for s in (
    "She goes to the market every day and buys bread .",
    "They were happy when he told them the news about the job .",
    "He makes a lot of money , but he is not happy .",
    "It is a very interesting book that I read last year .",
    "We have lived in this town for many years .",
)]  # fmt: skip


def test_the_kinds_made_follow_the_weights() -> None:
    weights = {k: 0.0 for k in Noiser(random.Random(0)).kinds}
    weights.update(article=3.0, punctuation=1.0)
    noiser = Noiser(random.Random(1), weights=weights)
    args = DataArgs(clean_fraction=0.0, errors_per_sentence=1.0)
    _, kinds = noisy_pairs(SENTENCES * 200, noiser, args, 1, "test")
    share = kinds["article"] / (kinds["article"] + kinds["punctuation"])
    assert set(kinds) == {"article", "punctuation"}
    assert 0.7 < share < 0.8  # 3:1, 1,000 draws


SHE = "She goes to the market every day and buys bread ."
THEY = "They were happy when he told them the news about the job ."
HE = "He makes a lot of money , but he is not happy ."
BOOK = "It is a very interesting book that I read last year ."


@pytest.mark.parametrize(
    ("kind", "sentence", "allowed"),
    [
        ("verb_tense", SHE, {"went", "bought", "go", "buy"}),
        ("verb_tense", THEY, {"are", "tells", "tell"}),
        ("pronoun", THEY, {"them", "their", "they", "him", "his", "this", "its"}),
        ("word_choice", HE, {"does", "takes", "has"}),
        ("word_choice", BOOK, {"interested", "too", "so", "really"}),
    ],
)
def test_new_kinds_make_the_errors_real_writers_make(
    kind: str, sentence: str, allowed: set[str]
) -> None:
    tokens = sentence.split()
    seen: set[str] = set()
    for seed in range(40):
        out = Noiser(random.Random(seed)).kinds[kind](tokens)
        if out is None:
            continue
        assert len(out) == len(tokens)  # one word replaced by one word
        (changed,) = [b for a, b in zip(tokens, out, strict=True) if a != b]
        seen.add(changed.lower())
    assert seen and seen <= allowed


def test_a_past_verb_after_he_she_it_is_never_made_bare() -> None:
    """ "She go" is an agreement slip ("goes"); made from "She went" it taught the past."""
    made: dict[str, set[str]] = {"She": set(), "They": set()}
    for subject in made:
        tokens = f"{subject} went to the market and had lunch .".split()
        for seed in range(200):
            noiser = Noiser(random.Random(seed))
            for kind in ("verb_tense", "verb_form"):
                out = noiser.kinds[kind](tokens)
                if out is not None and out[1] != tokens[1]:
                    made[subject].add(out[1].lower())
    assert "go" not in made["She"] and made["She"] & {"goes", "gone", "going"}
    assert "go" in made["They"]  # other subjects keep the tense slip


def test_the_easy_stage_has_one_error_per_sentence_and_is_trained_first() -> None:
    noiser = Noiser(random.Random(3))
    args = DataArgs(clean_fraction=0.0, errors_per_sentence=3.0, easy_share=0.5)
    pairs, _ = noisy_pairs(SENTENCES * 20, noiser, args, 1, "test")
    stages = [p["stage"] for p in pairs]
    assert stages == [0] * 50 + [1] * 50

    def changed(p: dict[str, list[str]]) -> int:
        return sum(t != "$KEEP" for t in p["tags"])

    assert max(changed(p) for p in pairs[:50]) <= 2  # one error: one or two tags
    assert sum(map(changed, pairs[50:])) > 1.5 * sum(map(changed, pairs[:50]))
    sampler = LengthBucketSampler([10] * 100, 8, seed=0, stages=stages)
    order = [k for batch in sampler for k in batch]
    assert sorted(order) == list(range(100))
    assert {stages[k] for k in order[:48]} == {0} and {stages[k] for k in order[-48:]} == {1}
    plain = LengthBucketSampler([10] * 100, 8, seed=0)
    assert [k for batch in plain for k in batch][:48] != order[:48]  # stages change the order


def test_the_table_sets_real_and_synthetic_shares_side_by_side() -> None:
    real = Mix(Counter({"PUNCT": 6, "DET": 3, "SPELL": 1}), sentences=8, with_edits=5)
    synthetic = Mix(Counter({"SPELL": 5, "DET": 5}), sentences=10, with_edits=10)
    before = Mix(Counter({"SPELL": 9, "PUNCT": 1}), sentences=10, with_edits=10)
    lines = table(real, {"before": before, "after": synthetic}).splitlines()
    assert lines[0] == "| ERRANT type | real % | before % | after % | after - real |"
    assert lines[2] == "| PUNCT | 60.0 | 10.0 | 0.0 | -60.0 |"
    assert lines[3] == "| DET | 30.0 | 0.0 | 50.0 | +20.0 |"
    assert "- real: 8 sentences, 5 with edits, 10 edits (2.00 per sentence with edits)" in lines


def test_the_error_mix_step_types_both_sides_with_errant(
    tmp_path: Path,
    quill_logging: None,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    corpus = tmp_path / "clean.txt"
    corpus.write_text(CLEAN, "utf-8")
    data = tmp_path / "data"
    argv = ["data", "--corpus", str(corpus), "--no-stdlib", "--output", str(data),
            "--copies", "2", "--dev-sentences", "1", "--clean-fraction", "0",
            "--weights", ",".join(f"{k}=0" for k in Noiser(random.Random(0)).kinds
                                  if k != "article") + ",article=1"]  # fmt: skip
    assert main(argv) == 0
    src, ref = tmp_path / "src.txt", tmp_path / "ref.txt"
    src.write_text("He go to school .\nI like a music .\n", "utf-8")
    ref.write_text("He goes to school .\nI like music .\n", "utf-8")
    out = tmp_path / "mix"
    argv = ["error-mix", "--data", str(data), "--source", str(src), "--reference", str(ref),
            "--output", str(out)]  # fmt: skip
    assert main(argv) == 0
    result = json.loads((out / "error-mix.json").read_text("utf-8"))
    assert result["real"]["types"] == {"VERB:SVA": 1, "DET": 1}
    synthetic = Counter(result["data"]["types"])  # named after its directory
    assert synthetic["DET"] >= 0.8 * sum(synthetic.values())  # article noise is typed DET
    assert "| DET |" in capsys.readouterr().out
