"""Learner errors that a pattern of a few words identifies for sure: set phrases, the comma
after an introductory phrase, a noun's number after its quantifier.

Why rules beside the tagger: some mistakes that learners of English make again and again are
set phrases ("interested on", "depends of", "discuss about", "more better", "should of",
"I am agree", "since two years"). The tagger, trained on synthetic errors, misses most of them
at the precision it is held to, or "fixes" them wrongly ("We discussed about it yesterday"
became "We discuss it yesterday"). A pattern of two or three words decides them with
almost no doubt, as LanguageTool's pattern rules do; they run before the tagger reads the
sentence, so it reads the sentence as the rules left it. Two more families run on the
tagger's result: a noun in the number its quantifier asks ("several reason", "every
details"), and the comma after a sentence-opening connective ("However it works").
Every rule here reads words and returns :class:`PhraseFix` edits; the decoder applies them.

A rule is a sequence of slots (each a set of lower-case words, or a class of verb forms from
the grammar's own tables) and what to write over the slots it changes: a word, a list of
words, nothing (the word goes), or a verb form of the slot's word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from server.engine.grammar.forms import Forms, load_forms

#: A slot: the words it matches, or a test of a word against the verb tables.
Slot = frozenset[str] | Callable[[str, Forms], bool]
#: What a rule writes over a slot: a word or words, ``None`` (the word goes), or a function
#: of the slot's word (a verb form).
Write = str | tuple[str, ...] | None | Callable[[str, Forms], str | tuple[str, ...] | None]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _is_past_participle(word: str, forms: Forms) -> bool:
    return "VBN" in (forms.verb_tags.get(word) or ())


def _is_base_verb(word: str, forms: Forms) -> bool:
    return "VB" in (forms.verb_tags.get(word) or ())


def _is_number(word: str, forms: Forms) -> bool:
    return word.isdigit() or word in _NUMBER_WORDS


def _gerund(word: str, forms: Forms) -> str | None:
    return forms.verb(word, "VB", "VBG")


def _third_person(word: str, forms: Forms) -> str | None:
    return forms.verb(word, "VB", "VBZ")


_NUMBER_WORDS = _words("two three four five six seven eight nine ten eleven twelve many few")
#: Nouns that learners put in the plural but English uses only in the singular.
UNCOUNTABLE_PLURALS = {
    "informations": "information",
    "advices": "advice",
    "knowledges": "knowledge",
    "furnitures": "furniture",
    "equipments": "equipment",
    "homeworks": "homework",
    "luggages": "luggage",
    "baggages": "baggage",
    "evidences": "evidence",
    "softwares": "software",
    "feedbacks": "feedback",
    "vocabularies": "vocabulary",
}
#: Comparatives that "more" must not come before ("more better").
_COMPARATIVES = _words(
    """better worse easier harder bigger smaller faster slower cheaper happier larger higher
    lower stronger weaker longer shorter older younger richer poorer healthier safer simpler
    greater cleaner clearer closer earlier later nicer wider"""
)
#: Words after "most of" that make it right ("most of the people", "most of them").
_AFTER_MOST_OF = _words(
    """the a an this that these those my your his her its our their them us you it which
    whom what all"""
)
#: Objects that cannot be a possessive ("said her mother" is a quotation's "said").
_OBJECTS = _words("me us")


@dataclass(frozen=True, slots=True)
class PhraseRule:
    """``slots`` matched at consecutive tokens; ``writes`` maps a slot index to its fix."""

    name: str
    slots: tuple[Slot, ...]
    writes: dict[int, Write]
    #: Words that may not follow the match (the phrase means something else there).
    not_before: frozenset[str] = frozenset()
    #: Words that may not come right before the match ("make the most of").
    not_after: frozenset[str] = frozenset()


RULES: tuple[PhraseRule, ...] = (
    PhraseRule("interested in", (_words("interested"), _words("on about for")), {1: "in"}),
    PhraseRule("married to", (_words("married"), _words("with")), {1: "to"}),
    PhraseRule(
        "depend on", (_words("depend depends depended depending"), _words("of from")), {1: "on"}
    ),
    PhraseRule(
        "discuss without about",
        (_words("discuss discusses discussed discussing"), _words("about")),
        {1: None},
    ),
    PhraseRule("no more before a comparative", (_words("more"), _COMPARATIVES), {0: None}),
    PhraseRule(
        "have, not of, after a modal",
        (_words("could should would must might"), _words("of"), _is_past_participle),
        {1: "have"},
    ),
    PhraseRule(
        "look forward to doing",
        (_words("look looks looking looked"), _words("forward"), _words("to"), _is_base_verb),
        {3: _gerund},
    ),
    PhraseRule(
        "agree is a verb",
        (_words("i we you they"), _words("am are"), _words("agree disagree")),
        {1: None},
    ),
    PhraseRule(
        "agrees is a verb",
        (_words("he she it"), _words("is"), _words("agree disagree")),
        {1: None, 2: _third_person},
    ),
    PhraseRule(
        "for, not since, with a length of time",
        (_words("since"), _is_number, _words("years months weeks days hours minutes")),
        {0: "for"},
    ),
    PhraseRule(
        "most people, not most of people",
        (_words("most"), _words("of")),
        {1: None},
        not_before=_AFTER_MOST_OF,
        not_after=_words("the at"),
    ),
    PhraseRule(
        "tell, not say, before a person",
        (_words("say says said"), _OBJECTS),
        {0: lambda w, f: {"say": "tell", "says": "tells", "said": "told"}[w]},
    ),
    PhraseRule(
        "explain to someone",
        (_words("explain explains explained"), _OBJECTS),
        {0: lambda w, f: (w, "to")},
    ),
    PhraseRule(
        "return without back", (_words("return returns returned"), _words("back")), {1: None}
    ),
    PhraseRule(
        "an uncountable noun has no plural",
        (frozenset(UNCOUNTABLE_PLURALS),),
        {0: lambda w, f: UNCOUNTABLE_PLURALS[w]},
    ),
    PhraseRule(
        "much, not many, before an uncountable noun",
        (_words("many"), frozenset(UNCOUNTABLE_PLURALS) | frozenset(UNCOUNTABLE_PLURALS.values())),
        {0: "much", 1: lambda w, f: UNCOUNTABLE_PLURALS.get(w, w)},
    ),
)


@dataclass(frozen=True, slots=True)
class PhraseFix:
    """Tokens ``start:end`` of the sentence become ``words`` (``rule`` says why)."""

    start: int
    end: int
    words: tuple[str, ...]
    rule: str


def _matches(slot: Slot, word: str, forms: Forms) -> bool:
    return word in slot if isinstance(slot, frozenset) else slot(word, forms)


def _written(write: Write, word: str, forms: Forms) -> tuple[str, ...] | None:
    """What a slot becomes (None: the rule cannot say, so it does not apply)."""
    if write is None:
        return ()
    if isinstance(write, str):
        return (write,)
    if isinstance(write, tuple):
        return write
    out = write(word, forms)
    if out is None:
        return None
    return out if isinstance(out, tuple) else (out,)


def phrase_fixes(words: Sequence[str], rules: Sequence[PhraseRule] = RULES) -> list[PhraseFix]:
    """The fixes the rules make in a sentence's ``words`` (left to right, never overlapping)."""
    forms = load_forms()
    low = [w.lower() for w in words]
    out: list[PhraseFix] = []
    k = 0
    while k < len(low):
        fix = None
        for rule in rules:
            n = len(rule.slots)
            if k + n > len(low):
                continue
            if not all(_matches(s, low[k + i], forms) for i, s in enumerate(rule.slots)):
                continue
            if k + n < len(low) and low[k + n] in rule.not_before:
                continue
            if k > 0 and low[k - 1] in rule.not_after:
                continue
            new: list[str] = []
            for i in range(n):
                if i not in rule.writes:
                    new.append(words[k + i])
                    continue
                written = _written(rule.writes[i], low[k + i], forms)
                if written is None:
                    break
                if written and words[k + i][:1].isupper():
                    written = (written[0].capitalize(), *written[1:])
                new.extend(written)
            else:
                fix = PhraseFix(k, k + n, tuple(new), rule.name)
                break
        if fix is None:
            k += 1
        else:
            out.append(fix)
            k = fix.end
    return out


