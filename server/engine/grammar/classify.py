"""Name a grammar edit: a stable rule id and a plain-words message.

The tagger says *how* to change a sentence, not what kind of mistake it was. Editors show the
kind ("Subject-verb agreement"), settings switch kinds off by rule id, and the benchmarks count
by kind, so every edit is classified here from the words alone: closed word classes (articles,
prepositions, punctuation), the verb and noun tables, and a list of commonly confused words.
The classes follow ERRANT's broad types (Bryant et al. 2017), collapsed to what a writer needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.engine.grammar.forms import load_forms

ARTICLE = "grammar.article"
AGREEMENT = "grammar.agreement"
VERB_FORM = "grammar.verb-form"
PREPOSITION = "grammar.preposition"
CONFUSION = "grammar.confusion"
PUNCTUATION = "grammar.punctuation"
CAPITALISATION = "grammar.capitalisation"
MISSING_WORD = "grammar.missing-word"
EXTRA_WORD = "grammar.extra-word"
WORD_ORDER = "grammar.word-order"
SPELLING = "grammar.spelling"
WORD_CHOICE = "grammar.word-choice"

#: Every rule id grammar can report, for settings and documentation.
RULES: tuple[str, ...] = (
    ARTICLE,
    AGREEMENT,
    VERB_FORM,
    PREPOSITION,
    CONFUSION,
    PUNCTUATION,
    CAPITALISATION,
    MISSING_WORD,
    EXTRA_WORD,
    WORD_ORDER,
    SPELLING,
    WORD_CHOICE,
)

ARTICLES = frozenset({"a", "an", "the"})
PREPOSITIONS = frozenset(
    """
    about above across after against along among around at before behind below beneath beside
    besides between beyond by despite down during except for from in inside into like near of
    off on onto out outside over past since through throughout till to toward towards under
    underneath until unto up upon with within without
    """.split()
)
#: Groups of words that sound or look alike and are often swapped; one group per line.
CONFUSION_SETS: tuple[frozenset[str], ...] = tuple(
    frozenset(line.split())
    for line in """
    their there they're
    your you're
    its it's
    whose who's
    were where we're
    to too two
    then than
    form from
    loose lose
    affect effect
    accept except
    advice advise
    breath breathe
    choose chose
    lead led
    quiet quite
    weather whether
    principal principle
    passed past
    of off
    lie lay
    cloth clothes
    desert dessert
    later latter
    personal personnel
    piece peace
    brake break
    hear here
    know now no
    new knew
    buy by bye
    which witch
    week weak
    whole hole
    write right
    """.strip().splitlines()
)
#: Forms of "be", "have" and "do" whose choice is agreement with the subject.
_AGREEING = (
    frozenset({"is", "are", "am"}),
    frozenset({"was", "were"}),
    frozenset({"has", "have"}),
    frozenset({"does", "do"}),
    frozenset({"doesn't", "don't"}),
    frozenset({"isn't", "aren't"}),
    frozenset({"wasn't", "weren't"}),
)
_BE = frozenset({"be", "is", "are", "am", "was", "were", "been", "being"})


@dataclass(frozen=True, slots=True)
class Kind:
    rule: str
    #: What went wrong, in plain words ("Wrong article").
    name: str


def _is_punct(tok: str) -> bool:
    return bool(tok) and not any(c.isalnum() for c in tok)


def _confusable(a: str, b: str) -> bool:
    # Clitics are split ("they're" -> "they" "'re"): compare the joined forms.
    a, b = a.replace(" '", "'"), b.replace(" '", "'")
    return any(a in group and b in group for group in CONFUSION_SETS)


def _one_word(a: str, b: str) -> Kind:
    la, lb = a.lower(), b.lower()
    if la == lb:
        return Kind(CAPITALISATION, "Capitalisation")
    if _is_punct(a) and _is_punct(b):
        return Kind(PUNCTUATION, "Punctuation")
    if la in ARTICLES and lb in ARTICLES:
        return Kind(ARTICLE, "Wrong article")
    if _confusable(la, lb):
        return Kind(CONFUSION, "Commonly confused words")
    if la in PREPOSITIONS and lb in PREPOSITIONS:
        return Kind(PREPOSITION, "Wrong preposition")
    if any(la in g and lb in g for g in _AGREEING):
        return Kind(AGREEMENT, "Subject-verb agreement")
    forms = load_forms()
    if forms.plural_of.get(la) == lb or forms.singular_of.get(la) == lb:
        return Kind(AGREEMENT, "Noun number")
    rows_a = {forms.verbs[la, t] for t in forms.verb_tags.get(la, ())}
    rows_b = {forms.verbs[lb, t] for t in forms.verb_tags.get(lb, ())}
    if rows_a & rows_b or (la in _BE and lb in _BE):
        tags_a, tags_b = set(forms.verb_tags.get(la, ())), set(forms.verb_tags.get(lb, ()))
        if {"VB", "VBZ"} <= tags_a | tags_b and not ({"VBD", "VBN", "VBG"} & (tags_a | tags_b)):
            return Kind(AGREEMENT, "Subject-verb agreement")
        return Kind(VERB_FORM, "Wrong verb form")
    if _close_spelling(la, lb):
        return Kind(SPELLING, "Possible misspelling")
    return Kind(WORD_CHOICE, "Word choice")


def _close_spelling(a: str, b: str) -> bool:
    """Within a small edit distance for the word's length (a real-word or non-word typo)."""
    if abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= (1 if max(len(a), len(b)) <= 4 else 2)


