"""What the server knows between requests: settings, the checker, the user's words, results.

No LSP types here: the handlers in ``server.py`` translate. This keeps the rules ("which words
has the user accepted for this document?") testable without a client.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pygls.uris import to_fs_path

from ..engine.accepted import without_accepted
from ..engine.checkable import skip_reason
from ..engine.checker import Checker, CheckOptions, CheckResult
from ..engine.extract import language_for_path
from ..engine.types import Issue
from ..engine.vocabulary import ProjectVocabulary
from ..runtime.grammar_model import GrammarModel, load_grammar
from ..workspace.text_files import read_text
from ..workspace.walk import iter_files
from ..workspace.word_lists import (
    WordList,
    normalise_word,
    user_dictionary_path,
    workspace_dictionary_path,
)
from .settings import Settings

log = logging.getLogger(__name__)

#: The background scan that learns the workspace's vocabulary reads at most this many files,
#: each at most this large.
SCAN_MAX_FILES = 3000
SCAN_MAX_FILE_SIZE = 512_000
#: After a document's first publication (its spelling, and the edited sentences' grammar), the
#: rest of its grammar is checked this many new sentences at a time (about a third of a
#: second; the worker yields between sentences to any check someone waits for), so other
#: documents' checks (one worker thread) get their turn.
GRAMMAR_BACKGROUND_BATCH = 16


@dataclass(frozen=True)
class CheckedVersion:
    """The issues found in one version of a document (before the user's words are applied)."""

    version: int
    issues: list[Issue]
    generation: int
    skipped: str | None = None
    #: False when some sentences' grammar is still to come (a second check completes it).
    complete: bool = True
    #: False when spelling's findings carry known fixes only, not ranked suggestions (a new
    #: document's first look); a later check ranks them.
    ranked: bool = True


def _uri_path(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return Path(path) if path else None


class QuillState:
    def __init__(self, user_dictionary: Path | None = None) -> None:
        self.settings = Settings()
        self._checker: Checker | None = None
        self._checker_lock = threading.Lock()
        #: Bumped when a settings change alters what the checker finds.
        self.generation = 0
        self.results: dict[str, CheckedVersion] = {}
        self.ignored: dict[str, set[str]] = {}
        self.user_words = WordList(user_dictionary or user_dictionary_path())
        self.workspace_words: dict[Path, WordList] = {}
        self.folders: list[Path] = []
        self.vocabulary = ProjectVocabulary(self.settings.spelling.project_word_min_files)
        self.settings_words: frozenset[str] = frozenset()
        #: Grammar issues the user ignored, per document: (rule, flagged text lower-cased).
        self.ignored_grammar: dict[str, set[tuple[str, str]]] = {}
        #: The loaded grammar model and the settings it was loaded with.
        self.grammar: GrammarModel | None = None
        self._grammar_key: tuple[Any, ...] | None = None
        #: Called with (key, message) for problems the user should hear about once.
        self.on_problem: Callable[[str, str], None] = lambda key, message: log.warning(message)

    # -- configuration ---------------------------------------------------------------------
    @property
    def checker(self) -> Checker:
        """The checker, created on first use (loading the dictionary takes a moment)."""
        if self._checker is None:
            with self._checker_lock:
                if self._checker is None:
                    self._checker = Checker(self._check_options())
        return self._checker

    def _check_options(self) -> CheckOptions:
        s = self.settings.spelling
        return CheckOptions(
            spelling=s.enabled,
            dialect=s.dialect,
            ignore_patterns=s.ignore_patterns,
            grammar=self.settings.grammar.enabled,
        )

    def _wanted_grammar(self) -> tuple[Any, ...] | None:
        s = self.settings
        if not s.grammar.enabled:
            return None
        return (s.models.grammar, s.device, s.grammar.min_confidence)

    def load_grammar(self) -> GrammarModel | None:
        """(Re)load the grammar model if the settings ask for a different one (worker
        thread: loading takes a moment). Returns the new model, or None when nothing changed."""
        wanted = self._wanted_grammar()
        if wanted == self._grammar_key:
            return None
        self._grammar_key = wanted
        if wanted is None:
            self.grammar = None
            self.checker.set_grammar(None)
        else:
            model_dir, device, min_confidence = wanted
            previous = self.grammar
            if (
                previous is not None
                and previous.corrector is not None
                and (previous.key == (model_dir, device))
            ):  # only the threshold changed: keep the loaded model
                self.grammar = previous.with_min_confidence(min_confidence)
            else:
                self.grammar = load_grammar(model_dir, device, min_confidence=min_confidence)
            self.checker.set_grammar(self.grammar.corrector)
        self.generation += 1
        return self.grammar

    def configure(self, settings: Settings) -> None:
        previous, self.settings = self.settings, settings
        if self.checker.configure(self._check_options()):
            self.generation += 1
        elif (previous.languages, previous.max_file_size) != (
            settings.languages,
            settings.max_file_size,
        ):
            self.generation += 1  # which documents are checked at all: check them again
        self.settings_words = frozenset(
            w for w in (normalise_word(x) for x in settings.spelling.words) if w
        )
        self.vocabulary.set_min_files(settings.spelling.project_word_min_files)

    def set_workspace_folders(self, uris: list[str]) -> None:
        folders = [p for p in (_uri_path(u) for u in uris) if p is not None]
        self.folders = folders
        self.workspace_words = {f: WordList(workspace_dictionary_path(f), f) for f in folders}

    def folder_for(self, uri: str) -> Path | None:
        path = _uri_path(uri)
        if path is None:
            return None
        best: Path | None = None
        for folder in self.folders:
            inside = path == folder or folder in path.parents
            if inside and (best is None or len(folder.parts) > len(best.parts)):
                best = folder
        return best

    def load_problems(self) -> list[str]:
        problems = []
        self.user_words.words()
        if self.user_words.error:
            problems.append(f"user dictionary: {self.user_words.error}")
        for wl in self.workspace_words.values():
            wl.words()
            if wl.error:
                problems.append(f"workspace dictionary: {wl.error}")
        return problems

    # -- checking (called in the worker thread) -------------------------------------------
    def check_text(
        self,
        text: str,
        language_id: str,
        should_stop: Callable[[], bool],
        grammar_limit: int | None = None,
        edited: bool = False,
        changed: tuple[int, int] | None = None,
        quick: bool = False,
    ) -> CheckResult:
        return self.checker.check(
            text,
            language_id,
            should_stop=should_stop,
            grammar_limit=grammar_limit,
            edited=edited,
            changed=changed,
            quick=quick,
        )

    def remember(
        self,
        uri: str,
        version: int,
        issues: list[Issue],
        skipped: str | None = None,
        complete: bool = True,
        ranked: bool = True,
    ) -> CheckedVersion:
        checked = CheckedVersion(version, issues, self.generation, skipped, complete, ranked)
        self.results[uri] = checked
        return checked

    def learn(self, uri: str, issues: list[Issue]) -> bool:
        """Feed one document's findings to the project vocabulary; True if it changed."""
        if not self.settings.spelling.learn_project_words:
            return False
        return self.vocabulary.update(uri, issues)

    def workspace_files(self) -> Iterator[Path]:
        for folder in self.folders:
            yield from iter_files([folder], skip_vendored=True, limit=SCAN_MAX_FILES)

    def learn_file(self, path: Path, uri: str) -> bool:
        """Check a workspace file that is not open, only to learn its vocabulary."""
        language = language_for_path(path)
        if language is None or not self.settings.checks_language(language):
            return False
        text = read_text(path, max_size=SCAN_MAX_FILE_SIZE)
        if skip_reason(text, SCAN_MAX_FILE_SIZE):
            return False
        issues = self.checker.check(text, language, use_cache=False).issues
        return self.learn(uri, issues)

    # -- what the user accepted ------------------------------------------------------------
    def _word_lists(self, uri: str) -> list[frozenset[str]]:
        lists = [self.user_words.words(), self.settings_words]
        if self.user_words.error:
            self.on_problem("user-dictionary", f"user dictionary: {self.user_words.error}")
        folder = self.folder_for(uri)
        if folder is not None and folder in self.workspace_words:
            wl = self.workspace_words[folder]
            lists.append(wl.words())
            if wl.error:
                self.on_problem(
                    f"workspace-dictionary:{folder}", f"workspace dictionary: {wl.error}"
                )
        if self.settings.spelling.learn_project_words:
            lists.append(self.vocabulary.words)
        ignored = self.ignored.get(uri)
        if ignored:
            lists.append(frozenset(ignored))
        return [w for w in lists if w]

    def visible(self, uri: str, issues: list[Issue]) -> list[Issue]:
        """The issues the user has not accepted (dictionaries, ignores, project words), by
        the rule the CLI applies too (:mod:`server.engine.accepted`)."""
        ignored_grammar = self.ignored_grammar.get(uri, set())
        return without_accepted(issues, self._word_lists(uri), ignored_grammar)

    def ignore_grammar(self, uri: str, rule: str, text: str) -> None:
        """Stop showing this grammar finding (same rule, same words) in this document."""
        if not rule.startswith("grammar."):
            raise ValueError(f"not a grammar rule: {rule!r}")
        self.ignored_grammar.setdefault(uri, set()).add((rule, text.lower().strip()))

    def can_write_workspace(self, uri: str) -> bool:
        return self.folder_for(uri) is not None

    def add_word(self, word: str, scope: str, uri: str | None) -> str:
        """Add ``word`` to the user's or the workspace's dictionary file.

        Raises ValueError (bad word, no workspace) or OSError (cannot write); the file is then
        unchanged.
        """
        if normalise_word(word) is None:
            raise ValueError(f"not a single word: {word!r}")
        if scope == "user":
            wl = self.user_words
        elif scope == "workspace":
            folder = self.folder_for(uri) if uri else (self.folders[0] if self.folders else None)
            if folder is None:
                raise ValueError(
                    "this file is in no workspace folder, so it has no workspace dictionary; "
                    "add the word to your user dictionary instead (Neovim: :QuillAddWord!)"
                )
            wl = self.workspace_words.setdefault(
                folder, WordList(workspace_dictionary_path(folder), folder)
            )
        else:
            raise ValueError(f"unknown dictionary scope {scope!r} (expected 'user' or 'workspace')")
        try:
            added = wl.add(word)
        except OSError as exc:
            raise OSError(f"cannot write {wl.path}: {exc.strerror or exc}") from exc
        return f"'{word}' {'added to' if added else 'was already in'} {wl.path}"

    def ignore_word(self, uri: str, word: str) -> None:
        normal = normalise_word(word)
        if normal is None:
            raise ValueError(f"not a single word: {word!r}")
        self.ignored.setdefault(uri, set()).add(normal)

    def forget(self, uri: str) -> None:
        self.results.pop(uri, None)
        self.ignored.pop(uri, None)
        self.ignored_grammar.pop(uri, None)

    def clear_caches(self) -> None:
        self.checker.clear_cache()
        self.results.clear()
        self.generation += 1

    def cache_sizes(self) -> dict[str, int]:
        """The checker's cache sizes, without creating the checker (for ``quill.status``)."""
        return self._checker.cache_sizes() if self._checker is not None else {}

    def _grammar_status(self) -> str:
        if not self.settings.grammar.enabled:
            return "grammar is off"
        if self.grammar is None or self._grammar_key != self._wanted_grammar():
            return "grammar model loading"
        return self.grammar.status

    def status(self) -> dict[str, Any]:
        return {
            "userDictionary": str(self.user_words.path),
            "workspaceDictionaries": [str(w.path) for w in self.workspace_words.values()],
            "projectWords": len(self.vocabulary.words),
            "filesLearnt": len(self.vocabulary),
            "dialect": self.settings.spelling.dialect,
            "grammar": self._grammar_status(),
            "grammarProviders": list(self.grammar.providers) if self.grammar else [],
        }
