"""The workspace's code, indexed for completion (:mod:`server.engine.code_index`), kept current.

* Built in the background when the server is initialised: the workspace folders' code files
  (``.gitignore`` respected, vendored folders skipped), one file per turn of its own worker
  thread, so a completion request waits for at most one file, never for the whole build.
  Past :data:`MAX_FILES` files or :data:`MAX_LINES` lines the rest is left out, and the user is
  told once.
* One index per language: a Python line is never suggested in Rust.
* Open documents are indexed as the editor has them (replacing their file on disk), after each
  change; a closed document goes back to its file on disk. Files created, changed or deleted
  on disk meanwhile (``workspace/didChangeWatchedFiles``) are read again or forgotten.
* Every mutation and every query runs in the index's one worker thread, in order: no locks, and
  a query sees every edit made before it.
* Kept across restarts (:mod:`server.lsp.index_snapshot`): a restart loads the last session's
  index, reads again only the files whose size or modification time changed and drops the
  files that went; the snapshot is saved after each build, when no request has come for
  :data:`SAVE_AFTER_IDLE_S` (a request arriving meanwhile interrupts the save, which is tried
  again later). A snapshot that cannot be used is rebuilt, one that cannot be written is said
  in the status: completion goes on either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from pygls.uris import to_fs_path

from ..engine.code_index import Candidate, CodeIndex, candidates, cursor_at
from ..engine.completion_ranker import Ranker
from ..engine.extract import canonical_language, is_code, language_for_path
from ..workspace.text_files import UndecodableFile, read_text
from ..workspace.walk import iter_files
from .index_snapshot import Signature, Snapshot, SnapshotError, load, save, snapshot_path

log = logging.getLogger(__name__)

#: Files and indexed (non-blank) lines at most (beyond: the rest of the workspace is left out,
#: said once). Lines are counted the same whether a file is read or reused from the snapshot.
MAX_FILES = 20_000
MAX_LINES = 1_000_000
#: Files larger than this are data or generated code: never indexed.
MAX_FILE_BYTES = 512_000
#: Files read and indexed per turn of the worker thread, and files at most looked at in one
#: turn when the snapshot holds them unchanged (a ``stat`` each).
BATCH = 1
UNCHANGED_PER_TURN = 64
#: Seconds without a completion request before the snapshot is saved, and tries at most.
SAVE_AFTER_IDLE_S = 2.0
SAVE_TRIES = 20

T = TypeVar("T")
#: The ranker that made a shortlist, and the shortlist: candidates with their probabilities.
Shortlist = tuple[Ranker, list[tuple[Candidate, float]]]


class WorkspaceIndex:
    """Per-language :class:`CodeIndex` of the workspace and the open documents."""

    def __init__(
        self, on_capped: Callable[[str], None] | None = None, cache_dir: Path | None = None
    ) -> None:
        """``cache_dir``: where the index is kept across restarts (None: not kept)."""
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quill-index")
        self.indexes: dict[str, CodeIndex] = {}
        self.ranker: Ranker | None = None
        self.ranker_error = ""
        self.state = "not started"
        self.skipped = 0
        self.capped = ""
        #: Code files and lines read from the workspace so far (the caps' counters).
        self._files = 0
        self._lines = 0
        self._folders: list[Path] = []
        self._on_capped = on_capped
        #: Open documents (indexed as the editor has them, never from disk) and their newest
        #: texts not yet indexed.
        self._open: set[str] = set()
        self._pending: dict[str, tuple[str, str]] = {}
        #: How each indexed file was when read (None: the editor's copy), the files the last
        #: walk found, and whether the index differs from the last snapshot.
        self._signatures: dict[str, Signature] = {}
        self._seen: set[str] = set()
        self._dirty = False
        #: Files read from disk so far (the others came unchanged from the snapshot).
        self._reads = 0
        self._cache_dir = cache_dir
        self.snapshot = "not kept" if cache_dir is None else "none yet"
        #: Set by a request while a save runs: the save gives the worker thread back.
        self._wanted = threading.Event()
        self._last_request = 0.0

    # -- worker-thread side ----------------------------------------------------------------
    def _index_for(self, language: str) -> CodeIndex:
        index = self.indexes.get(language)
        if index is None:
            index = self.indexes[language] = CodeIndex()
        return index

    def _add(self, key: str, language: str, text: str) -> None:
        """Index an editor's copy (its file on disk is read again when it closes)."""
        self._index_for(language).add(key, text)
        self._signatures[key] = None

    def _remove(self, key: str) -> None:
        for index in self.indexes.values():
            index.remove(key)
        self._signatures.pop(key, None)
        self._dirty = True

    def _read(self, path: Path, uri: str | None = None) -> int:
        """Index one file of the workspace (unless it is open in the editor) under ``uri``
        (by default the path's); its indexed lines, 0 when it cannot be read."""
        uri = uri or path.as_uri()
        language = language_for_path(path)
        if uri in self._open or language is None:
            return 0
        self._seen.add(uri)
        index = self._index_for(canonical_language(language))
        try:
            stat = path.stat()
            signature = (stat.st_mtime_ns, stat.st_size)
            if self._signatures.get(uri) == signature and uri in index.files:
                return len(index.files[uri])  # unchanged since the snapshot was made
            text = read_text(path, max_size=MAX_FILE_BYTES)
        except (UndecodableFile, OSError, ValueError):
            self.skipped += 1  # binary, not UTF-8, unreadable, vanished or too large: left out
            if uri in self._signatures:
                self._remove(uri)
            return 0
        index.add(uri, text)
        self._signatures[uri] = signature
        self._dirty = True
        self._reads += 1
        return len(index.files.get(uri, ()))

    def _next_batch(self, paths: Iterator[Path]) -> bool:
        """Index the next :data:`BATCH` code files of the walk (walked here too: a huge folder
        is listed off the event loop); False once the walk is over or a cap is reached. Files
        the snapshot already holds unchanged cost a ``stat``: up to :data:`UNCHANGED_PER_TURN`
        of them go in one turn besides."""
        read = looked = 0
        while read < BATCH and looked < UNCHANGED_PER_TURN:
            looked += 1
            path = next(paths, None)
            if path is None:
                return False
            language = language_for_path(path)
            if language is None or not is_code(language):
                continue
            if self._files >= MAX_FILES or self._lines >= MAX_LINES:
                self.capped = (
                    f"completion indexes the workspace's first {self._files:,} code files "
                    f"({self._lines:,} lines) and leaves the rest out"
                )
                return False
            self._files += 1
            reads = self._reads
            self._lines += self._read(path)
            read += self._reads - reads  # read from disk: new, or changed since the snapshot
        return True

    def _flush(self) -> None:
        while self._pending:  # popitem is atomic: the event loop may add while this runs
            try:
                uri, (language, text) = self._pending.popitem()
            except KeyError:
                break
            self._add(uri, language, text)

    def _shortlist(
        self, uri: str, language: str, text: str, offset: int, ranker: Ranker | None
    ) -> Shortlist | None:
        self._flush()
        if ranker is None:
            if self.ranker_error:
                return None  # said once, at the first request
            if self.ranker is None:
                try:
                    self.ranker = Ranker.load()
                except (OSError, ValueError) as exc:
                    self.ranker_error = (
                        f"workspace completion is off: its ranker cannot load ({exc})"
                    )
                    log.error("%s", self.ranker_error)
                    return None
            ranker = self.ranker
        index = self.indexes.get(language)
        if index is None:
            return None
        return ranker, ranker.shortlist(candidates(index, cursor_at(text, offset, uri)))

    # -- event-loop side -------------------------------------------------------------------
    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def build(self, folders: Iterable[Path]) -> None:
        """Index the code files of ``folders``, a batch per turn of the worker thread (after
        loading the last session's snapshot, if any: then only changed files are read)."""
        self._folders = [f.absolute() for f in folders]
        if self._cache_dir is not None:
            self.state = "loading"
            await self._run(self._load_snapshot)
        self.state = "building"
        paths = iter_files(self._folders, skip_vendored=True)
        while await self._run(self._next_batch, paths):
            pass
        await self._run(self._drop_unseen)
        self.state = "ready"
        if self.capped and self._on_capped is not None:
            self._on_capped(self.capped)
        if self._cache_dir is not None and self._dirty:
            await self._save_when_idle()

    # -- the snapshot (worker thread, except _save_when_idle) ------------------------------
    def _snapshot_path(self) -> Path:
        assert self._cache_dir is not None
        return snapshot_path(self._cache_dir, self._folders)

    def _load_snapshot(self) -> None:
        """Start from the last session's index, if one was saved for these folders."""
        path = self._snapshot_path()
        try:
            snapshot = load(path, self._folders)
        except SnapshotError as exc:
            self.snapshot = f"rebuilt: the saved index could not be used ({exc})"
            log.info("completion index: %s", self.snapshot)
            with contextlib.suppress(OSError):
                path.unlink()
            return
        if snapshot is None or self.indexes:
            return  # none saved, or already indexing (the snapshot is for a fresh start)
        self.indexes = snapshot.indexes
        self._signatures = snapshot.signatures
        files = sum(len(i.files) for i in snapshot.indexes.values())
        self.snapshot = f"loaded ({files:,} files)"

    def _drop_unseen(self) -> None:
        """Forget the files of the snapshot that the walk did not find (deleted, moved,
        ignored now) unless they are open in the editor."""
        gone = [k for k in self._signatures if k not in self._seen and k not in self._open]
        for key in gone:
            self._remove(key)

    def _save(self) -> bool:
        snapshot = Snapshot(self.indexes, self._signatures)
        if not save(self._snapshot_path(), snapshot, self._folders, self._wanted.is_set):
            return False
        self._dirty = False
        return True

    async def _save_when_idle(self) -> None:
        """Save the snapshot once no completion request has come for a while; a request that
        arrives during the save interrupts it (it is tried again later)."""
        for _ in range(SAVE_TRIES):
            idle = time.monotonic() - self._last_request
            if idle < SAVE_AFTER_IDLE_S:
                await asyncio.sleep(SAVE_AFTER_IDLE_S - idle)
                continue
            self._wanted.clear()
            try:
                saved = await self._run(self._save)
            except OSError as exc:
                self.snapshot = f"not saved: {exc.strerror or exc} ({exc.filename or ''})"
                log.warning("completion index %s", self.snapshot)
                return
            if saved:
                self.snapshot = "saved"
                return

    def update(self, uri: str, language_id: str, text: str) -> None:
        """An open document's text changed (or it opened): index it as the editor has it, at
        the worker's next turn (only the newest text of each document is indexed)."""
        if not is_code(language_id):
            return
        self._open.add(uri)
        self._pending[uri] = (canonical_language(language_id), text)

    def closed(self, uri: str) -> asyncio.Future[None]:
        """A document closed: its file on disk (if any, and in the workspace) replaces it.
        The bookkeeping is done at once, in order with the editor's notifications (a
        document reopened right after is open again before the worker gets to this)."""
        self._open.discard(uri)
        self._pending.pop(uri, None)
        raw = to_fs_path(uri) if uri.startswith("file://") else None
        path = Path(raw) if raw else None
        if path is not None and not any(f in path.parents for f in self._folders):
            path = None  # outside the workspace: forgotten, not read
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.executor, self._back_to_disk, uri, path)

    def file_changed(self, uri: str, deleted: bool) -> asyncio.Future[None] | None:
        """A file of the workspace was created, changed or deleted on disk (the editor's
        ``workspace/didChangeWatchedFiles``: a ``git checkout``, a build, another program):
        read again or forgotten at the worker's next turn. An open document keeps its editor
        copy; a file outside the workspace folders is left alone."""
        if uri in self._open or not uri.startswith("file://"):
            return None
        path = Path(to_fs_path(uri) or "")
        if not any(f in path.parents for f in self._folders):
            return None
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self.executor, self._from_disk, uri, path, deleted)

    def _from_disk(self, uri: str, path: Path, deleted: bool) -> None:
        if uri in self._open:
            return  # opened since: its editor copy is indexed
        if deleted:
            if uri in self._signatures:
                self._remove(uri)
            return
        language = language_for_path(path)
        if language is not None and is_code(language) and not self._read(path, uri):
            self._remove(uri)  # unreadable now: what was indexed for it goes

    def _back_to_disk(self, uri: str, path: Path | None) -> None:
        """The closed document's file on disk in place of the editor's copy: counted as an
        edit of it (usually the two differ by the unsaved changes, if any), or dropped."""
        if uri in self._open:
            return  # reopened since: its editor copy is indexed (or pending)
        if path is None or not self._read(path, uri):
            self._remove(uri)

    async def shortlist(
        self, uri: str, language_id: str, text: str, offset: int, ranker: Ranker | None = None
    ) -> Shortlist | None:
        """The workspace's candidates at ``offset`` of the open document ``uri`` that the
        decision is among (:meth:`Ranker.shortlist`), by ``ranker`` (default: the one shipped
        with Quill), and that ranker; None: nothing indexed for its language, the snapshot still
        loading, or no ranker."""
        self._last_request = time.monotonic()
        self._wanted.set()
        if self.state == "loading":
            return None
        language = canonical_language(language_id)
        return await self._run(self._shortlist, uri, language, text, offset, ranker)

    def status(self) -> dict[str, Any]:
        indexes = list(self.indexes.items())  # one atomic copy: the worker may add a language
        return {
            "completionIndex": self.state,
            "completionIndexFiles": sum(len(i.files) for _, i in indexes),
            "completionIndexLines": sum(i.line_count for _, i in indexes),
            "completionIndexChars": sum(i.char_count for _, i in indexes),
            "completionIndexLanguages": sorted(lang for lang, _ in indexes),
            "completionIndexSkippedFiles": self.skipped,
            "completionIndexCapped": self.capped or None,
            "completionIndexSnapshot": self.snapshot,
            "completionRanker": self.ranker_error
            or ("loaded" if self.ranker else "not loaded yet"),
        }

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