#: Sentence openers that style guides set off with a comma, as word tuples. Left out on
#: purpose: openers that also start a plain clause or a prepositional phrase ("Besides the
#: cost", "After all the work", "Hence the name", "Then", "So", "In the end").
INTRODUCTORY = frozenset(
    tuple(phrase.split())
    for phrase in """however|therefore|moreover|furthermore|nevertheless|nonetheless|
    consequently|additionally|firstly|secondly|thirdly|lastly|finally|unfortunately|
    fortunately|personally|meanwhile|similarly|likewise|accordingly|
    for example|for instance|in addition|in conclusion|in my opinion|in my view|in fact|
    on the other hand|on the contrary|in other words|as a result|in summary|to sum up|
    in short|first of all|of course|in general|to conclude|by contrast|in contrast|
    as a matter of fact""".split("|")
)
_INTRODUCTORY_LONGEST = max(len(p) for p in INTRODUCTORY)
#: Words after an opener that make it part of a longer phrase with no comma ("In addition to
#: the cost", "As a result of", "However much", "Overall costs"): the rule stays silent.
_NOT_AFTER_INTRODUCTORY = frozenset(
    """to of that with than much many hard long often far little few big small good bad
    important as not , . ; : ! ? - –""".split()
)


def introductory_comma_fixes(words: Sequence[str]) -> list[PhraseFix]:
    """ "However it works" -> "However, it works": a comma after a sentence-opening connective
    or introductory phrase (:data:`INTRODUCTORY`) when a clause follows it (two words or
    more; "Of course not." stays)."""
    low = [w.lower() for w in words[: _INTRODUCTORY_LONGEST + 1]]
    for n in range(min(_INTRODUCTORY_LONGEST, len(words) - 2), 0, -1):
        if tuple(low[:n]) in INTRODUCTORY:
            after = words[n]
            rest = sum(w[:1].isalpha() for w in words[n:])
            if after.lower() in _NOT_AFTER_INTRODUCTORY or not after[:1].isalpha() or rest < 2:
                return []
            return [PhraseFix(n, n, (",",), "comma after an introductory phrase")]
    return []


