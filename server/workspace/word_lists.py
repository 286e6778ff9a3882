"""The user's and the workspace's word lists: plain text files, one word per line.

They are the files people edit by hand and commit (``.quill/dictionary.txt``), so they stay
plain text, are re-read when they change on disk, and are written atomically (a temporary file
in the same directory, fsync, then rename) so that a crash mid-write never leaves half a file.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .atomic import atomic_write
from .user_dirs import user_config_dir

log = logging.getLogger(__name__)

WORKSPACE_DICTIONARY = Path(".quill") / "dictionary.txt"
_HEADER = "# Quill dictionary: one word per line; lines starting with # are comments.\n"


def user_dictionary_path() -> Path:
    return user_config_dir() / "dictionary.txt"


def workspace_dictionary_path(root: Path) -> Path:
    return root / WORKSPACE_DICTIONARY


def workspace_root(start: Path) -> Path | None:
    """The workspace ``start`` is in, for a command-line run: the nearest directory, from
    ``start`` up, with a ``.quill`` directory or a ``.git``."""
    start = start.resolve()
    for parent in [start, *start.parents]:
        if (parent / ".quill").is_dir() or (parent / ".git").exists():
            return parent
    return None


def normalise_word(word: str) -> str | None:
    """The form stored and matched (lower case, trimmed); None when it is not a single word."""
    word = word.strip().replace("’", "'")
    if not word or any(ch.isspace() for ch in word) or len(word) > 100:
        return None
    return word.lower()


class WordList:
    """A word list file, cached and re-read when its modification time or size changes.

    ``root``: the directory the file must stay inside when written. A workspace is whatever
    was cloned, and its ``.quill`` (or ``.quill/dictionary.txt``) may be a symbolic link to
    anywhere: adding a word would then overwrite a file outside the workspace, or copy one
    (an SSH key, say) into the workspace's dictionary, to be committed. So the workspace's
    lists refuse to write unless the file, links resolved, lies inside the workspace.
    """

    def __init__(self, path: Path, root: Path | None = None):
        self.path = path
        self.root = root
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._words: frozenset[str] = frozenset()
        #: The last problem reading the file (shown to the user once), or None.
        self.error: str | None = None

    def words(self) -> frozenset[str]:
        """The words (lower-cased); an unreadable file yields the last good words and an error."""
        with self._lock:
            try:
                st = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._words, self.error = None, frozenset(), None
                return self._words
            except OSError as exc:
                self.error = f"cannot read {self.path}: {exc.strerror or exc}"
                return self._words
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp == self._stamp:
                return self._words
            try:
                raw = self.path.read_bytes()
                text = raw.decode("utf-8", errors="replace")
            except OSError as exc:
                self.error = f"cannot read {self.path}: {exc.strerror or exc}"
                return self._words
            words = set()
            for line in text.splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                word = normalise_word(line)
                if word:
                    words.add(word)
            self._stamp, self._words, self.error = stamp, frozenset(words), None
            return self._words

    def add(self, word: str) -> bool:
        """Append ``word`` (atomically); False when it was already there.

        Raises ``OSError`` with a readable message when the file cannot be written; the file
        on disk is then unchanged.
        """
        normal = normalise_word(word)
        if normal is None:
            raise ValueError(f"not a single word: {word!r}")
        with self._lock:
            self._check_inside_root()
            existing = ""
            try:
                existing = self.path.read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                existing = _HEADER
            lines = existing.splitlines()
            if any(normalise_word(line) == normal for line in lines if not line.startswith("#")):
                return False
            body = existing if existing.endswith("\n") or not existing else existing + "\n"
            atomic_write(self.path, body + normal + "\n")
            self._stamp = None
        return True

    def _check_inside_root(self) -> None:
        """Raise ``OSError`` when the file, symbolic links resolved, is outside ``root``."""
        if self.root is None:
            return
        root, target = self.root.resolve(), self.path.resolve()
        if target != root and root not in target.parents:
            raise OSError(f"it leads outside {root} (to {target}, through a symbolic link)")
