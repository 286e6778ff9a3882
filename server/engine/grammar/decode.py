"""From tagger output to grammar issues: GECToR's iterative decoding, thresholds and rules.

A tagger gives one edit per token per pass, so corrections that need two edits on one token
("a apple" -> "an apples"? no: "he go" -> "he has gone") take more passes: the corrected
sentence is tagged again, up to :attr:`GrammarOptions.max_iterations` times (GECToR uses a few;
most sentences settle after one or two). Only sentences that changed are tagged again.

The final corrected tokens are compared with the original ones, and each changed stretch
becomes one :class:`~server.engine.types.Issue` whose offsets are code points into the
sentence string and whose rule and message come from ``classify``.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from server.engine.grammar import tags as T
from server.engine.grammar.classify import CAPITALISATION, classify
from server.engine.grammar.forms import Forms, load_forms
from server.engine.grammar.phrase_rules import (
    INTRODUCTORY,
    PhraseFix,
    introductory_comma_fixes,
    noun_number_fixes,
    phrase_fixes,
)
from server.engine.grammar.sentences import Word, detokenize, split_sentences, tokenize
from server.engine.grammar.tagger import Tagger, TagResult
from server.engine.types import Category, Issue

log = logging.getLogger(__name__)

#: Common English function words: a sentence of five or more words with none of them is
#: probably not English (or not prose), and a model trained on English would only guess.
_FUNCTION_WORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been am it
    its this that these those he she they we you i me him her them us my your his our their
    not no do does did have has had will would can could should may might must there here
    what which who when where how why all some any so than then too very just also only
    """.split()
)
_CODE_MARKS = frozenset({"{", "}", "=", "==", "<", ">", ";", "|", "\\", "_", "#", "*", "`"})


@dataclass(frozen=True, slots=True)
class GrammarOptions:
    """Decoding settings; the shipped model's tuned values travel in its ``config.json``."""

    #: A tag is applied only if its probability is at least this (GECToR's min_probability).
    min_confidence: float = 0.5
    #: Added to ``$KEEP``'s probability before choosing (GECToR's "additional confidence"):
    #: higher means fewer, surer corrections (precision over recall, as F0.5 wants).
    keep_bias: float = 0.0
    #: Skip a sentence whose probability of containing an error is below this.
    min_error_probability: float = 0.0
    #: Tagging passes at most (one edit per token per pass).
    max_iterations: int = 3
    #: Longer sentences are truncated to this many tokens (and the correction says so).
    max_words: int = 80
    #: Sentences with fewer words (headings, list items) are not checked.
    min_words: int = 3
    #: Capitalisation rules (sentence start, "i"), needed with an uncased model.
    case_rules: bool = True
    #: "a" or "an" by the sound of the next word (a rule: the tagger misses many of these).
    article_rule: bool = True
    #: A verb that disagrees with the personal pronoun right before it ("she go", "we was",
    #: "he don't"), or follows "do", a modal or "to" in another form than its base ("didn't
    #: went", "can goes"), put right before the tagger reads the sentence (rules: the tagger
    #: leaves most of these alone at the precision it is held to, or changes the tense).
    agreement_rule: bool = True
    #: No change of a verb into the past unless the sentence points to the past itself (a
    #: past verb, "yesterday", a year) and not to the present or a habit ("every day"): the
    #: tagger, trained mostly on narrative, otherwise makes "They have a house" "had".
    tense_rule: bool = True
    #: Set phrases that learners get wrong, fixed by patterns of a few words before the tagger
    #: reads the sentence ("interested on" -> "in", "discuss about" -> "discuss", "more
    #: better" -> "better", "should of" -> "should have"; :mod:`.phrase_rules`).
    phrase_rules: bool = True
    #: A noun's number after a word that fixes it: plural after "many", "several", "one of
    #: the", "two"... ("many car" -> "cars"), singular after "every", "each",
    #: "another" ("every details" -> "detail"), where the noun ends its phrase.
    number_rule: bool = True
    #: A comma after a sentence-opening connective or introductory phrase ("However",
    #: "For example", "In my opinion"), which learners leave out and the tagger rarely adds.
    comma_rule: bool = True


