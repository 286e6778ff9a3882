"""The shipped dictionary: which words exist, how common they are, and known misspellings.

Everything is built offline by ``tools/build_lexicon.py`` into ``server/engine/data/`` (see
``SOURCES.md`` there for the sources and their licences) and loaded once per process by
:meth:`Lexicon.shipped`.

Words live in one dict, ``word -> packed int``, rather than one set per dialect: a single probe
answers "known in en-US?", "known in en-GB?", "programming vocabulary?" and "how frequent?" at
once, and the value objects are shared (the file groups words by value and the loader uses
``dict.fromkeys``), so the whole lexicon costs little more than its strings. The int packs
``frequency_bucket << FLAG_BITS | flags``; the bucket is ``round(-10 * log10 P(word))``.

Case follows Hunspell: an entry in lower case is accepted in lower, Title and UPPER case; an
entry with capitals (``Paris``, ``McDonald``, ``NASA``) is accepted as written and in UPPER case
(and Title case for a ``Title`` entry), never in lower case. Programming vocabulary is matched
without regard to case, as CSpell does (``github``, ``GitHub``, ``GITHUB``).
"""

from __future__ import annotations

import gzip
import itertools
import threading
from array import array
from collections.abc import Iterable, Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import never_suggest
from .accents import strip_accents
from .error_model import ErrorModel

#: Flag: accepted in American English.
US = 1
#: Flag: accepted in British English (``-ise`` and ``-ize`` forms both).
GB = 2
#: Flag: programming vocabulary (CSpell dictionaries, matched case-insensitively).
CODE = 4
#: Flag: curated short programming word that may be part of a run-together identifier.
CORE = 8
#: How many low bits of a packed value are flags.
FLAG_BITS = 4
FLAG_MASK = (1 << FLAG_BITS) - 1

#: Frequency bucket (``-10 log10 P``) given to known words that the frequency list lacks.
DEFAULT_BUCKET = 80
#: Frequency bucket for words the lexicon does not know at all.
UNKNOWN_BUCKET = 100

#: English parts of a run-together word must be at least this common (bucket <= this, i.e.
#: P >= 1e-6.5): rare words such as ``cieve`` or ``sepe`` would make typos look like compounds.
COMPOUND_PART_BUCKET = 65
#: English parts shorter than this must be curated programming words (``is``, ``to``, ``fd``).
COMPOUND_MIN_PART = 3
#: Programming-vocabulary parts shorter than this are not trusted (``sus``, ``oci``...).
COMPOUND_MIN_CODE_PART = 4
#: A run-together word that the error model explains as a misspelling of a common word (within
#: two edits, bucket <= ``COMPOUND_NEAR_BUCKET``) at no more than this cost in nats
#: (``alignmen``, ``omittin``: ~4) is taken for that misspelling, not for a compound. Set from
#: identifiers of real code against held-out typos: 9 keeps three quarters of the compounds
#: and lets 2% of typos through (``readline`` vs ``headline`` costs ~10: a first letter).
COMPOUND_TYPO_COST = 9.0
COMPOUND_NEAR_BUCKET = 70
#: Run-together words shorter than this are never compounds.
COMPOUND_MIN_LENGTH = 5

_DIALECTS: dict[str, int] = {
    "en-us": US,
    "en-gb": GB,
    "en-uk": GB,
    "en-au": GB,
    "en-nz": GB,
    "en-ie": GB,
    "en-za": GB,
    "en-in": GB,
    "en": US | GB,
    "en-ca": US | GB,
}

_SHIPPED: list[Lexicon] = []
_SHIPPED_LOCK = threading.Lock()


def dialect_bits(dialect: str) -> int:
    """The flag(s) a dialect accepts; unknown English variants accept both spellings."""
    bits = _DIALECTS.get(dialect)
    if bits is None:
        bits = _DIALECTS.get(dialect.lower().replace("_", "-"), US | GB)
    return bits


def _data_dir() -> Traversable:
    return resources.files("server.engine").joinpath("data")


def _read_gz(source: Traversable | Path) -> str:
    return gzip.decompress(source.read_bytes()).decode("utf-8")


