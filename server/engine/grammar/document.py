"""Grammar over a whole document: passages -> sentences -> cached corrections -> issues.

The tagger is the slow part of a check (milliseconds per sentence, against microseconds per
word for spelling), so every sentence's correction is cached by its text: after an edit only
the sentences whose text changed are tagged again, in one batch. A caller in a hurry (the
server answering a keystroke) passes ``limit``: at most that many new sentences are tagged,
the others are counted in ``pending`` and left for a second call.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from ..bounded_cache import BoundedCache
from ..types import Category, CheckCancelled, Issue, Region
from .decode import Correction, GrammarCorrector
from .passages import Passage, PassageCache, passages
from .sentence_cache import SentenceCache
from .sentences import tokenize

#: Rule of the notice on a sentence too long for the model (only its start was checked).
TRUNCATED = "grammar.truncated"
#: Sentences whose corrections the cache keeps.
CACHE_SIZE = 50_000
#: ... and at most this many characters of sentence text: a count alone does not bound the
#: memory, since a sentence can be as long as a paragraph without a full stop, and every
#: keystroke in it caches the whole sentence again.
CACHE_CHARS = 8_000_000
#: At most this many sentences an edit touched are tagged ahead of the limit.
MAX_URGENT = 32
#: Sentences tagged per batch, between two looks at the cancellation flag: one, so a newer
#: edit never waits behind more than one sentence nobody is looking at (batches of four saved
#: 4% of the tagging time, and cost an edit up to three sentences' wait).
BATCH = 1


@dataclass
class GrammarResult:
    issues: list[Issue] = field(default_factory=list)
    #: Sentences in the document, and how many of them had to be tagged (not cached).
    sentences: int = 0
    tagged: int = 0
    #: Sentences left untagged because of ``limit`` (their issues are missing).
    pending: int = 0


class GrammarPass:
    """Checks the grammar of documents with one :class:`GrammarCorrector`."""

    def __init__(
        self,
        corrector: GrammarCorrector,
        cache_size: int = CACHE_SIZE,
        cache_chars: int = CACHE_CHARS,
    ) -> None:
        self.corrector = corrector
        #: Each sentence's correction, by its text.
        self._cache: BoundedCache[str, Correction] = BoundedCache(cache_size, cache_chars, len)
        #: Each passage's sentences (an edit splits again only the stretch it changed), and
        #: each passage as grammar reads it (an edit builds again only its own).
        self._sentences = SentenceCache()
        self._passages = PassageCache()

    def check(
        self,
        text: str,
        regions: Sequence[Region],
        *,
        markdown: bool = False,
        limit: int | None = None,
        should_stop: Callable[[], bool] | None = None,
        first: Collection[tuple[int, int]] = (),
    ) -> GrammarResult:
        """Grammar issues of ``text`` (document offsets), from its prose ``regions``.

        Sentences overlapping a ``first`` range (what an edit touched) are tagged before the
        others, so under a ``limit`` the sentence being edited is never the one left pending."""
        result = GrammarResult()
        found: list[tuple[Passage, int, str]] = []  # (passage, sentence start in it, sentence)
        urgent: list[str] = []
        for passage in passages(text, regions, markdown=markdown, cache=self._passages):
            parts = self._sentences.sentences(passage.text)
            found += [(passage, offset, sentence) for offset, sentence in parts]
            begin, finish = passage.start, passage.start + len(passage.text)
            edits = [(s, e) for s, e in first if s < finish and begin < e]
            for offset, sentence in parts if edits else ():  # most passages: not edited
                start = begin + offset
                end = start + len(sentence)
                if any(s < end and start < e for s, e in edits):
                    urgent.append(sentence)
        result.sentences = len(found)
        urgent = urgent[:MAX_URGENT]  # a large paste is not an edit to rush: the limit applies
        order = [*urgent, *(s for _, _, s in found)]
        corrections = self._corrections(order, limit, should_stop, result, len(urgent))
        corrections = corrections[len(urgent) :]
        for (passage, offset, sentence), correction in zip(found, corrections, strict=True):
            if correction is None:
                continue
            base = passage.start + offset
            fragment = _is_fragment(sentence)
            for issue in correction.issues:
                if passage.touches_mask(offset + issue.start, offset + issue.end):
                    continue
                if fragment and _dresses_up_a_fragment(sentence, issue):
                    continue
                result.issues.append(issue.shifted(base))
            notice = _truncation_notice(sentence, correction, self.corrector.options.max_words)
            if notice is not None:
                result.issues.append(notice.shifted(base))
        return result

    def _corrections(
        self,
        sentences: list[str],
        limit: int | None,
        should_stop: Callable[[], bool] | None,
        result: GrammarResult,
        urgent: int = 0,
    ) -> list[Correction | None]:
        """Corrections of ``sentences`` (None: left pending). The first ``urgent`` ones are
        always tagged; ``limit`` caps how many of the others are."""
        known: dict[str, Correction] = {}
        for s in set(sentences):
            if (found := self._cache.get(s)) is not None:
                known[s] = found
        first = list(dict.fromkeys(s for s in sentences[:urgent] if s not in known))
        rest = [s for s in dict.fromkeys(sentences[urgent:]) if s not in known and s not in first]
        if limit is not None and len(rest) > limit:
            result.pending = len(rest) - limit
            rest = rest[:limit]
        todo = first + rest
        for k in range(0, len(todo), BATCH):
            if should_stop is not None and should_stop():
                raise CheckCancelled()
            batch = todo[k : k + BATCH]
            fresh = self.corrector.correct(batch)
            result.tagged += len(batch)
            for sentence, correction in zip(batch, fresh, strict=True):
                known[sentence] = correction
                self._cache.put(sentence, correction)
        return [known.get(s) for s in sentences]

    def clear_cache(self) -> None:
        self._cache.clear()
        self._sentences.clear()
        self._passages.clear()

    @property
    def cached(self) -> tuple[int, int]:
        """The sentence cache's size: entries, and characters of sentence text."""
        return len(self._cache), self._cache.chars


def _is_fragment(sentence: str) -> bool:
    """A heading, list item or comment line written without a full stop: not a sentence."""
    return not sentence.rstrip().rstrip("\"')]”’").endswith((".", "!", "?", ":", ";"))


def _dresses_up_a_fragment(sentence: str, issue: Issue) -> bool:
    """Edits that would turn a fragment into a formal sentence: a capital on its first word or
    a full stop at its end. Headings, list items and comments are written that way on purpose."""
    if issue.rule == "grammar.capitalisation" and issue.start == 0:
        return True
    return issue.rule == "grammar.punctuation" and issue.end >= len(sentence.rstrip())


def _truncation_notice(sentence: str, correction: Correction, max_words: int) -> Issue | None:
    """An issue on the first unchecked word of a sentence the model saw only part of."""
    if correction.note is None or not correction.note.startswith("only"):
        return None
    words = tokenize(sentence)
    if len(words) <= max_words:
        return None
    first = words[max_words]
    return Issue(
        first.start,
        first.end,
        first.text,
        TRUNCATED,
        Category.GRAMMAR,
        f"Sentence too long for the grammar model: {correction.note}; "
        "the rest of it was not checked.",
    )
