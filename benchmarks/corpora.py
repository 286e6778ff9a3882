"""The inputs: deterministic samples of real code and prose found on this machine, and the
two typo lists planted into them.

Everything is chosen by a seeded shuffle of a *sorted* file list, so a run is reproducible on
the same machine, and every tool receives byte-identical copies (written with ``\\n`` line
ends and UTF-8, so line numbers mean the same thing to every tool).

Python standard library (``sysconfig.get_paths()["stdlib"]``), excluded and why:

* ``test/``, ``tests/``, ``idle_test/`` directories: test data is full of deliberate
  misspellings, garbage identifiers and broken code (``lib2to3/tests/data``), which would
  measure the tests' mischief instead of false positives on ordinary code;
* ``site-packages/``: third-party code, not the standard library, and it varies by machine;
* ``encodings/``, ``pydoc_data/``, ``_sysconfigdata_*.py``, ``stringprep.py``: generated
  files (codec tables, the help topics dump, build flags, RFC tables), not written by people;
* ``this.py``: the Zen of Python ROT13-encoded, gibberish on purpose;
* ``config-3.*``, ``lib-dynload``, ``ensurepip/_bundled``: build files and wheels, no code.

``idlelib`` (an ordinary application) and the rest of ``lib2to3`` stay in.

The other-language corpus uses what this machine has: npm's own JavaScript (and its
dependencies) under ``/usr/lib/node_modules/npm`` (minified files and test directories left
out), C headers from ``/usr/include`` (glibc, Linux UAPI, CPython, OpenSSL) and LLVM 14's C++
headers, copied with a ``.hpp`` suffix so every tool parses them as C++ (their ``.h`` would
read as C). There are no TypeScript, Go, Rust or Java sources on this machine.
"""

from __future__ import annotations

import ast
import hashlib
import random
import re
import shutil
import sysconfig
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .common import DATA

TYPOS_CSV = DATA / "typo-lists" / "typos-words.csv"
CODESPELL_TXT = DATA / "typo-lists" / "codespell-dictionary.txt"
GUTENBERG = DATA / "text" / "gutenberg"
SCOWL_DIR = Path("/usr/share/dict/scowl")

_EXCLUDED_DIRS = {
    "test",
    "tests",
    "idle_test",
    "site-packages",
    "encodings",
    "pydoc_data",
    "__pycache__",
    "lib-dynload",
    "_bundled",
}
_EXCLUDED_FILES = {"this.py", "stringprep.py"}


# -- code ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceFile:
    """A file to copy into a corpus: where it is, its text and the name it gets there."""

    origin: Path
    relative: str
    text: str

    @property
    def lines(self) -> int:
        return self.text.count("\n") + (0 if self.text.endswith("\n") or not self.text else 1)