class Lexicon:
    """Known words by dialect, word frequencies, dialect pairs and known typos.

    Thread-safe: after construction only the compound cache changes, and it is a plain dict
    whose single operations are atomic.
    """

    def __init__(
        self,
        entries: dict[str, int],
        variants: dict[str, str] | None = None,
        typos: SortedTable | dict[str, str] | None = None,
        never_suggested: frozenset[str] = frozenset(),
    ) -> None:
        self._entries = entries
        #: Words (lower case) accepted but never offered as a correction (see never_suggest.py).
        self.never_suggested = never_suggested
        self._variants = variants or {}
        self._typos: SortedTable | dict[str, str] = typos if typos is not None else {}
        #: UPPER form -> entries that are neither lower nor Title case (``MCDONALD``); built
        #: the first time an unknown all-capital word needs it.
        self._upper: dict[str, str] | None = None
        #: Lower-case form without accents -> the entries that have accents (``cafe`` ->
        #: ``café``); built the first time an unknown plain word needs it.
        self._accented: dict[str, tuple[str, ...]] | None = None
        self._compounds: dict[tuple[str, int], bool] = {}
        self._near_words: dict[tuple[int, str, int], list[str]] | None = None
        self._cache_lock = threading.Lock()
        self._indexes: dict[object, object] = {}
        self._code_priors: dict[str, int] | None = None

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def shipped(cls) -> Lexicon:
        """The lexicon in ``server/engine/data`` (loaded once per process)."""
        if _SHIPPED:
            return _SHIPPED[0]
        with _SHIPPED_LOCK:
            if not _SHIPPED:
                _SHIPPED.append(cls.from_directory(_data_dir()))
            return _SHIPPED[0]

    @classmethod
    def from_directory(cls, directory: Traversable | Path) -> Lexicon:
        """Load the files written by ``tools/build_lexicon.py``."""
        entries = parse_words(_read_gz(directory.joinpath("words.txt.gz")))
        variants = dict(_pairs(_read_gz(directory.joinpath("variants.tsv.gz"))))
        typos = SortedTable(_read_gz(directory.joinpath("typos.tsv.gz")))
        unsuggested = directory.joinpath("never_suggest.txt")
        never = (
            never_suggest.parse(unsuggested.read_text(encoding="utf-8"))
            if unsuggested.is_file()
            else frozenset()
        )
        return cls(entries, variants, typos, never)

    @classmethod
    def from_words(
        cls,
        words: Iterable[str],
        *,
        flags: int = US | GB,
        bucket: int = DEFAULT_BUCKET,
        typos: dict[str, str] | None = None,
        never_suggested: Iterable[str] = (),
    ) -> Lexicon:
        """A small lexicon for tests and tools: every word gets the same flags and bucket."""
        value = bucket << FLAG_BITS | flags
        never = frozenset(w.lower() for w in never_suggested)
        return cls(dict.fromkeys(words, value), {}, typos, never)

    # -- questions ------------------------------------------------------------------------
    def knows(self, word: str, dialect: str = "en-US") -> bool:
        """Is ``word`` a word of ``dialect`` (or programming vocabulary)?

        Hot path: one to three dict probes. Possessives (``word's``) are the caller's job;
        contractions (``don't``) are entries, with either apostrophe. Accents are optional
        (``naïve`` for ``naive``, ``cafe`` for ``café``: see ``accents.py``).
        """
        if self._knows(word, dialect):
            return True
        return self._knows_with_other_accents(word, dialect)

    def _knows_with_other_accents(self, word: str, dialect: str) -> bool:
        """Is ``word`` an entry with its accents added or taken away (in ``word``'s case)?"""
        if not word.isascii():
            plain = strip_accents(word)
            if plain == word:
                return False
            # ``naïveté``: ``naivete`` is not an entry, ``naiveté`` is.
            return self._knows(plain, dialect) or self._knows_with_other_accents(plain, dialect)
        for form in self._accented_forms().get(word.lower(), ()):
            if form.islower():
                form = _case_like(word, form)
            elif word.isupper():
                form = form.upper()
            # ``dvorak`` is not ``Dvorák``: a name keeps its capital without its accent too.
            if strip_accents(form) == word and self._knows(form, dialect):
                return True
        return False

    def _accented_forms(self) -> dict[str, tuple[str, ...]]:
        accented = self._accented
        if accented is None:
            found: dict[str, list[str]] = {}
            for entry in self._entries:
                if not entry.isascii():
                    plain = strip_accents(entry)
                    if plain != entry and plain.isascii():
                        found.setdefault(plain.lower(), []).append(entry)
            accented = {plain: tuple(forms) for plain, forms in found.items()}
            self._accented = accented
        return accented

    def _knows(self, word: str, dialect: str) -> bool:
        entries = self._entries
        value = entries.get(word)
        bits = _DIALECTS.get(dialect) or dialect_bits(dialect)
        if value is not None and value & (bits | CODE):
            return True
        lower = word.lower()
        if lower != word:
            value = entries.get(lower)
            if value is not None:
                if value & CODE:
                    return True
                # A lower-case entry is also good in Title and UPPER case.
                if value & bits and (word[1:] == lower[1:] or word.isupper()):
                    return True
            if word.isupper() and len(word) > 1:
                for form in (word[0] + lower[1:], self._mixed_case().get(word)):
                    if form is not None:
                        value = entries.get(form)
                        if value is not None and value & bits:
                            return True
        if "\u2019" in word:
            return self._knows(word.replace("\u2019", "'"), dialect)
        return False

    def _mixed_case(self) -> dict[str, str]:
        upper = self._upper
        if upper is None:
            upper = {}
            for word in self._entries:
                if not word.islower() and not word.istitle() and not word.isupper():
                    upper.setdefault(word.upper(), word)
            self._upper = upper
        return upper

    def frequency(self, word: str) -> float:
        """``log10 P(word)`` from the frequency list (any case); unknown words get a floor."""
        return -self.bucket(word) / 10.0

    def bucket(self, word: str) -> int:
        """The frequency bucket ``round(-10 * log10 P(word))``: smaller is more common."""
        entries = self._entries
        value = entries.get(word)
        if value is None:
            lower = word.lower()
            value = entries.get(lower)
            if value is None:
                value = entries.get(lower[:1].upper() + lower[1:])
                if value is None:
                    return UNKNOWN_BUCKET
        return value >> FLAG_BITS

    def flags(self, word: str) -> int:
        """The entry's flags (``US``, ``GB``, ``CODE``, ``CORE``), 0 when not an entry."""
        value = self._entries.get(word)
        return 0 if value is None else value & FLAG_MASK

    def other_dialect_form(self, word: str, dialect: str) -> str | None:
        """The spelling ``dialect`` uses for a word of the other dialect, in ``word``'s case.

        ``colour`` (en-US) -> ``color``; ``color`` (en-GB) -> ``colour``; a word the dialect
        accepts, or one with no counterpart, -> ``None``.
        """
        bits = dialect_bits(dialect)
        if bits == US | GB or self._knows_english(word, bits):
            return None
        lower = word.lower()
        other = self._variants.get(lower)
        if other is None or not self._knows_english(other, bits):
            return None
        if not self._knows_english(lower, (US | GB) & ~bits):
            return None
        return _case_like(word, other)

    def _knows_english(self, word: str, bits: int) -> bool:
        value = self._entries.get(word)
        if value is None:
            value = self._entries.get(word.lower())
        return value is not None and bool(value & bits)

    def code_priors(self) -> dict[str, int]:
        """How common words are in code: word -> frequency bucket (``code_words.tsv.gz``,
        built by ``tools/train_typo_model.py``); empty when the file is not there."""
        if self._code_priors is None:
            with self._cache_lock:
                if self._code_priors is None:
                    priors: dict[str, int] = {}
                    source = _data_dir().joinpath("code_words.tsv.gz")
                    if source.is_file():
                        for line in _read_gz(source).splitlines():
                            word, _, bucket = line.partition("\t")
                            if bucket.isdigit():
                                priors[word] = int(bucket)
                    self._code_priors = priors
        return self._code_priors

    def known_typo(self, word: str) -> tuple[str, ...]:
        """Corrections of a listed misspelling (``teh`` -> ``("the",)``), else ``()``."""
        fixes = self._typos.get(word)
        if fixes is None:
            fixes = self._typos.get(word.lower())
            if fixes is None:
                return ()
        return tuple(fixes.split(","))

    def is_compound(self, word: str, dialect: str = "en-US") -> bool:
        """Is a lower-case run-together word made of two or three known parts?

        ``startswith``, ``getcwd``, ``makedirs``, ``isinstance`` split into words and
        programming terms; typos such as ``recieve`` or ``seperate`` do not, because every
        part must be a *common* English word of three letters or more, a programming term of
        three or more, or one of the curated short programming words (``is``, ``to``, ``fd``).
        A listed misspelling (``infact``) is never a compound.
        """
        if len(word) < COMPOUND_MIN_LENGTH or not word.isalpha() or not word.islower():
            return False
        bits = dialect_bits(dialect)
        key = (word, bits)
        cached = self._compounds.get(key)
        if cached is not None:
            return cached
        result = (
            self._typos.get(word) is None
            and self._splits(word, bits, 3)
            and not self._likely_misspelling(word)
        )
        with self._cache_lock:
            if len(self._compounds) > 200_000:
                self._compounds.clear()
            self._compounds[key] = result
        return result

    def _likely_misspelling(self, word: str) -> bool:
        """Does the error model explain ``word`` cheaply as a typo of a common word?"""
        near = self._near_words
        if near is None:
            # Common words by (length, first letter) and (length, second letter): a typo keeps,
            # drops or swaps its first letter far more often than it changes it (the same
            # search as the suggester's), and the pools are a fraction of all words.
            near = {}
            limit = (COMPOUND_NEAR_BUCKET + 1) << FLAG_BITS
            for w, value in self._entries.items():
                if value < limit and value & (US | GB) and w.islower() and w.isalpha():
                    near.setdefault((len(w), w[0], 0), []).append(w)
                    if len(w) > 1:
                        near.setdefault((len(w), w[1], 1), []).append(w)
            self._near_words = near
        model = ErrorModel.shipped()
        n = len(word)
        first, second = word[0], word[1:2]
        seen: set[str] = set()
        for length in range(n - 2, n + 3):
            keys = [(length, first, 0), (length, first, 1)]
            if second and second != first:
                keys.append((length, second, 0))
            for key in keys:
                pool = near.get(key)
                if not pool:
                    continue
                for candidate, _, _ in process.extract(
                    word, pool, scorer=OSA.distance, score_cutoff=2, limit=None
                ):
                    if candidate in seen:
                        continue
                    seen.add(candidate)
                    if model.cost(word, candidate, COMPOUND_TYPO_COST) <= COMPOUND_TYPO_COST:
                        return True
        return False

    def _part_ok(self, part: str, bits: int) -> bool:
        value = self._entries.get(part)
        if value is None:
            return False
        if value & CORE:
            return True
        length = len(part)
        if value & CODE and length >= COMPOUND_MIN_CODE_PART:
            return True
        return (
            bool(value & bits)
            and length >= COMPOUND_MIN_PART
            and value >> FLAG_BITS <= COMPOUND_PART_BUCKET
        )

    def _splits(self, word: str, bits: int, parts: int) -> bool:
        """Does ``word`` split into at most ``parts`` acceptable parts (left to right)?"""
        for cut in range(2, len(word) - 1):
            head = word[:cut]
            if not self._part_ok(head, bits):
                continue
            tail = word[cut:]
            if self._part_ok(tail, bits):
                return True
            if parts > 2 and len(tail) >= 4 and self._splits(tail, bits, parts - 1):
                return True
        return False

    # -- for the suggester -----------------------------------------------------------------
    def entry_dict(self) -> dict[str, int]:
        """``word -> packed value`` (read only!): the suggester indexes it without copying."""
        return self._entries

    def index_cache(self) -> dict[object, object]:
        """Per-dialect data the suggester derives once and shares between instances."""
        return self._indexes

    def __len__(self) -> int:
        return len(self._entries)


