"""Spelling suggestions: a noisy-channel ranker over edit, phonetic and known-typo candidates.

A misspelling ``t`` is explained by every candidate word ``w`` with the score
``log P(w) + log P(t | w)`` (Kernighan, Church & Gale 1990; Brill & Moore 2000):

* ``P(w)`` is the word's corpus frequency (:meth:`Lexicon.frequency`).
* ``P(t | w)`` is the *error model*: the cheapest way to turn ``w`` into ``t`` with edits whose
  costs (``-ln P``) were learned from tens of thousands of real typo->correction pairs by
  ``tools/build_lexicon.py``. Besides the classic one-letter substitutions, insertions and
  deletions (conditioned on the neighbouring letter, so doubling ``l -> ll`` and keyboard slips
  are cheap), transpositions and a first-letter penalty, it has Brill & Moore style
  *multi-letter* edits (``ph -> f``, ``ent -> ant``, ``cie -> cei``) which make the phonetic and
  cognitive errors of real writers cheap without making every edit cheap.
* Misspellings too far from the word for the letter model (``nolij`` for ``knowledge``,
  ``becuz`` for ``because``: what poor spellers write) get a second chance through a sound key
  (:mod:`.phonetic`): a sound-alike is charged a fixed cost, more per sound its key differs by,
  and a little per letter and per sound-with-vowels of difference (so ``because`` beats
  ``books`` for ``becuz``), and the cheaper of the two explanations is used.

Candidates are generated cheaply in C (rapidfuzz's OSA distance over the vocabulary bucketed by
length, then Levenshtein over the sound keys, one or two sounds away), and only the few dozen
best by a rough score, plus the best sound-alikes, are given to the slower pure-Python error
model. Everything is deterministic: ties break on the word itself.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from .error_model import INF, ErrorModel
from .lexicon import CODE, DEFAULT_BUCKET, FLAG_BITS, Lexicon, dialect_bits
from .never_suggest import is_listed
from .phonetic import both_keys, sound_key

#: Frequency buckets are tenths of a decimal logarithm; this turns one into nats.
_NATS_PER_BUCKET = math.log(10) / 10


@dataclass(frozen=True, slots=True)
class Tuning:
    """The few knobs of the ranker (tuned on development data, see the benchmark)."""

    #: Weight of ``ln P(word)`` against the error model's ``ln P(typo | word)``.
    prior_weight: float = 0.7
    #: Largest OSA distance searched by letters (phonetic candidates may be further) ...
    max_distance: int = 2
    #: ... and for words at least ``long_word`` letters long, which writers mangle more.
    max_distance_long: int = 3
    long_word: int = 7
    #: How many candidates (best rough score first) the error model scores ...
    shortlist: int = 40
    #: ... and how many more sound-alikes beyond those (the best by rough score).
    sound_shortlist: int = 10
    #: Rough cost of one OSA edit, used only to pick the shortlist ...
    rough_edit: float = 4.0
    #: ... and of a different first letter (writers seldom get it wrong).
    rough_first: float = 3.0
    #: Cost of explaining a typo as a sound-alike (same sound key, see phonetic.py) ...
    phonetic_base: float = 8.0
    #: ... plus this per sound of difference between the two keys.
    phonetic_step: float = 5.0
    #: Cost of a missing space (``thisis`` -> ``this is``).
    split_cost: float = 7.0
    #: Frequency bucket assumed for a user or workspace word.
    extra_bucket: int = 50
    #: Words at least this long may be explained by a sound-alike one sound away ...
    phonetic_far_length: int = 5
    #: ... and two sounds away when their key is at least this long (poor spellers' words:
    #: ``pairokeel`` for ``parochial``). Tuned on far codespell pairs outside the held-out
    #: tenth; the benchmark's far held-out pairs gained 10 points top-1 with it and the rest.
    phonetic_far_key: int = 5
    #: Cost per letter of (Levenshtein) distance added to a sound-alike's cost ...
    phonetic_letter: float = 1.0
    #: ... and per sound of distance between the keys with vowels (``sound_key(w, True)``).
    phonetic_vowel: float = 1.0
    #: Stop scoring a candidate once it is this many nats behind the best so far.
    margin: float = 12.0


#: Code's misspellings are slips of the fingers far more than spellings by ear, and the typo
#: model (``typo_model.json``) was fitted on this suggester's scores with sound-alikes priced
#: so: the code suggester keeps sound-alikes for same-key words at a flat, high price.
FINGERS = Tuning(
    phonetic_base=14.0,
    phonetic_step=3.0,
    phonetic_letter=0.0,
    phonetic_vowel=0.0,
    phonetic_far_key=99,
    sound_shortlist=0,
)


#: Packed entry values below this have a frequency bucket of their own (a common word).
_COMMON = DEFAULT_BUCKET << FLAG_BITS


class _Index:
    """One dialect's suggestable vocabulary, bucketed for fast candidate generation.

    Candidates are lower case. Most are entries as they stand; ``forms`` maps the others to the
    entry to show and to take the frequency of (``paris`` -> ``Paris``). Programming
    vocabulary is suggested only when the frequency list knows it, so that ``dgemm`` or ``abi``
    never crowd out English words, or when it is one of ``also`` (a code suggester's words
    with a frequency in code). Built from the lexicon's dict without copying its strings.
    """

    __slots__ = (
        "also",
        "bits",
        "by_first",
        "by_length",
        "by_second",
        "entries",
        "forms",
        "keys_by_length",
        "phonetic",
        "voweled",
    )

    def __init__(self, lexicon: Lexicon, bits: int, also: frozenset[str] = frozenset()) -> None:
        entries = lexicon.entry_dict()
        never = lexicon.never_suggested
        self.bits = bits
        self.also = also
        words = [
            w
            for w, v in entries.items()
            if self._suggestable(w, v)
            and (len(w) > 1 or w in ("a", "I"))
            and w.lower() not in never
        ]
        forms: dict[str, str] = {}
        by_length: dict[int, list[str]] = {}
        phonetic: dict[str, list[str]] = {}
        sounding: list[str] = []
        for word in words:
            if word.islower():
                low = word
            else:
                low = word.lower()
                value = entries.get(low)
                if value is not None and self._suggestable(low, value):
                    # The lower-case entry is the candidate; an English name is shown rather
                    # than its lower-cased programming-vocabulary twin (London, not london).
                    if not value & bits and entries[word] & bits:
                        shown = forms.get(low)
                        if shown is None or (entries[shown], shown) > (entries[word], word):
                            forms[low] = word
                    continue
                shown = forms.get(low)
                if shown is not None:
                    if (entries[shown] >> FLAG_BITS, shown) > (entries[word] >> FLAG_BITS, word):
                        forms[low] = word
                    continue
                forms[low] = word
            by_length.setdefault(len(low), []).append(low)
            if entries[word] < _COMMON and len(low) >= 3:
                sounding.append(low)
        plain, voweled = both_keys(sounding)
        for low, key in zip(sounding, plain, strict=True):
            if key:
                phonetic.setdefault(key, []).append(low)
        #: The sound-alikes' keys with vowels: how far two sound-alikes are.
        self.voweled = dict(zip(sounding, voweled, strict=True))
        keys_by_length: dict[int, list[str]] = {}
        for key in phonetic:
            keys_by_length.setdefault(len(key), []).append(key)
        self.entries = entries
        self.forms = forms
        self.by_length = by_length
        self.phonetic = {k: tuple(v) for k, v in phonetic.items()}
        self.keys_by_length = keys_by_length
        # The same words by (length, first letter) and (length, second letter): writers
        # seldom get the first letter wrong, so the letter search looks only where the first
        # letter is kept, doubled, dropped or swapped with the second (sound-alikes such as
        # k/c come through the phonetic keys). Five times fewer strings to compare.
        by_first: dict[tuple[int, str], list[str]] = {}
        by_second: dict[tuple[int, str], list[str]] = {}
        for length, pool in by_length.items():
            for word in pool:
                by_first.setdefault((length, word[0]), []).append(word)
                if length > 1:
                    by_second.setdefault((length, word[1]), []).append(word)
        self.by_first = by_first
        self.by_second = by_second

    def __contains__(self, low: str) -> bool:
        """Is ``low`` (lower case) one of the candidates?"""
        form = self.forms.get(low, low)
        value = self.entries.get(form)
        if value is None or (len(low) < 2 and form not in ("a", "I")):
            return False
        return self._suggestable(form, value)

    def _suggestable(self, word: str, value: int) -> bool:
        """Whether an entry is a candidate: a word of the dialect, or programming vocabulary
        that the frequency list knows or that is one of ``also``."""
        return bool(value & self.bits) or bool(
            value & CODE and (value < _COMMON or word in self.also)
        )

    def bucket(self, low: str) -> int:
        """Frequency bucket of a candidate."""
        return self.entries[self.forms.get(low, low)] >> FLAG_BITS

    def form(self, low: str) -> str:
        """How to show a candidate."""
        return self.forms.get(low, low)


_INDEX_LOCK = threading.Lock()
#: How many queries' candidates a suggester remembers.
_MEMO_SIZE = 4096


def _index_for(lexicon: Lexicon, bits: int, also: frozenset[str] = frozenset()) -> _Index:
    """The shared index of ``lexicon``'s candidates in a dialect, with the programming words
    ``also`` (a code suggester's prior words) beside the common ones."""
    cache = lexicon.index_cache()
    key = (bits, also)
    index = cache.get(key)
    if index is None:
        with _INDEX_LOCK:
            index = cache.get(key)
            if index is None:
                index = _Index(lexicon, bits, also)
                cache[key] = index
    assert isinstance(index, _Index)
    return index


class Suggester:
    """Ranked corrections for a misspelt word, in one dialect.

    Thread-safe and deterministic. The vocabulary index is built on the first call (about a
    tenth of a second) and shared by every suggester of the same lexicon and dialect.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        dialect: str = "en-US",
        model: ErrorModel | None = None,
        *,
        tuning: Tuning | None = None,
        use_known_typos: bool = True,
        priors: Mapping[str, int] | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.dialect = dialect
        self.bits = dialect_bits(dialect)
        self._model = model
        self.tuning = tuning or Tuning()
        self.use_known_typos = use_known_typos
        #: Extra frequency buckets (lower = more common) that override the English ones when
        #: smaller: how often words occur in code, where ``datagram`` or ``logger`` are common.
        self.priors: Mapping[str, int] = priors or {}
        #: Programming words with a frequency in code (``config``, ``servlet``, ``isinstance``)
        #: are candidates in code even though no English list has them: a slip in
        #: ``getSerlvetName`` is one of ``servlet``.
        self._also = frozenset(w for w in self.priors if w.isalpha())
        self._memo: OrderedDict[str, tuple[tuple[float, str], ...]] = OrderedDict()
        self._memo_lock = threading.Lock()

    def prior_bucket(self, form: str) -> int:
        """The frequency bucket a candidate is ranked with (English or, if lower, the prior)."""
        low = form.lower()
        bucket = self.lexicon.bucket(form)
        return min(bucket, self.priors.get(low, bucket))

    @property
    def model(self) -> ErrorModel:
        if self._model is None:
            self._model = ErrorModel.shipped()
        return self._model

    def suggest(self, word: str, limit: int = 5, extra_words: Collection[str] = ()) -> list[str]:
        """Up to ``limit`` corrections of ``word``, best first, in ``word``'s case."""
        if limit <= 0 or not word:
            return []
        query = word.lower().replace("\u2019", "'")
        out: list[str] = []
        seen: set[str] = set()

        never = self.lexicon.never_suggested

        def add(form: str) -> None:
            shown = _apply_case(word, form)
            key = shown.lower()
            if never and is_listed(key, never):
                return  # a listed fix or contraction may be vulgar too: never offered
            if shown != word and key not in seen and len(out) < limit:
                seen.add(key)
                out.append(shown)

        for contraction in _missing_apostrophe(query, self.lexicon, self.dialect):
            add(contraction)  # "isnt" -> "isn't": a dropped apostrophe, not a typo
        if self.use_known_typos:
            lexicon = self.lexicon
            for fix in lexicon.known_typo(query):
                # The lists are mostly American: offer "behaviour" for "behavour" in en-GB.
                if not lexicon.knows(fix, self.dialect):
                    fix = lexicon.other_dialect_form(fix, self.dialect) or fix
                add(fix)
        for form in self.ranked(query, limit + len(out) + 1, extra_words):
            add(form)
        return out

    def ranked(self, query: str, limit: int, extra_words: Collection[str] = ()) -> list[str]:
        """The error model's best candidates for a lower-case ``query`` (display forms)."""
        scored = self.score_candidates(query, extra_words)
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [form for _, form in scored[:limit]]

    def score_candidates(
        self, query: str, extra_words: Collection[str] = ()
    ) -> list[tuple[float, str]]:
        """``(score, display form)`` for the shortlisted candidates of a lower-case ``query``.

        Candidates come from the letters (OSA distance <= 2, 3 for long words; 1 for words of
        three letters), from sound (same sound key, or one or two sounds off for longer words),
        from the user's ``extra_words`` and from splitting run-together words. A rough score
        (frequency minus a flat cost per edit) picks the shortlist the error model scores.
        Results are remembered (without ``extra_words``): in code the typo model and the
        suggestions ask about the same word.
        """
        if extra_words:
            return self._score_candidates(query, extra_words)
        with self._memo_lock:
            cached = self._memo.get(query)
            if cached is not None:
                self._memo.move_to_end(query)
                return list(cached)
        scored = self._score_candidates(query, ())
        with self._memo_lock:
            self._memo[query] = tuple(scored)
            if len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return scored

    def _score_candidates(
        self, query: str, extra_words: Collection[str]
    ) -> list[tuple[float, str]]:
        index = _index_for(self.lexicon, self.bits, self._also)
        tuning = self.tuning
        weight = tuning.prior_weight * _NATS_PER_BUCKET
        extra: dict[str, str] = {}
        for w in extra_words:
            low = w.lower()
            if low != query and low not in index:
                extra[low] = w

        priors = self.priors

        def bucket(cand: str) -> int:
            if cand in extra:
                return tuning.extra_bucket
            english = index.bucket(cand)
            return min(english, priors.get(cand, english)) if priors else english

        rough: dict[str, float] = {}
        n = len(query)
        if n <= 3:
            max_d = 1
        elif n >= tuning.long_word:
            max_d = tuning.max_distance_long
        else:
            max_d = tuning.max_distance
        first, second = query[0], query[1:2]
        pools: list[Collection[str]] = []
        for length in range(max(1, n - max_d), n + max_d + 1):
            pools.append(index.by_first.get((length, first), ()))  # first letter kept
            pools.append(index.by_second.get((length, first), ()))  # first letter dropped
            if second and second != first:
                pools.append(index.by_first.get((length, second), ()))  # extra first / swap
        if extra:
            pools.append(list(extra))
        for pool in pools:
            if not pool:
                continue
            for cand, dist, _ in process.extract(
                query, pool, scorer=OSA.distance, score_cutoff=max_d, limit=None
            ):
                if cand != query:
                    guess = dist * tuning.rough_edit
                    if cand[:1] != query[:1]:
                        guess += tuning.rough_first
                    rough[cand] = -bucket(cand) * weight - guess
        key = sound_key(query)
        keys: dict[str, int] = {}
        #: Sound-alike candidates: how many sounds their key is from the query's.
        apart_of: dict[str, int] = {}
        voweled = sound_key(query, vowels=True) if tuning.phonetic_vowel else ""
        if len(key) >= 2:
            keys[key] = 0
            if n >= tuning.phonetic_far_length:
                far = 2 if len(key) >= tuning.phonetic_far_key else 1
                for length in range(len(key) - far, len(key) + far + 1):
                    for other, d, _ in process.extract(
                        key,
                        index.keys_by_length.get(length, ()),
                        scorer=Levenshtein.distance,
                        score_cutoff=far,
                        limit=None,
                    ):
                        keys.setdefault(other, int(d))
            sounds = [(cand, d) for k, d in keys.items() for cand in index.phonetic.get(k, ())]
            sounds.extend((low, 0) for low in extra if sound_key(low) == key)
            for cand, d in sounds:
                if cand != query and d <= apart_of.get(cand, d):
                    apart_of[cand] = d
                    value = -bucket(cand) * weight - self._sound_cost(
                        query, cand, d, voweled, index
                    )
                    if value > rough.get(cand, -INF):
                        rough[cand] = value
        ranked = sorted(rough.items(), key=lambda item: (-item[1], item[0]))
        shortlist = [cand for cand, _ in ranked[: tuning.shortlist]]
        # Sound-alikes far in letters lose the rough race to near, rarer words (brite: brit,
        # bride ... 40 of them before bright): a few places are kept for the best of them.
        taken = set(shortlist)
        shortlist += [cand for cand, _ in ranked if cand in apart_of and cand not in taken][
            : tuning.sound_shortlist
        ]
        model = self.model
        positions = model.positions(query)
        results: list[tuple[float, str]] = []
        best = -INF
        for cand in shortlist:
            prior = -bucket(cand) * weight
            bound = prior - best + tuning.margin if best > -INF else INF
            cost = model.cost(query, cand, bound, positions)
            apart = apart_of.get(cand)
            if apart is not None:
                cost = min(cost, self._sound_cost(query, cand, apart, voweled, index))
            if cost == INF:
                continue
            score = prior - cost
            best = max(best, score)
            results.append((score, extra.get(cand) or index.form(cand)))
        results.extend(self._splits(query, index, weight))
        return results

    def _sound_cost(
        self, query: str, cand: str, apart: int, voweled: str = "", index: _Index | None = None
    ) -> float:
        """The cost of explaining ``query`` as a sound-alike of ``cand`` whose keys are
        ``apart`` sounds apart: a fixed price, more per sound, and a little per letter."""
        tuning = self.tuning
        cost = tuning.phonetic_base + apart * tuning.phonetic_step
        if tuning.phonetic_letter:
            cost += tuning.phonetic_letter * Levenshtein.distance(query, cand)
        if tuning.phonetic_vowel and voweled:
            other = index.voweled.get(cand) if index is not None else None
            if other is None:
                other = sound_key(cand, vowels=True)
            cost += tuning.phonetic_vowel * Levenshtein.distance(voweled, other)
        return cost

    def _splits(self, query: str, index: _Index, weight: float) -> list[tuple[float, str]]:
        """Run-together words: ``thisis`` -> ``this is`` when both halves are common words."""
        if len(query) < 4 or not query.isalpha():
            return []
        entries = index.entries
        out: list[tuple[float, str]] = []
        for cut in range(1, len(query)):
            head, tail = query[:cut], query[cut:]
            if (len(head) < 2 and head not in ("a", "i")) or (len(tail) < 2 and tail != "a"):
                continue
            forms = []
            total = 0
            for part in (head, tail):
                shown = index.forms.get(part, part if part != "i" else "I")
                packed = entries.get(shown)
                if packed is None or packed >> FLAG_BITS >= DEFAULT_BUCKET:
                    break
                if len(shown) > 1 and shown.isupper():
                    break  # an abbreviation is no half of a word: "fashional" is not "fashion AL"
                forms.append(shown)
                total += packed >> FLAG_BITS
            else:
                score = -total * weight - self.tuning.split_cost
                out.append((score, " ".join(forms)))
        return out


#: Endings of English contractions, for words typed without their apostrophe.
_CONTRACTION_TAILS = ("nt", "re", "ve", "ll", "d", "m", "s")


def _missing_apostrophe(query: str, lexicon: Lexicon, dialect: str) -> list[str]:
    """Contractions that ``query`` is without its apostrophe (``dont``, ``youre``, ``im``,
    ``thats``); possessives (``johns``) are left to the error model."""
    if "'" in query or len(query) < 2:
        return []
    out = []
    for tail in _CONTRACTION_TAILS:
        if not query.endswith(tail) or len(query) <= len(tail):
            continue
        if tail == "nt":
            form = query[:-1] + "'t"  # isn't, don't, can't, won't
        else:
            base = query[: -len(tail)]
            if tail == "s" and base not in _S_CONTRACTIONS:
                continue
            form = base + "'" + tail
        if form.startswith("i'"):
            form = "I" + form[1:]
        if form.split("'")[0].lower() in _S_CONTRACTIONS or lexicon.knows(form, dialect):
            out.append(form)
    return out


#: Words whose contraction with "is" or "has" dictionaries often lack (``that's``, ``he's``).
_S_CONTRACTIONS = frozenset("it that what there here he she who where when how let".split())


def _apply_case(original: str, form: str) -> str:
    """``form`` in ``original``'s case: lower, Title or UPPER; proper names keep capitals."""
    if len(original) > 1 and original.isupper():
        return form.upper()
    if form != form.lower():
        return form
    if original[:1].isupper():
        return form[:1].upper() + form[1:]
    return form
