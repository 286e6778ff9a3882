"""``python -m server``: the language server (default) or the ``check``/``fix`` CLI."""

import os
import sys

# ``python -m`` puts the working directory first on sys.path, and editors start language
# servers in the workspace: a cloned repository's ``numpy.py`` or ``onnxruntime/`` would then
# be imported, and run, in place of the real module. Quill's imports come from its own
# installation; the working directory stays on the path only when it is Quill's own checkout.
_QUILL = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if (
    sys.path
    and sys.path[0] in ("", os.getcwd())
    and os.path.realpath(sys.path[0] or os.curdir) != os.path.realpath(_QUILL)
):
    del sys.path[0]

from .cli import main  # noqa: E402 (after the path is cleaned)

if __name__ == "__main__":
    raise SystemExit(main())