def classify(old: Sequence[str], new: Sequence[str]) -> Kind:
    """The kind of the edit that turns tokens ``old`` into ``new`` (either may be empty)."""
    lo, ln = [t.lower() for t in old], [t.lower() for t in new]
    if not lo and not ln:
        return Kind(WORD_CHOICE, "Word choice")
    if lo and ln and sorted(lo) == sorted(ln) and lo != ln:
        if lo == ln:
            return Kind(CAPITALISATION, "Capitalisation")
        return Kind(WORD_ORDER, "Word order")
    if lo == ln:
        return Kind(CAPITALISATION, "Capitalisation")
    words = lo or ln
    if all(_is_punct(t) for t in lo + ln):
        return Kind(PUNCTUATION, "Punctuation")
    if not lo or not ln:
        content = [t for t in words if not _is_punct(t)]
        if content and all(t in ARTICLES for t in content):
            return Kind(ARTICLE, "Missing article" if not lo else "Unnecessary article")
        if content and all(t in PREPOSITIONS for t in content):
            return Kind(PREPOSITION, "Missing preposition" if not lo else "Unnecessary preposition")
        return (
            Kind(MISSING_WORD, "Missing word") if not lo else Kind(EXTRA_WORD, "Unnecessary word")
        )
    joined_o, joined_n = " ".join(lo), " ".join(ln)
    if _confusable(joined_o, joined_n):
        return Kind(CONFUSION, "Commonly confused words")
    if joined_o.replace(" ", "") == joined_n.replace(" ", "").replace("-", ""):
        return Kind(SPELLING, "Spacing")
    if joined_o.replace("-", " ") == joined_n.replace("-", " "):
        return Kind(PUNCTUATION, "Hyphenation")
    # Several tokens: name the edit by its non-punctuation core when that is one word each.
    co = [t for t in lo if not _is_punct(t)]
    cn = [t for t in ln if not _is_punct(t)]
    if co == cn:
        return Kind(PUNCTUATION, "Punctuation")
    if len(co) == 1 and len(cn) == 1:
        return _one_word(co[0], cn[0])
    if len(lo) == 1 and len(ln) == 1:
        return _one_word(old[0], new[0])
    # An inserted or dropped article/preposition next to a kept word ("a" -> "a the").
    extra = [t for t in cn if t not in co] + [t for t in co if t not in cn]
    if extra and all(t in ARTICLES for t in extra):
        return Kind(ARTICLE, "Article")
    if extra and all(t in PREPOSITIONS for t in extra):
        return Kind(PREPOSITION, "Preposition")
    return Kind(WORD_CHOICE, "Word choice")
