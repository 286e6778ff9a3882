"""``quill fix``: apply the first suggestion of every finding, to stdout or in place.

A file written in place keeps its byte-order mark and is replaced atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ..engine.fix import apply_edits, first_suggestion_edits
from ..workspace.atomic import atomic_write_bytes
from . import findings
from .exit_status import EXIT_CLEAN, EXIT_ERROR
from .findings import run_checks, selected_categories


def add_arguments(fix: argparse.ArgumentParser) -> None:
    findings.add_arguments(fix)
    mode = fix.add_mutually_exclusive_group()
    mode.add_argument(
        "--stdout", action="store_true", help="print the corrected text (the default)"
    )
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")


def fix_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    selected = selected_categories(args, err)
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