def parse_words(text: str) -> dict[str, int]:
    """Parse ``words.txt.gz``: each line is ``VALUE<TAB>word word ...``."""
    entries: dict[str, int] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, words = line.partition("\t")
        entries.update(dict.fromkeys(words.split(" "), int(head)))
    return entries


class SortedTable:
    """``key<TAB>value`` lines sorted by key, kept as one string plus an array of line starts.

    A tenth of the memory of a dict of 95,000 typos (one string instead of 190,000 small
    ones); a lookup is a binary search of a few microseconds, fine for words already known
    to be misspelt.
    """

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        if text and not text.endswith("\n"):
            text += "\n"
        self._text = text
        lengths = (len(line) + 1 for line in text.split("\n")[:-1])
        self._starts = array("I", itertools.chain((0,), itertools.accumulate(lengths)))

    def __len__(self) -> int:
        return len(self._starts) - 1

    def get(self, key: str) -> str | None:
        text = self._text
        starts = self._starts
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            start = starts[mid]
            tab = text.find("\t", start)
            probe = text[start:tab]
            if probe < key:
                lo = mid + 1
            elif probe > key:
                hi = mid
            else:
                return text[tab + 1 : starts[mid + 1] - 1]
        return None

    def items(self) -> Iterator[tuple[str, str]]:
        return _pairs(self._text)


def _pairs(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        key, sep, value = line.partition("\t")
        if sep:
            yield key, value


def _case_like(original: str, word: str) -> str:
    """``word`` in ``original``'s case pattern (lower, Title or UPPER)."""
    if len(original) > 1 and original.isupper():
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
