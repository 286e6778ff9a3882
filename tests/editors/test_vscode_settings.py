"""The VS Code extension contributes every server setting (same names, types, defaults, allowed
values and descriptions), generated from server/lsp/settings.py by
editors/vscode/scripts/settings_schema.py; this fails when package.json is out of date."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from server.lsp.settings import Settings, parse_settings

VSCODE = Path(__file__).resolve().parents[2] / "editors" / "vscode"


def schema_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "settings_schema", VSCODE / "scripts" / "settings_schema.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_package_json_is_generated_from_the_server_settings() -> None:
    assert schema_module().main(["--check"]) == 0, "run editors/vscode/scripts/settings_schema.py"


def test_every_default_is_the_servers() -> None:
    properties = json.loads((VSCODE / "package.json").read_text())["contributes"]["configuration"][
        "properties"
    ]
    server = {k[len("quill.") :]: v["default"] for k, v in properties.items()}
    server = {k: v for k, v in server.items() if not k.startswith(("server.", "trace."))}
    assert "completion.enabled" in server and "diagnostics.severity.grammar" in server
    # The defaults, sent back as the extension sends them, are the server's defaults.
    sent = {k: v for k, v in server.items() if v is not None}
    settings, problems = parse_settings(sent)
    assert problems == []
    assert settings == Settings()
