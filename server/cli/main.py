"""``quill`` and ``python -m server``: which command runs (the language server by default).

``python -m server`` with no command starts the server on stdio, so editors can run either
``python -m server`` or ``quill-lsp``; each command lives in its own module of this package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import check, complete, fix, serve
from .exit_status import EXIT_CLEAN, EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quill",
        description="Quill: spelling for prose and code, as a language server and a checker.",
    )
    parser.add_argument("--version", action="version", version=f"quill {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve.add_arguments(
        sub.add_parser("serve", help="run the language server (the default of python -m server)")
    )
    check.add_arguments(sub.add_parser("check", help="report findings"))
    fix.add_arguments(sub.add_parser("fix", help="apply the first suggestion of every finding"))
    complete.add_arguments(sub.add_parser("complete", help="print the code model's suggestion"))
    return parser


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
        return serve.serve(args)
    try:
        if args.command == "check":
            return check.check_command(args, sys.stdout, sys.stderr)
        if args.command == "fix":
            return fix.fix_command(args, sys.stdout, sys.stderr)
        if args.command == "complete":
            return complete.complete_command(args, sys.stdout, sys.stderr)
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130
    parser.print_help(sys.stderr)
    return EXIT_ERROR
