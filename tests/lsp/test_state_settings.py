"""Settings changes that a pull-diagnostics client (VS Code, Neovim 0.11) must see: a change
that alters what is found must bump a generation (the cached results are then checked again).
Found by the editor tests (tests/editors, editors/vscode/test). The result id of
``textDocument/diagnostic`` is a digest of the report itself (``convert.report_id``), so a
client is told "unchanged" only when nothing it would be sent differs."""

from __future__ import annotations

from pathlib import Path

from server.lsp.settings import parse_settings
from server.lsp.state import QuillState


def state(tmp_path: Path) -> QuillState:
    s = QuillState(user_dictionary=tmp_path / "dictionary.txt")
    s.configure(parse_settings({"grammar": {"enabled": False}})[0])
    return s


def test_severity_change_gives_new_result_ids(tmp_path: Path) -> None:
    s = state(tmp_path)
    before = (s.generation, s.filter_generation)
    s.configure(
        parse_settings({"grammar.enabled": False, "diagnostics.severity.spelling": "error"})[0]
    )
    assert (s.generation, s.filter_generation) != before


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
    before = (s.generation, s.filter_generation)
    s.configure(parse_settings({"grammar": {"enabled": False}})[0])
    assert (s.generation, s.filter_generation) == before