#: Word sequences after which a countable noun is plural ("many books", "one of the books").
#: Not "a lot of", "most of the", "all of the": a mass noun follows them as often ("a lot of
#: noise", "most of the day"), and no list of mass nouns is complete; not "both" ("wished them
#: both joy").
_PLURAL_BEFORE = frozenset(
    tuple(phrase.split())
    for phrase in """many|several|various|numerous|few|a number of|the number of|
    kinds of|types of|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|dozens of|
    hundreds of|thousands of|millions of|one of the|one of my|one of his|one of her|
    one of our|one of their|one of your|one of its|many of the""".split("|")
)
#: Words after which a noun is singular ("every student", "another way").
_SINGULAR_BEFORE = frozenset({("every",), ("each",), ("another",)})
_NUMBER_TRIGGER_LONGEST = max(len(p) for p in _PLURAL_BEFORE | _SINGULAR_BEFORE)
#: What may follow a noun after "every", "each", "another" for it to end its phrase:
#: punctuation, conjunctions, prepositions, relative words; no "to" and no verb, since "each
#: wants to" and "every runs is" have a verb where the rule would see a noun.
_ENDS_SINGULAR_NOUN_PHRASE = frozenset(
    ". , ; : ! ? ) and or but of in on at for from with by about than that who which".split()
)
#: The same after a plural quantifier ("many car ." / "many car in"; not "many good ideas",
#: where "good" is no noun), and also "to", more relative words and the verbs of being,
#: having and the modals.
_ENDS_NOUN_PHRASE = _ENDS_SINGULAR_NOUN_PHRASE | frozenset(
    """to as whom whose where when are is were was will would can could should have has had
    do does did may might must""".split()
)
#: Nouns that have no plural in use (or whose table form misleads: "person" -> "people"),
#: collective nouns ("one of the party" is one member of it),
#: quantity words ("two hundred"), and "-s" words that are singular ("means", "news").
_NO_NUMBER_CHANGE = frozenset(
    """information advice knowledge research money furniture equipment homework evidence
    software water food staff traffic luggage news work progress music weather health
    education transport transportation pollution happiness fun damage help hundred thousand
    million billion dozen percent person other others one ones more less means series species
    physics economics mathematics politics ethics statistics athletics gymnastics glasses
    clothes thanks headquarters data media fish sheep deer kind sort type time party family
    group team crew couple pair crowd audience public committee band army community society
    class""".split()
)


