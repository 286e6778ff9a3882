"""The writer that sends to the client from its own thread (server/lsp/transport.py).

A client that reads slowly must not block the event loop (writes only queue), messages must
arrive whole and in order, a client that stops reading must not be given memory without bound,
and a broken pipe must end the session once instead of raising in every handler."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

import pytest

from server.lsp.transport import QueuedWriter


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        with contextlib.suppress(OSError):
            os.close(fd)


def read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 16))
        assert chunk, "the pipe closed early"
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def run_with_deadline(job: object, seconds: float = 20.0) -> bool:
    """Run ``job`` in a thread; whether it finished within ``seconds``."""
    assert callable(job)
    thread = threading.Thread(target=job, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def test_writes_to_a_client_that_does_not_read_only_queue(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    writer = QueuedWriter(os.fdopen(write_fd, "wb", closefd=False))
    messages = [f"message {i:04d} ".encode() * 100 for i in range(400)]  # ~ 1.4 MB > 64 KiB pipe

    def send_all() -> None:
        for message in messages:
            writer.write(message)

    # Nobody reads: with a blocking write this would hang on the full pipe.
    assert run_with_deadline(send_all)
    assert writer.pending > 0  # queued behind the full pipe, not lost
    expected = b"".join(messages)
    received = read_exactly(read_fd, len(expected))
    assert received == expected  # whole and in order
    writer.close()
    assert writer.pending == 0
    assert not writer.lost


def test_close_writes_what_is_queued(pipe: tuple[int, int]) -> None:
    read_fd, write_fd = pipe
    stream = os.fdopen(write_fd, "wb", closefd=False)
    writer = QueuedWriter(stream)
    writer.write(b"the answer to shutdown")
    writer.close()
    assert os.read(read_fd, 100) == b"the answer to shutdown"


def test_a_client_that_stops_reading_gets_back_pressure_not_unbounded_memory(
    pipe: tuple[int, int],
) -> None:
    read_fd, write_fd = pipe
    writer = QueuedWriter(os.fdopen(write_fd, "wb", closefd=False), limit=256 << 10)
    done = threading.Event()

    def send_4mb() -> None:
        for _ in range(64):
            writer.write(b"x" * (64 << 10))
        done.set()

    sender = threading.Thread(target=send_4mb, daemon=True)
    sender.start()
    assert not done.wait(1.0)  # 4 MB cannot all be queued under a 256 KiB limit
    # The queued bytes stay near the limit (one message past it at most) ...
    assert writer.pending <= (256 << 10) + (64 << 10)
    # ... and the sender goes on as soon as the client reads again.
    assert read_exactly(read_fd, 64 * (64 << 10)) == b"x" * (64 * (64 << 10))
    assert done.wait(20)
    writer.close()


def test_a_broken_pipe_ends_the_session_once_and_later_writes_are_dropped(
    pipe: tuple[int, int],
) -> None:
    read_fd, write_fd = pipe
    os.close(read_fd)  # the client is gone
    lost = []
    called = threading.Event()

    def on_lost() -> None:
        lost.append(1)
        called.set()

    writer = QueuedWriter(os.fdopen(write_fd, "wb", closefd=False), on_lost=on_lost)
    writer.write(b"x" * (128 << 10))
    assert called.wait(20)
    assert writer.lost
    for _ in range(10):
        writer.write(b"more")  # no exception, nothing queued
    writer.close()
    assert lost == [1]