@dataclass(frozen=True, slots=True)
class Correction:
    """Grammar findings for one sentence (offsets relative to that sentence's string)."""

    sentence: str
    issues: tuple[Issue, ...]
    #: The sentence with every issue's first suggestion applied.
    corrected: str
    #: Why the sentence was skipped or only partly checked (None when fully checked).
    note: str | None = None


@dataclass(slots=True)
class _Tok:
    text: str
    #: Probability of the least sure tag that produced or changed this token (1.0: untouched).
    conf: float = 1.0


@dataclass(slots=True)
class _State:
    words: list[Word]
    tokens: list[_Tok]
    deleted_conf: list[float] = field(default_factory=list)
    active: bool = True


def skip_reason(words: Sequence[str], min_words: int) -> str | None:
    """Why a sentence should not be checked (not English, code, too short), or None."""
    alpha = [w for w in words if any(c.isalpha() for c in w)]
    if len(alpha) < min_words:
        return "too short to check"
    letters = "".join(alpha)
    if sum(c.isascii() for c in letters) < 0.9 * len(letters):
        return "does not look like English"
    if len(alpha) >= 5 and not any(w.lower() in _FUNCTION_WORDS for w in alpha):
        return "does not look like English"
    marks = sum(w in _CODE_MARKS for w in words)
    odd = sum(("_" in w) or (w[:1].islower() and any(c.isupper() for c in w[1:])) for w in alpha)
    if marks + odd > max(1, len(words) // 6):
        return "looks like code"
    return None


class GrammarCorrector:
    """Tags sentences with a :class:`Tagger` and turns the tags into issues."""

    def __init__(self, tagger: Tagger, options: GrammarOptions | None = None) -> None:
        self.tagger = tagger
        self.options = options or GrammarOptions()

    # --- public API ------------------------------------------------------------------------

    def check(self, text: str) -> list[Issue]:
        """Issues for a whole text (offsets into ``text``), sentence by sentence."""
        sentences = split_sentences(text)
        corrections = self.correct([s.text for s in sentences])
        return [
            issue.shifted(sentence.start)
            for sentence, correction in zip(sentences, corrections, strict=True)
            for issue in correction.issues
        ]

    def correct(self, sentences: Sequence[str]) -> list[Correction]:
        """Correct each sentence; offsets in the result are relative to that sentence."""
        opts = self.options
        notes: list[str | None] = []
        states: list[_State] = []
        for sentence in sentences:
            words = tokenize(sentence)
            note = skip_reason([w.text for w in words], opts.min_words)
            if note is None and len(words) > opts.max_words:
                note = f"only the first {opts.max_words} of {len(words)} words were checked"
                words = words[: opts.max_words]
            skipped = note is not None and not note.startswith("only")
            st = _State(words, [_Tok(w.text) for w in words], [1.0] * len(words), not skipped)
            if opts.phrase_rules and not skipped:
                st.deleted_conf += _apply_rule(st.tokens, phrase_fixes)
            if opts.agreement_rule and not skipped:
                _agreement_rule(st.tokens)
                _base_after_auxiliary_rule(st.tokens)
            states.append(st)
            notes.append(note)
        for _ in range(opts.max_iterations):
            active = [st for st in states if st.active]
            if not active:
                break
            results = self.tagger.tag([[T.START] + [t.text for t in st.tokens] for st in active])
            for st, result in zip(active, results, strict=True):
                self._step(st, result)
        out: list[Correction] = []
        for sentence, st, note in zip(sentences, states, notes, strict=True):
            if note is None or note.startswith("only"):  # checked, in whole or in part
                if opts.case_rules:
                    self._case_rules(st)
                if opts.article_rule:
                    _article_rule(st.tokens)
                # The set phrases again on the tagger's result: it may undo a fix ("to
                # hearing" -> "to hear").
                for enabled, fixes_of in (
                    (opts.phrase_rules, phrase_fixes),
                    (opts.number_rule, noun_number_fixes),
                    (opts.comma_rule, introductory_comma_fixes),
                ):
                    if enabled:
                        st.deleted_conf += _apply_rule(st.tokens, fixes_of)
            issues = self._issues(sentence, st)
            out.append(Correction(sentence, tuple(issues), _apply(sentence, issues), note))
        return out

    # --- one pass --------------------------------------------------------------------------

    def _choose(
        self,
        labels: Sequence[tuple[str, float]],
        first: bool,
        last: bool,
        no_past: bool = False,
    ) -> tuple[str, float]:
        """The tag to apply to one token, after the keep bias, threshold and validity checks
        (``no_past``: no tag that puts a verb into the past, :func:`_past_allowed`)."""
        opts = self.options
        best, best_p = T.KEEP, 0.0
        for label, p in labels:
            if no_past and _makes_past(label):
                continue
            score = p + opts.keep_bias if label == T.KEEP else p
            if score > best_p:
                best, best_p = label, score
        if best == T.KEEP or best_p < opts.min_confidence or not T.is_valid(best):
            return T.KEEP, 1.0
        if first and not best.startswith(T.APPEND):
            return T.KEEP, 1.0
        if last and best in (T.MERGE_SPACE, T.MERGE_HYPHEN):
            return T.KEEP, 1.0
        if not self.tagger.cased and best in T.CASE_TAGS:
            return T.KEEP, 1.0
        return best, best_p

    def _step(self, st: _State, result: TagResult) -> None:
        opts = self.options
        if result.incorrect is not None and result.incorrect < opts.min_error_probability:
            st.active = False
            return
        toks = [_Tok(T.START), *st.tokens]
        if len(result.tokens) != len(toks):
            raise ValueError(f"tagger returned {len(result.tokens)} tags for {len(toks)} tokens")
        no_past = opts.tense_rule and not _past_allowed(st.tokens)
        chosen = [
            self._choose(labels, k == 0, k == len(toks) - 1, no_past)
            for k, labels in enumerate(result.tokens)
        ]
        if all(tag == T.KEEP for tag, _ in chosen):
            st.active = False
            return
        match_case = not self.tagger.cased
        new: list[_Tok] = []
        joiner: str | None = None
        changed = False
        for tok, (tag, p) in zip(toks, chosen, strict=True):
            texts = T.apply_tag(tok.text, tag, match_case=match_case)
            produced: list[_Tok]
            if texts == [tok.text]:
                produced = [tok]
            elif tag.startswith(T.APPEND):
                produced = [tok, _Tok(texts[-1], p)]
            else:
                produced = [_Tok(t, min(tok.conf, p)) for t in texts]
            if not produced:
                st.deleted_conf.append(p)
            if joiner is not None and produced and len(new) > 1:
                head = produced.pop(0)
                new[-1] = _Tok(new[-1].text + joiner + head.text, min(new[-1].conf, head.conf))
            joiner = {T.MERGE_SPACE: "", T.MERGE_HYPHEN: "-"}.get(tag)
            if joiner is not None:
                st.deleted_conf.append(p)
            changed = changed or tag != T.KEEP
            new.extend(produced)
        tokens = new[1:]
        if not changed or [t.text for t in tokens] == [t.text for t in st.tokens]:
            st.active = False
            return
        st.tokens = tokens

    def _case_rules(self, st: _State) -> None:
        """Sentence-initial capital and the pronoun "I": an uncased model cannot see case."""
        toks = st.tokens
        first = next((t for t in toks if any(c.isalnum() for c in t.text)), None)
        ends = bool(toks) and toks[-1].text in (".", "!", "?")
        if (
            first is not None
            and ends
            and first.text.isalpha()
            and first.text.islower()
            and len(toks) >= self.options.min_words
        ):
            first.text = T.capital(first.text)
            first.conf = min(first.conf, 0.8)
        for k, tok in enumerate(toks):
            if tok.text == "i":
                before = toks[k - 1].text if k else ""
                after = toks[k + 1].text if k + 1 < len(toks) else ""
                if before not in ("(", "[") and after not in (")", "]"):  # "(i)": a numeral
                    tok.text = "I"
                    tok.conf = min(tok.conf, 0.95)

    # --- issues ----------------------------------------------------------------------------

    def _issues(self, sentence: str, st: _State) -> list[Issue]:
        words = st.words
        old = [w.text for w in words]
        new = [t.text for t in st.tokens]
        if old == new:
            return []
        fallback = min([t.conf for t in st.tokens] + st.deleted_conf + [1.0])
        issues: list[Issue] = []
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            # Same length: one issue per changed token ("he go" -> "He goes" is two mistakes),
            # unless two of the old tokens touch: "and." -> "ran and." must stay one issue, or
            # the two fixes glue "ran" to "and." (found by tests/engine/test_grammar_decode.py).
            glued = any(words[k].end == words[k + 1].start for k in range(i1, i2 - 1))
            spans = (
                [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
                if i2 - i1 == j2 - j1 and not glued
                else [(i1, i2, j1, j2)]
            )
            for a1, a2, b1, b2 in spans:
                if old[a1:a2] == new[b1:b2]:
                    continue
                confs = [t.conf for t in st.tokens[b1:b2] if t.conf < 1.0]
                if confs:
                    conf = min(confs)
                elif b1 == b2 and st.deleted_conf:  # a deletion: how sure the deleting tag was
                    conf = min(st.deleted_conf)
                else:
                    conf = fallback
                issue = _issue(sentence, words, a1, a2, new[b1:b2], conf)
                if issue is not None:
                    issues.append(issue)
        return issues


def _issue(
    sentence: str, words: Sequence[Word], i1: int, i2: int, new: list[str], conf: float
) -> Issue | None:
    """One issue replacing ``words[i1:i2]`` by tokens ``new``, with a readable range."""
    old = [w.text for w in words[i1:i2]]
    kind = classify(old, new)
    if old:
        start, end = words[i1].start, words[i2 - 1].end
        replacement = detokenize(new)
        if not new:
            # Take the space before (or after) a removed word with it, so no double space stays.
            if i1 > 0:
                start = words[i1 - 1].end
            elif i2 < len(words):
                end = words[i2].start
        message = (
            f"{kind.name}: “{detokenize(old)}” → “{replacement}”."
            if new
            else f"{kind.name}: remove “{detokenize(old)}”."
        )
    else:
        # An insertion: the issue covers the neighbouring word, which the fix rewrites.
        if not words:
            return None
        if i1 > 0:
            anchor = words[i1 - 1]
            replacement = detokenize([anchor.text, *new])
        else:
            anchor = words[0]
            replacement = detokenize([*new, anchor.text])
        start, end = anchor.start, anchor.end
        message = f"{kind.name}: insert “{detokenize(new)}”."
    text = sentence[start:end]
    if replacement == text:
        return None
    confidence = round(max(0.0, min(1.0, conf)), 4)
    if kind.rule == CAPITALISATION:
        message = f"Capitalisation: “{text.strip()}” → “{replacement.strip()}”."
    return Issue(start, end, text, kind.rule, Category.GRAMMAR, message, (replacement,), confidence)


#: Words spelt with a vowel that start with a consonant sound ("a university", "a one-off").
_CONSONANT_SOUND = (
    "union",
    "unique",
    "unit",
    "univers",
    "uniform",
    "unicorn",
    "unilateral",
    "unison",
    "usual",
    "use",
    "user",
    "using",
    "usa",
    "utensil",
    "utili",
    "utopia",
    "uranium",
    "urine",
    "euro",
    "eu",
    "ewe",
    "one",
    "once",
    "ukulele",
    "unix",
    "ubiquit",
)
#: Words spelt with a consonant that start with a vowel sound ("an hour").
_VOWEL_SOUND = ("hour", "honest", "honor", "honour", "heir")
#: Letters whose names start with a vowel sound, for acronyms ("an FBI agent", "a URL").
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")


def _vowel_sound(word: str) -> bool | None:
    """Does ``word`` start with a vowel sound? None when unsure (numbers, symbols)."""
    if not word[:1].isalpha():
        return None
    if len(word) == 1 or word[1:2] == "-":  # a letter's name: "an n-tuple", "an x-ray"
        return word[0].upper() in _VOWEL_LETTERS
    if word.isupper() and (len(word) < 4 or not _VOWELS & set(word[1:].lower())):
        return word[0] in _VOWEL_LETTERS  # letters read one by one: "an FBI agent", "an M"
    # Longer capitals with vowels are read as a word: "a FIFO", "a NASA probe", "a LITTLE".
    low = word.lower()
    if low.startswith(_VOWEL_SOUND):
        return True
    if low.startswith(_CONSONANT_SOUND):
        return False
    return low[0] in "aeiou"


def _rule_replaces(tok: _Tok, word: str) -> None:
    """A rule's fix of ``tok``: ``word``, capitalised as the token was, at a rule's confidence."""
    tok.text = word.capitalize() if tok.text[:1].isupper() else word
    tok.conf = min(tok.conf, 0.9)


_VOWELS = frozenset("aeiou")
#: Words that cannot follow an article: "a" before them is a name ("if a is sorted").
_NOT_A_NOUN_PHRASE = frozenset(
    """is are was were be has have had does do did can could will would shall should may might
    must and or""".split()
)


def _article_rule(tokens: list[_Tok]) -> None:
    """Fix "a apple" to "an apple" and "an car" to "a car", by the next word's first sound."""
    for tok, nxt in itertools.pairwise(tokens):
        low = tok.text.lower()
        if low not in ("a", "an"):
            continue
        if nxt.text.lower() in _NOT_A_NOUN_PHRASE:
            continue  # "a" itself is named: "assuming a is sorted"
        if tok.text.isupper() and nxt.text.isupper() and len(nxt.text) > 1:
            continue  # shouted text: "A MILE HIGH" says nothing of how "MILE" is read
        vowel = _vowel_sound(nxt.text)
        if vowel is None:
            continue
        right = "an" if vowel else "a"
        if right != low:
            _rule_replaces(tok, right)


def _apply_rule(
    tokens: list[_Tok], fixes_of: Callable[[Sequence[str]], list[PhraseFix]]
) -> list[float]:
    """Apply the fixes a word rule (:mod:`.phrase_rules`) finds in the tokens, in place, each
    written word at a rule's confidence; the confidences of the words they removed are
    returned."""
    removed: list[float] = []
    for fix in reversed(fixes_of([t.text for t in tokens])):
        removed.extend([0.9] * max(0, (fix.end - fix.start) - len(fix.words)))
        tokens[fix.start : fix.end] = [_Tok(w, 0.9) for w in fix.words]
    return removed


#: Words before a pronoun that make it an object or put the verb after it in its base form
#: ("does she go", "let it go", "and she go" where "he and she" is the subject): no rule there.
_NO_AGREEMENT_AFTER = frozenset(
    """do does did can could will would shall should may might must let lets make makes made
    help helps helped have has had see sees saw watch watched hear heard feel felt and or nor
    to""".split()
)
#: Pronouns that are objects as often as subjects: only taken for the subject at the start
#: of a sentence or clause.
_OBJECT_TOO = frozenset({"you", "it"})
#: What may come right before a subject that starts a clause.
_CLAUSE_OPENERS = frozenset(
    """, ; : ( " “ ‘ ' that if when because so but or as since while although though where
    whether unless until once then why how""".split()
)
#: Words that, right after a pronoun, are not the verb it agrees with (modals take the base).
_MODALS = frozenset("can could may might must shall should will would ought".split())
#: Verbs that are modals before "not" ("she need not go") and plain verbs elsewhere.
_SEMI_MODALS = frozenset({"need", "dare"})
#: Base forms of verbs that after a pronoun are far more often an adverb or adjective ("he
#: last chose", "she still works", "they better go"): never taken for the verb.
_ADVERB_LIKE = frozenset(
    """last still even better further near back well right close long free down up round
    fast home""".split()
)
#: Adverbs that may stand between a pronoun and its verb ("she always go").
_FREQUENCY_ADVERBS = frozenset("always never often usually sometimes also just really".split())
#: Be, have and do after a pronoun, and what each pronoun takes instead.
_THIRD_SINGULAR = {"are": "is", "have": "has", "do": "does"}
_PLURAL = {"is": "are", "was": "were", "has": "have", "does": "do", "am": "are"}
_PRONOUN_VERBS = {
    "he": _THIRD_SINGULAR,
    "she": _THIRD_SINGULAR,
    "it": _THIRD_SINGULAR,
    "we": _PLURAL,
    "you": _PLURAL,
    "they": _PLURAL,
}


def _agreement_rule(tokens: list[_Tok]) -> None:
    """Fix a verb that disagrees with the personal pronoun right before it: "she go" ->
    "she goes", "we was" -> "we were", "he don't" -> "he doesn't", "they goes" -> "they go".
    Only where the pronoun is surely the subject and the verb surely finite: not after an
    auxiliary or a verb that takes an object ("does she go", "let it go"), not after "and"
    ("he and she go"); "you" and "it", which are objects as often, only where they start the
    sentence or a clause ("what I ask of you is", "make it work" are left alone), and not a
    form that may be past ("she put"). One adverb of frequency may stand between ("she
    always go"). The verb forms come from the grammar's own tables."""
    forms = load_forms()
    for k in range(len(tokens) - 1):
        pronoun = tokens[k].text.lower()
        table = _PRONOUN_VERBS.get(pronoun)
        before = tokens[k - 1].text.lower() if k > 0 else ""
        if table is None or before in _NO_AGREEMENT_AFTER:
            continue
        opens = tuple(t.text.lower() for t in tokens[:k]) in INTRODUCTORY  # "In addition it"
        if pronoun in _OBJECT_TOO and not (k == 0 or before in _CLAUSE_OPENERS or opens):
            continue  # "what I ask of you is", "my reasons for believing it are"
        v = k + 1
        if tokens[v].text.lower() in _FREQUENCY_ADVERBS and v + 1 < len(tokens):
            v += 1  # "she always go"
        verb = tokens[v]
        low = verb.text.lower()
        after = tokens[v + 1].text.lower() if v + 1 < len(tokens) else ""
        if (low in _SEMI_MODALS and after == "not") or low in _ADVERB_LIKE:
            continue
        right = table.get(low)
        if right is None and low not in _MODALS:
            tags = forms.verb_tags.get(low)
            subject = pronoun in ("he", "she") or k == 0 or before in ",;" or opens
            if table is _THIRD_SINGULAR and subject and tags == ("VB",):
                right = forms.verb(low, "VB", "VBZ")  # "she go" -> "she goes"
            elif table is _PLURAL and _only_a_verb(low, "VBZ", forms):
                right = forms.verb(low, "VBZ", "VB")  # "they goes" -> "they go"
        if right and right != low:
            _rule_replaces(verb, right)


#: Words after which a verb takes its base form ("didn't went", "can goes", "to went").
_TAKES_BASE = frozenset("do does did can could will would shall should may might must to".split())
#: Words between such a word and its verb ("did not go", "did she go", "can always go").
_BETWEEN = frozenset(
    """not n't i you he she it we they always never often usually sometimes also just really
    still""".split()
)
#: Past forms of be, have and do: never put into a base form by a rule, and what a
#: ``$REPLACE_`` tag writes when it puts a present verb into the past.
_PAST_WORDS = frozenset({"was", "were", "had", "did"})
#: Words before "can", "will", "may"... that make them nouns ("a can", "the will").
_DETERMINERS = frozenset("a an the this that his her my your our their its".split())


def _only_a_verb(word: str, tag: str, forms: Forms) -> bool:
    """Whether ``word`` can only be the verb form ``tag`` (``goes``), not also a plural noun
    (``places``, ``subjects``) nor another form of a verb."""
    return forms.verb_tags.get(word) == (tag,) and word not in forms.singular_of


def _base_after_auxiliary_rule(tokens: list[_Tok]) -> None:
    """Put into its base form a verb that follows "do", a modal or "to" in another form:
    "didn't went" -> "go", "can goes" -> "go", "want to went" -> "go", "did she went" ->
    "go", "could lived" -> "live". Only forms that cannot be anything but a finite verb are
    changed (``goes``, ``went``; not ``put``, which may be the base itself, nor a plural noun
    such as ``places``; after "to" not a past participle either: "to interested readers"),
    and a noun ("a can", "the will") is left alone."""
    forms = load_forms()
    for k, tok in enumerate(tokens):
        low = tok.text.lower()
        if low not in _TAKES_BASE or (k > 0 and tokens[k - 1].text.lower() in _DETERMINERS):
            continue
        v = k + 1
        while v < len(tokens) and v - k <= 2 and tokens[v].text.lower() in _BETWEEN:
            v += 1
        if v >= len(tokens):
            continue
        verb = tokens[v]
        word = verb.text.lower()
        tags = forms.verb_tags.get(word)
        if low == "to" and v != k + 1:
            continue  # "to" + anything else is a preposition's phrase
        right = None
        if _only_a_verb(word, "VBZ", forms) and word not in ("is", "has", "does"):
            right = forms.verb(word, "VBZ", "VB")
        elif word not in _PAST_WORDS:
            # After "to" a past participle may be an adjective: only a pure past tense goes.
            past = (("VBD",),) if low == "to" else (("VBD",), ("VBD", "VBN"))
            if tags in past:
                right = forms.verb(word, "VBD", "VB")
        if right and right != word:
            _rule_replaces(verb, right)


#: Words that put a sentence in the present or make it a habit (after "every": a period).
_PRESENT_MARKERS = frozenset(
    """usually always often sometimes generally normally nowadays currently everyday""".split()
)
_PERIODS = frozenset(
    "day days week month year morning evening night time weekend summer winter".split()
)
_PRESENT_PHRASES = (("these", "days"), ("right", "now"), ("at", "present"))
#: Words that point a sentence to the past ("last": last year, last week).
_PAST_MARKERS = frozenset({"yesterday", "ago", "last"})


#: Words after which a past form is a participle or an adjective, not a verb in the past
#: ("She is interested", "they are used to it", "I feel tired").
_BEFORE_PARTICIPLE = frozenset(
    """am is are 's 're 'm be been being get gets getting feel feels seem seems become becomes
    very so too more most less quite really not n't""".split()
)


def _past_allowed(tokens: Sequence[_Tok]) -> bool:
    """Whether a verb of the sentence may be put into the past: only when the sentence itself
    points to the past (a verb already in the past, not a participle after "is" or "feel":
    "She is interested"; "yesterday", "ago", "last", a year) and
    says nothing of the present or a habit ("every day", "usually", "nowadays"). A present
    verb is the writer's choice otherwise: "They have a big house" is not a slip of tense."""
    words = [t.text.lower() for t in tokens]
    if any(w in _PRESENT_MARKERS for w in words):
        return False
    pairs = list(itertools.pairwise(words))
    if any(p in _PRESENT_PHRASES or (p[0] == "every" and p[1] in _PERIODS) for p in pairs):
        return False
    forms = load_forms()
    return any(
        w in _PAST_MARKERS
        or w in _PAST_WORDS
        or (forms.verb_tags.get(w, ("",))[0] == "VBD" and before not in _BEFORE_PARTICIPLE)
        or (w.isdigit() and len(w) == 4)
        for before, w in zip(["", *words], words, strict=False)
    )


@functools.cache  # asked for every label of every token of a present-tense sentence
def _makes_past(label: str) -> bool:
    """Whether a tag turns a verb into its past tense ("goes" -> "went", "have" -> "had")."""
    if label.startswith(T.VERB):
        return label.endswith("_VBD") and not label.startswith(T.VERB + "VBN")
    if label.startswith(T.REPLACE):
        word = label[len(T.REPLACE) :].lower()
        return word in _PAST_WORDS or load_forms().verb_tags.get(word) == ("VBD",)
    return False


def _apply(sentence: str, issues: Sequence[Issue]) -> str:
    out = sentence
    for issue in sorted(issues, key=lambda i: i.start, reverse=True):
        out = out[: issue.start] + issue.suggestions[0] + out[issue.end :]
    return out
