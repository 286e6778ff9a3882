"""The workspace index kept across restarts: a snapshot in the user's cache directory.

Why: building the completion index reads and counts every code file of the workspace (about
5 s per 100,000 lines in the server, where the build yields to requests after every file).
Loading what the last session built, then reading again only the files whose size or
modification time changed since, makes completion whole again in a fraction of that.

Format: a pickle stream of *frames* written by one pickler, so that a line's text shared by the
tables is stored once and shared again when loaded (the index stays as small as when built).
Frames are loaded one at a time with the interpreter lock released in between, so the event
loop (diagnostics, requests) never waits for more than one frame, about 10 ms. The first frame
is a header: the snapshot format, a fingerprint of the indexing code and the Python version,
and the workspace folders. Any mismatch or damage means a rebuild, never a crash.

Trust: unpickling runs what the file says, so a snapshot is only ever read from the user's own
cache directory (``$XDG_CACHE_HOME/quill``, written there by Quill, as Jedi's and pylint's
caches are), never from a workspace or any path a workspace can name.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..engine import code_index
from ..engine.code_index import CodeIndex
from ..workspace.atomic import atomic_write_bytes

#: Bumped when the layout of the frames changes (the fingerprint covers the indexing code).
FORMAT = 1
#: Keys (or files) per frame: each frame loads in about 10 ms.
FRAME_KEYS = 2_000
FRAME_FILES = 10
#: The tables of a :class:`CodeIndex` a snapshot holds (the sorted view is rebuilt on demand).
TABLES = ("files", "counts", "follows", "follows2", "follows_shape")

#: A file as it was read: (modification time in ns, size in bytes); None for an editor's copy.
Signature = tuple[int, int] | None


class SnapshotError(Exception):
    """The snapshot cannot be used (another version, another workspace, or damaged)."""


@dataclass
class Snapshot:
    """What a restart needs: the per-language indexes and how each file was when read."""

    indexes: dict[str, CodeIndex] = field(default_factory=dict)
    signatures: dict[str, Signature] = field(default_factory=dict)


def snapshot_path(cache_dir: Path, folders: Iterable[Path]) -> Path:
    """The snapshot of the workspace made of ``folders`` (one file per set of folders)."""
    key = "\n".join(sorted(str(f) for f in folders))
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache_dir / "completion-index" / f"{digest}.pickle"


@cache
def _fingerprint() -> str:
    """A hash of the indexing code: a snapshot made by other code is rebuilt, bumped or not."""
    source = Path(code_index.__file__).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


def _header(folders: Iterable[Path]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "code": _fingerprint(),
        "python": list(sys.version_info[:2]),
        "folders": sorted(str(f) for f in folders),
    }


def _chunks(table: dict[Any, Any], size: int) -> Iterator[dict[Any, Any]]:
    items = iter(table.items())
    while chunk := dict(itertools.islice(items, size)):
        yield chunk


def _frames(snapshot: Snapshot, folders: list[Path]) -> Iterator[Any]:
    yield _header(folders)
    yield from _chunks(snapshot.signatures, FRAME_KEYS)
    yield "indexes"
    for language, index in snapshot.indexes.items():
        yield ("index", language, index.line_count, index.char_count)
        for name in TABLES:
            yield name
            size = FRAME_FILES if name == "files" else FRAME_KEYS
            yield from _chunks(getattr(index, name), size)
    yield "end"


def save(
    path: Path, snapshot: Snapshot, folders: list[Path], interrupted: Callable[[], bool]
) -> bool:
    """Write ``snapshot`` to ``path`` (atomically: the old snapshot or the new, never a mix).
    False, and nothing written, when ``interrupted()`` turned true between frames (a request
    is waiting for the thread that owns the index). Raises OSError when it cannot be written.

    The caller must not change the indexes while this runs (they are read frame by frame)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    for frame in _frames(snapshot, folders):
        pickler.dump(frame)
        time.sleep(0)  # let the event loop's thread run between frames
        if interrupted():
            return False
    atomic_write_bytes(path, buffer.getvalue())
    return True


def load(path: Path, folders: list[Path]) -> Snapshot | None:
    """The snapshot at ``path`` (None when there is none). Raises :class:`SnapshotError` when
    it was made by other code, for other folders, or is damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return _load_frames(pickle.Unpickler(io.BytesIO(data)), folders)
    except SnapshotError:
        raise
    except Exception as exc:  # any damage: truncated, edited, or not a pickle at all
        raise SnapshotError(f"{path} is damaged ({type(exc).__name__})") from exc


def _load_frames(unpickler: pickle.Unpickler, folders: list[Path]) -> Snapshot:
    header = unpickler.load()
    expected = _header(folders)
    if not isinstance(header, dict) or header != expected:
        raise SnapshotError("it was made by another version of Quill or for other folders")
    snapshot = Snapshot()
    frame = unpickler.load()
    while isinstance(frame, dict):
        snapshot.signatures.update(frame)
        frame = unpickler.load()
    if frame != "indexes":
        raise SnapshotError("its frames are out of order")
    frame = unpickler.load()
    while frame != "end":
        _kind, language, line_count, char_count = frame
        index = snapshot.indexes[language] = CodeIndex()
        index.line_count, index.char_count = line_count, char_count
        frame = unpickler.load()
        while frame in TABLES:
            table = getattr(index, frame)
            frame = unpickler.load()
            while isinstance(frame, dict):
                dict.update(table, frame)  # Counter.update would add, and in Python
                time.sleep(0)
                frame = unpickler.load()
    return snapshot
