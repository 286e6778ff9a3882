"""The files named on the command line, read and checked: what ``quill check`` reports and
``quill fix`` corrects.

Files are found, read and skipped as the server's workspace scan does (:mod:`server.workspace`,
:mod:`server.engine.checkable`) and checked by the same :class:`~server.engine.checker.Checker`;
the words the user accepted (``--word``, the user's and the workspace's dictionaries, the
words of the files checked) are let through by the server's own rule
(:mod:`server.engine.accepted`).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..engine.accepted import without_accepted
from ..engine.checkable import skip_reason
from ..engine.checker import Checker, CheckOptions, invalid_patterns
from ..engine.extract import (
    canonical_language,
    is_supported,
    language_for_path,
    supported_languages,
)
from ..engine.types import Issue
from ..engine.vocabulary import ProjectVocabulary
from ..workspace.text_files import UndecodableFile, decode_text
from ..workspace.walk import iter_files
from ..workspace.word_lists import (
    WORKSPACE_DICTIONARY,
    WordList,
    normalise_word,
    user_dictionary_path,
    workspace_root,
)

CATEGORIES = ("spelling", "grammar")
DEFAULT_MAX_FILE_SIZE = 2_000_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments ``check`` and ``fix`` share: what to read and how to check it."""
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or directories ('-' reads stdin)"
    )
    p.add_argument("--dialect", choices=("en-US", "en-GB"), default="en-US", help="English dialect")
    p.add_argument(
        "--language",
        metavar="ID",
        help="language id for every file (default: from the file name; stdin: plaintext)",
    )
    p.add_argument(
        "--word",
        "-w",
        action="append",
        default=[],
        metavar="WORD",
        help="a word to accept (repeatable)",
    )
    p.add_argument(
        "--ignore-pattern",
        action="append",
        default=[],
        metavar="REGEX",
        help="text matching this regular expression is not checked (repeatable)",
    )
    p.add_argument(
        "--no-gitignore", action="store_true", help="also check files .gitignore excludes"
    )
    p.add_argument(
        "--no-user-dictionary",
        action="store_true",
        help=f"do not read the user dictionary ({user_dictionary_path()})",
    )
    p.add_argument(
        "--max-file-size",
        type=int,
        default=DEFAULT_MAX_FILE_SIZE,
        metavar="BYTES",
        help="skip files larger than this (default: %(default)s)",
    )
    p.add_argument(
        "--no-suggestions",
        action="store_true",
        help="list findings without ranking corrections (faster; known fixes only)",
    )
    p.add_argument(
        "--select",
        default="spelling,grammar",
        metavar="CATEGORIES",
        help="comma-separated categories to report: spelling, grammar (default: both)",
    )
    p.add_argument(
        "--grammar-model",
        metavar="DIR",
        help="grammar model directory (default: the shipped models/grammar-minilm)",
    )
    p.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="where the grammar model runs (auto: CUDA when onnxruntime-gpu finds a GPU)",
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        metavar="P",
        help="hide grammar corrections less sure than P, 0 to 1 (default: the model's own)",
    )


@dataclass
class FileResult:
    """One file checked: its text and findings (``quill fix`` edits the text, and keeps the
    byte-order mark it had when it writes the file back)."""

    path: str
    text: str
    issues: list[Issue]
    had_bom: bool = False


def _accepted_words(args: argparse.Namespace) -> tuple[frozenset[str], list[str]]:
    """The words this run accepts (``--word``, the user's dictionary, the dictionary of the
    workspace the command runs in) and the problems reading them, to warn about."""
    words: set[str] = {w for w in (normalise_word(x) for x in args.word) if w}
    problems: list[str] = []
    lists: list[WordList] = []
    if not args.no_user_dictionary:
        lists.append(WordList(user_dictionary_path()))
    root = workspace_root(Path.cwd())
    if root is not None:
        lists.append(WordList(root / WORKSPACE_DICTIONARY))
    for wl in lists:
        words |= wl.words()
        if wl.error:
            problems.append(wl.error)
    return frozenset(words), problems


