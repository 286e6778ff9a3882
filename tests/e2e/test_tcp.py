"""``python -m server --tcp HOST:PORT``: the same server on a socket."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send(sock: socket.socket, message: dict[str, object]) -> None:
    body = json.dumps(message).encode()
    sock.sendall(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def _receive(sock: socket.socket) -> dict[str, object]:
    header = b""
    while not header.endswith(b"\r\n\r\n"):
        chunk = sock.recv(1)
        assert chunk, "server closed the connection"
        header += chunk
    length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body))
    return json.loads(body)  # type: ignore[no-any-return]


def test_tcp_initialize_and_diagnostics(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(tmp_path),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "--tcp", f"127.0.0.1:{port}"],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not listen"
                time.sleep(0.2)
        with sock:
            _send(
                sock,
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "capabilities": {},
                        "processId": None,
                        "rootUri": None,
                        "initializationOptions": {"diagnostics": {"debounceMs": 0}},
                    },
                },
            )
            reply = _receive(sock)
            assert reply["id"] == 1
            capabilities = reply["result"]["capabilities"]  # type: ignore[index]
            assert capabilities["codeActionProvider"]  # type: ignore[index]
            _send(sock, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
            _send(
                sock,
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {
                        "textDocument": {
                            "uri": "file:///t.txt",
                            "languageId": "plaintext",
                            "version": 1,
                            "text": "A wrod.\n",
                        }
                    },
                },
            )
            while True:
                message = _receive(sock)
                if message.get("method") == "textDocument/publishDiagnostics":
                    params = message["params"]
                    assert params["version"] == 1  # type: ignore[index]
                    (diagnostic,) = params["diagnostics"]  # type: ignore[index]
                    assert diagnostic["data"]["word"] == "wrod"
                    break
    finally:
        server.kill()
        server.wait(10)


def test_malformed_messages_get_errors_and_the_server_goes_on(tmp_path: Path) -> None:
    """Over stdio: invalid JSON, an unknown method and wrong parameter types."""
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(tmp_path),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "server"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert server.stdin is not None and server.stdout is not None

    def send_raw(body: bytes) -> None:
        assert server.stdin is not None
        server.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        server.stdin.flush()

    def receive() -> dict[str, object]:
        assert server.stdout is not None
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            chunk = server.stdout.read(1)
            assert chunk, "server exited"
            header += chunk
        length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
        return json.loads(server.stdout.read(length))  # type: ignore[no-any-return]

    def reply_to(request_id: int) -> dict[str, object]:
        while True:
            message = receive()
            if message.get("id") == request_id:
                return message

    try:
        send_raw(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"capabilities": {}, "processId": None},
                }
            ).encode()
        )
        assert "result" in reply_to(1)
        send_raw(b"{this is not json")
        send_raw(
            json.dumps(
                {"jsonrpc": "2.0", "id": 2, "method": "quill/noSuchMethod", "params": {}}
            ).encode()
        )
        assert reply_to(2)["error"]["code"] == -32601  # type: ignore[index]
        send_raw(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 3,
                    "method": "textDocument/codeAction",
                    "params": {"textDocument": 42},
                }
            ).encode()
        )
        assert "error" in reply_to(3)
        send_raw(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 4,
                    "method": "workspace/executeCommand",
                    "params": {"command": "quill.status", "arguments": []},
                }
            ).encode()
        )
        status = reply_to(4)["result"]
        assert status["openDocuments"] == 0  # type: ignore[index]
    finally:
        server.kill()
        server.wait(10)
