"""The wire: LSP base-protocol framing, JSON-RPC checks and the lifecycle rules, before pygls.

pygls' reading loop (``pygls.io_.run_async``) trusts the client, and one bad message costs more
than itself there:

* a header block without a usable ``Content-Length`` (missing, not a number) makes it read the
  following bodies as header lines, so every later message is lost and the editor hangs;
* a body that is not JSON, or JSON that is not a request, gets no answer at all (JSON-RPC
  wants ``-32700``/``-32600`` with ``"id": null``);
* a request for an unknown method without ``params`` gets ``-32603`` instead of ``-32601``,
  and an unknown notification without ``params`` pops up an error instead of being ignored;
* requests are served before ``initialize`` (LSP wants ``-32002``) and go unanswered after
  ``shutdown`` (LSP wants ``-32600``), which leaves a client waiting forever;
* ``exit`` turns into a ``SystemExit`` that pygls swallows, so the process always ends with
  status 0, even for an ``exit`` without ``shutdown`` (LSP wants 1).

So Quill reads the stream itself: :class:`FrameReader` splits bytes into bodies and, after a
broken header, finds the next ``Content-Length`` instead of giving up; :class:`Dispatcher`
answers what is not a valid message and applies the lifecycle rules; well-formed messages
then go to pygls' ``structure_message``/``handle_message`` unchanged. stdin is read by a
daemon thread, so a client that sends ``exit`` but keeps the pipe open never keeps the process
alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import re
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)

#: Bytes read from the client at a time.
CHUNK = 1 << 16
#: A header block longer than this is not a header block: look for the next message.
MAX_HEADER = 8192
#: A body longer than this is a broken ``Content-Length``, not a message (a 2 MB document,
#: Quill's checking limit, is far below it).
MAX_BODY = 256 << 20
_CONTENT_LENGTH = re.compile(rb"content-length:", re.IGNORECASE)
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class FramingError(Exception):
    """Bytes that are not a base-protocol message (the reader skipped to the next one)."""


def _content_length(header: bytes) -> int:
    """The ``Content-Length`` of a header block; raises ``FramingError`` for a bad block."""
    length = None
    for line in header.split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise FramingError(f"not a header line: {line[:80]!r}")
        if name.lower() == b"content-length":
            value = value.strip()
            if not value.isdigit():
                raise FramingError(f"Content-Length is not a number: {value[:40]!r}")
            length = int(value)
    if length is None:
        raise FramingError(f"a message without Content-Length (headers: {header[:200]!r})")
    if length > MAX_BODY:
        raise FramingError(f"Content-Length {length} is over the {MAX_BODY}-byte limit")
    return length


class FrameReader:
    """Splits the client's byte stream into message bodies, one at a time.

    After a header block it cannot use, it reports a :class:`FramingError` once and resumes
    at the next ``Content-Length`` in the stream: a client that sent one broken message loses
    that message, not the connection.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._seeking = False

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_frame(self) -> bytes | FramingError | None:
        """The next body, or the problem that made the reader skip bytes; None: need more."""
        buf = self._buffer
        if self._seeking:
            found = _CONTENT_LENGTH.search(buf)
            if found is None:  # keep what may be the start of a split "Content-Length:"
                del buf[: max(0, len(buf) - len(_CONTENT_LENGTH.pattern) + 1)]
                return None
            del buf[: found.start()]
            self._seeking = False
        while buf and buf[0] in b"\r\n":  # blank lines between messages are harmless
            del buf[:1]
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEADER:
                return self._skip(FramingError(f"no end of headers in {MAX_HEADER} bytes"))
            return None
        try:
            length = _content_length(bytes(buf[:end]))
        except FramingError as problem:
            return self._skip(problem)
        start = end + 4
        if len(buf) < start + length:
            return None
        body = bytes(buf[start : start + length])
        del buf[: start + length]
        return body

    def _skip(self, problem: FramingError) -> FramingError:
        del self._buffer[:1]
        self._seeking = True
        return problem

    def recover(self, body: bytes) -> None:
        """A body that was not JSON: if another message starts inside it (its
        ``Content-Length`` was too large), read that message again from there."""
        found = _CONTENT_LENGTH.search(body, 1)
        if found is not None:
            self._buffer[:0] = body[found.start() :]