def _read_clean(path: Path, max_line: int = 400) -> str | None:
    """The file as text with ``\\n`` line ends, or None when it is not UTF-8, is empty or has
    a line longer than ``max_line`` (minified or generated)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip() or "\x00" in text:
        return None
    if any(len(line) > max_line for line in text.split("\n")):
        return None
    return text if text.endswith("\n") else text + "\n"


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_files() -> list[SourceFile]:
    """Every eligible ``.py`` file of the standard library, sorted by relative path."""
    root = stdlib_root()
    found: list[SourceFile] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(part in _EXCLUDED_DIRS or part.startswith("config-") for part in rel.parts[:-1]):
            continue
        if rel.name in _EXCLUDED_FILES or rel.name.startswith("_sysconfigdata"):
            continue
        text = _read_clean(path, max_line=10_000)
        if text is not None:
            found.append(SourceFile(path, str(rel), text))
    return found


def sample_lines(
    files: Sequence[SourceFile], seed: str, target_lines: int, exclude: Iterable[str] = ()
) -> list[SourceFile]:
    """A seeded shuffle of ``files``, taken in order until ``target_lines`` lines are reached
    (files named in ``exclude`` are skipped, so two suites can draw disjoint samples)."""
    skip = set(exclude)
    pool = [f for f in files if f.relative not in skip]
    random.Random(seed).shuffle(pool)
    chosen: list[SourceFile] = []
    total = 0
    for source in pool:
        if total >= target_lines:
            break
        chosen.append(source)
        total += source.lines
    return sorted(chosen, key=lambda f: f.relative)


def _collect(
    roots: Iterable[Path],
    pattern: str,
    *,
    exclude_parts: set[str],
    suffix: str | None = None,
    prefix: str = "",
) -> list[SourceFile]:
    found: list[SourceFile] = []
    for root in roots:
        if not root.exists():
            continue
        candidates = sorted(root.glob(pattern))
        for path in candidates:
            if not path.is_file() or path.name.endswith(".min.js"):
                continue
            rel = path.relative_to(root.parent)
            if exclude_parts & {p.lower() for p in rel.parts}:
                continue
            text = _read_clean(path)
            if text is None:
                continue
            name = str(rel)
            if suffix:
                name = str(Path(name).with_suffix(suffix))
            found.append(SourceFile(path, f"{prefix}{name}", text))
    return found


_TEST_PARTS = {"test", "tests", "__tests__", "spec", "fixtures", "example", "examples", "bench"}


def other_language_files() -> dict[str, list[SourceFile]]:
    """Candidate files per language (sorted); see the module docstring for the sources."""
    include = Path("/usr/include")
    c_roots = [include / d for d in ("linux", "x86_64-linux-gnu", "python3.11", "openssl")]
    c_files = [
        SourceFile(p, f"c/include/{p.name}", t)
        for p in sorted(include.glob("*.h"))
        if (t := _read_clean(p)) is not None
    ]
    c_files += _collect(c_roots, "**/*.h", exclude_parts=_TEST_PARTS, prefix="c/")
    return {
        "javascript": _collect(
            [Path("/usr/lib/node_modules/npm")], "**/*.js", exclude_parts=_TEST_PARTS, prefix="js/"
        ),
        "c": c_files,
        "cpp": _collect(
            [include / "llvm-14"], "**/*.h", exclude_parts=_TEST_PARTS, suffix=".hpp", prefix="cpp/"
        ),
    }


def write_corpus(files: Iterable[SourceFile], dest: Path) -> list[Path]:
    """Copy ``files`` under ``dest`` (emptied first) by their relative names."""
    if dest.exists():
        shutil.rmtree(dest)
    written: list[Path] = []
    for source in files:
        target = dest / source.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.text, encoding="utf-8")
        written.append(target)
    return written


# -- prose --------------------------------------------------------------------------------------
def gutenberg_body(path: Path) -> str:
    """A Gutenberg book without its licence header and footer."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    start = re.search(r"^\*\*\* ?START OF (THIS|THE) PROJECT GUTENBERG.*$", text, re.M)
    end = re.search(r"^\*\*\* ?END OF (THIS|THE) PROJECT GUTENBERG.*$", text, re.M)
    return text[start.end() if start else 0 : end.start() if end else len(text)]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]*[A-Z])")


def gutenberg_sentences(min_words: int = 6, max_words: int = 40) -> list[str]:
    """Sentences of the public-domain books: paragraphs joined into one line, cut after
    ``.!?``; only ordinary sentences (6 to 40 words, no headings, no all-capitals lines, no
    ``_italics_`` or ``[notes]`` markup) are kept, in book order."""
    sentences: list[str] = []
    for book in sorted(GUTENBERG.glob("*.txt")):
        for paragraph in re.split(r"\n\s*\n", gutenberg_body(book)):
            flat = " ".join(paragraph.split())
            if not flat or flat.isupper():
                continue
            for sentence in _SENTENCE_END.split(flat):
                words = sentence.split()
                if not (min_words <= len(words) <= max_words):
                    continue
                if re.search(r"[_\[\]{}<>|*#@=\d]", sentence) or sentence[:1].islower():
                    continue
                if sum(1 for w in words if w.isupper() and len(w) > 1) > 1:
                    continue
                sentences.append(sentence)
    return sentences


