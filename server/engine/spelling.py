"""Deciding which words are misspelt, and what to say about them.

The lexicon answers "is this a word?"; this module adds what a tool needs to be trusted in
code as well as prose: words shorter than four letters and acronyms are only flagged when they
are *known* typos (``teh``), run-together lower-case words are accepted in code
(``startswith``), the project's own vocabulary and the user's words are accepted, and every
flag carries ranked suggestions in the flagged word's case.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass

from .context import Ranking, WordPairs, neighbours, rerank
from .lexicon import Lexicon
from .never_suggest import is_listed
from .suggest import FINGERS, Suggester
from .types import Category, CheckCancelled, Issue, RegionKind, Rule, Token
from .typo_model import TypoModel, shipped_weights

#: Unknown words shorter than this are not flagged (abbreviations like ``idx``, ``buf``).
MIN_UNKNOWN_LENGTH = 4
#: Known typos shorter than this are not flagged (``fo`` is too often a real name).
MIN_TYPO_LENGTH = 3
#: A word the typo model lets through with at least this probability of being a typo ...
NEAR_MISS_MIN_PROBABILITY = 0.2
#: ... whose best correction costs at most this (nats, error model) is flagged after all
#: when the same document uses that correction.
NEAR_MISS_MAX_COST = 9.0
#: Longer runs of letters are data (an alphabet in a string), not words.
MAX_WORD_LENGTH = 25
#: All-capital words up to this length are taken as acronyms (``NTFS``, ``HTTPX``).
MAX_ACRONYM_LENGTH = 5
#: In code, a listed misspelling is not flagged when the typo model finds it this unlikely
#: (``browseable`` as an API's name: 0.006). The list is strong evidence, so the bar is low:
#: real typos the error model explains badly (``dataagram``: 0.001 is the exception) pass.
KNOWN_TYPO_MIN_PROBABILITY = 0.005
#: In identifiers, listed misspellings shorter than this are abbreviations far more often
#: (``indx``, ``siz``, ``ges``, ``hel``) and are left to the typo model like any unknown word.
MIN_LISTED_IDENTIFIER_LENGTH = 4

_CODE_KINDS = frozenset(
    {RegionKind.COMMENT, RegionKind.DOCSTRING, RegionKind.STRING, RegionKind.IDENTIFIER}
)
#: Where the words around a misspelling help rank its suggestions: running text.
_SENTENCE_KINDS = frozenset({RegionKind.PROSE, RegionKind.COMMENT, RegionKind.DOCSTRING})
#: The rules whose suggestions are corrections of the word, ranked by the channel.
_RANKED_RULES = frozenset({Rule.UNKNOWN_WORD, Rule.KNOWN_TYPO})


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a word is flagged: rule, message and suggestions (best first)."""

    rule: Rule
    message: str
    suggestions: tuple[str, ...]
    confidence: float

    def reordered(self, suggestions: tuple[str, ...]) -> Verdict:
        """The same verdict with its suggestions in another order (the message names the
        new first one); unchanged when the message does not name the first suggestion."""
        old, new = f"'{self.suggestions[0]}'", f"'{suggestions[0]}'"
        if suggestions == self.suggestions or old not in self.message:
            return self
        return Verdict(self.rule, self.message.replace(old, new), suggestions, self.confidence)

    def issue_at(self, token: Token) -> Issue:
        """This verdict as an issue at ``token``'s place."""
        return Issue(
            token.start,
            token.end,
            token.text,
            self.rule.value,
            Category.SPELLING,
            self.message,
            self.suggestions,
            self.confidence,
        )


