"""Command line: ``serve`` (the language server), ``check`` and ``fix`` on the same engine.

``python -m server`` with no command starts the server on stdio, so editors can run either
``python -m server`` or ``quill-lsp``. ``quill check`` prints findings (text or JSON lines) and
exits 0 when there are none, 1 when there are, 2 on a usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import __version__
from .engine.checkable import skip_reason
from .engine.checker import Checker, CheckOptions, invalid_patterns
from .engine.extract import canonical_language, is_supported, language_for_path, supported_languages
from .engine.fix import apply_edits, first_suggestion_edits
from .engine.types import Category, Issue
from .engine.vocabulary import ProjectVocabulary
from .workspace.atomic import atomic_write_bytes
from .workspace.text_files import UndecodableFile
from .workspace.walk import iter_files
from .workspace.word_lists import (
    WORKSPACE_DICTIONARY,
    WordList,
    normalise_word,
    user_dictionary_path,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
CATEGORIES = ("spelling", "grammar")
DEFAULT_MAX_FILE_SIZE = 2_000_000


# -- arguments ---------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quill",
        description="Quill: spelling for prose and code, as a language server and a checker.",
    )
    parser.add_argument("--version", action="version", version=f"quill {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser(
        "serve", help="run the language server (the default of python -m server)"
    )
    _serve_arguments(serve)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "paths", nargs="+", metavar="PATH", help="files or directories ('-' reads stdin)"
        )
        p.add_argument(
            "--dialect", choices=("en-US", "en-GB"), default="en-US", help="English dialect"
        )
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

    check = sub.add_parser("check", help="report findings")
    common(check)
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (path:line:col: ...) or json (one object per line)",
    )
    fix = sub.add_parser("fix", help="apply the first suggestion of every finding")
    common(fix)
    mode = fix.add_mutually_exclusive_group()
    mode.add_argument(
        "--stdout", action="store_true", help="print the corrected text (the default)"
    )
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")
    from .complete import add_arguments as complete_arguments

    complete_arguments(sub.add_parser("complete", help="print the code model's suggestion"))
    return parser


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    p.add_argument("--log-file", metavar="PATH", help="write the log here (default: stderr)")
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level",
    )


# -- serve -----------------------------------------------------------------------------------
def serve(args: argparse.Namespace) -> int:
    # Logs go to stderr or a file, never stdout: stdout is the protocol.
    handler: logging.Handler = (
        logging.FileHandler(args.log_file, encoding="utf-8")
        if args.log_file
        else logging.StreamHandler(sys.stderr)
    )
    logging.basicConfig(
        level=getattr(logging, args.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[handler],
    )
    from .lsp import transport  # the LSP stack is only imported to serve
    from .lsp.server import build_server

    ls = build_server()
    # The checker threads run Python code that holds the GIL; the event loop waits for it at
    # every turn. With the default 5 ms switch interval a loop turn that needs the GIL a few
    # times waits tens of milliseconds behind a busy checker; 1 ms keeps the loop responsive.
    sys.setswitchinterval(0.001)
    # Quill's own reading loop (server/lsp/transport.py), not pygls' start_io/start_tcp: it
    # survives malformed messages and ends with the status LSP asks for (0 after shutdown).
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not host or not port.isdigit():
            print(f"quill: --tcp expects HOST:PORT, got {args.tcp!r}", file=sys.stderr)
            return EXIT_ERROR
        return transport.serve_tcp(ls, host, int(port))
    return transport.serve_io(ls)


def serve_main(argv: Sequence[str] | None = None) -> int:
    """``quill-lsp``: the language server."""
    parser = argparse.ArgumentParser(prog="quill-lsp", description="Quill's language server.")
    parser.add_argument("--version", action="version", version=f"quill {__version__}")
    _serve_arguments(parser)
    return serve(parser.parse_args(argv))


# -- check and fix ---------------------------------------------------------------------------
@dataclass
class FileResult:
    path: str
    text: str
    issues: list[Issue]
    had_bom: bool = False


def _workspace_root(start: Path) -> Path | None:
    start = start.resolve()
    for parent in [start, *start.parents]:
        if (parent / ".quill").is_dir() or (parent / ".git").exists():
            return parent
    return None


def _accepted_words(args: argparse.Namespace) -> tuple[frozenset[str], list[str]]:
    words: set[str] = {w for w in (normalise_word(x) for x in args.word) if w}
    problems: list[str] = []
    lists: list[WordList] = []
    if not args.no_user_dictionary:
        lists.append(WordList(user_dictionary_path()))
    root = _workspace_root(Path.cwd())
    if root is not None:
        lists.append(WordList(root / WORKSPACE_DICTIONARY))
    for wl in lists:
        words |= wl.words()
        if wl.error:
            problems.append(wl.error)
    return frozenset(words), problems


def _read(path: str, max_size: int) -> tuple[str, bool]:
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    if len(data) > max_size:
        raise UndecodableFile(
            f"it is {len(data)} bytes, over the {max_size}-byte limit (--max-file-size)"
        )
    from .workspace.text_files import decode_text

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
        from .runtime.grammar_model import load_grammar

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
    learnt = vocabulary.words
    for result in results:
        result.issues = [
            i
            for i in result.issues
            if not _speaks_of_spelling(i)
            or (i.text.lower() not in accepted and i.text.lower() not in learnt)
        ]
    return results, error


def _speaks_of_spelling(issue: Issue) -> bool:
    """Word lists accept words: they apply to spelling findings only."""
    return issue.category.value == "spelling" or issue.rule == "grammar.spelling"


def _selected(args: argparse.Namespace, err: TextIO) -> set[str] | None:
    selected = {c.strip() for c in args.select.split(",") if c.strip()}
    unknown = selected - set(CATEGORIES)
    if unknown:
        known = ", ".join(CATEGORIES)
        print(f"quill: unknown category {', '.join(sorted(unknown))} (known: {known})", file=err)
        return None
    args.selected = sorted(selected)
    return selected


def _line_col(text: str, offset: int, line_starts: list[int]) -> tuple[int, int]:
    import bisect

    line = bisect.bisect_right(line_starts, offset) - 1
    return line + 1, offset - line_starts[line] + 1


def _line_starts(text: str) -> list[int]:
    import re

    return [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]


def _json_span(text: str, start: int, end: int, starts: list[int]) -> dict[str, int]:
    line, column = _line_col(text, start, starts)
    end_line, end_column = _line_col(text, end, starts)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}


def check_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    selected = _selected(args, err)
    if selected is None:
        return EXIT_ERROR
    results, error = run_checks(args, err)
    found = 0
    for result in results:
        starts = _line_starts(result.text)
        for issue in result.issues:
            if issue.category.value not in selected:
                continue
            found += 1
            line, column = _line_col(result.text, issue.start, starts)
            end_line, end_column = _line_col(result.text, issue.end, starts)
            if args.format == "json":
                out.write(
                    json.dumps(
                        {
                            "path": result.path,
                            "line": line,
                            "column": column,
                            "end_line": end_line,
                            "end_column": end_column,
                            "category": issue.category.value,
                            "rule": issue.rule,
                            "message": issue.full_message,
                            "text": issue.text,
                            "suggestions": list(issue.suggestions),
                            "related": [
                                _json_span(result.text, s, e, starts) for s, e in issue.related
                            ],
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
            else:
                hint = _suggestions_hint(issue)
                out.write(
                    f"{result.path}:{line}:{column}: {issue.rule}: {issue.full_message}{hint}\n"
                )
    if error:
        return EXIT_ERROR
    return EXIT_FINDINGS if found else EXIT_CLEAN


def _suggestions_hint(issue: Issue) -> str:
    """`` (suggestions: a, b)`` for a person reading ``quill check``; nothing for grammar,
    whose message already names the edit ("insert “a”", "remove “,”", "“a” → “an”"): its
    suggestions are replacements of the flagged span ("buy" -> "buy a"), which read as noise."""
    if issue.category is Category.GRAMMAR:
        return ""
    shown = [s for s in issue.suggestions if s.strip()]
    return f" (suggestions: {', '.join(shown)})" if shown else ""


def fix_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    selected = _selected(args, err)
    if selected is None:
        return EXIT_ERROR
    if not args.write and len(args.paths) > 1:
        print(
            "quill: fix prints one file's text; use --write to fix several files in place", file=err
        )
        return EXIT_ERROR
    results, error = run_checks(args, err)
    for result in results:
        edits = first_suggestion_edits([i for i in result.issues if i.category.value in selected])
        fixed = apply_edits(result.text, edits)
        if args.write:
            if edits and result.path != "-":
                data = fixed.encode("utf-8")
                atomic_write_bytes(
                    Path(result.path), b"\xef\xbb\xbf" + data if result.had_bom else data
                )
                print(f"quill: {result.path}: {len(edits)} fix(es) applied", file=err)
        else:
            out.write(fixed)
            out.flush()
    return EXIT_ERROR if error else EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m server``: the language server unless a command is given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("--") and argv[0] not in ("--help", "-h", "--version")):
        argv = ["serve", *argv]  # python -m server [--tcp ...]: the language server
    return quill_main(argv)


def quill_main(argv: Sequence[str] | None = None) -> int:
    """``quill``: check, fix or serve; help when no command is given."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not argv:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.command == "serve":
        return serve(args)
    try:
        if args.command == "check":
            return check_command(args, sys.stdout, sys.stderr)
        if args.command == "fix":
            return fix_command(args, sys.stdout, sys.stderr)
        if args.command == "complete":
            from .complete import complete_command

            return complete_command(args, sys.stdout, sys.stderr)
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130
    parser.print_help(sys.stderr)
    return EXIT_ERROR
