"""``quill complete PATH --line L --column C``: the code model's suggestion at a position.

Lines and columns are 1-based and count code points, as ``quill check`` prints them. The
suggestion goes to stdout (nothing but it); why there is none goes to stderr. Exit status: 0 a
suggestion was printed, 1 none (the model had nothing to add), 2 usage, I/O or model error.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TextIO

from ..engine.completion import complete_text
from ..engine.extract import language_for_path
from ..workspace.text_files import UndecodableFile, read_text
from .exit_status import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from .positions import offset_of

EXIT_SUGGESTION, EXIT_NONE = EXIT_CLEAN, EXIT_FINDINGS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", help="the source file")
    p.add_argument("--line", type=int, required=True, metavar="L", help="cursor line (1-based)")
    p.add_argument(
        "--column",
        type=int,
        required=True,
        metavar="C",
        help="cursor column (1-based, in code points; 1 is before the first character)",
    )
    p.add_argument("--model", metavar="DIR", help="code model (default: models/code-small)")
    p.add_argument(
        "--device", choices=("auto", "cpu", "cuda"), default="auto", help="where the model runs"
    )
    p.add_argument("--max-tokens", type=int, default=64, metavar="N", help="tokens at most")
    p.add_argument(
        "--multiline", action="store_true", help="a block (to a blank line or dedent), not a line"
    )
    p.add_argument("--timeout-ms", type=int, default=0, metavar="MS", help="time budget (0: none)")
    p.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: automatic)")
    p.add_argument("--verbose", action="store_true", help="tokens, time and stop reason on stderr")


def complete_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..runtime.code_model import load_code_model

    path = Path(args.path)
    try:
        text = read_text(path)
    except (OSError, UndecodableFile) as exc:
        print(f"quill: {path}: {exc}", file=err)
        return EXIT_ERROR
    model = load_code_model(args.model, args.device, args.threads or None)
    if model.generator is None:
        print(f"quill: {model.status}", file=err)
        return EXIT_ERROR
    language = language_for_path(path)
    if model.languages and language not in model.languages:
        print(
            f"quill: {path}: no completion for {language or 'this file type'} "
            f"(the model knows {', '.join(model.languages)})",
            file=err,
        )
        return EXIT_NONE
    offset = offset_of(text, args.line, args.column)
    deadline = time.monotonic() + args.timeout_ms / 1000 if args.timeout_ms else None
    suggestion, generation = complete_text(
        model.generator,
        text,
        offset,
        max_new_tokens=max(1, args.max_tokens),
        multiline=args.multiline,
        deadline=deadline,
    )
    if args.verbose:
        print(
            f"quill: {generation.prompt_tokens} prompt tokens, {generation.tokens} generated, "
            f"stopped by {generation.reason}, {1000 * generation.seconds:.0f} ms",
            file=err,
        )
    if not suggestion:
        print("quill: no suggestion", file=err)
        return EXIT_NONE
    out.write(suggestion + "\n")
    out.flush()
    return EXIT_SUGGESTION
