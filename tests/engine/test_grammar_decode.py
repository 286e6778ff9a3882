"""GrammarCorrector over a FakeTagger: tags become issues at the right offsets, named in plain
words; iterative passes, thresholds, truncation, skipped sentences and the case rules.

The fake's table says which token gets which tag, so each test pins the decoder, not a model.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from server.engine.grammar import RULES, FakeTagger, GrammarCorrector, GrammarOptions
from server.engine.grammar import tags as T
from server.engine.grammar.sentences import tokenize
from server.engine.types import Category, Issue

VB_VBZ = "$TRANSFORM_VERB_VB_VBZ"


def correct(
    text: str, rules: dict[str, tuple[str, float]], *, cased: bool = True, **options: object
) -> tuple[list[Issue], str, str | None, FakeTagger]:
    tagger = FakeTagger(rules, cased=cased)
    # The agreement rule would put "he go" right before the fake tagger reads it, and the comma
    # rule would add the comma after "However": these tests pin the tags' path (the rules have
    # their own tests below).
    options = {"agreement_rule": False, "comma_rule": False, "number_rule": False, **options}
    (c,) = GrammarCorrector(tagger, GrammarOptions(**options)).correct([text])  # type: ignore[arg-type]
    for issue in c.issues:
        assert text[issue.start : issue.end] == issue.text
    return list(c.issues), c.corrected, c.note, tagger


def rule_alone(
    option: str, text: str, fixed: str | None, rules: set[str] | None = None
) -> FakeTagger:
    """``text`` through the decoder with the rule ``option`` on and no tag (the fake tagger
    keeps everything): it becomes ``fixed`` (None: stays as it is) by one issue at a rule's
    confidence, of one of ``rules`` when given, and stays as it is with the rule off."""
    issues, corrected, _, tagger = correct(text, {}, **{option: True})
    assert corrected == (fixed or text)
    assert len(issues) == (fixed is not None)
    assert all(i.confidence == 0.9 and (rules is None or i.rule in rules) for i in issues)
    assert correct(text, {}, **{option: False})[1] == text
    return tagger


@pytest.mark.parametrize(
    ("text", "rules", "wrong", "fix", "rule", "words"),
    [
        ("He go to school every day.", {"he [go]": (VB_VBZ, 0.9)}, "go", "goes",
         "grammar.agreement", "Subject-verb agreement"),
        ("I ate a apple today.", {"[a] apple": ("$REPLACE_an", 0.9)}, "a", "an",
         "grammar.article", "Wrong article"),
        ("She is best student in class.", {"[is] best": ("$APPEND_the", 0.9)}, "is", "is the",
         "grammar.article", "Missing article"),
        ("He went to to school.", {"to [to]": ("$DELETE", 0.9)}, " to", "",
         "grammar.preposition", "Unnecessary preposition"),
        ("We has seen the film.", {"we [has]": ("$REPLACE_have", 0.9)}, "has", "have",
         "grammar.agreement", "Subject-verb agreement"),
        ("I have went home early.", {"have [went]": ("$TRANSFORM_VERB_VBD_VBN", 0.9)}, "went",
         "gone", "grammar.verb-form", "Wrong verb form"),
        ("I think your late again.", {"[your] late": ("$REPLACE_you're", 0.9)}, "your",
         "you're", "grammar.confusion", "Commonly confused words"),
        ("She bought three apple today.", {"three [apple]": ("$TRANSFORM_AGREEMENT_PLURAL", 0.9)},
         "apple", "apples", "grammar.agreement", "Noun number"),
        ("We arrived in monday morning.", {"arrived [in]": ("$REPLACE_on", 0.9)}, "in", "on",
         "grammar.preposition", "Wrong preposition"),
        ("I saw some thing there.", {"[some] thing": (T.MERGE_SPACE, 0.9)}, "some thing",
         "something", "grammar.spelling", "Spacing"),
        ("However we left early.", {"[however] we": ("$APPEND_,", 0.9)}, "However", "However,",
         "grammar.punctuation", "Punctuation"),
    ],
)  # fmt: skip
def test_a_tag_becomes_one_issue_on_the_word_it_changes(
    text: str, rules: dict[str, tuple[str, float]], wrong: str, fix: str, rule: str, words: str
) -> None:
    issues, corrected, note, _ = correct(text, rules)
    (issue,) = issues
    assert (issue.text, issue.suggestions, issue.rule) == (wrong, (fix,), rule)
    assert issue.category is Category.GRAMMAR
    assert issue.confidence == 0.9
    # The message names the kind of mistake in plain words, never a tag.
    assert issue.message.startswith(words + ":") and "$" not in issue.message
    assert corrected == text[: issue.start] + fix + text[issue.end :]
    assert note is None


def test_check_maps_offsets_into_the_whole_text_past_emoji_and_crlf() -> None:
    text = "I like 👩‍💻 and 😋 a lot.\r\n\r\nYesterday he go to the park.\r\nThey was happy there."
    tagger = FakeTagger({"he [go]": ("$REPLACE_went", 0.9), "they [was]": ("$REPLACE_were", 0.8)})
    issues = GrammarCorrector(tagger, GrammarOptions(agreement_rule=False)).check(text)
    assert [(text[i.start : i.end], i.suggestions[0]) for i in issues] == [
        ("go", "went"),
        ("was", "were"),
    ]
    assert issues[0].start == text.index(" go ") + 1


def test_passes_repeat_until_nothing_changes() -> None:
    # "has" only appears after the first pass, so "went" -> "gone" needs a second one.
    rules = {"she [have]": (VB_VBZ, 0.9), "has [went]": ("$TRANSFORM_VERB_VBD_VBN", 0.7)}
    text = "She have went home early today."
    issues, corrected, _, tagger = correct(text, rules)
    assert corrected == "She has gone home early today."
    assert [(i.text, i.suggestions[0], i.confidence) for i in issues] == [
        ("have", "has", 0.9),
        ("went", "gone", 0.7),
    ]
    # Pass 1 and 2 change the sentence, pass 3 confirms it; a 4th is never asked for.
    assert [call[0][2] for call in tagger.calls] == ["have", "has", "has"]

    issues, corrected, _, tagger = correct(text, rules, max_iterations=1)
    assert corrected == "She has went home early today." and len(tagger.calls) == 1


def test_a_sentence_that_settles_is_not_tagged_again() -> None:
    tagger = FakeTagger({"he [go]": (VB_VBZ, 0.9)})
    corrector = GrammarCorrector(tagger, GrammarOptions(max_iterations=5, agreement_rule=False))
    corrector.correct(["He go to school every day.", "All is well here today."])
    # Pass 1: both sentences; pass 2: only the changed one (and it settles).
    assert [len(batch) for batch in tagger.calls] == [2, 1]


@pytest.mark.parametrize(
    ("options", "found"),
    [
        ({}, True),  # the tag (0.6) beats $KEEP (0.4) and clears min_confidence (0.5)
        ({"min_confidence": 0.7}, False),
        ({"keep_bias": 0.25}, False),  # $KEEP: 0.4 + 0.25 beats 0.6
        ({"keep_bias": 0.15}, True),
        ({"min_error_probability": 0.7}, False),  # the sentence is skipped as correct
        ({"min_error_probability": 0.6}, True),
    ],
)
def test_thresholds(options: dict[str, float], found: bool) -> None:
    issues, _, _, tagger = correct(
        "He go to school every day.", {"he [go]": (VB_VBZ, 0.6)}, **options
    )
    assert bool(issues) is found
    assert len(tagger.calls) == (2 if found else 1)
    if found:
        assert issues[0].confidence == 0.6


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("She go to the office every day.", "She goes to the office every day."),
        ("We was late.", "We were late."),
        ("She don't like it.", "She doesn't like it."),
        ("They goes home.", "They go home."),
        ("They has a big house.", "They have a big house."),
        ("In addition it have a bad influence.", "In addition it has a bad influence."),
        ("You was right about it.", "You were right about it."),
        ("He need help now.", "He needs help now."),
        ("She always go to work.", "She always goes to work."),
        ("It take a long time.", "It takes a long time."),
        ("It seems fine, it work now.", "It seems fine, it works now."),
        ("I didn't went there.", "I didn't go there."),
        ("She can goes home.", "She can go home."),
        ("I want to went home.", "I want to go home."),
        ("Did she went there?", "Did she go there?"),
        ("We could lived there.", "We could live there."),
        ("She does not likes it.", "She does not like it."),
        # Left alone: the pronoun is not the subject, the verb is not finite, or not a verb.
        ("Does she go there often?", None),
        ("Let it go for now.", None),
        ("He and she go home.", None),
        ("She put it there.", None),
        ("She can go home.", None),
        ("He need not worry.", None),
        ("He last chose to learn.", None),
        ("They still work there.", None),
        ("Make it work now.", None),
        ("The can was empty.", None),
        ("Give it to interested students.", None),
        ("Damage to places is bad.", None),
        ("They used to live here.", None),
        ("They often visit us.", None),
        ("She goes to work.", None),
        ("What I ask of you is reasonable.", None),  # "you" the object of "of"
        ("My reasons for believing it are these.", None),
        ("When you is ready, call me.", "When you are ready, call me."),  # a clause's subject
    ],
)
def test_the_rules_fix_a_verb_after_its_subject_pronoun_or_auxiliary(
    text: str, fixed: str | None
) -> None:
    """No tag at all (the fake tagger keeps everything): only the rule changes the text."""
    tagger = rule_alone("agreement_rule", text, fixed, {"grammar.agreement", "grammar.verb-form"})
    # The tagger reads the sentence as the rule left it.
    assert tagger.calls[0][0][1:] == [w.text for w in tokenize(fixed or text)]


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("However it works well.", "However, it works well."),
        ("For example people like to travel.", "For example, people like to travel."),
        ("On the other hand we lost time.", "On the other hand, we lost time."),
        ("In my opinion this is wrong.", "In my opinion, this is wrong."),
        ("In addition to the cost we lost time.", None),  # part of a longer phrase
        ("However much you try it fails.", None),  # "however" as a degree word
        ("As a result of the rain we stayed.", None),
        ("However, it works well.", None),  # already there
        ("Of course not.", None),
        ("Then we went home early.", None),  # not an opener that takes a comma
        ("We did it however we could.", None),  # only at the start of the sentence
    ],
)
def test_the_comma_rule_sets_off_a_sentence_opening_connective(
    text: str, fixed: str | None
) -> None:
    rule_alone("comma_rule", text, fixed, {"grammar.punctuation"})


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("There are several reason.", "There are several reasons."),
        ("It is one of the reason that we left.", "It is one of the reasons that we left."),
        ("The number of car is growing.", "The number of cars is growing."),
        ("We made a lot of noise.", None),  # "a lot of" takes mass nouns as often
        ("The two eldest were away.", None),  # a superlative, not a noun
        ("They were both standing at the gate.", None),
        ("Two Kitty dolls were sold.", None),  # a name
        ("I checked every details of the plan.", "I checked every detail of the plan."),
        ("We need another ways to travel.", None),  # "to": the singular side wants more
        ("Many good idea came up.", None),  # "good" does not end the noun phrase
        ("There are two hundred people.", None),  # a quantity word
        ("I need several information about it.", None),  # no plural in use
        ("Each wants to win.", None),  # a verb, not a noun
        ("Several reasons are given.", None),  # already right
    ],
)
def test_the_number_rule_puts_a_noun_in_the_number_its_quantifier_asks(
    text: str, fixed: str | None
) -> None:
    rule_alone("number_rule", text, fixed)


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("They have a big house.", False),  # nothing points to the past: the writer's tense
        ("She goes to the office every day.", False),  # a habit
        ("Yesterday they have a big party.", True),
        ("When I was young they have a big house.", True),  # a verb already in the past
        ("In 1999 they have a big house.", True),
        ("Nowadays they have a big house, but it was small.", False),  # the present wins
        ("They are tired, so they have a big house.", False),  # "tired" is no past verb
    ],
)
def test_a_verb_goes_into_the_past_only_where_the_sentence_points_there(
    text: str, past: bool
) -> None:
    rules = {
        "they [have]": ("$TRANSFORM_VERB_VB_VBD", 0.9),
        "she [goes]": ("$TRANSFORM_VERB_VBZ_VBD", 0.9),
    }
    issues, corrected, _, _ = correct(text, rules)
    assert bool(issues) is past
    assert ("had" in corrected or "went" in corrected) is past
    # The rule can be turned off; other tags are never held back by it.
    assert correct(text, rules, tense_rule=False)[0]
    others = {"[office]": ("$REPLACE_shop", 0.9), "[house]": ("$REPLACE_flat", 0.9)}
    assert correct(text, {**others, "[party]": ("$REPLACE_feast", 0.9)})[0]


def test_invalid_or_misplaced_tags_are_ignored() -> None:
    rules = {
        "$START": ("$DELETE", 0.9),  # $START can only take an insertion
        "[we]": ("$FOO_BAR", 0.9),  # not a tag of the grammar
        "[.]": (T.MERGE_SPACE, 0.9),  # nothing after the last token to merge with
    }
    issues, corrected, _, _ = correct("We went home early today.", rules)
    assert issues == [] and corrected == "We went home early today."


def test_insertion_at_the_start_covers_the_first_word() -> None:
    rules = {"[$START] dog": ("$APPEND_the", 0.9)}  # only while "Dog" comes first
    issues, corrected, _, _ = correct("Dog barked at the cat.", rules, case_rules=False)
    (issue,) = issues
    assert (issue.text, issue.suggestions) == ("Dog", ("the Dog",))
    assert issue.message == "Missing article: insert “the”."
    assert corrected == "the Dog barked at the cat."


def test_long_sentences_are_truncated_with_a_note() -> None:
    words = "he go to the shop and then he go to the park and then he go home".split()
    text = " ".join(words) + "."
    issues, _, note, tagger = correct(text, {"he [go]": (VB_VBZ, 0.9)}, max_words=10)
    assert note == f"only the first 10 of {len(words) + 1} words were checked"
    # Only the first 10 tokens (plus $START) reached the tagger: the third "go" stays.
    assert all(len(sentence) == 11 for batch in tagger.calls for sentence in batch)
    first_go = text.index(" go ") + 1
    assert [i.start for i in issues] == [first_go, text.index(" go ", first_go) + 1]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Der Hund läuft heute sehr schnell über die Straße.", "does not look like English"),
        ("Собака бежит по улице очень быстро сегодня.", "does not look like English"),
        ("x = foo_bar(y) if z == 1 else None;", "looks like code"),
        ("Call getUserName and setUserName on userRecord then.", "looks like code"),
        ("Thank you!", "too short to check"),
    ],
)
def test_sentences_that_are_not_english_prose_are_skipped(text: str, reason: str) -> None:
    # The rules would fire on several of these words: a skipped sentence never reaches the tagger.
    rules = {w.lower(): ("$DELETE", 0.99) for w in ("die", "if", "and", "a", "heute", "on")}
    issues, corrected, note, tagger = correct(text, rules)
    assert (issues, corrected, note, tagger.calls) == ([], text, reason, [])


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("the cat sat on the mat.", "The cat sat on the mat."),
        ("yesterday i went home early.", "Yesterday I went home early."),
        ("So i think that i can.", "So I think that I can."),
        ("See item (i) in the list.", "See item (i) in the list."),  # a numeral, not "I"
        ("the cat sat on the mat", "the cat sat on the mat"),  # no full stop: a fragment
        ('"where are you going?" she asked him.', '"Where are you going?" she asked him.'),
    ],
)
def test_case_rules(text: str, fixed: str) -> None:
    issues, corrected, _, _ = correct(text, {}, cased=False)
    assert corrected == fixed
    for issue in issues:
        assert issue.rule == "grammar.capitalisation"
        assert issue.message == f"Capitalisation: “{issue.text}” → “{issue.suggestions[0]}”."
    off, _, _, _ = correct(text, {}, cased=False, case_rules=False)
    assert off == []


def test_uncased_taggers_get_case_from_the_text_not_the_tag() -> None:
    # An uncased model cannot see case: its case tags are ignored and its replacement words
    # take the case of the word they replace.
    issues, corrected, _, _ = correct(
        "There dog is very big.", {"[there] dog": ("$REPLACE_their", 0.9)}, cased=False
    )
    assert corrected == "Their dog is very big." and issues[0].rule == "grammar.confusion"
    rules = {"in [paris]": (T.CASE_CAPITAL, 0.9)}
    _, uncased, _, _ = correct("We met in paris last year.", rules, cased=False)
    _, cased, _, _ = correct("We met in paris last year.", rules, cased=True)
    assert (uncased, cased) == ("We met in paris last year.", "We met in Paris last year.")


# --- property: issues rebuild exactly the tagger's correction ---------------------------------

VOCAB = "the a cat dog go goes went ran big red on in to of and is are was we they".split()
TAGS = st.sampled_from(
    ["$DELETE", T.MERGE_SPACE, VB_VBZ, "$TRANSFORM_VERB_VB_VBD", "$TRANSFORM_AGREEMENT_PLURAL"]
    + [f"$REPLACE_{w}" for w in ("the", "an", "cat", "ran", ",")]
    + [f"$APPEND_{w}" for w in ("the", "very", ",")]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(VOCAB), min_size=3, max_size=12),
    st.dictionaries(st.sampled_from(VOCAB), st.tuples(TAGS, st.floats(0.05, 1.0)), max_size=6),
    st.sampled_from(["", "😋 ", "\r\n", "Hi 👩‍💻 there all.\r\n\r\n"]),
)
# Found by a random run: "we ran and." -> "ran ran and." gave two adjacent fixes that glued
# "ran" to "and." ("The ran ranand.").
@example(["we", "ran", "and"], {"and": (T.MERGE_SPACE, 1.0), "we": ("$REPLACE_ran", 0.6)}, "")
def test_issues_rebuild_the_tagged_correction(
    words: list[str], rules: dict[str, tuple[str, float]], prefix: str
) -> None:
    text = prefix + "The " + " ".join(words) + "."
    opts = GrammarOptions(
        max_iterations=1,
        case_rules=False,
        article_rule=False,
        agreement_rule=False,
        tense_rule=False,
    )
    issues = GrammarCorrector(FakeTagger(rules), opts).check(text)
    # What one pass of the tags should give, computed with the tag grammar alone.
    tokens = [T.START, *(w.text for w in tokenize(prefix)), "The", *words, "."]
    tags = [T.KEEP]
    for tok in tokens[1:]:
        label, p = rules.get(tok.lower(), (T.KEEP, 1.0))
        tags.append(label if p >= opts.min_confidence and tok != "." else T.KEEP)
    expected = T.apply(tokens, tags)[1:]
    corrected = text
    for issue in sorted(issues, key=lambda i: i.start, reverse=True):
        corrected = corrected[: issue.start] + issue.suggestions[0] + corrected[issue.end :]
    # (Compared as re-tokenised text: a merge may glue a word to punctuation, "red" + ".".)
    assert [w.text for w in tokenize(corrected)] == [w.text for w in tokenize(" ".join(expected))]
    # Removed words take one neighbouring space with them: no double or leading space appears.
    assert "  " not in corrected and corrected == corrected.lstrip(" ")
    for a, b in pairwise(issues):
        assert a.end <= b.start  # in order, never overlapping
    for issue in issues:
        assert text[issue.start : issue.end] == issue.text != issue.suggestions[0]
        assert issue.rule in RULES and "$" not in issue.message
        assert 0.0 < issue.confidence <= 1.0
