"""Writing a file so that readers see the old file or the new, never a mix.

Word lists are edited by hand and committed, and ``quill fix --write`` rewrites sources: a crash
or a full disk mid-write must leave the file as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never a mix:
    a temporary file in the same directory, fsync, then an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\n`` line ends) so readers see the old file or the new."""
    atomic_write_bytes(path, text.encode("utf-8"))
