"""Sentences and words with offsets, for grammar: pure Python, good enough for English prose.

Grammar works sentence by sentence (the tagger sees one sentence, an issue's offsets are
relative to it), and on word tokens in the Penn Treebank style that learner corpora (CoNLL,
JFLEG, BEA) and the training data use: punctuation is its own token and clitics are split
("don't" -> "do" "n't", "John's" -> "John" "'s"). Every token keeps its ``[start, end)`` offsets,
so a correction always maps back to the exact characters of the original text, whatever the
spacing was.

Sentence ends are ``.``, ``!``, ``?`` (and ``...``) followed by a capital, a digit, an opening
quote or the end of the text, plus blank lines. Known abbreviations ("e.g.", "Dr.", "U.S."),
initials ("J. R. R. Tolkien") and decimals ("3.14") do not end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Abbreviations whose period is part of the word (lower-cased, without the final period).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs etc al fig figs eq eqs no nos vol vols ch chap sec p pp
    ed eds inc ltd co corp dept univ approx est jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun gen col capt lt sgt rev hon gov pres ave blvd
    cf ibid op viz
    """.split()
)

_TOKEN = re.compile(
    r"""
      (?P<url>(?:https?://|www\.)[^\s<>"')\]]+[^\s<>"')\].,;:!?])
    | (?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
    | (?P<dotted>(?:[^\W\d_]\.){2,})                 # e.g. i.e. U.S.
    | (?P<dotted_name>[^\W\d_]\w*(?:\.[^\W\d_]\w*)+(?=[\s,;:)]|\.(?:\s|$)|$))  # os.path
    | (?P<number>\d+(?:[.,:/]\d+)*(?:st|nd|rd|th|s|%)?)
    | (?P<word>[^\W\d_](?:[\w]|[-'’](?=[^\W_]))*)  # letters, digits, inner ' or -
    | (?P<ellipsis>\.\.\.|…)
    | (?P<dash>--+|—|–)
    | (?P<punct>[^\w\s])
    """,
    re.VERBOSE,
)

#: Clitics split off a word, Penn Treebank style (longest first).
_CLITIC = re.compile(r"(?i)(n['’]t|['’](?:s|re|ve|ll|d|m))$")

_ENDS = frozenset({".", "!", "?", "...", "…"})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})
_OPENERS = frozenset({'"', "'", "“", "‘", "(", "[", "«"})


@dataclass(frozen=True, slots=True)
class Word:
    """One token: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of ``source[start:end]`` and its tokens (offsets into the whole text)."""

    start: int
    end: int
    text: str
    words: tuple[Word, ...]


def tokenize(text: str, offset: int = 0) -> list[Word]:
    """Word tokens of ``text`` with offsets (plus ``offset``)."""
    words: list[Word] = []
    for m in _TOKEN.finditer(text):
        start, end, tok = m.start() + offset, m.end() + offset, m.group()
        if m.lastgroup == "word":
            # "Dr." and "etc.": the period belongs to the abbreviation.
            if tok.lower() in ABBREVIATIONS and text[m.end() : m.end() + 1] == ".":
                words.append(Word(start, end + 1, tok + "."))
                continue
            clitic = _CLITIC.search(tok)
            if clitic and clitic.start() > 0:
                cut = start + clitic.start()
                words.append(Word(start, cut, tok[: clitic.start()]))
                words.append(Word(cut, end, tok[clitic.start() :]))
                continue
        words.append(Word(start, end, tok))
    # A period the abbreviation rule already took must not reappear as its own token.
    out: list[Word] = []
    for w in words:
        if out and w.start < out[-1].end:
            continue
        out.append(w)
    return out


def _is_end(words: list[Word], k: int) -> int:
    """If a sentence ends at token ``k``, the index of its last token (closers included); else
    -1."""
    w = words[k]
    if w.text not in _ENDS:
        return -1
    prev = words[k - 1] if k else None
    # Initials ("J. Smith") do not end a sentence.
    if (
        w.text == "."
        and prev is not None
        and prev.end == w.start
        and len(prev.text) == 1
        and prev.text.isupper()
    ):
        return -1
    last = k
    while (
        last + 1 < len(words)
        and words[last + 1].text in _CLOSERS
        and (words[last + 1].start == words[last].end)
    ):
        last += 1
    if last + 1 == len(words):
        return last
    nxt = words[last + 1]
    if nxt.start == words[last].end:  # "3.5", "a.b": no space, no sentence end
        return -1
    first = nxt.text[:1]
    if first.isupper() or first.isdigit() or nxt.text in _OPENERS:
        return last
    # "a wrapped line. it goes on": a full stop after an ordinary word (abbreviations keep their
    # period inside the token) still ends the sentence; the missing capital is an error to flag.
    # Not after a closing quote or bracket: in '"Where to?" she asked.' the sentence goes on.
    if (
        w.text in (".", "!", "?")
        and last == k
        and prev is not None
        and len(prev.text) > 1
        and prev.text.isalpha()
    ):
        return last
    return -1


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order, with their tokens (blank lines always split)."""
    sentences: list[Sentence] = []
    # A blank line may hold spaces, tabs and the \r of CRLF line ends.
    for para in re.finditer(r"(?:[^\n]|\n(?![ \t\r]*\n))+", text):
        words = tokenize(para.group(), para.start())
        begin = 0
        for k in range(len(words)):
            last = _is_end(words, k)
            if last < 0 or last < begin:
                continue
            chunk = words[begin : last + 1]
            sentences.append(_sentence(text, chunk))
            begin = last + 1
        if begin < len(words):
            sentences.append(_sentence(text, words[begin:]))
    return sentences


def _sentence(text: str, words: list[Word]) -> Sentence:
    start, end = words[0].start, words[-1].end
    return Sentence(start, end, text[start:end], tuple(words))


#: No space goes before these tokens when tokens are joined back into text.
_NO_SPACE_BEFORE = frozenset({".", ",", ";", ":", "!", "?", "...", "…", ")", "]", "}", "%", "”"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "“", "$"})


def detokenize(tokens: list[str]) -> str:
    """Join tokens into text with English spacing (for suggestions that insert new tokens)."""
    out = ""
    for k, tok in enumerate(tokens):
        glue = (
            k == 0
            or tok in _NO_SPACE_BEFORE
            or bool(_CLITIC.fullmatch(tok))
            or tokens[k - 1] in _NO_SPACE_AFTER
        )
        out += tok if glue else " " + tok
    return out
