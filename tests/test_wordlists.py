"""Word list files: plain text, re-read when edited, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.workspace.word_lists import WordList, normalise_word, user_dictionary_path


def test_missing_file_is_empty_not_an_error(tmp_path: Path) -> None:
    wl = WordList(tmp_path / "none.txt")
    assert wl.words() == frozenset()
    assert wl.error is None


def test_add_creates_the_file_and_directory(tmp_path: Path) -> None:
    path = tmp_path / ".quill" / "dictionary.txt"
    wl = WordList(path)
    assert wl.add("Quillish") is True
    assert wl.add("quillish") is False
    assert "quillish" in wl.words()
    lines = path.read_text().splitlines()
    assert lines[0].startswith("#") and lines[-1] == "quillish"


def test_hand_edits_are_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text("alpha\n")
    wl = WordList(path)
    assert wl.words() == {"alpha"}
    path.write_text("alpha\nbetaword\n# comment\n\n")
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    assert wl.words() == {"alpha", "betaword"}


def test_unreadable_file_keeps_last_words_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.write_text("alpha\n")
    wl = WordList(path)
    wl.words()
    path.unlink()
    path.mkdir()  # now unreadable as a file (works as root too, unlike chmod)
    assert wl.words() == {"alpha"}
    assert wl.error and "cannot read" in wl.error


def test_directory_instead_of_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    path.mkdir()
    wl = WordList(path)
    assert wl.words() == frozenset()
    assert wl.error and "cannot read" in wl.error


def test_failed_write_leaves_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ro" / "d.txt"
    path.parent.mkdir()
    path.write_text("alpha\n")
    wl = WordList(path)
    wl.words()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    import server.workspace.atomic as atomic

    original = atomic.os.replace
    atomic.os.replace = boom  # type: ignore[assignment]
    try:
        with pytest.raises(OSError):
            wl.add("betaword")
    finally:
        atomic.os.replace = original  # type: ignore[assignment]
    assert path.read_text() == "alpha\n"
    assert [p.name for p in path.parent.iterdir()] == ["d.txt"]  # no temporary file left


def test_normalise_word() -> None:
    assert normalise_word("  Don’t ") == "don't"
    assert normalise_word("two words") is None
    assert normalise_word("") is None


def test_user_dictionary_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert user_dictionary_path() == tmp_path / "quill" / "dictionary.txt"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    assert user_dictionary_path() == Path.home() / ".config" / "quill" / "dictionary.txt"