#: Words after a number that are no nouns though the tables give them a plural ("the two
#: eldest", "all five out", "the two first").
_NOT_COUNTED = frozenset(
    """first second third fourth fifth sixth seventh eighth ninth tenth last next other out
    up down off over back away home together apart alone only still again now then here
    there""".split()
)
#: Nouns that end like a superlative.
_EST_NOUNS = frozenset(
    "test request interest guest contest forest chest protest quest nest conquest harvest".split()
)


def _may_be_counted(word: str, forms: Forms) -> bool:
    """Whether ``word`` can be the counted noun: not a name ("the two Kitty"), an ordinal, a
    superlative, an adverb, or a form that is surely a verb's ("both standing", "drove")."""
    low = word.lower()
    if word[:1].isupper() or low in _NOT_COUNTED:
        return False
    if low.endswith("est") and low not in _EST_NOUNS:
        return False
    tags = forms.verb_tags.get(low) or ()
    return not any(t in ("VBG", "VBD", "VBN") for t in tags)


def noun_number_fixes(words: Sequence[str]) -> list[PhraseFix]:
    """ "many car ." -> "many cars .", "one of the reason that" -> "reasons", "every details"
    -> "detail": a noun right after a word that fixes its number, in the other number, where
    the noun ends its noun phrase (the next token is punctuation, a preposition, a verb of
    being...: "many good ideas" is left alone) and is not one whose number never changes or
    misleads (:data:`_NO_NUMBER_CHANGE`). Forms come from the grammar's noun tables."""
    forms = load_forms()
    low = [w.lower() for w in words]
    out: list[PhraseFix] = []
    for k in range(len(words) - 1):
        for n in range(min(_NUMBER_TRIGGER_LONGEST, k + 1), 0, -1):
            trigger = tuple(low[k + 1 - n : k + 1])
            plural = trigger in _PLURAL_BEFORE
            if not plural and trigger not in _SINGULAR_BEFORE:
                continue
            noun = low[k + 1]
            after = low[k + 2] if k + 2 < len(low) else "."
            ends = _ENDS_NOUN_PHRASE if plural else _ENDS_SINGULAR_NOUN_PHRASE
            if noun in _NO_NUMBER_CHANGE or after not in ends:
                break
            if not _may_be_counted(words[k + 1], forms):
                break
            right = (forms.plural_of if plural else forms.singular_of).get(noun)
            if right and right not in _NO_NUMBER_CHANGE:  # lower case: names are not counted
                out.append(PhraseFix(k + 1, k + 2, (right,), "noun number after a quantifier"))
            break
    return out