def _valid_id(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


class Dispatcher:
    """Checks each body before pygls sees it and answers what pygls would leave unanswered."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.protocol = server.protocol
        #: ``initialize`` has been received (requests before it get ``-32002``).
        self.initialized = False
        #: ``shutdown`` has been received (requests after it get ``-32600``).
        self.shutting_down = False

    def _answer(self, msg_id: Any, error: JsonRpcException) -> None:
        """An error response; ``"id": null`` when the request's id is unknown (JSON-RPC)."""
        payload: dict[str, Any] = {"code": error.code, "message": error.message}
        self.protocol._send_data(
            {"jsonrpc": "2.0", "id": msg_id if _valid_id(msg_id) else None, "error": payload}
        )

    def problem(self, error: Exception) -> None:
        """Log a malformed message; the user hears of each kind once (``report_server_error``)."""
        try:
            self.server.report_server_error(error, JsonRpcException)
        except Exception:  # reporting must never take the reading loop down
            log.exception("could not report %s", error)

    def _known(self, method: str) -> bool:
        fm = self.protocol.fm
        return (
            method in fm.builtin_features or method in fm.features or method == types.CANCEL_REQUEST
        )

    def receive(self, body: bytes) -> bool:
        """Handle one body; False when it is not JSON at all (see ``FrameReader.recover``)."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            error: JsonRpcException = JsonRpcParseError(f"Parse error: {exc}")
            self._answer(None, error)
            self.problem(error)
            return False
        if not isinstance(data, dict):
            what = "a batch (LSP has none)" if isinstance(data, list) else type(data).__name__
            error = JsonRpcInvalidRequest(f"Invalid Request: a message is an object, not {what}")
            self._answer(None, error)
            self.problem(error)
            return True
        self._dispatch(data)
        return True

    def _dispatch(self, data: dict[str, Any]) -> None:
        msg_id, method = data.get("id"), data.get("method")
        if "method" not in data and ("result" in data or "error" in data):
            if data.get("jsonrpc") == "2.0" and _valid_id(msg_id):
                self._handle(data)  # a response to one of the server's requests
            else:
                log.warning("ignoring a malformed response: %.200s", data)
            return  # a response is never answered
        problem = None
        if data.get("jsonrpc") != "2.0":
            problem = 'expected "jsonrpc": "2.0"'
        elif not isinstance(method, str):
            problem = "no method" if method is None else "the method is not a string"
        elif "id" in data and not _valid_id(msg_id):
            problem = "the id is neither a number nor a string"
        if problem is not None:
            error = JsonRpcInvalidRequest(f"Invalid Request: {problem}")
            self._answer(msg_id, error)
            self.problem(error)
            return
        assert isinstance(method, str)
        if "id" in data:
            self._request(data, msg_id, method)
        else:
            self._notification(data, method)

    def _request(self, data: dict[str, Any], msg_id: Any, method: str) -> None:
        error: JsonRpcException | None = None
        if self.shutting_down:
            error = JsonRpcInvalidRequest(f"the server is shutting down: {method} refused")
        elif method == types.INITIALIZE and self.initialized:
            error = JsonRpcInvalidRequest("initialize may only be sent once")
        elif method != types.INITIALIZE and not self.initialized:
            error = JsonRpcServerNotInitialized(f"the server is not initialized: {method}")
        elif not self._known(method):
            error = JsonRpcMethodNotFound.of(method)
        if error is not None:
            log.warning("request %s %s: %s", msg_id, method, error.message)
            self._answer(msg_id, error)
            return
        if method == types.INITIALIZE:
            self.initialized = True
        elif method == types.SHUTDOWN:
            self.shutting_down = True
        self._handle(data)

    def _notification(self, data: dict[str, Any], method: str) -> None:
        if method != types.EXIT and (not self.initialized or self.shutting_down):
            log.info(
                "dropping %s: %s",
                method,
                "shutting down" if self.initialized else "before initialize",
            )
            return
        if not self._known(method):  # LSP: unknown notifications (``$/`` ones too) are ignored
            log.debug("ignoring notification %s", method)
            return
        self._handle(data)

    def _handle(self, data: dict[str, Any]) -> None:
        """Hand a well-formed message to pygls: typed by lsprotocol, then its handler."""
        try:
            message = self.protocol.structure_message(data)
        except JsonRpcException as exc:  # parameters of the wrong shape
            if "method" in data and "id" in data:
                error = JsonRpcInvalidParams(
                    f"{exc.message}: cannot read the parameters of {data['method']}"
                )
                self._answer(data["id"], error)
            self.problem(exc)
            return
        self.protocol.handle_message(message)


async def serve_stream(server: LanguageServer, read: Callable[[], Awaitable[bytes]]) -> int:
    """Serve one client until it sends ``exit`` (its status: 0 after ``shutdown``, else 1) or
    closes the stream (0)."""
    reader = FrameReader()
    dispatcher = Dispatcher(server)
    while True:
        chunk = await read()
        if not chunk:
            log.info("the client closed the connection")
            return 0
        reader.feed(chunk)
        while (item := reader.next_frame()) is not None:
            if isinstance(item, FramingError):
                dispatcher.problem(item)
                continue
            try:
                if not dispatcher.receive(item):
                    reader.recover(item)
            except SystemExit as done:  # pygls' exit handler: the status LSP asks for
                return done.code if isinstance(done.code, int) else 1
            except Exception as exc:  # a handler's bug must not end the session
                log.exception("could not handle a message")
                dispatcher.problem(exc)


def _pump(fd: int, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes]) -> None:
    """Read ``fd`` until end of file, handing each chunk to the event loop."""
    while True:
        try:
            data = os.read(fd, CHUNK)
        except OSError:
            data = b""
        try:
            loop.call_soon_threadsafe(queue.put_nowait, data)
        except RuntimeError:  # the loop is gone: the server has exited
            return
        if not data:
            return


class QueuedWriter:
    """Writes to the client from a thread of its own, in order.

    pygls writes to stdout from the event loop and flushes every message. A client that reads
    slowly (it is busy: an editor redrawing, the load benchmark's client on the same two cores)
    fills the 64 KiB pipe, and the write then blocks the event loop, every message behind it
    waiting: the load benchmark measured 9.5 s of such blocked writes in 150 s. Here the loop
    only queues the bytes. A client that stops reading altogether is not given memory without
    bound: past :attr:`limit` queued bytes, :meth:`write` waits for the pipe (back-pressure,
    as before). When the pipe breaks, ``on_lost`` is called once and later writes are dropped.
    """

    def __init__(
        self, stream: BinaryIO, on_lost: Callable[[], None] | None = None, limit: int = 64 << 20
    ) -> None:
        self._stream = stream
        self._on_lost = on_lost
        self.limit = limit
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._room = threading.Condition()
        #: Bytes queued and not yet written.
        self.pending = 0
        self.lost = False
        self._thread = threading.Thread(target=self._run, name="quill-writer", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        if self.lost:
            return
        with self._room:
            while self.pending > self.limit and not self.lost:
                self._room.wait(0.1)
            self.pending += len(data)
        self._queue.put(data)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (the answer to ``shutdown``, say), then stop."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                self._stream.write(data)
                if self._queue.empty():  # one flush for a burst of messages
                    self._stream.flush()
            except (OSError, ValueError) as exc:  # a broken pipe, a closed stream
                self._lose(exc)
                return
            finally:
                with self._room:
                    self.pending -= len(data)
                    self._room.notify_all()
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()

    def _lose(self, exc: Exception) -> None:
        log.error("lost the connection to the client (%s)", exc)
        with self._room:
            self.lost = True
            self._room.notify_all()
        if self._on_lost is not None:
            self._on_lost()


def send_notification(server: LanguageServer, method: str, params: dict[str, Any]) -> None:
    """Send a notification whose params are already in their wire (JSON) form.

    Through pygls' own framing and writer (in order with its messages), as
    :meth:`Dispatcher._answer` does: a plain dict goes straight to ``json.dumps``, whereas
    pygls' typed path would have cattrs walk every diagnostic of ``publishDiagnostics`` again
    (see ``convert.to_diagnostic``)."""
    server.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})


def serve_io(
    server: LanguageServer, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None
) -> int:
    """Serve over stdin/stdout (what editors use); the process's exit status."""
    fd = (stdin or sys.stdin.buffer).fileno()

    async def main() -> int:
        incoming: asyncio.Queue[bytes] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def lost() -> None:  # from the writer's thread: end the session as at end of input
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(incoming.put_nowait, b"")

        writer = QueuedWriter(stdout or sys.stdout.buffer, on_lost=lost)
        server.protocol.set_writer(writer)
        threading.Thread(target=_pump, args=(fd, loop, incoming), daemon=True).start()
        try:
            return await serve_stream(server, incoming.get)
        finally:
            writer.close()

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        log.error("interrupted")
        return 1
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]


def serve_tcp(server: LanguageServer, host: str, port: int) -> int:
    """Serve the first client that connects to ``host:port``; the exit status."""
    status: list[int] = []

    async def main() -> None:
        finished = asyncio.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            server.protocol.set_writer(writer)
            try:
                status.append(await serve_stream(server, lambda: reader.read(CHUNK)))
            finally:
                writer.close()
                finished.set()

        listener = await asyncio.start_server(connection, host, port)
        log.info("serving on %s:%s", host, port)
        async with listener:
            await finished.wait()

    try:
        asyncio.run(main())
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]
    return status[0] if status else 0
