"""The workspace's code, indexed for completion (:mod:`server.engine.code_index`), kept current.

* Built in the background when the server is initialised: the workspace folders' code files
  (``.gitignore`` respected, vendored folders skipped), a few files per turn of its own worker
  thread, so a completion request waits for at most one small batch, never for the whole build.
  Past :data:`MAX_FILES` files or :data:`MAX_LINES` lines the rest is left out, and the user is
  told once.
* One index per language: a Python line is never suggested in Rust.
* Open documents are indexed as the editor has them (replacing their file on disk), after each
  change; a closed document goes back to its file on disk.
* Every mutation and every query runs in the index's one worker thread, in order: no locks, and
  a query sees every edit made before it.
* Not yet kept across restarts: a restart builds it again (about a second per 100,000 lines).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..engine.code_index import CodeIndex, cursor_at
from ..engine.completion_ranker import Ranker, WorkspaceSuggestion, suggest_from_workspace
from ..engine.extract import canonical_language, is_code, language_for_path
from ..files import UndecodableFile, iter_files, read_text

log = logging.getLogger(__name__)

#: Files and lines indexed at most (beyond: the rest of the workspace is left out, said once).
MAX_FILES = 20_000
MAX_LINES = 1_000_000
#: Files larger than this are data or generated code: never indexed.
MAX_FILE_BYTES = 512_000
#: Files read and indexed per turn of the worker thread.
BATCH = 16

T = TypeVar("T")


class WorkspaceIndex:
    """Per-language :class:`CodeIndex` of the workspace and the open documents."""

    def __init__(self, on_capped: Callable[[str], None] | None = None) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quill-index")
        self.indexes: dict[str, CodeIndex] = {}
        self.ranker: Ranker | None = None
        self.ranker_error = ""
        self.state = "not started"
        self.skipped = 0
        self.capped = ""
        self._on_capped = on_capped
        #: Open documents (indexed as the editor has them, never from disk) and their newest
        #: texts not yet indexed.
        self._open: set[str] = set()
        self._pending: dict[str, tuple[str, str]] = {}

    # -- worker-thread side ----------------------------------------------------------------
    def _index_for(self, language: str) -> CodeIndex:
        index = self.indexes.get(language)
        if index is None:
            index = self.indexes[language] = CodeIndex()
        return index

    def _add(self, key: str, language: str, text: str) -> None:
        self._index_for(language).add(key, text)

    def _remove(self, key: str) -> None:
        for index in self.indexes.values():
            index.remove(key)

    def _read_batch(self, paths: list[Path]) -> int:
        """Index ``paths`` (those not open in the editor); returns the lines added."""
        added = 0
        for path in paths:
            uri = path.as_uri()
            language = language_for_path(path)
            if uri in self._open or language is None:
                continue
            try:
                text = read_text(path, max_size=MAX_FILE_BYTES)
            except (UndecodableFile, OSError, ValueError):
                self.skipped += 1  # binary, unreadable, vanished or too large: left out
                continue
            self._add(uri, canonical_language(language), text)
            added += text.count("\n") + 1
        return added

    def _flush(self) -> None:
        while self._pending:  # popitem is atomic: the event loop may add while this runs
            try:
                uri, (language, text) = self._pending.popitem()
            except KeyError:
                break
            self._add(uri, language, text)

    def _suggest(
        self, uri: str, language: str, text: str, offset: int
    ) -> WorkspaceSuggestion | None:
        self._flush()
        if self.ranker is None:
            try:
                self.ranker = Ranker.load()
            except (OSError, ValueError) as exc:
                self.ranker_error = f"workspace completion is off: its ranker cannot load ({exc})"
                log.error("%s", self.ranker_error)
                return None
        index = self.indexes.get(language)
        if index is None:
            return None
        return suggest_from_workspace(index, cursor_at(text, offset, uri), self.ranker)

    # -- event-loop side -------------------------------------------------------------------
    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def build(self, folders: Iterable[Path]) -> None:
        """Index the code files of ``folders``, a batch per turn of the worker thread."""
        self.state = "building"
        files = lines = 0
        batch: list[Path] = []
        for path in iter_files(list(folders), skip_vendored=True):
            language = language_for_path(path)
            if language is None or not is_code(language):
                continue
            if files >= MAX_FILES or lines >= MAX_LINES:
                self.capped = (
                    f"the workspace has more code than completion indexes ({files:,} files, "
                    f"{lines:,} lines): the rest is left out"
                )
                if self._on_capped is not None:
                    self._on_capped(self.capped)
                break
            batch.append(path)
            files += 1
            if len(batch) >= BATCH:
                lines += await self._run(self._read_batch, batch)
                batch = []
        if batch:
            await self._run(self._read_batch, batch)
        self.state = "ready"

    def update(self, uri: str, language_id: str, text: str) -> None:
        """An open document's text changed (or it opened): index it as the editor has it, at
        the worker's next turn (only the newest text of each document is indexed)."""
        if not is_code(language_id):
            return
        self._open.add(uri)
        self._pending[uri] = (canonical_language(language_id), text)

    async def closed(self, uri: str) -> None:
        """A document closed: its file on disk (if any, and in the workspace) replaces it."""
        self._open.discard(uri)
        self._pending.pop(uri, None)
        await self._run(self._remove, uri)
        if uri.startswith("file://") and self.state != "not started":
            from pygls.uris import to_fs_path

            path = to_fs_path(uri)
            if path and Path(path).is_file():
                await self._run(self._read_batch, [Path(path)])

    async def suggest(
        self, uri: str, language_id: str, text: str, offset: int
    ) -> WorkspaceSuggestion | None:
        """The workspace's suggestion at ``offset`` of the open document ``uri`` (None: unsure,
        or nothing indexed for its language)."""
        return await self._run(self._suggest, uri, canonical_language(language_id), text, offset)

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
        }

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