def _read(path: str, max_size: int) -> tuple[str, bool]:
    """A file's (or stdin's) text, and whether it started with a UTF-8 byte-order mark."""
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    if len(data) > max_size:
        raise UndecodableFile(
            f"it is {len(data)} bytes, over the {max_size}-byte limit (--max-file-size)"
        )
    return decode_text(data), data.startswith(b"\xef\xbb\xbf")


def run_checks(args: argparse.Namespace, err: TextIO) -> tuple[list[FileResult], bool]:
    """Check every file; returns the results and whether an I/O or usage error happened."""
    error = False
    bad = invalid_patterns(args.ignore_pattern)
    if bad:
        for problem in bad:
            print(f"quill: invalid --ignore-pattern {problem}", file=err)
        return [], True
    if args.language and not is_supported(args.language):
        print(
            f"quill: unknown language {args.language!r}; known: {', '.join(supported_languages())}",
            file=err,
        )
        return [], True
    selected = set(args.selected)
    grammar = None
    if "grammar" in selected:
        if args.min_confidence is not None and not 0 <= args.min_confidence <= 1:
            print(
                f"quill: --min-confidence must be from 0 to 1, got {args.min_confidence}", file=err
            )
            return [], True
        from ..runtime.grammar_model import load_grammar

        model = load_grammar(args.grammar_model, args.device, min_confidence=args.min_confidence)
        grammar = model.corrector
        if model.failed:
            print(f"quill: warning: {model.status}", file=err)
            if selected == {"grammar"}:
                return [], True
    checker = Checker(
        CheckOptions(
            spelling="spelling" in selected,
            dialect=args.dialect,
            ignore_patterns=tuple(args.ignore_pattern),
            suggestions=not args.no_suggestions,
            grammar=grammar is not None,
        ),
        grammar=grammar,
    )
    accepted, problems = _accepted_words(args)
    for problem in problems:
        print(f"quill: warning: {problem}", file=err)
    vocabulary = ProjectVocabulary()
    results: list[FileResult] = []
    explicit = {p for p in args.paths}
    paths = (
        ["-"]
        if args.paths == ["-"]
        else [str(p) for p in iter_files(args.paths, respect_gitignore=not args.no_gitignore)]
    )
    for path in paths:
        language = args.language or (language_for_path(path) if path != "-" else "plaintext")
        if language is None:
            language = "plaintext"  # a file named explicitly with an unknown extension
        try:
            text, had_bom = _read(path, args.max_file_size)
        except FileNotFoundError:
            print(f"quill: {path}: no such file or directory", file=err)
            error = True
            continue
        except UndecodableFile as exc:
            if path in explicit:
                print(f"quill: {path}: skipped: {exc}", file=err)
            continue
        except OSError as exc:
            print(f"quill: {path}: {exc.strerror or exc}", file=err)
            error = True
            continue
        reason = skip_reason(text, args.max_file_size)
        if reason:
            print(f"quill: {path}: skipped: {reason}", file=err)
            continue
        checked = checker.check(text, canonical_language(language))
        if checked.grammar_error is not None:
            print(f"quill: {path}: grammar failed: {checked.grammar_error}", file=err)
        issues = checked.issues
        vocabulary.update(path, issues)
        results.append(FileResult(path, text, issues, had_bom))
    for result in results:
        result.issues = without_accepted(result.issues, [accepted, vocabulary.words])
    return results, error


def selected_categories(args: argparse.Namespace, err: TextIO) -> set[str] | None:
    selected = {c.strip() for c in args.select.split(",") if c.strip()}
    unknown = selected - set(CATEGORIES)
    if unknown:
        known = ", ".join(CATEGORIES)
        print(f"quill: unknown category {', '.join(sorted(unknown))} (known: {known})", file=err)
        return None
    args.selected = sorted(selected)
    return selected
