"""Clean English sentences to put errors into: vendored public-domain books, Python's own
documentation, or any text files a user names.

The default corpus must be reproducible without ``../shared`` (users have no such folder), so
two sources are always available:

* ``training/corpus/*.txt.gz``: public-domain books (Project Gutenberg texts, header and
  licence footer stripped, see ``training/corpus/SOURCES.md``), vendored by
  ``python -m training corpus`` from ``../shared/data/text``;
* the docstrings of the Python standard library of the running interpreter (PSF licence),
  read with :mod:`ast`: modern technical English, a useful counterweight to 19th-century prose.
"""

from __future__ import annotations

import ast
import gzip
import logging
import random
import re
import sysconfig
from collections.abc import Iterable, Iterator
from pathlib import Path

from server.engine.grammar.decode import skip_reason
from server.engine.grammar.sentences import split_sentences

log = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).resolve().parents[2] / "corpus"
SHARED_TEXT = Path(__file__).resolve().parents[4] / "shared" / "data" / "text"

_GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
_GUTENBERG_END = re.compile(
    r"^(\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG|End of (the )?Project Gutenberg).*$",
    re.M | re.I,
)


def strip_gutenberg(text: str) -> str:
    """The body of a Project Gutenberg file: every header/footer pair removed (a file may hold
    several books, as Norvig's ``big.txt`` does); text outside any pair is dropped."""
    starts = list(_GUTENBERG_START.finditer(text))
    if not starts:
        return text
    parts = []
    for m in starts:
        end = _GUTENBERG_END.search(text, m.end())
        parts.append(text[m.end() : end.start() if end else len(text)])
    return "\n\n".join(parts)


def vendor_corpus(source: Path = SHARED_TEXT, out_dir: Path = CORPUS_DIR) -> list[Path]:
    """Write stripped, gzipped copies of the public-domain books into ``training/corpus``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    files = [*sorted((source / "gutenberg").glob("*.txt")), source / "norvig-big.txt"]
    for path in files:
        if not path.is_file():
            continue
        body = strip_gutenberg(path.read_text("utf-8", errors="replace"))
        body = re.sub(r"[ \t]+\n", "\n", body)
        target = out_dir / (path.stem + ".txt.gz")
        with target.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(body.encode("utf-8"))
        written.append(target)
        log.info("vendored %s -> %s", path, target)
    return written


def read_text(path: Path) -> str:
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
    return path.read_text("utf-8", errors="replace")


_SKIP_DIRS = {"test", "tests", "testing", "idlelib", "site-packages", "dist-packages", "lib2to3"}


def stdlib_docstrings(limit_files: int | None = None) -> Iterator[str]:
    """Prose paragraphs of the standard library's docstrings (doctest and code lines dropped),
    then the Python reference manual's topics (``pydoc_data``): present-tense expository
    English, the register of essays and documentation rather than of the books."""
    yield from docstrings(Path(sysconfig.get_paths()["stdlib"]), limit_files)
    try:
        from pydoc_data.topics import topics
    except ImportError:  # some distributions leave pydoc_data out
        return
    for name in sorted(topics):
        yield from _prose_paragraphs(topics[name])


def site_docstrings(limit_files: int | None = None) -> Iterator[str]:
    """Docstring prose of the packages installed beside the trainer (the ``train`` extra's
    pinned versions, so a rebuild reads the same text): numpy, torch, transformers... explain
    what things do in the present tense, far more of it than the standard library has."""
    yield from docstrings(Path(sysconfig.get_paths()["purelib"]), limit_files)


def docstrings(root: Path, limit_files: int | None = None) -> Iterator[str]:
    """Prose paragraphs of the docstrings of the ``.py`` files under ``root`` (tests left out)."""
    files = sorted(
        p for p in root.rglob("*.py") if not _SKIP_DIRS & set(p.relative_to(root).parts[:-1])
    )
    for path in files[:limit_files]:
        try:
            tree = ast.parse(path.read_text("utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node)
                if doc:
                    yield from _prose_paragraphs(doc)


def _prose_paragraphs(doc: str) -> Iterator[str]:
    for para in re.split(r"\n\s*\n", doc):
        lines = [ln.strip() for ln in para.splitlines()]
        if any(ln.startswith((">>>", "...", ":", "-", "*", "|", "+")) for ln in lines):
            continue
        yield " ".join(lines)


_BAD = re.compile(r"[_{}<>=\[\]|\\#@^~*]|\s{3,}|[A-Z]{5,}")


def good_sentence(tokens: list[str], text: str, min_words: int, max_words: int) -> bool:
    """A clean sentence worth learning from: normal length, prose, sentence case, ends in
    ``.!?``, no markup."""
    if not (min_words <= len(tokens) <= max_words):
        return False
    if tokens[-1] not in (".", "!", "?") or not tokens[0][:1].isupper():
        return False
    if _BAD.search(text) or skip_reason(tokens, 3) is not None:
        return False
    return sum(t.isalpha() for t in tokens) >= 0.7 * len(tokens)


def sentences_from(texts: Iterable[str], min_words: int, max_words: int) -> Iterator[list[str]]:
    """Tokenised good sentences from raw texts (paragraph-wrapped lines are joined first)."""
    for text in texts:
        text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)  # unwrap hard-wrapped paragraphs
        for sentence in split_sentences(text):
            tokens = [w.text for w in sentence.words]
            if good_sentence(tokens, sentence.text, min_words, max_words):
                yield tokens


def default_texts(include_stdlib: bool = True) -> Iterator[str]:
    """The reproducible default corpus (vendored books, then stdlib docstrings)."""
    files = sorted(CORPUS_DIR.glob("*.txt.gz"))
    if not files:
        log.warning("no vendored corpus in %s; run `python -m training corpus`", CORPUS_DIR)
    for path in files:
        yield read_text(path)
    if include_stdlib:
        yield "\n\n".join(stdlib_docstrings())


def _distinct(texts: Iterable[str], min_words: int, max_words: int) -> list[list[str]]:
    seen: set[tuple[str, ...]] = set()
    out: list[list[str]] = []
    for tokens in sentences_from(texts, min_words, max_words):
        key = tuple(tokens)
        if key not in seen:
            seen.add(key)
            out.append(tokens)
    return out


def load_sentences(
    paths: list[Path],
    *,
    include_stdlib: bool,
    min_words: int,
    max_words: int,
    limit: int | None,
    seed: int,
    site_sentences: int = 0,
) -> list[list[str]]:
    """Deduplicated, shuffled sentences from ``paths`` (files or folders of ``.txt``/``.gz``)
    or, when none are given, the default corpus plus up to ``site_sentences`` sentences of the
    installed packages' docstrings (when ``include_stdlib``); at most ``limit``."""
    if paths:
        files: list[Path] = []
        for p in paths:
            files.extend(sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p])
        out = _distinct((read_text(f) for f in files), min_words, max_words)
    else:
        out = _distinct(default_texts(include_stdlib), min_words, max_words)
        if include_stdlib and site_sentences:
            known = set(map(tuple, out))
            site = [
                t
                for t in _distinct(site_docstrings(), min_words, max_words)
                if tuple(t) not in known
            ]
            random.Random(seed).shuffle(site)
            log.info("corpus: %d of %d package docstring sentences", site_sentences, len(site))
            out.extend(site[:site_sentences])
    random.Random(seed).shuffle(out)
    log.info("corpus: %d distinct sentences", len(out))
    return out[:limit] if limit else out
