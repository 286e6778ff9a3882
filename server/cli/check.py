"""``quill check``: findings as ``path:line:col: rule: message`` or JSON lines.

Exits 0 when there are none, 1 when there are, 2 on a usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from ..engine.types import Category, Issue
from . import findings
from .exit_status import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from .findings import run_checks, selected_categories
from .positions import line_column, line_starts


def add_arguments(check: argparse.ArgumentParser) -> None:
    findings.add_arguments(check)
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (path:line:col: ...) or json (one object per line)",
    )


def _json_span(start: int, end: int, starts: list[int]) -> dict[str, int]:
    line, column = line_column(start, starts)
    end_line, end_column = line_column(end, starts)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}


def check_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    selected = selected_categories(args, err)
    if selected is None:
        return EXIT_ERROR
    results, error = run_checks(args, err)
    found = 0
    for result in results:
        starts = line_starts(result.text)
        for issue in result.issues:
            if issue.category.value not in selected:
                continue
            found += 1
            line, column = line_column(issue.start, starts)
            end_line, end_column = line_column(issue.end, starts)
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
                            "related": [_json_span(s, e, starts) for s, e in issue.related],
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
