"""``quill complete PATH --line L --column C``: the suggestion at a position, as an editor gets it.

First a line of the workspace (``--workspace``, by default the file's repository: the nearest
folder above it with ``.git``, else its own folder), indexed and ranked by the language
server's own :class:`~server.lsp.workspace_index.WorkspaceIndex` (its caps, ignores and
skipped files), shown only when the ranker is sure of it; where it has none, the code model
writes one when one is given (``--model``). Lines and columns are 1-based and count code points, as
``quill check`` prints them. The suggestion goes to stdout (nothing but it); why there is none
goes to stderr. Exit status: 0 a suggestion was printed, 1 none, 2 usage, I/O or model error.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..engine.completion import CompletionContext, complete_text, context_at, tidy
from ..engine.completion_ranker import WorkspaceSuggestion, decide, model_scores
from ..engine.extract import canonical_language, is_code, language_for_path
from ..lsp.workspace_index import Shortlist, WorkspaceIndex
from ..workspace.text_files import UndecodableFile, read_text
from .exit_status import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from .positions import offset_of

if TYPE_CHECKING:
    from ..runtime.code_model import CodeModel

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
    p.add_argument(
        "--workspace",
        metavar="DIR",
        help="folder whose code supplies lines (default: the file's repository, else its folder)",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="code model that writes a line where the workspace has none it is sure of (default: "
        "models/code-small when installed)",
    )
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
    language = language_for_path(path)
    offset = offset_of(text, args.line, args.column)
    model = load_code_model(args.model, args.device, args.threads or None)
    if model.failed and not model.missing:
        print(f"quill: {model.status}", file=err)
        return EXIT_ERROR
    if language is not None and is_code(language):
        t0 = time.perf_counter()
        root = Path(args.workspace) if args.workspace else repository_of(path)
        ranks = model.ranks(canonical_language(language))
        context = context_at(text, offset)
        found, files = from_workspace(
            root, path, language, text, offset, model if ranks else None, context
        )
        rest = tidy(found.text, context) if found else ""
        if args.verbose:
            print(
                f"quill: workspace {root}: {files} files, "
                + (f"a line at p={found.probability:.2f}" if found else "no line it is sure of")
                + f", {1000 * (time.perf_counter() - t0):.0f} ms",
                file=err,
            )
        if rest:
            out.write(rest + "\n")
            out.flush()
            return EXIT_SUGGESTION
    if model.generator is None:
        print(
            "quill: no suggestion (the workspace has no line for here, and no code model is "
            "installed to write one)",
            file=err,
        )
        return EXIT_NONE
    if model.languages and language not in model.languages:
        print(
            f"quill: {path}: no completion for {language or 'this file type'} "
            f"(the model knows {', '.join(model.languages)})",
            file=err,
        )
        return EXIT_NONE
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


def repository_of(path: Path) -> Path:
    """The nearest folder above ``path`` holding ``.git``, else the file's own folder."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def from_workspace(
    root: Path,
    path: Path,
    language: str,
    text: str,
    offset: int,
    model: CodeModel | None,
    context: CompletionContext,
) -> tuple[WorkspaceSuggestion | None, int]:
    """The line the language server would suggest at ``offset`` of ``path`` (as ``text``) with
    ``root`` as its workspace folder: its own index, built and queried the same way, ranked by
    ``model``'s ranker and scores when a model that ranks is given, else by Quill's shipped
    ranker; and how many files the index holds."""
    index = WorkspaceIndex()
    uri = path.resolve().as_uri()
    ranker = model.ranker if model is not None else None

    async def build_and_ask() -> Shortlist | None:
        index.update(uri, language, text)
        await index.build([root])
        return await index.shortlist(uri, language, text, offset, ranker)

    try:
        found = asyncio.run(build_and_ask())
        files = int(index.status()["completionIndexFiles"])
    finally:
        index.shutdown()
    if found is None:
        return None, files
    used, shortlist = found
    scores = model_scores(used, shortlist, model.scorer if model else None, context)
    return decide(used, shortlist, scores), files
