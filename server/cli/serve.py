"""``quill serve`` and ``quill-lsp``: the language server on stdio or a TCP socket.

The LSP stack (pygls) is imported only here and only to serve, so ``quill check`` never pays
for it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .. import __version__
from .exit_status import EXIT_ERROR


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    p.add_argument("--log-file", metavar="PATH", help="write the log here (default: stderr)")
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level",
    )


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
    from ..lsp import transport  # the LSP stack is only imported to serve
    from ..lsp.server import build_server

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
    add_arguments(parser)
    return serve(parser.parse_args(argv))
