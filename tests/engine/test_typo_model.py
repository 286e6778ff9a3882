"""The typo-versus-name model: segmentation, features, the shipped weights."""

from __future__ import annotations

import json
import math

import pytest

from server.engine.lexicon import Lexicon
from server.engine.suggest import Suggester
from server.engine.types import RegionKind
from server.engine.typo_model import FEATURES, TypoModel, TypoModelWeights, shipped_weights


@pytest.fixture(scope="module")
def model() -> TypoModel:
    lexicon = Lexicon.shipped()
    return TypoModel(lexicon, Suggester(lexicon), shipped_weights())


def test_names_segment_into_pieces(model: TypoModel) -> None:
    cost, pieces = model.name_cost("nchannels")
    assert pieces == 2 and cost < 30
    assert model.name_cost("tkconsole")[1] >= 2
    assert model.name_cost("flds")[0] < math.inf  # a vowel-less abbreviation


def test_typos_do_not_segment_cheaply(model: TypoModel) -> None:
    for typo in ("recieve", "quantitiy", "fucntion"):
        assert model.name_cost(typo)[0] > model.name_cost("nchannels")[0], typo


def test_features_have_the_declared_length(model: TypoModel) -> None:
    assert len(model.features("flds", RegionKind.IDENTIFIER)) == len(FEATURES)


@pytest.mark.parametrize("typo", ["recieve", "quantitiy", "configration", "calcualte", "udpate"])
@pytest.mark.parametrize("name", ["nchannels", "kwonlyargs", "tkconsole", "expon", "maxc"])
def test_typos_score_above_names(model: TypoModel, typo: str, name: str) -> None:
    assert model.probability(typo, RegionKind.IDENTIFIER) > model.probability(
        name, RegionKind.IDENTIFIER
    )


def test_shipped_weights_record_how_they_were_made() -> None:
    weights = shipped_weights()
    assert weights is not None
    meta = weights.metadata
    assert meta["command"].startswith("python tools/train_typo_model.py")
    for kind in ("identifier", "comment", "string"):
        held = meta["held_out_metrics"][kind]
        assert held["false_flags_per_1000_lines"] <= meta["budgets_per_1000_lines"][kind]
    assert set(weights.thresholds) >= {"identifier", "comment", "docstring", "string"}


def test_mismatched_features_are_refused() -> None:
    data = {
        "features": ["something_else"],
        "means": [0],
        "scales": [1],
        "weights": [1],
        "bias": 0,
        "thresholds": {},
    }
    with pytest.raises(ValueError, match="features"):
        TypoModelWeights.load(json.dumps(data))


def test_without_weights_every_unknown_word_is_a_typo() -> None:
    lexicon = Lexicon.shipped()
    bare = TypoModel(lexicon, Suggester(lexicon), None)
    assert bare.is_typo("nchannels", RegionKind.IDENTIFIER)
    assert bare.probability("nchannels", RegionKind.IDENTIFIER) == 1.0


def test_programming_words_are_corrections_in_code_only() -> None:
    """A slip in a programming word (``deserialzier``, ``isinstace``) is corrected to it in
    code, where the code suggester knows the words of code; prose is not offered them."""
    from server.engine.checker import Checker, CheckOptions

    lexicon = Lexicon.shipped()
    code = Suggester(lexicon, "en", priors=lexicon.code_priors())
    prose = Suggester(lexicon, "en-US")
    for typo, word in (("deserialzier", "deserializer"), ("isinstace", "isinstance")):
        assert code.suggest(typo, limit=3)[0] == word
        assert word not in prose.suggest(typo, limit=5)
    text = "def load(data):\n    return make_deserialzier(data)\n"
    issues = Checker(CheckOptions(dialect="en-US")).check(text, "python").issues
    assert [(i.text, i.suggestions[0]) for i in issues] == [("deserialzier", "deserializer")]
