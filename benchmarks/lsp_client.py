"""A minimal LSP client for the benchmarks: the server started over stdio as an editor does.

Asyncio and ``Content-Length`` framing, no library between the benchmark and the server:
requests, notifications, the server's own requests answered with ``null``, and the time each
document version's diagnostics arrived. Shared by the lsp, typing, load and completion suites.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from .common import WORK, child_env


class Client:
    """Just enough JSON-RPC for this benchmark: requests, notifications, answering the
    server's own requests with ``null``, and waiting for a document version's diagnostics."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._diagnostics: dict[tuple[str, int | None], float] = {}
        self._event = asyncio.Event()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        while True:
            length = 0
            while True:
                line = await stdout.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = json.loads(await stdout.readexactly(length))
            arrived = time.perf_counter()
            if "id" in body and "method" in body:  # a request from the server
                await self._send({"jsonrpc": "2.0", "id": body["id"], "result": None})
            elif "id" in body:
                future = self._pending.pop(body["id"], None)
                if future is not None and not future.done():
                    future.set_result(body.get("result"))
            elif body.get("method") == "textDocument/publishDiagnostics":
                params = body["params"]
                # The first publication of a version is the one a user waits for (grammar
                # completed in the background publishes the same version again later).
                self._diagnostics.setdefault((params["uri"], params.get("version")), arrived)
                self._event.set()

    @property
    def published(self) -> dict[tuple[str, int | None], float]:
        """When the first diagnostics of each (uri, version) arrived (``perf_counter``)."""
        return self._diagnostics

    async def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        data = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        await self.proc.stdin.drain()

    async def request(self, method: str, params: Any, timeout: float = 120) -> Any:
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        await self._send(
            {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}
        )
        return await asyncio.wait_for(future, timeout)

    async def notify(self, method: str, params: Any) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def diagnostics_at(self, uri: str, version: int, timeout: float = 120) -> float:
        """When diagnostics for ``uri`` at ``version`` arrived (waits for them)."""
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self._diagnostics:
            self._event.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no diagnostics for {uri} version {version}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)
        return self._diagnostics[(uri, version)]

    async def close(self) -> None:
        try:
            await self.request("shutdown", None, timeout=10)
            await self.notify("exit", None)
            await asyncio.wait_for(self.proc.wait(), 10)
        except (asyncio.TimeoutError, ConnectionError):
            self.proc.kill()
        self._reader.cancel()


#: The benchmark servers' user cache directory (the completion index's snapshots).
#: The benchmark servers' user cache directory (the completion index's snapshots).
CACHE_HOME = WORK / "xdg-cache"


async def start_server(log: Any = None) -> asyncio.subprocess.Process:
    """``python -m server`` over pipes in the benchmark work directory, with its own user
    configuration and cache (stderr to ``log``, a binary file, or discarded)."""
    WORK.mkdir(parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=log or asyncio.subprocess.DEVNULL,
        cwd=str(WORK),
        env=child_env(
            {"XDG_CONFIG_HOME": str(WORK / "xdg-config"), "XDG_CACHE_HOME": str(CACHE_HOME)}
        ),
        limit=2**26,
    )


def initialize_params(
    options: dict[str, Any], *, inline_completion: bool = False
) -> dict[str, Any]:
    """``initialize`` parameters of a benchmark client: UTF-16, versioned diagnostics, didSave
    (and inline completion when asked), with ``options`` as the initialization options."""
    text_document: dict[str, Any] = {
        "publishDiagnostics": {"versionSupport": True},
        "synchronization": {"didSave": True},
    }
    if inline_completion:
        text_document["inlineCompletion"] = {}
    return {
        "processId": os.getpid(),
        "rootUri": None,
        "workspaceFolders": None,
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": text_document,
        },
        "initializationOptions": options,
    }


def vm_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def wait_for_grammar(client: Client, deadline_s: float = 120) -> str:
    """Poll ``quill.status`` until the grammar model has loaded (or failed): its line."""
    end = time.perf_counter() + deadline_s
    while True:
        status = await client.request(
            "workspace/executeCommand", {"command": "quill.status", "arguments": []}
        )
        line = str((status or {}).get("grammar", ""))
        if "loading" not in line or time.perf_counter() > end:
            return line
        await asyncio.sleep(0.05)