def _docstring_paragraphs() -> list[str]:
    paragraphs: list[str] = []
    for source in stdlib_files():
        try:
            tree = ast.parse(source.text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(
                node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
            ):
                continue
            doc = ast.get_docstring(node)
            if doc:
                paragraphs += [p.strip() for p in re.split(r"\n\s*\n", doc) if p.strip()]
    return paragraphs


def prose_corpus(target_bytes: int) -> tuple[str, str]:
    """About ``target_bytes`` of real English prose, and a description of what it holds: the
    standard library's docstrings (module, class and function ones, sorted file order, split
    into paragraphs; prose about code, the kind of text Quill checks in a docs folder), then,
    when they run out, the Gutenberg books' paragraphs, in sorted book order."""
    parts: list[str] = []
    size = 0
    counts = {"docstring": 0, "gutenberg": 0}
    books = [
        " ".join(p.split())
        for book in sorted(GUTENBERG.glob("*.txt"))
        for p in re.split(r"\n\s*\n", gutenberg_body(book))
        if p.strip()
    ]
    for origin, paragraphs in (("docstring", _docstring_paragraphs()), ("gutenberg", books)):
        for paragraph in paragraphs:
            chunk = paragraph + "\n\n"
            chunk_size = len(chunk.encode("utf-8"))
            if size + chunk_size > target_bytes:
                return "".join(parts), _describe(counts)
            parts.append(chunk)
            size += chunk_size
            counts[origin] += chunk_size
    return "".join(parts), _describe(counts)


def _describe(counts: dict[str, int]) -> str:
    mib = {k: v / 1024 / 1024 for k, v in counts.items()}
    text = f"{mib['docstring']:.2f} MiB of stdlib docstrings"
    if counts["gutenberg"]:
        text += f" + {mib['gutenberg']:.2f} MiB of Gutenberg paragraphs"
    return text


# -- typo lists ---------------------------------------------------------------------------------
def _load_held_out() -> object:
    """``training.spelling.lexicon.held_out``: the tenth of typos Quill never learns from."""
    try:
        from training.spelling.lexicon import held_out
    except Exception:  # the builder belongs to others; without it the split is unknown
        return None
    return held_out


def held_out_tenth(typo: str) -> bool | None:
    """Is ``typo`` in Quill's held-out tenth? None when that cannot be decided."""
    function = _load_held_out() if "held_out" not in _CACHE else _CACHE["held_out"]
    _CACHE["held_out"] = function
    return bool(function(typo)) if callable(function) else None


_CACHE: dict[str, object] = {}


def real_words() -> frozenset[str]:
    """SCOWL's English, American and British words up to size 70, lower-cased: a typo that is
    one of these is a real-word error, which no spell-checker can flag and which would only
    add noise; such pairs are not planted. (SCOWL is read from the Debian package; without it
    nothing is filtered.)"""
    words: set[str] = set()
    if SCOWL_DIR.is_dir():
        for path in sorted(SCOWL_DIR.iterdir()):
            name, _, size = path.name.rpartition(".")
            if not size.isdigit() or int(size) > 70:
                continue
            if not re.fullmatch(
                r"(english|american|british|british_z)-(words|upper|contractions)", name
            ):
                continue
            words.update(w.lower() for w in path.read_text(encoding="latin-1").split())
    return frozenset(words)


@dataclass(frozen=True)
class TypoSource:
    """Misspellings by intended word: ``by_word[W]`` lists real misspellings ``M`` of ``W``."""

    name: str
    by_word: dict[str, tuple[str, ...]]

    def misspellings(self, word: str) -> tuple[str, ...]:
        return self.by_word.get(word.lower(), ())


_PLAIN = re.compile(r"^[a-z]+$")


def load_typo_sources(min_len: int = 4) -> tuple[TypoSource, TypoSource]:
    """(a) crate-ci/typos' ``words.csv`` (Quill ships it: optimistic for Quill) and (b)
    codespell's dictionary minus every misspelling that ``words.csv`` has (96% of codespell's
    are in it, so (b) is small). Both plain lower-case letters, the word at least ``min_len``
    letters, the misspelling not a real word (:func:`real_words`). A misspelling listed with
    several corrections (``makin -> making, main``) is only planted for the first one, the
    list's own best guess, so "the first suggestion is right" stays well defined."""
    words = real_words()
    typos_keys: set[str] = set()
    a: dict[str, list[str]] = {}
    for line in TYPOS_CSV.read_text(encoding="utf-8").splitlines():
        fields = [f.strip() for f in line.strip().split(",") if f.strip()]
        if len(fields) < 2:
            continue
        typo = fields[0].lower()
        typos_keys.add(typo)
        if not _PLAIN.match(typo) or typo in words:
            continue
        right = fields[1]
        if _PLAIN.match(right) and len(right) >= min_len:
            a.setdefault(right, []).append(typo)
    b: dict[str, list[str]] = {}
    for line in CODESPELL_TXT.read_text(encoding="utf-8").splitlines():
        typo, sep, fixes = line.partition("->")
        typo = typo.strip()
        if not sep or typo.lower() in typos_keys or not _PLAIN.match(typo) or typo in words:
            continue
        right = fixes.split(",")[0].strip()
        if _PLAIN.match(right) and len(right) >= min_len:
            b.setdefault(right, []).append(typo)
    return (
        TypoSource("typos-words.csv", {k: tuple(sorted(set(v))) for k, v in a.items()}),
        TypoSource("codespell-only", {k: tuple(sorted(set(v))) for k, v in b.items()}),
    )


def stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def match_case(template: str, word: str) -> str:
    """``word`` written in the case pattern of ``template`` (lower, Title or UPPER)."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
