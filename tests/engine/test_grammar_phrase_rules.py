"""Phrase rules: each fixes its set phrase, leaves the right phrase and look-alikes alone, and
the decoder applies them before the tagger reads the sentence."""

from __future__ import annotations

import pytest

from server.engine.grammar import FakeTagger, GrammarCorrector, GrammarOptions
from server.engine.grammar.phrase_rules import RULES, phrase_fixes
from server.engine.grammar.sentences import tokenize


def fixed(text: str) -> str:
    words = [w.text for w in tokenize(text)]
    for fix in reversed(phrase_fixes(words)):
        words[fix.start : fix.end] = fix.words
    return " ".join(words)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("She is interested on music .", "She is interested in music ."),
        ("He is married with a doctor .", "He is married to a doctor ."),
        ("It depends of the weather .", "It depends on the weather ."),
        ("We discussed about the problem .", "We discussed the problem ."),
        ("This one is more better .", "This one is better ."),
        ("You should of told me .", "You should have told me ."),
        ("I look forward to hear from you .", "I look forward to hearing from you ."),
        ("I am agree with you .", "I agree with you ."),
        ("She is agree with me .", "She agrees with me ."),
        ("I lived there since two years .", "I lived there for two years ."),
        ("Most of people like it .", "Most people like it ."),
        ("He said me the truth .", "He told me the truth ."),
        ("Can you explain me the rule ?", "Can you explain to me the rule ?"),
        ("We returned back home .", "We returned home ."),
        ("We need more informations .", "We need more information ."),
        ("She gave me many advices .", "She gave me much advice ."),
        ("Most of the people like it .", None),
        ("Most of them like it .", None),
        ("I have lived here since 2010 .", None),
        ("You should of course stay .", None),  # "of course": no past participle
        ("I look forward to the holidays .", None),
        ("He is interested in music .", None),
        ("It is more important .", None),
        ("The knowledge is shared .", None),
        ("“ Yes , ” said her mother .", None),  # a quotation's "said", "her" a possessive
        ("Can you explain them to me ?", None),
        ("We made the most of every hour .", None),
    ],
)
def test_each_rule_fixes_its_phrase_and_only_it(text: str, want: str | None) -> None:
    assert fixed(text) == (want or text)


def test_a_capital_is_kept_where_a_rule_rewrites_the_first_word() -> None:
    assert fixed("Since three years we live here .") == "For three years we live here ."
    assert fixed("Informations are missing .") == "Information are missing ."


def test_every_rule_is_named_once() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


def test_the_decoder_fixes_the_phrase_before_the_tagger_reads_it() -> None:
    text = "We discussed about the problem yesterday."
    tagger = FakeTagger({}, cased=True)
    options = GrammarOptions(agreement_rule=False, comma_rule=False, number_rule=False)
    (c,) = GrammarCorrector(tagger, options).correct([text])
    assert c.corrected == "We discussed the problem yesterday."
    assert [(i.text, i.suggestions, i.confidence) for i in c.issues] == [(" about", ("",), 0.9)]
    assert tagger.calls[0][0][1:] == ["We", "discussed", "the", "problem", "yesterday", "."]
    off = GrammarOptions(phrase_rules=False, agreement_rule=False, comma_rule=False)
    (c,) = GrammarCorrector(FakeTagger({}, cased=True), off).correct([text])
    assert c.corrected == text and not c.issues


def test_a_phrase_fix_the_tagger_undoes_is_made_again() -> None:
    """The tagger reads the fixed sentence and may put the phrase back ("to hearing" ->
    "to hear"); the rules run on its result too."""
    text = "I look forward to hear from you."
    tagger = FakeTagger({"to [hearing]": ("$TRANSFORM_VERB_VBG_VB", 0.9)}, cased=True)
    options = GrammarOptions(agreement_rule=False, comma_rule=False, number_rule=False)
    (c,) = GrammarCorrector(tagger, options).correct([text])
    assert tagger.calls[0][0][1:5] == ["I", "look", "forward", "to"]
    assert tagger.calls[0][0][5] == "hearing"
    assert tagger.calls[1][0][5] == "hear"  # the tagger undid it
    assert c.corrected == "I look forward to hearing from you."
