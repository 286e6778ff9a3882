"""A raw LSP client over a real ``python -m server`` process: bytes in, JSON messages out.

pytest-lsp's client only sends well-formed messages, and these tests are about the others:
bad headers, broken JSON, wrong types, messages out of order. So the framing here is written by
hand. A thread reads the server's stdout (so its pipe never fills up), records every message
and answers the server's own requests (``workspace/configuration``, registrations) with
``null``. Every wait has a deadline and fails the test when it passes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: The longest any single wait may take on a busy two-core machine.
DEADLINE = 30.0

Message = dict[str, Any]


def frame(body: bytes | str) -> bytes:
    """One message as the base protocol frames it."""
    data = body.encode() if isinstance(body, str) else body
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def encode(message: Message) -> bytes:
    return frame(json.dumps(message))


def server_env(config_home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A test server's environment: its own user config and cache dirs, offline, this checkout."""
    env = dict(os.environ)
    env.update(
        {
            "XDG_CONFIG_HOME": str(config_home),
            "XDG_CACHE_HOME": str(config_home / "cache"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra or {})
    return env


def with_models(grammar: Path, code: Path) -> dict[str, Any]:
    """Initialization options with grammar on, both models named, short and instant
    completions, no debounce: what the fault and security tests run with."""
    return {
        "diagnostics": {"debounceMs": 0},
        "grammar": {"enabled": True},
        "models": {"grammar": str(grammar), "code": str(code)},
        "completion": {"maxTokens": 4, "timeoutMs": 0, "generate": True},
    }


class RawServer:
    """``python -m server`` on pipes, driven with hand-made bytes."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        env: dict[str, str] | None = None,
        command: Iterable[str] | None = None,
        cwd: Path | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ) -> None:
        self.workspace = tmp_path / "workspace"
        self.workspace.mkdir(exist_ok=True)
        self.config_home = tmp_path / "config"
        self.config_home.mkdir(exist_ok=True)
        self.stderr_path = tmp_path / "server-stderr.log"
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            list(command or [sys.executable, "-m", "server"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env or server_env(self.config_home),
            cwd=cwd or tmp_path,
            preexec_fn=preexec_fn,
        )
        self.messages: list[Message] = []
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._next_id = 1000
        self.closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- reading -------------------------------------------------------------------------------
    def _read(self) -> None:
        assert self.proc.stdout is not None
        stream = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if line == b"\r\n":
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                assert length is not None, "the server sent a header without Content-Length"
                body = stream.read(length)
                message = json.loads(body)
                if "method" in message and "id" in message:  # the server asks: say null
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                with self._cond:
                    self.messages.append(message)
                    self._cond.notify_all()
        finally:
            with self._cond:
                self.closed = True
                self._cond.notify_all()

    def wait_for(
        self, predicate: Callable[[Message], bool], timeout: float = DEADLINE, after: int = 0
    ) -> Message:
        """The first message (from index ``after``) matching ``predicate``."""
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self.messages[after:]:
                    if predicate(message):
                        return message
                remaining = end - time.monotonic()
                if remaining <= 0 or (self.closed and not self._cond.wait(0)):
                    raise AssertionError(
                        f"no matching message within {timeout}s (server "
                        f"{'closed its output' if self.closed else 'still running'}); "
                        f"got {[m.get('method', m.get('id')) for m in self.messages]}\n"
                        f"stderr: {self.stderr()[-3000:]}"
                    )
                self._cond.wait(min(remaining, 0.5))

    def response(self, msg_id: Any, timeout: float = DEADLINE) -> Message:
        return self.wait_for(
            lambda m: "method" not in m and m.get("id") == msg_id and "id" in m, timeout
        )

    def stderr(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def published(self, uri: str, after: int = 0) -> list[Message]:
        with self._cond:
            return [
                m
                for m in self.messages[after:]
                if m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
            ]

    # -- writing -------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        with self._write_lock:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def send(self, message: Message) -> None:
        self.write(encode(message))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request(self, method: str, params: Any = None) -> int:
        msg_id = self.new_id()
        message: Message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return msg_id

    def call(self, method: str, params: Any = None, timeout: float = DEADLINE) -> Message:
        """Send a request and wait for its response (a result or an error)."""
        return self.response(self.request(method, params), timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message: Message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    # -- the LSP session -----------------------------------------------------------------------
    def initialize(
        self, options: dict[str, Any] | None = None, folders: list[Path] | None = None
    ) -> Message:
        """``initialize`` (with the workspace, or ``folders``) and ``initialized``."""
        roots = folders or [self.workspace]
        result = self.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": roots[0].as_uri(),
                "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in roots],
                "capabilities": {},
                "initializationOptions": options
                if options is not None
                else {"diagnostics": {"debounceMs": 0}, "grammar": {"enabled": False}},
            },
        )
        assert "result" in result, result
        self.notify("initialized", {})
        return result

    def open(
        self, name: str | Path, text: str, language: str = "plaintext", version: int = 1
    ) -> str:
        """Open a document in the workspace (or at ``name`` when it is an absolute path)."""
        uri = (self.workspace / name).as_uri()
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language,
                    "version": version,
                    "text": text,
                }
            },
        )
        return uri

    def change(self, uri: str, version: int, text: str) -> None:
        """Replace the whole text of an open document."""
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            },
        )

    def shown(self, needle: str) -> list[str]:
        """The window/showMessage texts so far that contain ``needle``."""
        with self._cond:
            return [
                m["params"]["message"]
                for m in self.messages
                if m.get("method") == "window/showMessage" and needle in m["params"]["message"]
            ]

    def wait_shown(self, needle: str, timeout: float = DEADLINE) -> str:
        """The first window/showMessage containing ``needle`` (some are sent by tasks of
        their own, so they may follow the next response)."""
        found = self.wait_for(
            lambda m: m.get("method") == "window/showMessage" and needle in m["params"]["message"],
            timeout,
        )
        return str(found["params"]["message"])

    def diagnostics(
        self,
        uri: str,
        version: int | None = None,
        predicate: Callable[[list[Message]], bool] = lambda d: True,
        after: int = 0,
        timeout: float = DEADLINE,
    ) -> list[Message]:
        """The diagnostics of the first matching publication for ``uri``."""
        found = self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and (version is None or m["params"].get("version") == version)
                and predicate(m["params"]["diagnostics"])
            ),
            timeout,
            after,
        )
        return list(found["params"]["diagnostics"])

    def execute(self, command: str, *arguments: Any) -> Message:
        return self.call(
            "workspace/executeCommand", {"command": command, "arguments": list(arguments)}
        )

    def wait_status(self, key: str, needle: str) -> dict[str, Any]:
        """``quill.status`` once its ``key`` says ``needle`` (a model loaded, say)."""
        end = time.monotonic() + DEADLINE
        while True:
            status = self.execute("quill.status")["result"]
            if needle in str(status[key]):
                return dict(status)
            assert time.monotonic() < end, f"status {key} never said {needle!r}: {status[key]}"
            time.sleep(0.1)

    def alive(self) -> None:
        """The server still answers a valid request, in time."""
        answer = self.execute("quill.status")
        assert "result" in answer and answer["result"]["version"], answer

    def shutdown_and_exit(self, timeout: float = DEADLINE) -> int:
        assert self.call("shutdown").get("error") is None
        self.notify("exit")
        return self.proc.wait(timeout)

    def close(self) -> None:
        """End the process whatever state it is in (the test's own child only)."""
        if self.proc.poll() is None:
            try:
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)
        self._stderr.close()
