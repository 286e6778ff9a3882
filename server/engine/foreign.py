"""Should a region's findings be dropped because it is not English (or not language at all)?

"No flags at low confidence": a French quotation, Spanish strings in code or a base64 blob are
not misspelt English, and flagging each of their words buries the real findings. The question
used to be answered by the share of unknown words alone (half or more: foreign), which also
silenced the English that most needs a spelling checker: a child's or a dyslexic writer's
text, or a list of misspellings (400 of them, one per line: 3 findings).

Now the letters decide (:mod:`.langid`, a character-trigram model of English and 17 other
languages):

* a passage of :data:`MIN_WORDS` distinct words or more whose letters read as another language,
  or that is mostly in another script, is foreign;
* a shorter one may have too few letters for statistics: it is foreign when most of its words
  are unknown and one has a letter English does not use (``días``, the old rule), or when its
  letters are clearly another language's (:data:`SHORT_MARGIN`);
* a passage that reads as English is checked however many of its words are unknown, unless
  its letters fit no language (English's trigram score below :data:`DATA_SCORE`: base64, hex
  runs, random identifiers);
* comments and docstrings are prose, and are judged like it: a misspelling-dense comment
  that reads as English is checked (the typo model still lets names such as ``nrows`` through
  word by word);
* in strings the old rule stays as well: a string whose words are mostly unknown is names,
  keys and abbreviations (``nrows ncols xdim``) far more often than misspelt English, and
  letters cannot tell those from English;
* a file's strings are also judged together (:func:`strings_foreign`): a translation table
  (``secondsAgo: "vor {{time}} Sekunden"``, one short string per key) has too few letters per
  string for statistics, but all of them read as German at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .langid import LanguageModel, latin_share
from .lexicon import Lexicon
from .types import RegionKind, Token

#: A passage where at least this share of the distinct words are unknown is, by the old rule,
#: another language or data.
FOREIGN_SHARE = 0.5
#: Distinct words (three letters or more) a passage needs before its letters are trusted.
MIN_WORDS = 6
#: A passage of fewer distinct words is foreign by its letters only when it has this many
#: trigrams and English trails the best language by this much (nats per trigram): no short
#: Gutenberg sentence (5,014 of 3-12 words) does, 2 of 1,000 runs of five misspellings do;
#: short Italian UI text trails by 1.6.
SHORT_MIN_TRIGRAMS = 30
SHORT_MARGIN = 0.5
#: Below this share of Latin letters a passage is in another script (Cyrillic, Greek, CJK...).
MIN_LATIN_SHARE = 0.5
#: English's mean ln P per trigram below which letters are no language at all. English prose
#: scores about -7, lists of misspellings -8 to -9.5, other languages -9 to -10, random letters
#: -12 to -13.
DATA_SCORE = -11.0

_SHARE_RULE_KINDS = frozenset({RegionKind.STRING})
#: A word of letters (any script); digits and underscores end it.
_WORD = re.compile(r"[^\W\d_]+")


def _unknown_share(words: Sequence[str], lexicon: Lexicon, dialect: str) -> float:
    unknown = sum(
        1
        for w in words
        if not lexicon.knows(w, dialect) and not lexicon.knows(w.capitalize(), dialect)
    )
    return unknown / len(words)


def looks_foreign(
    tokens: Sequence[Token],
    lexicon: Lexicon,
    dialect: str,
    kind: RegionKind,
    model: LanguageModel | None = None,
) -> bool:
    """Is this region (its tokens) another language, or data, rather than English?"""
    words = list(
        {t.text.lower(): t.text for t in tokens if len(t.text) >= 3 and t.text.isalpha()}.values()
    )
    if not words:
        return False
    mostly_unknown = _unknown_share(words, lexicon, dialect) >= FOREIGN_SHARE
    if len(words) < MIN_WORDS and mostly_unknown and any(not w.isascii() for w in words):
        return True
    if len(words) >= MIN_WORDS and latin_share(words) < MIN_LATIN_SHARE:
        return True
    guess = (model or LanguageModel.shipped()).guess(t.text for t in tokens if t.text.isalpha())
    if len(words) < MIN_WORDS:
        # Few words, but maybe enough letters: "Avanza riga di a. Avanza PC della costante".
        return guess.trigrams >= SHORT_MIN_TRIGRAMS and guess.margin <= -SHORT_MARGIN
    if guess.language != "en":
        return True
    if not mostly_unknown:
        return False
    return kind in _SHARE_RULE_KINDS or guess.english < DATA_SCORE


#: Characters of a file's strings read to judge their language together (enough for a clear
#: guess; a huge generated table need not be read whole).
STRINGS_CHARS = 20_000


def strings_foreign(
    texts: Iterable[str], lexicon: Lexicon, dialect: str, model: LanguageModel | None = None
) -> bool:
    """Are a file's strings, read together, another language?

    Strict on purpose, since a wrong "yes" silences every string of the file: most of the
    distinct words unknown to English, at least :data:`MIN_WORDS` of them, and English trailing
    the best language by :data:`SHORT_MARGIN`. A file of English messages with a few keys, or
    of keys alone (``'utf8' 'sha512' 'onFail'``), stays English.
    """
    words: dict[str, str] = {}
    read = 0
    for text in texts:
        for word in _WORD.findall(text):
            if len(word) >= 3:
                words.setdefault(word.lower(), word)
        read += len(text)
        if read >= STRINGS_CHARS:
            break
    distinct = list(words.values())
    if len(distinct) < MIN_WORDS or _unknown_share(distinct, lexicon, dialect) < FOREIGN_SHARE:
        return False
    guess = (model or LanguageModel.shipped()).guess(distinct)
    return guess.margin <= -SHORT_MARGIN
