"""Malformed protocol over the real server's stdio: every bad input gets the answer JSON-RPC and
LSP ask for (or none, where they ask for none), and the server answers a valid request after it.

The messages are framed by hand (``tests/reliability/stdio.py``), so headers, lengths and
bodies can be wrong in ways no LSP client library would produce.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.stdio import DEADLINE, RawServer, encode, frame

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SERVER_NOT_INITIALIZED = -32002


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawServer]:
    """One initialized server for all the bad-input cases (each ends by proving it is alive)."""
    raw = RawServer(tmp_path_factory.mktemp("protocol"))
    try:
        raw.initialize()
        yield raw
    finally:
        raw.close()


def status_request(msg_id: int) -> bytes:
    return encode(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "workspace/executeCommand",
            "params": {"command": "quill.status", "arguments": []},
        }
    )


def new_messages(server: RawServer, mark: int) -> list[dict[str, Any]]:
    return server.messages[mark:]


# (name, body bytes, expected error code, whether the answer carries the request's id 7)
BAD_BODIES = [
    ("invalid JSON", b'{"jsonrpc": "2.0", "id": 7, "meth', PARSE_ERROR, False),
    ("invalid UTF-8", b'{"jsonrpc": "2.0", "id": 7, "method": "\xff\xfe"}', PARSE_ERROR, False),
    ("nested too deep", b"[" * 100_000, PARSE_ERROR, False),
    ("a batch", b'[{"jsonrpc": "2.0", "id": 7, "method": "shutdown"}]', INVALID_REQUEST, False),
    ("a number", b"42", INVALID_REQUEST, False),
    ("null", b"null", INVALID_REQUEST, False),
    ("no method", b'{"jsonrpc": "2.0", "params": {}}', INVALID_REQUEST, False),
    ("method not a string", b'{"jsonrpc": "2.0", "id": 7, "method": 5}', INVALID_REQUEST, True),
    ("id an object", b'{"jsonrpc": "2.0", "id": {}, "method": "shutdown"}', INVALID_REQUEST, False),
    # Must be refused, not obeyed: the server goes on serving after it.
    ("JSON-RPC 1.0", b'{"jsonrpc": "1.0", "id": 7, "method": "shutdown"}', INVALID_REQUEST, True),
    (
        "unknown method",
        b'{"jsonrpc": "2.0", "id": 7, "method": "quill/nope"}',
        METHOD_NOT_FOUND,
        True,
    ),
    (
        "unknown method with params",
        b'{"jsonrpc": "2.0", "id": 7, "method": "quill/nope", "params": {"a": 1}}',
        METHOD_NOT_FOUND,
        True,
    ),
    (
        "unknown $/ request",
        b'{"jsonrpc": "2.0", "id": 7, "method": "$/nope"}',
        METHOD_NOT_FOUND,
        True,
    ),
    (
        "an LSP request Quill does not serve",
        b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": '
        b'{"textDocument": {"uri": "file:///x.txt"}, "position": {"line": 0, "character": 0}}}',
        METHOD_NOT_FOUND,
        True,
    ),
    (
        "wrong parameter types",
        b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/codeAction", '
        b'"params": {"textDocument": 42, "range": "all", "context": []}}',
        INVALID_PARAMS,
        True,
    ),
    (
        "missing parameters",
        b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/codeAction"}',
        INVALID_PARAMS,
        True,
    ),
]


@pytest.mark.parametrize(
    ("body", "code", "with_id"),
    [pytest.param(b, c, i, id=n) for n, b, c, i in BAD_BODIES],
)
def test_a_bad_message_gets_its_error_and_the_server_goes_on(
    server: RawServer, body: bytes, code: int, with_id: bool
) -> None:
    mark = len(server.messages)
    server.write(frame(body))
    answer = server.wait_for(lambda m: "error" in m and "method" not in m, after=mark)
    assert answer["error"]["code"] == code, answer
    assert answer["id"] == (7 if with_id else None), answer
    assert "id" in answer  # JSON-RPC: "id": null when the id could not be read, never absent
    server.alive()


QUIET_NOTIFICATIONS = [
    ("unknown notification", {"jsonrpc": "2.0", "method": "quill/somethingNew"}),
    ("unknown notification with params", {"jsonrpc": "2.0", "method": "quill/x", "params": [1]}),
    ("$/ notification", {"jsonrpc": "2.0", "method": "$/somethingNew", "params": {"a": 1}}),
    ("$/ notification without params", {"jsonrpc": "2.0", "method": "$/progress"}),
    (
        "cancel of an unknown request",
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 99}},
    ),
    ("a response nobody asked for", {"jsonrpc": "2.0", "id": "never-sent", "result": {"x": 1}}),
    (
        "an error response nobody asked for",
        {"jsonrpc": "2.0", "id": 5, "error": {"code": 1, "message": "x"}},
    ),
]


@pytest.mark.parametrize("message", [pytest.param(m, id=n) for n, m in QUIET_NOTIFICATIONS])
def test_unknown_notifications_are_ignored_silently(
    server: RawServer, message: dict[str, Any]
) -> None:
    mark = len(server.messages)
    server.send(message)
    server.alive()  # answered after the notification was read: anything it caused came first
    extra = [m for m in new_messages(server, mark) if m.get("id") is None or "error" in m]
    assert extra == [], f"a notification must get no answer and no message: {extra}"


def test_a_notification_with_wrong_types_is_survived(server: RawServer) -> None:
    """A didOpen/didChange the server cannot read: no answer (it is a notification), no
    crash, and the documents it knows are unchanged."""
    mark = len(server.messages)
    server.notify("textDocument/didOpen", {"textDocument": {"uri": 5, "text": ["a"]}})
    server.notify("textDocument/didChange", {"textDocument": "x", "contentChanges": 3})
    server.alive()
    assert not [m for m in new_messages(server, mark) if "error" in m]
    assert server.execute("quill.status")["result"]["openDocuments"] == 0


FRAMING = [
    ("missing Content-Length", b"Content-Type: application/json\r\n\r\n" + b'{"jsonrpc": "2.0"}'),
    ("non-numeric Content-Length", b"Content-Length: twelve\r\n\r\n" + b'{"jsonrpc": "2.0"}'),
    ("negative Content-Length", b"Content-Length: -5\r\n\r\n" + b'{"jsonrpc": "2.0"}'),
    ("absurd Content-Length", b"Content-Length: 99999999999999\r\n\r\n" + b'{"jsonrpc": "2.0"}'),
    ("headers that never end", b"X-Junk: " + b"j" * 20_000),
    ("bytes that are no message", bytes(range(256)) * 40),
]


@pytest.mark.parametrize("junk", [pytest.param(j, id=n) for n, j in FRAMING])
def test_a_broken_frame_costs_that_message_not_the_next(server: RawServer, junk: bytes) -> None:
    """The request right behind the broken frame (in the same write) is answered."""
    msg_id = server.new_id()
    server.write(junk + status_request(msg_id))
    answer = server.response(msg_id)
    assert answer["result"]["version"], answer


def test_a_content_length_too_short_gives_a_parse_error_then_goes_on(server: RawServer) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}).encode()
    first, second = server.new_id(), server.new_id()
    mark = len(server.messages)
    server.write(
        b"Content-Length: %d\r\n\r\n" % (len(body) - 12)
        + body
        + status_request(first)
        + status_request(second)
    )
    assert server.response(second)["result"]["version"]
    errors = [m for m in new_messages(server, mark) if "error" in m]
    assert [(e["id"], e["error"]["code"]) for e in errors] == [(None, PARSE_ERROR)]


def test_a_content_length_too_long_loses_only_that_message(server: RawServer) -> None:
    """The body read runs into the next message; the server finds that message inside the
    broken body and answers it, and the one after."""
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}).encode()
    first, second = server.new_id(), server.new_id()
    mark = len(server.messages)
    server.write(
        b"Content-Length: %d\r\n\r\n" % (len(body) + 40)
        + body
        + status_request(first)
        + status_request(second)
    )
    assert server.response(first)["result"]["version"]
    assert server.response(second)["result"]["version"]
    errors = [m for m in new_messages(server, mark) if "error" in m]
    assert [(e["id"], e["error"]["code"]) for e in errors] == [(None, PARSE_ERROR)]


def test_headers_are_case_insensitive_and_may_be_several(server: RawServer) -> None:
    msg_id = server.new_id()
    body = status_request(msg_id).split(b"\r\n\r\n", 1)[1]
    server.write(
        b"content-type: application/vscode-jsonrpc; charset=utf-8\r\n"
        b"content-length: %d\r\n\r\n" % len(body) + body
    )
    assert server.response(msg_id)["result"]["version"]


def test_protocol_errors_reach_the_user_once_per_kind(server: RawServer) -> None:
    """Each kind of protocol error is shown once (and logged every time): a broken client
    must not flood the editor with popups."""
    for _ in range(3):
        server.write(frame(b"{not json"))
    server.alive()
    shown = [
        m["params"]["message"]
        for m in server.messages
        if m.get("method") == "window/showMessage" and "Parse error" in m["params"]["message"]
    ]
    assert len(shown) == 1, shown
    assert server.stderr().count("Parse error: Expecting property name") >= 3


# -- the lifecycle ---------------------------------------------------------------------------
def test_requests_before_initialize_get_server_not_initialized(tmp_path: Path) -> None:
    raw = RawServer(tmp_path)
    try:
        early = raw.execute("quill.status")
        assert early["error"]["code"] == SERVER_NOT_INITIALIZED, early
        unknown = raw.call("quill/nope")
        assert unknown["error"]["code"] == SERVER_NOT_INITIALIZED, unknown
        # A notification before initialize is dropped (LSP): this document is never opened.
        raw.open("early.txt", "A wrod.\n")
        raw.initialize()
        again = raw.call("initialize", {"capabilities": {}, "processId": None})
        assert again["error"]["code"] == INVALID_REQUEST, again
        assert raw.execute("quill.status")["result"]["openDocuments"] == 0
        uri = raw.open("late.txt", "A wrod.\n")
        assert [d["data"]["word"] for d in raw.diagnostics(uri, 1, bool)] == ["wrod"]
    finally:
        raw.close()


def test_shutdown_then_exit_ends_with_status_0(tmp_path: Path) -> None:
    raw = RawServer(tmp_path)
    try:
        raw.initialize()
        answer = raw.call("shutdown")
        assert answer == {"jsonrpc": "2.0", "id": answer["id"], "result": None}
        after = raw.execute("quill.status")  # LSP: requests after shutdown are errors
        assert after["error"]["code"] == INVALID_REQUEST, after
        raw.notify("exit")  # stdin stays open: the server must leave on its own
        assert raw.proc.wait(DEADLINE) == 0, raw.stderr()[-3000:]
    finally:
        raw.close()


def test_exit_without_shutdown_ends_with_status_1(tmp_path: Path) -> None:
    raw = RawServer(tmp_path)
    try:
        raw.initialize()
        raw.notify("exit")
        assert raw.proc.wait(DEADLINE) == 1, raw.stderr()[-3000:]
    finally:
        raw.close()


def test_a_flood_of_changes_is_absorbed(tmp_path: Path) -> None:
    """5,000 didChange notifications for one document in one burst: the server answers a
    request promptly afterwards and publishes diagnostics for the final version only."""
    raw = RawServer(tmp_path)
    try:
        raw.initialize({"diagnostics": {"debounceMs": 1000}, "grammar": {"enabled": False}})
        uri = raw.open("flood.txt", "A wrod.\n")
        raw.diagnostics(uri, 1, bool)
        mark = len(raw.messages)
        count = 5000
        burst = b"".join(
            encode(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didChange",
                    "params": {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [
                            {
                                "range": {
                                    "start": {"line": 0, "character": 0},
                                    "end": {"line": 0, "character": 0},
                                },
                                "text": "x" if version % 50 else "\n",
                            }
                        ],
                    },
                }
            )
            for version in range(2, count + 2)
        )
        last = count + 1
        final = encode(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": last + 1},
                    "contentChanges": [{"text": "Only the last one counts: zorblax.\n"}],
                },
            }
        )
        started = time.monotonic()
        raw.write(burst + final)
        status = raw.execute("quill.status")
        answered = time.monotonic() - started
        assert status["result"]["openDocuments"] == 1
        assert answered < 20, f"the status request took {answered:.1f}s after the flood"
        found = raw.diagnostics(uri, last + 1, bool)
        assert [d["data"]["word"] for d in found] == ["zorblax"]
        # The server publishes a version only while it is the document's current one, so no
        # publication for an older version can follow this one: what came is all there is.
        versions = {m["params"]["version"] for m in raw.published(uri, after=mark)}
        assert versions == {last + 1}, f"diagnostics for versions {sorted(versions)[:10]}"
    finally:
        raw.close()
