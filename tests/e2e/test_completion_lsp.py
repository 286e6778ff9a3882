"""Code completion through the real server over stdio, with the tiny model the ``tiny``
training preset builds in this session: inline completion, completion items, a request
superseded by a newer one, a model that cannot be used, and languages the model does not know.

The expected suggestion is computed in the test by the same engine and runtime the server
uses (``complete_text`` over ``OnnxLM``): the server must serve exactly what they produce.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled

from server.engine.completion import complete_text
from server.runtime.onnx_lm import OnnxLM
from tests.e2e.conftest import DEADLINE, QuillClient

MAX_TOKENS = 12
CANDIDATES = [
    "for i in range(10):\n    ",
    "import os\n\n\ndef main():\n    x = os.path.join('a', 'b')\n    ",
    "if __name__ == '__main__':\n    ",
    "def f(x):\n    return ",
    "class A:\n    def __init__(self):\n        self.",
    "import sys\n\n",
]


def options(model: Path, **completion: Any) -> dict[str, Any]:
    return {
        "diagnostics": {"debounceMs": 0},
        "models": {"code": str(model)},
        # No time budget: the suggestion must not depend on how busy the machine is. The model
        # writes lines only when asked to (``generate``): these tests are about its lines.
        "completion": {"maxTokens": MAX_TOKENS, "timeoutMs": 0, "generate": True, **completion},
    }


@pytest.fixture(scope="module")
def case(tiny_code_model: Path) -> tuple[str, str]:
    """A document (cursor at its end) for which the tiny model suggests something, and the
    suggestion."""
    lm = OnnxLM.load(tiny_code_model, device="cpu", threads=1)
    for text in CANDIDATES:
        suggestion, _ = complete_text(lm, text, len(text), max_new_tokens=MAX_TOKENS)
        if suggestion:
            return text, suggestion
    raise AssertionError("the tiny model suggested nothing for any candidate")


def unescape_snippet(text: str) -> str:
    """What a client inserts for a snippet without tab stops."""
    return re.sub(r"\\(.)", r"\1", text)


def end_of(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(len(lines) - 1, len(lines[-1]))


async def inline(quill: QuillClient, uri: str, position: types.Position) -> list[str]:
    result = await asyncio.wait_for(
        quill.lsp.text_document_inline_completion_async(
            types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=position,
                context=types.InlineCompletionContext(
                    trigger_kind=types.InlineCompletionTriggerKind.Automatic
                ),
            )
        ),
        DEADLINE,
    )
    items = result.items if isinstance(result, types.InlineCompletionList) else result or []
    for item in items:
        assert item.range == types.Range(position, position)
    return [str(item.insert_text) for item in items]


async def test_capabilities_are_advertised(start: Any, tiny_code_model: Path) -> None:
    quill: QuillClient = await start(initialization_options=options(tiny_code_model))
    assert quill.initialize_result is not None
    caps = quill.initialize_result.capabilities
    assert caps.inline_completion_provider is not None
    assert caps.completion_provider is not None


async def test_inline_completion_serves_the_models_suggestion(
    start: Any, tiny_code_model: Path, case: tuple[str, str]
) -> None:
    text, expected = case
    quill: QuillClient = await start(initialization_options=options(tiny_code_model))
    uri = quill.open("a.py", text, "python")
    assert await inline(quill, uri, end_of(text)) == [expected]
    # Typing the first character of the suggestion: the rest comes back, without generating.
    quill.change(
        uri,
        2,
        (end_of(text).line, end_of(text).character),
        (end_of(text).line, end_of(text).character),
        expected[0],
    )
    after = types.Position(end_of(text).line, end_of(text).character + 1)
    if len(expected) > 1:
        assert await inline(quill, uri, after) == [expected[1:]]


async def test_completion_offers_the_continuation_as_an_item(
    start: Any, tiny_code_model: Path, case: tuple[str, str]
) -> None:
    text, expected = case
    quill: QuillClient = await start(initialization_options=options(tiny_code_model))
    uri = quill.open("b.py", text, "python")
    result = await asyncio.wait_for(
        quill.lsp.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=end_of(text)
            )
        ),
        DEADLINE,
    )
    assert isinstance(result, types.CompletionList) and result.is_incomplete
    model_items = [i for i in result.items if i.detail == "Quill code model"]
    assert len(model_items) == 1
    item = model_items[0]
    assert isinstance(item.text_edit, types.TextEdit)
    # Neovim declares snippet support: the item is an escaped snippet that inserts exactly
    # the suggestion (as plain text Neovim would insert it only up to its first space).
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    assert unescape_snippet(item.text_edit.new_text).endswith(expected)
    assert item.text_edit.range.end == end_of(text)


async def test_a_newer_request_supersedes_the_older(
    start: Any, tiny_code_model: Path, case: tuple[str, str]
) -> None:
    text, expected = case
    # A debounce holds the first request long enough for the second to arrive, every time.
    quill: QuillClient = await start(
        initialization_options=options(tiny_code_model, debounceMs=300)
    )
    uri = quill.open("c.py", text, "python")
    first = asyncio.ensure_future(inline(quill, uri, end_of(text)))
    await asyncio.sleep(0)  # the first request is on the wire before the second
    second = asyncio.ensure_future(inline(quill, uri, end_of(text)))
    assert await first == []
    assert await second == [expected]


async def test_a_missing_model_turns_completion_off_once_and_diagnostics_go_on(
    start: Any, tmp_path: Path
) -> None:
    quill: QuillClient = await start(initialization_options=options(tmp_path / "nowhere"))
    uri = quill.open("d.py", "# a wrod\nx = 1\n", "python")
    found = await quill.diagnostics(uri, 1, predicate=bool)
    assert [d.code for d in found] == ["spelling.known-typo"]
    assert await inline(quill, uri, types.Position(1, 5)) == []
    assert await inline(quill, uri, types.Position(1, 5)) == []
    shown = [m.message for m in quill.lsp.messages if "code completion is off" in m.message]
    assert len(shown) == 1 and "no such model directory" in shown[0]


async def test_other_languages_and_odd_positions_get_no_suggestion_and_no_error(
    start: Any, tiny_code_model: Path, case: tuple[str, str]
) -> None:
    text, expected = case
    quill: QuillClient = await start(initialization_options=options(tiny_code_model))
    md = quill.open("e.md", "Some prose.\n", "markdown")
    rust = quill.open("f.rs", "fn main() {\n    ", "rust")
    assert await inline(quill, md, types.Position(0, 5)) == []
    assert await inline(quill, rust, types.Position(1, 4)) == []  # the model knows Python only
    py = quill.open("g.py", text, "python")
    assert await inline(quill, py, types.Position(9999, 9999)) == [expected]  # clamped to the end
    off = await start(initialization_options=options(tiny_code_model, enabled=False))
    uri = off.open("h.py", text, "python")
    assert await inline(off, uri, end_of(text)) == []


async def test_cancel_request_answers_cancelled_and_the_next_request_is_served(
    start: Any, tiny_code_model: Path, case: tuple[str, str]
) -> None:
    text, expected = case
    # The debounce holds the request in the server long enough to cancel it every time.
    quill: QuillClient = await start(
        initialization_options=options(tiny_code_model, debounceMs=400)
    )
    uri = quill.open("k.py", text, "python")
    params = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=end_of(text),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Automatic
        ),
    )
    pending = asyncio.ensure_future(
        quill.lsp.protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id="cancel-me"
        )
    )
    await asyncio.sleep(0.05)  # the request is on the wire and waiting out the debounce
    quill.lsp.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="cancel-me"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, DEADLINE)
    assert await inline(quill, uri, end_of(text)) == [expected]
    status = await quill.execute(types.Command(title="status", command="quill.status"))
    assert status["completionRequests"].get("cancelled") == 1
    assert status["completionRequests"].get("served") == 1
    assert status["completion"].startswith("code model") and "CPUExecutionProvider" in str(
        status["completionProviders"]
    )


async def test_status_says_the_model_loads_lazily(start: Any, tiny_code_model: Path) -> None:
    quill: QuillClient = await start(initialization_options=options(tiny_code_model))
    quill.open("l.py", "x = 1\n", "python")
    status = await quill.execute(types.Command(title="status", command="quill.status"))
    assert "loads on the first completion request" in status["completion"]
    assert status["completionProviders"] == []
