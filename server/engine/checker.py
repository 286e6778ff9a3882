"""``Checker.check(text, language_id) -> issues``: the engine's single entry point.

The server, the CLI and the benchmarks all call this, so they cannot disagree. A document is
cut into regions (paragraphs, comments, strings, identifiers); each region's findings are
cached by its text, so after an edit only the regions whose text changed are checked again.
Words the user accepted (dictionaries, ignores, the project's vocabulary) are filtered *after*
the cache, so adding a word never throws the cache away.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from .accepted import accepts_word
from .extract import canonical_language, extract_regions, is_code
from .foreign import looks_foreign, strings_foreign
from .grammar.decode import GrammarCorrector
from .grammar.document import GrammarPass
from .lexicon import Lexicon
from .spelling import Speller
from .types import CheckCancelled, CheckStats, Issue, Region, RegionKind, Rule, Token
from .words import split_identifier, tokenize

log = logging.getLogger(__name__)

#: How many region results the cache keeps (a region is a paragraph, comment or identifier).
CACHE_SIZE = 200_000
#: ... and at most this many characters of region text in all. A count alone lets the cache
#: grow to hundreds of MB: every keystroke in a paragraph or docstring caches that whole region
#: again, so a long editing session fills the count with large entries. The open documents'
#: regions (what the cache is for) fit many times over.
CACHE_CHARS = 16_000_000
#: Spelling reads a region longer than this in pieces of about this size, cut at line breaks:
#: a keystroke in a 3,000-line paragraph (a log, one sentence per line with no blank line)
#: checks its piece again, not the whole paragraph. Spelling judges words one by one, so
#: pieces find what the whole region finds (the foreign-language guess sees 1,500+ characters).
SPELLING_PIECE_CHARS = 1500


#: A region's findings (region-relative) and its near misses: unknown code words the typo
#: model let through narrowly, with their best correction (see ``Speller.near_miss``).
_RegionResult = tuple[tuple[Issue, ...], tuple[tuple[Token, str], ...]]

_WORDISH = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _words_of(text: str) -> frozenset[str]:
    """Every word the document uses (identifier parts included), lower-cased."""
    return frozenset(w.lower() for w in _WORDISH.findall(text))


def _with_confirmed(
    found: tuple[Issue, ...],
    near: tuple[tuple[Token, str], ...],
    document_words: frozenset[str],
    speller: Speller,
) -> tuple[Issue, ...]:
    """Add the near misses whose correction the document itself uses: ``protobol`` in a file
    that says ``protocol`` elsewhere is a typo, however name-like it looked on its own."""
    confirmed = []
    for token, correction in near:
        if correction not in document_words:
            continue
        verdict = speller.confirm_near_miss(token.text, token.kind, correction)
        confirmed.append(verdict.issue_at(token))
    if not confirmed:
        return found
    return tuple(sorted((*found, *confirmed), key=lambda i: (i.start, i.end)))


@dataclass(frozen=True, slots=True)
class _Spans:
    """Where a document's regions of some kinds lie, for "is this offset in one of them?"
    asked once per finding (regions come sorted and do not overlap)."""

    ranges: list[tuple[int, int]]
    starts: list[int]

    @classmethod
    def of(cls, regions: list[Region], kinds: Collection[RegionKind]) -> _Spans:
        ranges = [(r.start, r.end) for r in regions if r.kind in kinds]
        return cls(ranges, [start for start, _ in ranges])

    def __contains__(self, offset: int) -> bool:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index >= 0 and self.ranges[index][0] <= offset < self.ranges[index][1]


_IDENTIFIER_KINDS = frozenset({RegionKind.IDENTIFIER})


def _without_own_names(issues: list[Issue], text: str, regions: list[Region]) -> list[Issue]:
    """Drop unknown words of comments, docstrings and strings that the same file uses in its
    identifiers: ``# the ttext rule`` in a file with ``get_ttext()`` names the code (a typo
    in the identifier itself is judged, and flagged, where it stands)."""
    identifiers = _Spans.of(regions, _IDENTIFIER_KINDS)
    if not identifiers.ranges:
        return issues
    own: set[str] | None = None
    kept: list[Issue] = []
    for issue in issues:
        if issue.rule == Rule.UNKNOWN_WORD.value and issue.start not in identifiers:
            if own is None:
                own = {
                    part.lower()
                    for start, end in identifiers.ranges
                    for _, part in split_identifier(text[start:end])
                }
            if issue.text.lower() in own:
                continue
        kept.append(issue)
    return kept


_STRING_KINDS = frozenset({RegionKind.STRING})


def _without_foreign_strings(
    issues: list[Issue], text: str, regions: list[Region], speller: Speller
) -> list[Issue]:
    """Drop the findings in strings when the file's strings, read together, are another
    language (a translation table: each string alone is too short to tell)."""
    strings = _Spans.of(regions, _STRING_KINDS)
    if not any(issue.start in strings for issue in issues):
        return issues
    bodies = (text[start:end] for start, end in strings.ranges)
    if not strings_foreign(bodies, speller.lexicon, speller.dialect):
        return issues
    return [issue for issue in issues if issue.start not in strings]


#: Rules whose finding in a comment or docstring is a misspelt word the writer meant as one.
_TWIN_RULES = frozenset({Rule.UNKNOWN_WORD.value, Rule.KNOWN_TYPO.value})
_PROSE_KINDS = frozenset({RegionKind.COMMENT, RegionKind.DOCSTRING})


def _with_prose_twins(
    issues: list[Issue],
    near: list[tuple[Token, str]],
    regions: list[Region],
    speller: Speller,
) -> list[Issue]:
    """Join a misspelt identifier part and the same misspelling in the file's comments and
    docstrings into one finding: ``def load_polypropalene():`` documented as "Read the
    polypropalene table" is one mistake, and one fix must change both (the prose occurrences
    with the same letters and case become related places of the identifier's finding; others
    stay findings of their own). An identifier part the typo model let through narrowly
    (``near``: document-offset tokens) is flagged after all when the prose misspells it too:
    the writer meant a word there, not a name (alone, each place is dropped: the identifier
    as a name, the prose word as naming the code; see ``_without_own_names``)."""
    prose = _Spans.of(regions, _PROSE_KINDS)
    if not prose.ranges:
        return issues
    in_prose: dict[str, list[int]] = {}
    for index, issue in enumerate(issues):
        if issue.rule in _TWIN_RULES and issue.start in prose:
            in_prose.setdefault(issue.text.lower(), []).append(index)
    if not in_prose:
        return issues
    identifiers = _Spans.of(regions, _IDENTIFIER_KINDS)
    joined: dict[int, list[tuple[int, int]]] = {}
    taken: set[int] = set()
    for index, issue in enumerate(issues):
        if issue.rule not in _TWIN_RULES or issue.start not in identifiers:
            continue
        same = [i for i in in_prose.get(issue.text.lower(), ()) if issues[i].text == issue.text]
        same = [i for i in same if i not in taken]
        if same:
            joined[index] = [(issues[i].start, issues[i].end) for i in same]
            taken.update(same)
    confirmed: dict[str, Issue] = {}
    for token, _correction in near:
        low = token.text.lower()
        twins = in_prose.get(low)
        if not twins:
            continue
        first = confirmed.get(token.text)
        if first is None:
            verdict = speller.confirm_twin(token.text, issues[twins[0]])
            same = [i for i in twins if i not in taken and issues[i].text == token.text]
            taken.update(same)
            confirmed[token.text] = verdict.issue_at(token).with_related(
                tuple((issues[i].start, issues[i].end) for i in same)
            )
        else:
            confirmed[token.text] = first.with_related((*first.related, (token.start, token.end)))
    if not joined and not confirmed:
        return issues
    out = [
        issue.with_related((*issue.related, *joined[i])) if i in joined else issue
        for i, issue in enumerate(issues)
        if i not in taken
    ]
    out.extend(confirmed.values())
    return sorted(out, key=lambda i: (i.start, i.end))


def _edited_spans(
    changed: tuple[int, int] | None, fresh: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """What an edit touched: the changed span widened by a character each way (a deletion at
    a sentence's end still touches that sentence), or every region that missed the cache."""
    if changed is None:
        return fresh
    start, end = changed
    return [(max(0, start - 1), end + 1)]


def _pieces(text: str, regions: list[Region]) -> list[Region]:
    """``regions``, with every one longer than :data:`SPELLING_PIECE_CHARS` (identifiers
    aside) cut at line breaks outside its holes into pieces at least that long."""
    if all(r.end - r.start <= SPELLING_PIECE_CHARS for r in regions):
        return regions
    out: list[Region] = []
    for region in regions:
        short = region.end - region.start <= SPELLING_PIECE_CHARS
        if short or region.kind is RegionKind.IDENTIFIER:
            out.append(region)
            continue
        start = region.start
        while region.end - start > 2 * SPELLING_PIECE_CHARS:
            cut = text.find("\n", start + SPELLING_PIECE_CHARS, region.end) + 1
            while cut and any(s < cut <= e for s, e in region.holes):
                cut = text.find("\n", cut, region.end) + 1
            if not cut:
                break
            out.append(_piece(region, start, cut))
            start = cut
        out.append(_piece(region, start, region.end))
    return out


def _piece(region: Region, start: int, end: int) -> Region:
    holes = tuple((s, e) for s, e in region.holes if start <= s and e <= end)
    return Region(start, end, region.kind, holes)


#: An unknown capitalised word used this often in one document is a name (Bingley, Kubernetes).
NAME_MIN_OCCURRENCES = 3


def _without_recurring_names(issues: list[Issue]) -> list[Issue]:
    """Drop unknown Title-case words that the document uses again and again: a writer who
    types a name three times the same way means it; a typo is seldom repeated letter for
    letter. Known misspellings are never dropped."""
    names = Counter(
        i.text
        for i in issues
        if i.rule == Rule.UNKNOWN_WORD.value and i.text[:1].isupper() and i.text[1:].islower()
    )
    recurring = {word for word, n in names.items() if n >= NAME_MIN_OCCURRENCES}
    if not recurring:
        return issues
    return [i for i in issues if not (i.rule == Rule.UNKNOWN_WORD.value and i.text in recurring)]


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how; a change clears the cache."""

    spelling: bool = True
    dialect: str = "en-US"
    ignore_patterns: tuple[str, ...] = ()
    #: Rank corrections for every finding (off: a faster list with only known fixes).
    suggestions: bool = True
    #: Check grammar in prose, comments and docstrings (when a grammar model is loaded).
    grammar: bool = True


@dataclass
class CheckResult:
    issues: list[Issue]
    stats: CheckStats = field(default_factory=CheckStats)
    #: Sentences whose grammar was not checked yet (see ``grammar_limit`` in ``check``).
    pending_sentences: int = 0
    #: Why grammar failed in this check (the model raised); spelling's findings still stand.
    grammar_error: str | None = None
    #: Some findings carry only the known fixes, not ranked suggestions (``quick=True``): a
    #: full check is to follow.
    provisional: bool = False


def compile_patterns(patterns: Collection[str]) -> tuple[re.Pattern[str], ...]:
    """Compile user regexes; the caller validates them first (see ``invalid_patterns``)."""
    return tuple(re.compile(p) for p in patterns)


def invalid_patterns(patterns: Collection[str]) -> list[str]:
    """The patterns that do not compile, each with the reason."""
    bad: list[str] = []
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            bad.append(f"{p!r}: {exc}")
    return bad


def _merged(spelling: list[Issue], grammar: list[Issue], accepted: Collection[str]) -> list[Issue]:
    """Spelling and grammar issues by position. Where both flag the same words, spelling's
    finding stays (fix the word first; grammar looks again after), and grammar never flags a
    word the user accepted."""
    spans = sorted((i.start, i.end) for i in spelling)
    starts = [s for s, _ in spans]
    kept: list[Issue] = []
    for issue in grammar:
        k = bisect.bisect_left(starts, issue.end)
        if any(s < issue.end and issue.start < e for s, e in spans[max(0, k - 8) : k]):
            continue
        if accepted and accepts_word(issue, accepted):
            continue
        kept.append(issue)
    if not kept:
        return spelling
    return sorted([*spelling, *kept], key=lambda i: (i.start, i.end))


class Checker:
    """Checks documents; safe to call from one worker thread while another reconfigures it."""

    def __init__(
        self,
        options: CheckOptions | None = None,
        lexicon: Lexicon | None = None,
        grammar: GrammarCorrector | None = None,
    ):
        self.lexicon = lexicon or Lexicon.shipped()
        self._grammar = GrammarPass(grammar) if grammar is not None else None
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[object, ...], _RegionResult] = OrderedDict()
        #: Characters of region text the cache's keys hold (bounded by CACHE_CHARS).
        self._cache_chars = 0
        self._options = CheckOptions()
        self._speller = Speller(self.lexicon, self._options.dialect)
        #: The same judge without ranked suggestions (their ranking is most of spelling's cost:
        #: about 15 ms a misspelling), for a first look at a new document.
        self._quick_speller = Speller(self.lexicon, self._options.dialect, suggestions=False)
        self._patterns: tuple[re.Pattern[str], ...] = ()
        if options is not None:
            self.configure(options)

    @property
    def options(self) -> CheckOptions:
        return self._options

    @property
    def speller(self) -> Speller:
        return self._speller

    @property
    def grammar(self) -> GrammarCorrector | None:
        return self._grammar.corrector if self._grammar is not None else None

    def set_grammar(self, corrector: GrammarCorrector | None) -> None:
        """Use this grammar corrector from now on (None: no grammar)."""
        with self._lock:
            self._grammar = GrammarPass(corrector) if corrector is not None else None

    def configure(self, options: CheckOptions) -> bool:
        """Apply new options; returns True when they changed (and the cache was cleared)."""
        with self._lock:
            if options == self._options:
                return False
            speller = self._speller
            if (options.dialect, options.suggestions) != (speller.dialect, speller.suggestions):
                self._speller = Speller(
                    self.lexicon, options.dialect, suggestions=options.suggestions
                )
                self._quick_speller = Speller(self.lexicon, options.dialect, suggestions=False)
            self._patterns = compile_patterns(
                [p for p in options.ignore_patterns if not invalid_patterns([p])]
            )
            self._options = options
            self._cache.clear()
            self._cache_chars = 0
            return True

    def check(
        self,
        text: str,
        language_id: str,
        *,
        accepted: Collection[str] = frozenset(),
        should_stop: Callable[[], bool] | None = None,
        use_cache: bool = True,
        grammar_limit: int | None = None,
        edited: bool = False,
        changed: tuple[int, int] | None = None,
        quick: bool = False,
    ) -> CheckResult:
        """All issues in ``text``, sorted by position.

        ``accepted`` holds lower-cased words to let through (user and workspace dictionaries,
        words ignored in this document, the project's vocabulary), by the rule the CLI and the
        server apply after a check (:mod:`server.engine.accepted`). ``use_cache=False`` is for
        one-off reads (learning a workspace's vocabulary) that should not evict the regions
        of open documents. ``grammar_limit`` caps how many sentences not seen before are run
        through the grammar model in this call; the rest are counted in
        ``pending_sentences`` for a later call. ``edited`` says the text is a new version of
        one checked before: the sentences the edit touched are then tagged first, those
        around ``changed`` (the span of ``text`` that differs from the version checked before,
        see :func:`server.engine.edits.changed_span`) or else those of every region that
        missed the cache. ``quick`` checks the regions not in the cache without ranking
        suggestions (known fixes only) and does not cache them: a new document's findings in
        a fraction of the time, marked ``provisional`` until a full check follows.
        """
        stats = CheckStats()
        started = time.perf_counter()
        options, grammar = self._options, self._grammar
        if not options.grammar:
            grammar = None
        if not options.spelling and grammar is None:
            return CheckResult([], stats)
        lang = canonical_language(language_id)
        regions = extract_regions(text, lang)
        stats.regions = len(regions)
        stats.extra["extract_ms"] = (time.perf_counter() - started) * 1000
        #: Regions spelling had not seen before (an edit's): their sentences go first in grammar.
        fresh: list[tuple[int, int]] = []
        speller = self._quick_speller if quick else self._speller
        issues = (
            self._spelling(
                text, lang, regions, accepted, should_stop, use_cache, stats, fresh, speller
            )
            if options.spelling
            else []
        )
        stats.extra["spelling_ms"] = (time.perf_counter() - started) * 1000 - stats.extra[
            "extract_ms"
        ]
        pending, error = 0, None
        if grammar is not None:
            grammar_started = time.perf_counter()
            try:
                found = grammar.check(
                    text,
                    regions,
                    markdown=lang == "markdown",
                    limit=grammar_limit,
                    should_stop=should_stop,
                    first=_edited_spans(changed, fresh) if edited else (),
                )
            except CheckCancelled:
                raise
            except Exception as exc:  # a model runtime can fail in any way; spelling stands
                log.exception("grammar failed")
                error = f"{type(exc).__name__}: {exc}"
            else:
                stats.extra["sentences"] = found.sentences
                stats.extra["sentences_tagged"] = found.tagged
                pending = found.pending
                merging = time.perf_counter()
                issues = _merged(issues, found.issues, accepted)
                stats.extra["assemble_ms"] = (time.perf_counter() - merging) * 1000
            stats.extra["grammar_ms"] = (time.perf_counter() - grammar_started) * 1000 - (
                stats.extra.get("assemble_ms", 0.0)
            )
        stats.extra["total_ms"] = (time.perf_counter() - started) * 1000
        provisional = stats.extra.get("quick_regions", 0) > 0
        return CheckResult(issues, stats, pending, error, provisional)

    def _spelling(
        self,
        text: str,
        lang: str,
        regions: list[Region],
        accepted: Collection[str],
        should_stop: Callable[[], bool] | None,
        use_cache: bool,
        stats: CheckStats,
        fresh: list[tuple[int, int]],
        speller: Speller,
    ) -> list[Issue]:
        """Spelling issues of every region, identifiers deduplicated, names let through.
        The regions that missed the cache are added to ``fresh``; they are judged by
        ``speller`` (cached only when it is the checker's own)."""
        patterns = self._patterns
        issues: list[Issue] = []
        #: (flagged part, whole identifier) -> index in ``issues`` of its first occurrence.
        first_seen: dict[tuple[str, str], int] = {}
        repeats: dict[int, list[tuple[int, int]]] = {}
        document_words: frozenset[str] | None = None
        #: Identifier parts the typo model let through narrowly (document offsets).
        near_names: list[tuple[Token, str]] = []
        for region in _pieces(text, regions):
            # The stop flag at every region, and inside one at every word (it costs a
            # microsecond): a region that misses the cache can take 100 ms (ranking
            # suggestions for a dozen misspellings), and a keystroke must not wait for that.
            if should_stop is not None and should_stop():
                raise CheckCancelled()
            checked_before = stats.regions_checked
            found, near = self._region_issues(
                text, region, speller, patterns, stats, use_cache, should_stop
            )
            if stats.regions_checked != checked_before and region.kind is not RegionKind.IDENTIFIER:
                fresh.append((region.start, region.end))
            if near:
                if document_words is None:
                    document_words = _words_of(text)
                found = _with_confirmed(found, near, document_words, speller)
                if region.kind is RegionKind.IDENTIFIER:
                    near_names.extend(
                        (
                            token._replace(
                                start=token.start + region.start, end=token.end + region.start
                            ),
                            correction,
                        )
                        for token, correction in near
                        if correction not in document_words
                    )
            if not found:
                continue
            for issue in found:
                if accepted and accepts_word(issue, accepted):
                    continue
                moved = issue.shifted(region.start)
                if region.kind is RegionKind.IDENTIFIER:
                    # One finding per misspelt identifier, carrying its other occurrences:
                    # they are one mistake, and one fix must rename them all.
                    key = (issue.text, text[region.start : region.end])
                    first = first_seen.get(key)
                    if first is not None:
                        repeats.setdefault(first, []).append((moved.start, moved.end))
                        continue
                    first_seen[key] = len(issues)
                issues.append(moved)
        for position, spans in repeats.items():
            issues[position] = issues[position].with_related(tuple(spans))
        issues = _without_recurring_names(issues)
        if is_code(lang) and issues:
            issues = _with_prose_twins(issues, near_names, regions, speller)
            issues = _without_own_names(issues, text, regions)
            issues = _without_foreign_strings(issues, text, regions, speller)
        return issues

    def _region_issues(
        self,
        text: str,
        region: Region,
        speller: Speller,
        patterns: tuple[re.Pattern[str], ...],
        stats: CheckStats,
        use_cache: bool = True,
        should_stop: Callable[[], bool] | None = None,
    ) -> _RegionResult:
        body = text[region.start : region.end]
        holes = tuple((s - region.start, e - region.start) for s, e in region.holes)
        key: tuple[object, ...] = (region.kind, body, holes)
        #: A quick look (no ranked suggestions) is cached apart: a full check must not take it
        #: for its own, but the keystrokes before that full check must not redo it either.
        quick_key = (("quick", region.kind), body, holes)
        quick = speller is not self._speller
        if use_cache:
            with self._lock:
                for known in (key, quick_key) if quick else (key,):
                    cached = self._cache.get(known)
                    if cached is not None:
                        self._cache.move_to_end(known)
                        if known is quick_key:
                            stats.extra["quick_regions"] = stats.extra.get("quick_regions", 0) + 1
                        return cached
        stats.regions_checked += 1
        if quick:
            stats.extra["quick_regions"] = stats.extra.get("quick_regions", 0) + 1
        local = Region(0, len(body), region.kind, holes)
        tokens = tokenize(body, local, patterns)
        stats.tokens += len(tokens)
        near_misses: list[tuple[Token, str]] = []
        found = tuple(speller.check_tokens(tokens, near_misses, should_stop, body))
        near = tuple(near_misses)
        if (
            (found or near)
            and region.kind is not RegionKind.IDENTIFIER
            and looks_foreign(tokens, speller.lexicon, speller.dialect, region.kind)
        ):
            found, near = (), ()
        result = (found, near)
        if not use_cache:
            return result
        with self._lock:
            if speller not in (self._speller, self._quick_speller) or (
                patterns is not self._patterns
            ):
                return result  # computed under options replaced meanwhile: not for the cache
            if quick:
                key = quick_key
            if key not in self._cache:
                self._cache_chars += len(body)
            self._cache[key] = result
            while len(self._cache) > CACHE_SIZE or self._cache_chars > CACHE_CHARS:
                (_, old_body, _), _ = self._cache.popitem(last=False)
                self._cache_chars -= len(str(old_body))
        return result

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._cache_chars = 0

    @property
    def cached(self) -> tuple[int, int]:
        """The region cache's size: entries, and characters of region text they hold."""
        return len(self._cache), self._cache_chars

    def cache_sizes(self) -> dict[str, int]:
        """Entries and characters of the region cache and the grammar sentence cache (for
        ``quill.status``: memory that grows with editing must be seen to stop at the bounds)."""
        sentences, sentence_chars = self._grammar.cached if self._grammar is not None else (0, 0)
        return {
            "regions": len(self._cache),
            "regionChars": self._cache_chars,
            "sentences": sentences,
            "sentenceChars": sentence_chars,
        }
