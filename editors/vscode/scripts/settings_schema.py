"""Write (or check) the ``quill.*`` settings of package.json from the server's settings.

The server's settings (``server/lsp/settings.py``) are the one source: every field of the
``Settings`` dataclass tree becomes ``quill.<camelCase path>`` with its JSON type, default,
allowed values and the description written above it (``#:`` comments). The extension's own
settings (``quill.server.*``, ``quill.trace.server``) are kept as they are.

    python editors/vscode/scripts/settings_schema.py           # rewrite package.json
    python editors/vscode/scripts/settings_schema.py --check   # exit 1 if it is out of date
    python editors/vscode/scripts/settings_schema.py --check-vsix quill.vsix
                                    # the package holds the bundle and every setting
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = Path(__file__).resolve().parents[1] / "package.json"
sys.path.insert(0, str(ROOT))

from server.lsp import settings as S  # noqa: E402

#: Settings that only the VS Code extension reads (never sent to the server).
CLIENT_ONLY = ("quill.server.", "quill.trace.")

#: Descriptions for fields the server documents in prose rather than in a ``#:`` comment.
EXTRA = {
    "diagnostics.severity.spelling": "Severity of spelling diagnostics.",
    "diagnostics.severity.grammar": "Severity of grammar diagnostics.",
}
ENUMS = {
    "spelling.dialect": S.DIALECTS,
    "device": S.DEVICES,
    "diagnostics.severity.spelling": S.SEVERITIES,
    "diagnostics.severity.grammar": S.SEVERITIES,
}


def comments(cls: type) -> dict[str, str]:
    """The ``#:`` comment lines above each field of ``cls``, joined."""
    docs: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(cls).splitlines():
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped[2:].strip())
            continue
        m = re.match(r"(\w+)\s*:", stripped)
        if m and pending:
            docs[m.group(1)] = " ".join(pending)
        pending = []
    return docs


def plain(text: str) -> str:
    """reST literals to Markdown ones (VS Code renders ``markdownDescription``)."""
    return text.replace("``", "`")


def schema(hint: Any, default: Any) -> dict[str, Any]:
    if hint is bool:
        return {"type": "boolean", "default": default}
    if hint is int:
        return {"type": "integer", "default": default, "minimum": 0}
    if hint is str:
        return {"type": "string", "default": default}
    if typing.get_origin(hint) is tuple:
        return {"type": "array", "items": {"type": "string"}, "default": list(default)}
    if hint in (float | None, typing.Optional[float]):  # noqa: UP045
        return {"type": ["number", "null"], "default": default, "minimum": 0, "maximum": 1}
    raise TypeError(f"no JSON schema for {hint!r}")


def server_properties(obj: Any = None, prefix: str = "") -> dict[str, dict[str, Any]]:
    obj = obj if obj is not None else S.Settings()
    cls = type(obj)
    hints = typing.get_type_hints(cls)
    docs = comments(cls)
    out: dict[str, dict[str, Any]] = {}
    for f in dataclasses.fields(obj):
        key = prefix + S._camel(f.name)
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out.update(server_properties(value, key + "."))
            continue
        prop = schema(hints[f.name], value)
        if key in ENUMS:
            prop["enum"] = list(ENUMS[key])
        description = docs.get(f.name) or EXTRA.get(key)
        if not description:
            raise ValueError(f"setting {key} has no description (add a #: comment above it)")
        prop["markdownDescription"] = plain(description)
        out["quill." + key] = prop
    return out


def updated(package: dict[str, Any]) -> dict[str, Any]:
    config = package["contributes"]["configuration"]
    own = {k: v for k, v in config["properties"].items() if k.startswith(CLIENT_ONLY)}
    config["properties"] = {**own, **server_properties()}
    return package


def check_vsix(vsix: Path) -> int:
    import zipfile

    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        packaged = json.loads(z.read("extension/package.json"))
        bundle = (
            z.read("extension/dist/extension.js") if "extension/dist/extension.js" in names else b""
        )
    properties = packaged["contributes"]["configuration"]["properties"]
    missing = sorted(set(server_properties()) - set(properties))
    problems = [f"{vsix}: setting {k} missing" for k in missing]
    # The bundle holds vscode-languageclient (protocol method names survive minifying).
    if len(bundle) < 10_000 or b"textDocument/inlineCompletion" not in bundle:
        problems.append(f"{vsix}: extension/dist/extension.js missing or not the bundled client")
    if any(n.startswith(("extension/node_modules/", "extension/src/")) for n in names):
        problems.append(f"{vsix}: sources or node_modules packaged")
    for problem in problems:
        print(problem)
    if not problems:
        size = len(bundle) // 1024
        print(f"{vsix}: {len(names)} files, bundle {size} KiB, {len(properties)} settings")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check-vsix"]:
        return check_vsix(Path(argv[1]))
    text = PACKAGE.read_text(encoding="utf-8")
    new = json.dumps(updated(json.loads(text)), indent=2, ensure_ascii=False) + "\n"
    if "--check" in argv:
        if new != text:
            print(f"{PACKAGE} is out of date with server/lsp/settings.py: run {__file__}")
            return 1
        return 0
    PACKAGE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
