"""Security of the real server: no network, no code from the workspace, no model directories
or dictionary writes outside the places the user controls.

The network and process checks run the server under a Python audit hook (a
``sitecustomize.py`` put on its ``PYTHONPATH``) that records every attempt to resolve, connect,
bind or send, to start a process, or to run code from a file in the workspace; network
attempts are also refused. Where the kernel allows it (``unshare -rn``), the server runs in a
network namespace of its own as well, so even a connection the hook missed would fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.reliability.stdio import DEADLINE, ROOT, RawServer, server_env, with_models

#: The audit hook: records (and for the network, refuses) what the server must never do.
HOOK = r"""
import os, sys

_LOG = os.open(os.environ["QUILL_AUDIT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
_WORKSPACE = os.environ["QUILL_AUDIT_WORKSPACE"]
_NETWORK = {
    "socket.connect", "socket.getaddrinfo", "socket.bind", "socket.sendto", "socket.sendmsg",
    "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
}
_PROCESS = {
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "pty.spawn", "os.startfile",
}


def _write(line):
    os.write(_LOG, (line.replace("\n", " ")[:500] + "\n").encode("utf-8", "replace"))


def _hook(event, args):
    if event in _NETWORK:
        _write(f"network {event} {args!r}")
        raise PermissionError(f"{event} refused by the test's audit hook")
    if event in _PROCESS:
        _write(f"process {event} {args!r}")
    elif event == "exec":
        name = getattr(args[0], "co_filename", "")
        if isinstance(name, str) and name.startswith(_WORKSPACE):
            _write(f"workspace-code exec {name}")
    elif event == "compile":
        name = args[1] if len(args) > 1 else ""
        if isinstance(name, str) and name.startswith(_WORKSPACE):
            _write(f"workspace-code compile {name}")
    elif event == "import" and args[0] in ("onnxruntime", "tokenizers"):
        _write(f"import {args[0]}")


sys.addaudithook(_hook)
_write("hook installed")
"""


def unshare_prefix() -> list[str]:
    """``unshare -rn`` (or ``-n`` as root) when the kernel lets this process make a network
    namespace; otherwise nothing, and the audit hook alone stands guard."""
    for prefix in (["unshare", "-rn"], ["unshare", "-n"]):
        try:
            done = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return prefix
    return []


def audited_env(tmp_path: Path, workspace: Path, log: Path, offline: bool) -> dict[str, str]:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(HOOK)
    env = server_env(tmp_path / "config")
    if not offline:  # the server must not depend on HF_HUB_OFFLINE to stay off the network
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            env.pop(name, None)
    env.update(
        {
            "PYTHONPATH": f"{hook_dir}{os.pathsep}{ROOT}",
            "QUILL_AUDIT_LOG": str(log),
            "QUILL_AUDIT_WORKSPACE": str(workspace),
        }
    )
    return env


def test_the_audit_hook_sees_what_it_must(tmp_path: Path) -> None:
    """The hook itself: a connection attempt and a process start are recorded (and the
    connection refused), so an empty record from the server means something."""
    log = tmp_path / "audit.log"
    script = (
        "import socket, subprocess, sys\n"
        "try:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
        "except PermissionError:\n    print('refused')\n"
        "subprocess.run([sys.executable, '-c', 'pass'])\n"
    )
    env = audited_env(tmp_path, tmp_path / "workspace", log, offline=True)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=DEADLINE
    )
    assert done.stdout.strip() == "refused", done.stderr
    record = log.read_text()
    assert "network socket.connect" in record or "network socket.getaddrinfo" in record
    assert "process subprocess.Popen" in record


def plant_workspace(workspace: Path, marker: Path) -> None:
    """Files that run code if anything executes, builds or imports them."""
    payload = f"open({str(marker)!r}, 'a').write(__name__ + chr(10))\n"
    (workspace / "Makefile").write_text(f"all:\n\ttouch {marker}\n")
    (workspace / "setup.py").write_text(payload + "from setuptools import setup\nsetup()\n")
    (workspace / "conftest.py").write_text(payload)
    # `python -m server` started in the workspace puts it first on sys.path: these would be
    # imported instead of the real modules when the models load.
    for name in ("onnxruntime", "tokenizers", "numpy", "pathspec"):
        (workspace / f"{name}.py").write_text(payload)
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "settings.json").write_text(
        json.dumps({"quill.models.grammar": "/nonexistent/evil", "python.pythonPath": "./x"})
    )
    (workspace / ".vscode" / "tasks.json").write_text(
        json.dumps({"version": "2.0.0", "tasks": [{"label": "x", "command": f"touch {marker}"}]})
    )
    (workspace / ".git" / "hooks").mkdir(parents=True)
    (workspace / ".git" / "hooks" / "post-checkout").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (workspace / "notes.md").write_text("The projekt notes, with a wrod or two.\n")


def test_no_network_and_no_workspace_code_in_a_full_session(
    tmp_path: Path, tiny_grammar_model: Path, tiny_code_model: Path
) -> None:
    """Spelling, grammar (tiny model), code actions, the dictionary and completion (tiny code
    model), in a workspace full of things that run code, started in that workspace without
    HF_HUB_OFFLINE: not one network attempt, process, or line of workspace code."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    marker = tmp_path / "EXECUTED"
    plant_workspace(workspace, marker)
    log = tmp_path / "audit.log"
    env = audited_env(tmp_path, workspace, log, offline=False)
    prefix = unshare_prefix()
    raw = RawServer(
        tmp_path,
        env=env,
        command=[*prefix, sys.executable, "-m", "server"],
        cwd=workspace,
    )
    try:
        raw.initialize(with_models(tiny_grammar_model, tiny_code_model))
        raw.wait_status("grammar", "grammar model model on")
        uri = raw.open("g.md", "He go to the school yesterday. A wrod.\n", "markdown")
        found = raw.diagnostics(uri, 1, lambda d: any(x["data"]["word"] == "wrod" for x in d))
        wrod = next(d for d in found if d["data"]["word"] == "wrod")
        actions = raw.call(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": wrod["range"],
                "context": {"diagnostics": [wrod]},
            },
        )["result"]
        add = next(a for a in actions if a["title"].startswith("Add 'wrod' to the workspace"))
        assert "result" in raw.execute(add["command"]["command"], *add["command"]["arguments"])
        assert "wrod" in (workspace / ".quill" / "dictionary.txt").read_text()
        code = "import os\n\n\ndef main():\n    "
        py = raw.open("m.py", code, "python")
        position = {"line": 4, "character": 4}
        inline = raw.call(
            "textDocument/inlineCompletion",
            {"textDocument": {"uri": py}, "position": position, "context": {"triggerKind": 2}},
        )
        assert "result" in inline, inline
        assert "result" in raw.call(
            "textDocument/completion", {"textDocument": {"uri": py}, "position": position}
        )
        raw.wait_status("completion", "code model model on")
        assert raw.shutdown_and_exit() == 0
    finally:
        raw.close()
    record = log.read_text().splitlines()
    assert "hook installed" in record and "import onnxruntime" in record, record[:20]
    bad = [line for line in record if line.split(" ", 1)[0] in ("network", "process")]
    assert bad == [], f"the server tried: {bad}"
    assert not [line for line in record if line.startswith("workspace-code")]
    assert not marker.exists(), marker.read_text()


# -- model directories named by settings -----------------------------------------------------
def configure(raw: RawServer, settings: dict[str, Any]) -> None:
    raw.notify("workspace/didChangeConfiguration", {"settings": {"quill": settings}})


def test_workspace_settings_cannot_point_models_outside(tmp_path: Path) -> None:
    """``models.*`` from the workspace configuration must resolve inside the workspace, the
    user's config dir or the shipped models: ``..``, symlinks and absolute paths elsewhere are
    refused with a message, and the model in use stays the same."""
    outside = tmp_path / "outside" / "model"
    outside.mkdir(parents=True)
    raw = RawServer(tmp_path)
    workspace, config = raw.workspace, raw.config_home
    (workspace / "link").symlink_to(outside)
    first = workspace / "first-model"
    try:
        raw.initialize(
            {
                "diagnostics": {"debounceMs": 0},
                "grammar": {"enabled": True},
                "models": {"grammar": str(first)},
            }
        )
        raw.wait_status("grammar", "first-model")
        refused = [
            str(outside),
            str(workspace / "sub" / ".." / ".." / "outside" / "model"),
            str(workspace / "link"),
            "~/../../" + str(outside).lstrip("/"),
        ]
        for path in refused:
            configure(raw, {"grammar": {"enabled": True}, "models": {"grammar": path}})
            assert "is outside the workspace" in raw.wait_shown(repr(path))
            status = raw.execute("quill.status")["result"]
            assert "first-model" in status["grammar"], (path, status["grammar"])
        configure(raw, {"models": {"code": str(outside)}})
        raw.wait_shown(f"models.code: {str(outside)!r} is outside")
        for accepted in (workspace / "models" / "mine", config / "quill" / "models" / "mine"):
            configure(raw, {"grammar": {"enabled": True}, "models": {"grammar": str(accepted)}})
            raw.wait_status("grammar", str(accepted))
        configure(raw, {"allowExternalModels": True, "models": {"grammar": str(outside)}})
        raw.wait_shown("allowExternalModels: only read from initializationOptions")
        assert str(outside) not in raw.execute("quill.status")["result"]["grammar"]
    finally:
        raw.close()


def test_the_user_may_allow_external_models_in_initialization_options(tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "model"
    raw = RawServer(tmp_path)
    try:
        raw.initialize(
            {
                "allowExternalModels": True,
                "diagnostics": {"debounceMs": 0},
                "grammar": {"enabled": True},
                "models": {"grammar": str(raw.workspace / "nowhere")},
            }
        )
        configure(raw, {"grammar": {"enabled": True}, "models": {"grammar": str(outside)}})
        raw.wait_status("grammar", str(outside))
        assert not raw.shown("outside the workspace")
        assert not raw.shown("unknown setting")  # allowExternalModels is not a tree setting
    finally:
        raw.close()


# -- dictionary writes -----------------------------------------------------------------------
def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (content) and symlink (target) under ``root``."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            out[str(path)] = "-> " + os.readlink(path)
        elif path.is_file():
            out[str(path)] = path.read_bytes()
    return out


def test_crafted_uris_and_links_never_write_outside(tmp_path: Path) -> None:
    """The add-to-dictionary command with ``..``, percent-encoding, other schemes, hosts, and
    workspaces whose ``.quill`` is a symbolic link out: the only files written are the
    workspace's ``.quill/dictionary.txt`` and the user's dictionary."""
    outside = tmp_path / "outside"
    (outside / "secret-dir").mkdir(parents=True)
    secret = outside / "id_rsa"
    secret.write_text("-----BEGIN KEY-----\nsecretmaterial\n")
    raw = RawServer(tmp_path)
    ws = raw.workspace
    linked_dir, linked_file = tmp_path / "linked-dir", tmp_path / "linked-file"
    linked_dir.mkdir()
    (linked_dir / ".quill").symlink_to(outside / "secret-dir")
    (linked_file / ".quill").mkdir(parents=True)
    (linked_file / ".quill" / "dictionary.txt").symlink_to(secret)
    before = snapshot(tmp_path)
    folders = [ws, linked_dir, linked_file]
    try:
        result = raw.call(
            "initialize",
            {
                "processId": None,
                "capabilities": {},
                "rootUri": ws.as_uri(),
                "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in folders],
                "initializationOptions": {"grammar": {"enabled": False}},
            },
        )
        assert "result" in result
        raw.notify("initialized", {})
        base = ws.as_uri()
        accepted = [
            (f"{base}/../outside/a.md", "workspace", "alpha"),
            (f"{base}/%2e%2e/%2E%2E/outside/b.md", "workspace", "beta"),
            (f"{base}%2F..%2F..%2Foutside/c.md", "workspace", "gamma"),
            (f"{base}/d.md", "user", "delta"),
            ("http://evil.example/outside/e.md", "user", "epsilon"),
        ]
        for uri, scope, word in accepted:
            answer = raw.execute(
                "quill.addToDictionary", {"word": word, "scope": scope, "uri": uri}
            )
            assert "result" in answer, (uri, answer)
        refused = [
            ((outside / "f.md").as_uri(), "workspace"),
            ("untitled:Untitled-1", "workspace"),
            ("http://evil.example" + str(ws / "g.md"), "workspace"),
            ("file://evil.example" + str(ws / "h.md"), "workspace"),
            ("vscode-remote://ssh-remote+x" + str(ws / "i.md"), "workspace"),
            ((linked_dir / "j.md").as_uri(), "workspace"),
            ((linked_file / "k.md").as_uri(), "workspace"),
            (f"{base}/l.md", "../../outside"),
        ]
        for uri, scope in refused:
            answer = raw.execute(
                "quill.addToDictionary", {"word": "zeta", "scope": scope, "uri": uri}
            )
            assert "error" in answer, (uri, scope, answer)
        answer = raw.execute("quill.addToDictionary", {"word": "a\nb", "uri": f"{base}/m.md"})
        assert "error" in answer
        raw.alive()
    finally:
        raw.close()
    after = snapshot(tmp_path)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    changed -= {str(p) for p in tmp_path.glob("*.log")}  # the server's stderr
    workspace_dictionary = ws / ".quill" / "dictionary.txt"
    user_dictionary = raw.config_home / "quill" / "dictionary.txt"
    assert changed == {str(workspace_dictionary), str(user_dictionary)}
    words = workspace_dictionary.read_text().split()
    assert {"alpha", "beta", "gamma"} <= set(words) and "zeta" not in words
    assert {"delta", "epsilon"} <= set(user_dictionary.read_text().split())
    assert secret.read_text() == "-----BEGIN KEY-----\nsecretmaterial\n"
    assert "secretmaterial" not in workspace_dictionary.read_text()
    assert not any((outside / "secret-dir").iterdir())


def test_a_linked_dictionary_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    """The refusal names the reason (a link out of the workspace), and nothing was read into
    the workspace: the secret stays where it is."""
    secret = tmp_path / "secret.txt"
    secret.write_text("topsecretword\n")
    raw = RawServer(tmp_path)
    (raw.workspace / ".quill").mkdir()
    (raw.workspace / ".quill" / "dictionary.txt").symlink_to(secret)
    try:
        raw.initialize()
        uri = (raw.workspace / "a.md").as_uri()
        answer = raw.execute("quill.addToDictionary", {"word": "zeta", "uri": uri})
        assert "leads outside" in answer["error"]["message"], answer
        assert (raw.workspace / ".quill" / "dictionary.txt").is_symlink()
        assert secret.read_text() == "topsecretword\n"
    finally:
        raw.close()
