"""The command line: ``quill check``, ``fix``, ``complete`` and ``serve`` on the same engine.

``quill`` and ``python -m server`` enter at :func:`main.quill_main` and :func:`main.main`,
``quill-lsp`` at :func:`serve.serve_main`; they are named here because pyproject.toml's console
scripts (``server.cli:quill_main``) and installed launchers name them so.
"""

from .main import main, quill_main
from .serve import serve_main

__all__ = ["main", "quill_main", "serve_main"]
