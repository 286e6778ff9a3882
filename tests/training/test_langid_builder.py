"""The language guesser's builder: which catalogue strings it learns from, and its model."""

from __future__ import annotations

import collections
import json
import math

from server.engine.langid import LanguageModel
from training.spelling.langid import clean, held_out, model_of, translated


def test_clean_drops_format_directives_markup_and_accelerators() -> None:
    assert clean("_Fichier %s de <b>%d</b> octets\\n").split() == ["Fichier", "de", "octets"]
    assert clean("&Ouvrir {name}").split() == ["Ouvrir"]


def test_untranslated_english_is_not_learned_as_the_other_language() -> None:
    assert translated("Cannot open file", "Impossible d'ouvrir le fichier")
    assert not translated("git bisect --no-checkout", "git bisect --no-checkout")
    assert not translated("git commit [--amend]", "git commit [--amend] (Commit)")
    assert not translated("%s", "%s")


def test_the_held_out_quarter_is_fixed_by_name() -> None:
    names = [f"package{i}" for i in range(400)]
    share = sum(held_out(n) for n in names) / len(names)
    assert 0.15 < share < 0.35
    assert [held_out(n) for n in names] == [held_out(n) for n in names]


def test_model_keeps_log_probabilities_and_a_floor_below_them() -> None:
    counts = collections.Counter({" th": 50, "the": 40, "he ": 30, "xyz": 1})
    model = model_of(counts)
    grams = model["grams"]
    assert isinstance(grams, dict)
    assert grams[" th"] > grams["the"] > grams["xyz"]
    assert all(p < 0 for p in grams.values())
    assert isinstance(model["floor"], float) and model["floor"] <= min(grams.values())
    assert math.isclose(sum(math.exp(p) for p in grams.values()), 1.0, abs_tol=0.1)


def test_the_engine_reads_what_the_builder_writes() -> None:
    english = model_of(collections.Counter({" th": 9, "the": 9, "he ": 9}))
    other = model_of(collections.Counter({" le": 9, "les": 9, "es ": 9}))
    raw = json.dumps({"languages": {"en": english, "fr": other}})
    model = LanguageModel.from_json(raw)
    assert model.guess(["the"]).language == "en"
    assert model.guess(["les"]).language == "fr"
