"""Settings changes that a pull-diagnostics client (VS Code, Neovim 0.11) must see: a change
that alters what is found must bump a generation (the cached results are then checked again).
Found by the editor tests (tests/editors, editors/vscode/test). The result id of
``textDocument/diagnostic`` is a digest of what the report is made of (``convert.report_id``),
so a client is told "unchanged" only when nothing it would be sent differs."""

from __future__ import annotations

from pathlib import Path

from server.lsp.convert import report_id, report_key, to_diagnostics
from server.lsp.documents import LineIndex
from server.lsp.settings import parse_settings
from server.lsp.state import QuillState

TEXT = "A wrod here.\n"


def state(tmp_path: Path) -> QuillState:
    s = QuillState(user_dictionary=tmp_path / "dictionary.txt")
    s.configure(parse_settings({"grammar": {"enabled": False}})[0])
    return s


def pulled_id(s: QuillState) -> str:
    """The result id a pull client would get for TEXT at version 1 (as pull_diagnostics)."""
    issues = s.check_text(TEXT, "plaintext", lambda: False).issues
    uri = "file:///w/a.txt"
    visible = s.visible(uri, issues)
    assert to_diagnostics(visible, uri, LineIndex(TEXT), s.settings), "TEXT has a misspelling"
    return report_id(report_key(1, visible, s.settings, "utf-16"))


def test_severity_change_gives_new_result_ids(tmp_path: Path) -> None:
    s = state(tmp_path)
    before = pulled_id(s)
    s.configure(
        parse_settings({"grammar.enabled": False, "diagnostics.severity.spelling": "error"})[0]
    )
    assert pulled_id(s) != before


def test_languages_and_size_changes_check_again(tmp_path: Path) -> None:
    s = state(tmp_path)
    generation = s.generation
    s.configure(parse_settings({"grammar.enabled": False, "languages": ["python"]})[0])
    assert s.generation > generation
    generation = s.generation
    s.configure(
        parse_settings({"grammar.enabled": False, "languages": ["python"], "maxFileSize": 10})[0]
    )
    assert s.generation > generation


def test_unchanged_settings_keep_result_ids(tmp_path: Path) -> None:
    s = state(tmp_path)
    before = (s.generation, pulled_id(s))
    s.configure(parse_settings({"grammar": {"enabled": False}})[0])
    assert (s.generation, pulled_id(s)) == before


def test_accepted_words_the_text_does_not_hold_keep_result_ids(tmp_path: Path) -> None:
    s = state(tmp_path)
    before = pulled_id(s)
    s.configure(parse_settings({"grammar.enabled": False, "spelling.words": ["zzz"]})[0])
    assert pulled_id(s) == before  # a word the text does not hold changes nothing
    s.ignore_word("file:///w/other.txt", "wrod")  # another document's ignore
    assert pulled_id(s) == before
