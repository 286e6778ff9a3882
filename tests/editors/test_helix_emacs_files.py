"""The Helix snippet is valid TOML whose server settings the server accepts, and the Emacs
file names only settings the server knows (Helix itself is not installed in CI: this is the
check it gets)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.lsp.settings import parse_settings

EDITORS = Path(__file__).resolve().parents[2] / "editors"


def test_helix_languages_toml() -> None:
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text())
    server = config["language-server"]["quill"]
    assert server["command"].endswith("quill-lsp")
    settings, problems = parse_settings(server["config"])
    assert problems == []
    assert settings.spelling.dialect == "en-US"
    languages = {lang["name"]: lang["language-servers"] for lang in config["language"]}
    assert all("quill" in servers for servers in languages.values())
    assert {"markdown", "git-commit", "python"} <= set(languages)


def test_emacs_commands_name_server_commands() -> None:
    text = (EDITORS / "emacs" / "quill.el").read_text()
    used = set(re.findall(r'"(quill\.\w+)"', text))
    from server.lsp import commands

    assert used and used <= set(commands.ALL)
