"""Synthetic grammatical errors: turn a clean sentence into a plausible learner sentence.

GEC models are pre-trained on clean text with generated errors because annotated learner data
is scarce (Grundkiewicz et al. 2019; GECToR's first stage uses 9M synthetic pairs). Each noise
function below makes one kind of mistake on a token list and returns the new list, or None
when the sentence offers no place for it (no article to change, no verb to inflect); the
caller then tries another kind. The kinds follow ERRANT's most frequent learner error types.
Verb forms and noun numbers come from the tables the engine ships (built from lemminflect by
``training.grammar.data.forms``), so every generated verb error is one the engine's tags can undo.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from server.engine.grammar.classify import ARTICLES, CONFUSION_SETS, PREPOSITIONS
from server.engine.grammar.forms import Forms, load_forms
from training.grammar.data.spelling_noise import misspell

Tokens = list[str]

#: Relative weight of each error kind. Set so that the ERRANT types of the synthetic edits
#: follow real learners' (JFLEG dev's corrections, and the W&I+LOCNESS type shares published
#: with BEA-2019): punctuation, articles, prepositions and tense first, spelling well below
#: them (the spelling checker catches most misspellings before grammar sees them), and the
#: lexical VERB / NOUN / PRON choices real writers get wrong. ``python -m training error-mix``
#: measures both sides; the table is in ``benchmarks/results/grammar-error-mix.md``.
DEFAULT_WEIGHTS: dict[str, float] = {
    "spelling": 0.08,
    "article": 0.10,
    "preposition": 0.08,
    "verb_form": 0.05,
    "verb_tense": 0.08,
    "agreement": 0.06,
    "noun_number": 0.05,
    "pronoun": 0.04,
    "word_choice": 0.08,
    "missing_word": 0.05,
    "extra_word": 0.04,
    "repeat_word": 0.01,
    "word_order": 0.01,
    "confusion": 0.04,
    "punctuation": 0.16,
    "capitalisation": 0.04,
    "spacing": 0.02,
}

_COMMON_PREPS = ["in", "on", "at", "for", "to", "of", "with", "by", "from", "about", "into"]
_MISSABLE = ["the", "a", "to", "of", "is", "are", "it", "that", "be", "was", "and", "in", "for"]
_EXTRA = ["the", "a", "to", "of", "that", "is", "it", "for", "in", "very", "more", "so", "and"]
_AGREE = {
    "is": "are",
    "are": "is",
    "was": "were",
    "were": "was",
    "has": "have",
    "have": "has",
    "does": "do",
    "do": "does",
    "am": "is",
}
#: Confusions that span a clitic split ("they're" is tokenised "they" "'re").
_MULTI_CONFUSIONS: tuple[tuple[Tokens, Tokens], ...] = (
    (["their"], ["there"]),
    (["their"], ["they", "'re"]),
    (["there"], ["they", "'re"]),
    (["your"], ["you", "'re"]),
    (["its"], ["it", "'s"]),
    (["whose"], ["who", "'s"]),
    (["then"], ["than"]),
    (["a", "lot"], ["alot"]),
)
#: Tense pairs of auxiliaries (ERRANT's VERB:TENSE); lexical verbs go through the forms table.
_TENSE = {
    "is": ("was",),
    "are": ("were",),
    "was": ("is",),
    "were": ("are",),
    "has": ("had",),
    "have": ("had",),
    "had": ("has", "have"),
    "does": ("did",),
    "do": ("did",),
    "did": ("does", "do"),
    "will": ("would",),
    "would": ("will",),
    "can": ("could",),
    "could": ("can",),
}
#: Pronoun case and choice slips (ERRANT's PRON).
_PRONOUN_GROUPS: tuple[tuple[str, ...], ...] = (
    ("he", "him", "his"),
    ("she", "her"),
    ("they", "them", "their"),
    ("we", "us", "our"),
    ("i", "me", "my"),
    ("it", "this", "its"),
    ("who", "which", "that"),
    ("themselves", "theirselves", "themself"),
    ("this", "these"),
    ("that", "those"),
    ("someone", "anyone"),
    ("something", "anything"),
)
#: Word choices learners confuse (ERRANT's VERB, NOUN, ADJ and ADV): verbs as lemmas, inflected
#: like the word they replace.
_VERB_CHOICES: tuple[tuple[str, ...], ...] = (
    ("make", "do", "take", "have"),
    ("say", "tell", "speak", "talk"),
    ("see", "watch", "look"),
    ("hear", "listen"),
    ("learn", "teach", "study"),
    ("borrow", "lend"),
    ("bring", "take"),
    ("rise", "raise"),
    ("remember", "remind"),
    ("win", "earn", "gain"),
    ("go", "come"),
    ("give", "provide"),
    ("think", "believe", "feel"),
    ("use", "spend"),
    ("get", "become", "take"),
    ("know", "meet"),
    ("keep", "stay"),
    ("help", "support"),
    ("find", "discover"),
    ("show", "tell"),
)
_WORD_CHOICES: tuple[tuple[str, ...], ...] = (
    ("much", "many"),
    ("few", "little"),
    ("less", "fewer"),
    ("also", "too", "as well"),
    ("very", "too", "so"),
    ("ago", "before"),
    ("until", "by"),
    ("job", "work"),
    ("interesting", "interested"),
    ("boring", "bored"),
    ("economic", "economical"),
    ("fun", "funny"),
    ("big", "large", "great"),
    ("problem", "trouble"),
    ("people", "persons"),
    ("other", "another", "others"),
    ("possibility", "opportunity", "chance"),
    ("important", "main"),
    ("good", "well"),
    ("hard", "hardly"),
    ("near", "nearly"),
    ("especially", "specially"),
    ("nowadays", "now"),
    ("really", "very"),
)
_SPACING: tuple[tuple[Tokens, Tokens], ...] = (
    *tuple(
        ([a + b], [a, b])
        for a in ("some", "every", "any", "no")
        for b in ("thing", "one", "body", "where", "time", "times")
    ),
    (["cannot"], ["can", "not"]),
    (["into"], ["in", "to"]),
    (["onto"], ["on", "to"]),
    (["maybe"], ["may", "be"]),
    (["everyday"], ["every", "day"]),
)


#: Words after which a verb-looking word is a noun ("the market", "his work"): inflecting it
#: would teach the model to "correct" nouns into verbs ("the marketed").
_NOUN_CONTEXT = ARTICLES | {
    "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their",
    "of", "some", "any", "no", "every", "each",
}  # fmt: skip


#: Subjects after which a bare verb is an agreement slip, not one of tense: learners write
#: "She go to work" for "goes". Making "She go" out of a clean "She went" taught the model to
#: turn every "She go" / "She have" into the past (the model shipped in December 2026 does), so
#: the past becomes bare only after other subjects; "She goes" -> "She go" is still made.
_SINGULAR_SUBJECTS = frozenset({"he", "she", "it"})


def _after_determiner(tokens: Tokens, k: int) -> bool:
    return k > 0 and tokens[k - 1].lower() in _NOUN_CONTEXT


def _is_word(tok: str) -> bool:
    return tok.isalpha()


def _case_like(model: str, word: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


@dataclass
class Noiser:
    """Makes errors of the weighted kinds; one :class:`random.Random` drives everything."""

    rng: random.Random
    typos: dict[str, list[str]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    forms: Forms = field(default_factory=load_forms)

    def __post_init__(self) -> None:
        self.kinds: dict[str, Callable[[Tokens], Tokens | None]] = {
            "spelling": self.spelling,
            "article": self.article,
            "preposition": self.preposition,
            "verb_form": self.verb_form,
            "verb_tense": self.verb_tense,
            "agreement": self.agreement,
            "noun_number": self.noun_number,
            "pronoun": self.pronoun,
            "word_choice": self.word_choice,
            "missing_word": self.missing_word,
            "extra_word": self.extra_word,
            "repeat_word": self.repeat_word,
            "word_order": self.word_order,
            "confusion": self.confusion,
            "punctuation": self.punctuation,
            "capitalisation": self.capitalisation,
            "spacing": self.spacing,
        }
        unknown = set(self.weights) - set(self.kinds)
        if unknown:
            raise ValueError(f"unknown error kinds: {sorted(unknown)}")

    def corrupt(self, tokens: Tokens, n_errors: int) -> tuple[Tokens, list[str]]:
        """``tokens`` with up to ``n_errors`` errors, and the kinds made."""
        names = [k for k, w in self.weights.items() if w > 0]
        weights = [self.weights[k] for k in names]
        out, made = list(tokens), []
        for _ in range(n_errors):
            for _attempt in range(6):
                kind = self.rng.choices(names, weights=weights)[0]
                new = self.kinds[kind](out)
                if new is not None and new != out and new:
                    out = new
                    made.append(kind)
                    break
        return out, made

    # --- helpers ---------------------------------------------------------------------------

    def _pick(self, tokens: Tokens, pred: Callable[[int, str], bool]) -> int | None:
        places = [k for k, t in enumerate(tokens) if pred(k, t)]
        return self.rng.choice(places) if places else None

    # --- kinds -----------------------------------------------------------------------------

    def spelling(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(tokens, lambda _k, t: _is_word(t) and len(t) >= 3)
        if k is None:
            return None
        bad = misspell(tokens[k], self.rng, self.typos)
        return None if bad is None else [*tokens[:k], bad, *tokens[k + 1 :]]

    def article(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(tokens, lambda _k, t: t.lower() in ARTICLES)
        r = self.rng.random()
        if k is not None and r < 0.75:
            if r < 0.35:
                return tokens[:k] + tokens[k + 1 :]
            other = self.rng.choice(sorted(ARTICLES - {tokens[k].lower()}))
            return [*tokens[:k], _case_like(tokens[k], other), *tokens[k + 1 :]]
        j = self._pick(
            tokens,
            lambda i, t: (
                t.isalpha() and t.islower() and (i == 0 or tokens[i - 1].lower() not in ARTICLES)
            ),
        )
        if j is None:
            return None
        return [*tokens[:j], self.rng.choice(["the", "the", "a"]), *tokens[j:]]

    def preposition(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(tokens, lambda _k, t: t.lower() in PREPOSITIONS)
        r = self.rng.random()
        if k is not None and r < 0.8:
            if r < 0.2:
                return tokens[:k] + tokens[k + 1 :]
            other = self.rng.choice([p for p in _COMMON_PREPS if p != tokens[k].lower()])
            return [*tokens[:k], _case_like(tokens[k], other), *tokens[k + 1 :]]
        j = self._pick(tokens, lambda i, t: i > 0 and t.isalpha() and t.islower())
        return None if j is None else [*tokens[:j], self.rng.choice(_COMMON_PREPS), *tokens[j:]]

    def _inflect(self, tokens: Tokens, pairs: set[tuple[str, str]]) -> Tokens | None:
        def ok(k: int, t: str) -> bool:
            tags = self.forms.verb_tags.get(t.lower(), ())
            return any(a in tags for a, _ in pairs) and not _after_determiner(tokens, k)

        k = self._pick(tokens, ok)
        if k is None:
            return None
        word = tokens[k].lower()
        singular_subject = k > 0 and tokens[k - 1].lower() in _SINGULAR_SUBJECTS
        options = [
            self.forms.verb(word, a, b)
            for a, b in pairs
            if a in self.forms.verb_tags.get(word, ())
            and not (singular_subject and (a, b) == ("VBD", "VB"))
        ]
        options = [o for o in options if o and o != word]
        if not options:
            return None
        return [*tokens[:k], _case_like(tokens[k], self.rng.choice(options)), *tokens[k + 1 :]]

    def verb_form(self, tokens: Tokens) -> Tokens | None:
        pairs = {
            (a, b)
            for a in ("VB", "VBD", "VBN", "VBG", "VBZ")
            for b in ("VB", "VBD", "VBN", "VBG")
            if a != b and {a, b} != {"VB", "VBZ"}
        }
        return self._inflect(tokens, pairs)

    def verb_tense(self, tokens: Tokens) -> Tokens | None:
        """Present for past and back: an auxiliary's tense, or a lexical verb's."""
        k = self._pick(tokens, lambda _k, t: t.lower() in _TENSE)
        if k is not None and self.rng.random() < 0.5:
            other = self.rng.choice(_TENSE[tokens[k].lower()])
            return [*tokens[:k], _case_like(tokens[k], other), *tokens[k + 1 :]]
        return self._inflect(tokens, {("VBD", "VBZ"), ("VBD", "VB"), ("VBZ", "VBD"), ("VB", "VBD")})

    def _replace_from_groups(
        self, tokens: Tokens, groups: tuple[tuple[str, ...], ...]
    ) -> Tokens | None:
        index = {w: g for g in groups for w in g if " " not in w}
        k = self._pick(tokens, lambda _k, t: t.lower() in index)
        if k is None:
            return None
        other = self.rng.choice([w for w in index[tokens[k].lower()] if w != tokens[k].lower()])
        return [*tokens[:k], *_case_like(tokens[k], other).split(), *tokens[k + 1 :]]

    def pronoun(self, tokens: Tokens) -> Tokens | None:
        return self._replace_from_groups(tokens, _PRONOUN_GROUPS)

    def word_choice(self, tokens: Tokens) -> Tokens | None:
        """A verb, noun, adjective or adverb learners confuse with another (verbs inflected like
        the word they replace: "made" -> "did")."""
        verbs = {lemma: g for g in _VERB_CHOICES for lemma in g}

        def lemma_of(t: str) -> tuple[str, str] | None:
            for tag in self.forms.verb_tags.get(t.lower(), ()):
                lemma = self.forms.verb(t.lower(), tag, "VB")
                if lemma in verbs:
                    return lemma, tag
            return None

        k = self._pick(
            tokens, lambda i, t: lemma_of(t) is not None and not _after_determiner(tokens, i)
        )
        if k is not None and self.rng.random() < 0.6:
            found = lemma_of(tokens[k])
            assert found is not None
            lemma, tag = found
            other = self.rng.choice([w for w in verbs[lemma] if w != lemma])
            form = self.forms.verb(other, "VB", tag) if tag != "VB" else other
            if form:
                return [*tokens[:k], _case_like(tokens[k], form), *tokens[k + 1 :]]
        return self._replace_from_groups(tokens, _WORD_CHOICES)

    def agreement(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(tokens, lambda _k, t: t.lower() in _AGREE)
        if k is not None and self.rng.random() < 0.6:
            return [*tokens[:k], _case_like(tokens[k], _AGREE[tokens[k].lower()]), *tokens[k + 1 :]]
        return self._inflect(tokens, {("VB", "VBZ"), ("VBZ", "VB")})

    def noun_number(self, tokens: Tokens) -> Tokens | None:
        f = self.forms

        def ok(_k: int, t: str) -> bool:
            low = t.lower()
            return t.isalpha() and (low in f.plural_of or low in f.singular_of)

        k = self._pick(tokens, ok)
        if k is None:
            return None
        low = tokens[k].lower()
        other = f.plural_of.get(low) or f.singular_of.get(low)
        if low in f.plural_of and low in f.singular_of:
            other = self.rng.choice([f.plural_of[low], f.singular_of[low]])
        assert other is not None
        return [*tokens[:k], _case_like(tokens[k], other), *tokens[k + 1 :]]

    def missing_word(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(tokens, lambda _k, t: t.lower() in _MISSABLE)
        if k is None or self.rng.random() < 0.3:
            k = self._pick(tokens, lambda _k, t: _is_word(t))
        return None if k is None or len(tokens) < 4 else tokens[:k] + tokens[k + 1 :]

    def extra_word(self, tokens: Tokens) -> Tokens | None:
        j = self.rng.randrange(1, len(tokens)) if len(tokens) > 1 else 0
        return [*tokens[:j], self.rng.choice(_EXTRA), *tokens[j:]]

    def repeat_word(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(tokens, lambda _k, t: _is_word(t))
        return None if k is None else [*tokens[: k + 1], tokens[k].lower(), *tokens[k + 1 :]]

    def word_order(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(
            tokens,
            lambda i, t: i + 1 < len(tokens) and _is_word(t) and _is_word(tokens[i + 1]) and i > 0,
        )
        if k is None:
            return None
        return [*tokens[:k], tokens[k + 1], tokens[k], *tokens[k + 2 :]]

    def _swap_sequences(
        self, tokens: Tokens, pairs: tuple[tuple[Tokens, Tokens], ...]
    ) -> Tokens | None:
        low = [t.lower() for t in tokens]
        found: list[tuple[int, int, Tokens]] = []
        for a, b in pairs:
            for src, dst in ((a, b), (b, a)):
                n = len(src)
                for k in range(len(low) - n + 1):
                    if low[k : k + n] == src:
                        found.append((k, n, dst))
        if not found:
            return None
        k, n, dst = self.rng.choice(found)
        new = [_case_like(tokens[k], dst[0]), *dst[1:]]
        return tokens[:k] + new + tokens[k + n :]

    def confusion(self, tokens: Tokens) -> Tokens | None:
        k = self._pick(
            tokens, lambda _k, t: any(t.lower() in g for g in CONFUSION_SETS) and "'" not in t
        )
        if k is not None and self.rng.random() < 0.7:
            group = next(g for g in CONFUSION_SETS if tokens[k].lower() in g)
            others = sorted(w for w in group - {tokens[k].lower()} if "'" not in w)
            if others:
                other = self.rng.choice(others)
                return [*tokens[:k], _case_like(tokens[k], other), *tokens[k + 1 :]]
        return self._swap_sequences(tokens, _MULTI_CONFUSIONS)

    def punctuation(self, tokens: Tokens) -> Tokens | None:
        r = self.rng.random()
        commas = [k for k, t in enumerate(tokens) if t == ","]
        if commas and r < 0.45:
            k = self.rng.choice(commas)
            return tokens[:k] + tokens[k + 1 :]
        if r < 0.7 and len(tokens) > 4:
            j = self.rng.randrange(2, len(tokens) - 1)
            if tokens[j - 1].isalpha() and tokens[j].isalpha():
                return [*tokens[:j], ",", *tokens[j:]]
        if tokens[-1] in (".", "!", "?") and r < 0.85:
            return tokens[:-1]
        if commas:
            k = self.rng.choice(commas)
            return [*tokens[:k], self.rng.choice([".", ";"]), *tokens[k + 1 :]]
        return None

    def capitalisation(self, tokens: Tokens) -> Tokens | None:
        r = self.rng.random()
        if r < 0.5 and tokens[0][:1].isupper() and tokens[0].isalpha():
            return [tokens[0].lower(), *tokens[1:]]
        k = self._pick(tokens, lambda i, t: i > 0 and t.isalpha() and t[:1].isupper())
        if k is not None and r < 0.8:
            return [*tokens[:k], tokens[k].lower(), *tokens[k + 1 :]]
        k = self._pick(tokens, lambda i, t: i > 0 and t.isalpha() and t.islower())
        return None if k is None else [*tokens[:k], tokens[k].capitalize(), *tokens[k + 1 :]]

    def spacing(self, tokens: Tokens) -> Tokens | None:
        return self._swap_sequences(tokens, _SPACING)