class Speller:
    """Judges words for one dialect; thread-safe, with a bounded memo of verdicts."""

    def __init__(
        self,
        lexicon: Lexicon,
        dialect: str = "en-US",
        memo_size: int = 50_000,
        *,
        use_typo_model: bool = True,
        suggestions: bool = True,
        context: bool = True,
        ranking: Ranking | None = None,
    ):
        self.lexicon = lexicon
        self.dialect = dialect
        #: Rank corrections for every flagged word (False: only listed fixes, for a fast list).
        self.suggestions = suggestions
        #: Word-pair counts that let the neighbours reorder suggestions (None: the channel's
        #: order stands), and how much they count.
        self.pairs = WordPairs.shipped() if context and suggestions else None
        self.ranking = ranking or Ranking()
        self.suggester = Suggester(lexicon, dialect)
        #: In code, corrections come from both dialects (APIs say ``cancelled`` and ``color``)
        #: and are ranked by how common words are in code as well as in English; sound-alikes
        #: are priced for typing slips, as the typo model learnt them (``FINGERS``).
        self.code_suggester = Suggester(lexicon, "en", priors=lexicon.code_priors(), tuning=FINGERS)
        #: Decides, in code, whether an unknown word is a typo or a name (None: flag all).
        self.typo_model = (
            TypoModel(lexicon, self.code_suggester, shipped_weights()) if use_typo_model else None
        )
        self._memo: OrderedDict[tuple[str, str], Verdict | None] = OrderedDict()
        self._memo_size = memo_size
        self._lock = threading.Lock()
        #: (word, kind) -> the correction of a near miss, or None (see _remember_near_miss).
        self._near: dict[tuple[str, str], str | None] = {}

    # -- the decision ----------------------------------------------------------------------
    def judge(self, word: str, kind: RegionKind, whole: str = "") -> Verdict | None:
        """``None`` when ``word`` (found in a region of ``kind``) is fine, else a verdict."""
        if self.lexicon.knows(word, self.dialect):
            return None  # most words: decided without the memo's lock
        in_code = kind in _CODE_KINDS
        if whole and whole != word and self._whole_is_known(whole, in_code):
            return None
        key = (word, kind.value)
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        verdict = self._judge(word, kind)
        with self._lock:
            self._memo[key] = verdict
            if len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)
        return verdict

    def _whole_is_known(self, whole: str, in_code: bool) -> bool:
        """``JavaScript``, ``iPhone``, ``PostgreSQL``: a known whole vouches for its parts."""
        if not whole.isalpha() or len(whole) < 3:
            return False
        return self.lexicon.knows(whole, self.dialect)

    def _judge(self, word: str, kind: RegionKind) -> Verdict | None:
        in_code = kind in _CODE_KINDS
        if not 2 <= len(word) <= MAX_WORD_LENGTH:
            return None  # no English word is longer: a run of letters in data, not a word
        if not word.replace("'", "").replace("\u2019", "").isalpha():
            return None
        lexicon = self.lexicon
        if lexicon.knows(word, self.dialect):
            return None
        if in_code and word.islower() and lexicon.knows(word.capitalize(), self.dialect):
            return None  # proper nouns are written in lower case in code: `london`, `linux`
        other = lexicon.other_dialect_form(word, self.dialect)
        if other is not None:
            # In code, the other dialect's spelling is usually an API's (CancelledError,
            # colour=...) that the user cannot change: only prose is held to the dialect.
            return None if in_code else self._dialect_verdict(word, other)
        if "'" in word or "’" in word:
            return self._judge_contraction(word, kind)
        suggester = self.code_suggester if in_code else self.suggester
        typo_fixes = lexicon.known_typo(word)
        if typo_fixes and lexicon.never_suggested:
            # A listed fix that is vulgar (fcuk) is not offered: the word is judged as unknown.
            typo_fixes = tuple(f for f in typo_fixes if not is_listed(f, lexicon.never_suggested))
        if typo_fixes and len(word) >= MIN_TYPO_LENGTH and not self._listed_but_a_name(word, kind):
            # The suggester leads with the listed fixes (in prose, in this dialect's spelling).
            if self.suggestions:
                suggestions = tuple(suggester.suggest(word, limit=5))
            else:
                suggestions = tuple(dict.fromkeys(_match_case(word, f) for f in typo_fixes))
            return Verdict(
                Rule.KNOWN_TYPO,
                f"'{word}' is a common misspelling of '{suggestions[0]}'",
                suggestions,
                0.95,
            )
        if len(word) < MIN_UNKNOWN_LENGTH:
            return None
        if word.isupper() and len(word) <= MAX_ACRONYM_LENGTH:
            return None
        if _is_plural_acronym(word):
            return None  # IDEs, URLs, CPUs
        if in_code and word.isalpha() and lexicon.is_compound(word.lower(), self.dialect):
            return None
        if in_code and self.typo_model is not None and not self.typo_model.is_typo(word, kind):
            self._remember_near_miss(word, kind)
            return None  # more likely a name (nchannels, kwonly) than a slip of the fingers
        suggestions = tuple(suggester.suggest(word, limit=5)) if self.suggestions else ()
        if suggestions:
            message = f"Unknown word '{word}': did you mean '{suggestions[0]}'?"
        else:
            message = f"Unknown word '{word}'"
        return Verdict(Rule.UNKNOWN_WORD, message, suggestions, 0.8 if suggestions else 0.5)

    def _listed_but_a_name(self, word: str, kind: RegionKind) -> bool:
        """A listed misspelling that reads, in code, far more like a name than a slip: a short
        identifier part (``indx``) or one the typo model finds very unlikely (``browseable``)."""
        model = self.typo_model
        if kind not in _CODE_KINDS or model is None or model.weights is None:
            return False
        if kind is RegionKind.IDENTIFIER and len(word) < MIN_LISTED_IDENTIFIER_LENGTH:
            return not model.is_typo(word, kind)
        return model.probability(word, kind) < KNOWN_TYPO_MIN_PROBABILITY

    def _judge_contraction(self, word: str, kind: RegionKind) -> Verdict | None:
        """``doesn't`` is known as a whole; ``dosen't`` is judged by its first part."""
        head, _, tail = word.replace("\u2019", "'").partition("'")
        if tail.lower() not in {"s", "t", "ll", "re", "ve", "d", "m"}:
            return None
        verdict = self._judge(head, kind) if head else None
        if verdict is None:
            return None
        fixes = tuple(f"{s}'{tail}" for s in verdict.suggestions)
        known = tuple(f for f in fixes if self.lexicon.knows(f, self.dialect)) or fixes
        return Verdict(
            verdict.rule,
            verdict.message.replace(f"'{head}'", f"'{word}'"),
            known,
            verdict.confidence,
        )

    def _dialect_verdict(self, word: str, other: str) -> Verdict:
        other = _match_case(word, other)
        name = "British" if self.dialect == "en-US" else "American"
        return Verdict(
            Rule.DIALECT,
            f"'{word}' is the {name} spelling; {self.dialect} uses '{other}'",
            (other,),
            0.6,
        )

    # -- tokens to issues ------------------------------------------------------------------
    # -- near misses: let the document decide ---------------------------------------------
    def _remember_near_miss(self, word: str, kind: RegionKind) -> None:
        """An unknown word the typo model let through, but not by much, whose best correction
        is close: if the same document uses that correction, it is a typo after all (see
        ``Checker``). ``nchannels`` (P = 0.1) is not one; ``protobol`` (P = 0.45, protocol)
        is."""
        model = self.typo_model
        assert model is not None
        candidate = None
        if model.probability(word, kind) >= NEAR_MISS_MIN_PROBABILITY:
            low = word.lower()
            best = model.best_correction(low)
            if best is not None and best[1] <= NEAR_MISS_MAX_COST:
                fix = best[0].lower()
                # A word plus letters glued on (ncalls, istart, boxh) is a name, not a slip.
                if not (low.startswith(fix) or low.endswith(fix)):
                    candidate = fix
        with self._lock:
            self._near[(word, kind.value)] = candidate
            if len(self._near) > self._memo_size:
                self._near.pop(next(iter(self._near)))

    def near_miss(self, word: str, kind: RegionKind) -> str | None:
        """The correction of a near miss (lower case), or None."""
        return self._near.get((word, kind.value))

    def confirm_near_miss(self, word: str, kind: RegionKind, correction: str) -> Verdict:
        """The verdict for a near miss whose correction the document itself uses."""
        suggester = self.code_suggester
        ranked = suggester.suggest(word, limit=5) if self.suggestions else []
        first = _match_case(word, correction)
        suggestions = (first, *(s for s in ranked if s.lower() != correction))[:5]
        return Verdict(
            Rule.UNKNOWN_WORD,
            f"Unknown word '{word}': did you mean '{first}' (used elsewhere in this file)?",
            suggestions,
            0.7,
        )

    def confirm_twin(self, word: str, prose: Issue) -> Verdict:
        """The verdict for a near miss of an identifier that the file's own prose (a comment
        or docstring) misspells too: the prose finding's suggestions, in ``word``'s case."""
        suggestions = tuple(dict.fromkeys(_match_case(word, s) for s in prose.suggestions))
        if not suggestions:
            return Verdict(
                Rule.UNKNOWN_WORD, f"Unknown word '{word}' (also in this file's prose)", (), 0.6
            )
        return Verdict(
            Rule.UNKNOWN_WORD,
            f"Unknown word '{word}': did you mean '{suggestions[0]}' (also in this file's prose)?",
            suggestions,
            0.7,
        )

    def in_context(self, verdict: Verdict, token: Token, text: str) -> Verdict:
        """``verdict`` with its suggestions reordered by the words around ``token`` in
        ``text`` (token offsets index ``text``): in running text only, among the suggestions
        the channel found (see :mod:`.context`)."""
        pairs = self.pairs
        if (
            pairs is None
            or len(verdict.suggestions) < 2
            or verdict.rule not in _RANKED_RULES
            or token.kind not in _SENTENCE_KINDS
        ):
            return verdict
        left, right = neighbours(text, token.start, token.end)
        if left is None and right is None:
            return verdict
        suggester = self.code_suggester if token.kind in _CODE_KINDS else self.suggester
        query = token.text.lower().replace("\u2019", "'")
        channel = {form.lower(): score for score, form in suggester.score_candidates(query)}
        # A listed misspelling's fixes come first, in the list's order, whatever the channel
        # says (see Ranking.listed_bonus and listed_step).
        listed: list[str] = []
        for fix in self.lexicon.known_typo(query):
            other = self.lexicon.other_dialect_form(fix, self.dialect)
            listed.append((other or fix).lower())
        order = rerank(verdict.suggestions, channel, left, right, pairs, self.ranking, listed)
        return verdict.reordered(order)

    def check_tokens(
        self,
        tokens: list[Token],
        near_misses: list[tuple[Token, str]] | None = None,
        should_stop: Callable[[], bool] | None = None,
        text: str | None = None,
    ) -> list[Issue]:
        """Issues for ``tokens``; near misses are appended to ``near_misses`` when given.
        ``should_stop`` is looked at before every word (ranking one misspelling's suggestions
        takes 15 ms, and a paragraph of learner prose holds a dozen): raises CheckCancelled.
        With ``text`` (what the token offsets index), the words around each misspelling
        reorder its suggestions (:meth:`in_context`)."""
        issues: list[Issue] = []
        for token in tokens:
            if should_stop is not None and should_stop():
                raise CheckCancelled()
            verdict = self.judge(token.text, token.kind, token.whole)
            if verdict is None:
                if near_misses is not None and token.kind in _CODE_KINDS:
                    correction = self._near.get((token.text, token.kind.value))
                    if correction is not None:
                        near_misses.append((token, correction))
                continue
            if text is not None:
                verdict = self.in_context(verdict, token, text)
            issues.append(verdict.issue_at(token))
        return issues

    def suggest(self, word: str, extra_words: Collection[str] = ()) -> list[str]:
        return self.suggester.suggest(word, limit=5, extra_words=extra_words)


def _is_plural_acronym(word: str) -> bool:
    return len(word) >= 3 and word.endswith("s") and word[:-1].isupper()


def _match_case(original: str, word: str) -> str:
    """``word`` in the case pattern of ``original`` (lower, Title or UPPER)."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
