"""Run the packaged extension inside real VS Code: code-server (npm ``code-server@4.100.3``)
serves the workbench, headless Chromium opens it on a workspace, and a probe extension
(``test/code-server/probe``) drives Quill's extension there against the real server, then
writes what it saw. ``make test-vscode`` runs this; it needs code-server, Chromium and
ripgrep (see editors/vscode/README.md) and fails, saying so, without them.

    python editors/vscode/scripts/test_code_server.py editors/vscode/quill.vsix
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VSCODE = Path(__file__).resolve().parents[1]
ROOT = VSCODE.parents[1]
PROBE = VSCODE / "test" / "code-server" / "probe"
DEADLINE = 240.0
MARKDOWN = (
    "# Notes\n\nWe will recieve the package tomorrow.\n\nThe zorblaxian engine is ready.\n\n"
    "Another sentance with a typo.\n\nThey was at home.\n"
)


def find(name: str, env: str) -> str:
    found = os.environ.get(env) or shutil.which(name)
    if not found:
        sys.exit(f"{name} not found (set {env}); see editors/vscode/README.md, 'In real VS Code'")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str]) -> int:
    vsix = Path(argv[0] if argv else VSCODE / "quill.vsix").resolve()
    code_server = find("code-server", "CODE_SERVER")
    chromium = find("chromium", "CHROMIUM")
    python = os.environ.get("QUILL_PYTHON") or str(ROOT / ".venv" / "bin" / "python")
    tmp = Path(tempfile.mkdtemp(prefix="quill-code-server-"))
    workspace, data, extensions = tmp / "workspace", tmp / "data", tmp / "extensions"
    for d in (workspace / ".git", data / "User", extensions, tmp / "config", tmp / "chromium"):
        d.mkdir(parents=True)
    (workspace / "notes.md").write_text(MARKDOWN)
    settings = {
        "quill.server.command": [python, "-m", "server"],
        "quill.server.env": {
            "PYTHONPATH": str(ROOT),
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "HF_HUB_OFFLINE": "1",
        },
        "quill.grammar.enabled": True,
        "quill.diagnostics.debounceMs": 0,
        "quill.spelling.learnProjectWords": False,
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
    }
    (data / "User" / "settings.json").write_text(json.dumps(settings))
    result = tmp / "report.json"
    env = dict(os.environ, QUILL_PROBE_RESULT=str(result))
    base = [code_server, "--extensions-dir", str(extensions), "--user-data-dir", str(data)]
    probe_vsix = tmp / "probe.vsix"
    vsce = VSCODE / "node_modules" / ".bin" / "vsce"
    subprocess.run(
        [
            str(vsce),
            "package",
            "--allow-missing-repository",
            "--skip-license",
            "--out",
            str(probe_vsix),
        ],
        cwd=PROBE,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    for package in (vsix, probe_vsix):
        subprocess.run([*base, "--install-extension", str(package)], check=True, env=env)
    port = free_port()
    server = subprocess.Popen(
        [
            *base,
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--auth",
            "none",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            str(workspace),
        ],
        env=env,
        stdout=(tmp / "code-server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    browser = None
    try:
        end = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as error:
                if time.monotonic() > end or server.poll() is not None:
                    log = (tmp / "code-server.log").read_text()
                    raise SystemExit(f"code-server did not start: {log}") from error
                time.sleep(0.2)
        browser = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp / 'chromium'}",
                "--remote-debugging-port=0",
                f"http://127.0.0.1:{port}/?folder={workspace}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(tmp / "chromium.log").open("w"),
        )
        end = time.monotonic() + DEADLINE
        while not result.exists() or not result.read_text().strip():
            if time.monotonic() > end:
                log = (tmp / "code-server.log").read_text()[-4000:]
                raise SystemExit(f"FAILED: no report from VS Code after {DEADLINE:.0f} s\n{log}")
            time.sleep(0.5)
        time.sleep(0.2)
        report = json.loads(result.read_text())
    finally:
        for proc in (browser, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    print(json.dumps(report, indent=1))
    checks = report.get("checks", {})
    problems = []
    if not report.get("ok"):
        problems.append(f"the probe failed: {report.get('error')}")
    else:
        if checks["flagged"] != ["recieve", "sentance", "zorblaxian"]:
            problems.append(f"flagged: {checks['flagged']}")
        if checks["line"] != "We will receive the package tomorrow.":
            problems.append(f"quick fix: {checks['line']!r}")
        if checks["grammar"] != {"word": "was", "suggestion": "were"}:
            problems.append(f"grammar: {checks['grammar']}")
        if checks["grammarLine"] != "They were at home.":
            problems.append(f"grammar quick fix: {checks['grammarLine']!r}")
        if checks["settings"] != {
            "dialect": "en-US",
            "maxTokens": 64,
            "severity": "warning",
            "grammarEnabled": True,
        }:
            problems.append(f"settings: {checks['settings']}")
        wanted = {
            "quill.restartServer",
            "quill.addWordToDictionary",
            "quill.fixAllInDocument",
            "quill.toggleCompletion",
            "quill.showStatus",
        }
        if not wanted <= set(checks["commands"]):
            problems.append(f"commands: {checks['commands']}")
        if not str(checks["status"].get("grammar", "")).startswith("grammar model"):
            problems.append(f"status: {checks['status']}")
    if problems:
        print("FAILED in real VS Code:\n  " + "\n  ".join(problems))
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"VS Code {report['vscode']} (code-server): 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
