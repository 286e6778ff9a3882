"""Fixed learner errors that a pattern of a few words identifies for sure.

Why rules beside the tagger: some mistakes that learners of English make again and again are
set phrases ("interested on", "depends of", "discuss about", "more better", "should of",
"I am agree", "since two years"). The tagger, trained on synthetic errors, misses most of them
at the precision it is held to, or "fixes" them wrongly ("We discussed about it yesterday"
became "We discuss it yesterday"). A pattern of two or three words decides them with
almost no doubt, as LanguageTool's pattern rules do; they run before the tagger reads the
sentence, so it reads the sentence as the rules left it.

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
_OBJECTS = _words("me him her us them")


@dataclass(frozen=True, slots=True)
class PhraseRule:
    """``slots`` matched at consecutive tokens; ``writes`` maps a slot index to its fix."""

    name: str
    slots: tuple[Slot, ...]
    writes: dict[int, Write]
    #: Words that may not follow the match (the phrase means something else there).
    not_before: frozenset[str] = frozenset()


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
