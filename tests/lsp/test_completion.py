"""The server's completion scheduling without a client: a request superseded while its model
is generating stops that generation; a cancelled request (``$/cancelRequest``) does too."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from server.engine.completion import CompletionContext, Generation
from server.lsp import completion
from server.lsp.completion import Completer
from server.lsp.documents import UTF16, DocumentStore
from server.lsp.settings import Settings, parse_settings
from server.runtime import code_model
from server.runtime.code_model import CodeModel


class Endless:
    """Generates until cancelled (or until the stop rule fires on ``answer``)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.reasons: list[str] = []
        self.answer: str | None = None

    def complete(
        self,
        context: CompletionContext,
        *,
        max_new_tokens: int,
        stop: Callable[[str], int | None],
        deadline: float | None = None,
        cancelled: Callable[[], bool] | None = None,
        fim: bool = True,
    ) -> Generation:
        if self.answer is not None:
            self.reasons.append("stop")
            return Generation(self.answer, "stop", 3)
        self.started.set()
        for n in range(100_000):
            if cancelled is not None and cancelled():
                self.reasons.append("cancelled")
                return Generation("x" * n, "cancelled", n)
            threading.Event().wait(0.001)
        self.reasons.append("length")
        return Generation("never", "length", 100_000)


class FakeServer:
    def __init__(self) -> None:
        self.documents = DocumentStore()
        self.settings: Settings = parse_settings(
            {"completion": {"timeoutMs": 0, "generate": True}}
        )[0]
        self.encoding = UTF16
        self.shown: list[str] = []

    def show_once(self, key: str, message: str, kind: Any = None) -> None:
        self.shown.append(message)


@pytest.fixture
def setup() -> tuple[Completer, Endless, Any]:
    ls = FakeServer()
    gen = Endless()
    completer = Completer(ls)  # type: ignore[arg-type]
    completer.model = CodeModel(gen, "fake", Path("fake"), key=("", "auto"))
    doc = ls.documents.open(
        types.TextDocumentItem(uri="file:///a.py", language_id="python", version=1, text="x = ")
    )
    return completer, gen, doc


async def wait_started(gen: Endless) -> None:
    for _ in range(500):
        if gen.started.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the generation never started")


async def test_a_newer_request_stops_the_running_generation(setup: Any) -> None:
    completer, gen, doc = setup
    first = asyncio.ensure_future(completer.suggest(doc, types.Position(0, 4)))
    await wait_started(gen)
    gen.answer = "compute()"
    second = await asyncio.wait_for(completer.suggest(doc, types.Position(0, 4)), 10)
    assert await asyncio.wait_for(first, 10) is None
    assert second is not None and second.text == "compute()"
    assert gen.reasons == ["cancelled", "stop"]


async def test_cancel_request_stops_the_generation(setup: Any) -> None:
    completer, gen, doc = setup
    task = asyncio.ensure_future(completer.suggest(doc, types.Position(0, 4)))
    await wait_started(gen)
    task.cancel()  # what pygls does on $/cancelRequest
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(500):
        if gen.reasons:
            break
        await asyncio.sleep(0.01)
    assert gen.reasons == ["cancelled"]


async def test_other_open_files_of_the_language_are_context_most_recent_first(
    setup: Any,
) -> None:
    completer, gen, doc = setup
    seen: list[CompletionContext] = []
    original = gen.complete

    def recording(context: CompletionContext, **kwargs: Any) -> Generation:
        seen.append(context)
        return original(context, **kwargs)

    gen.complete = recording
    gen.answer = "1"
    docs = completer.ls.documents
    older = docs.open(types.TextDocumentItem("file:///b.py", "python", 1, "import b\n"))
    docs.open(types.TextDocumentItem("file:///c.md", "markdown", 1, "# prose\n"))
    newer = docs.open(types.TextDocumentItem("file:///d.py", "python", 1, "import d\n"))
    older.apply_change(types.TextDocumentContentChangeWholeDocument("import b2\n"))
    offer = await completer.suggest(doc, types.Position(0, 4))
    assert offer is not None and offer.text == "1"
    assert seen[-1].neighbours == ("import b2\n", "import d\n")  # b edited last; no Markdown
    assert newer.edited < older.edited
    status = completer.status()
    assert status["completion"] == "fake" and status["completionRequests"] == {"served": 1}
    assert status["completionMedianMs"] is not None


async def test_the_model_writes_nothing_unless_asked(setup: Any) -> None:
    """``completion.generate`` is off by default: a line the workspace cannot supply is left
    unwritten, and the model is never run to write one."""
    completer, gen, doc = setup
    completer.ls.settings = parse_settings({"completion": {"timeoutMs": 0}})[0]
    assert not completer.settings.completion.generate
    gen.answer = "1"
    assert await completer.suggest(doc, types.Position(0, 4)) is None
    assert gen.reasons == [] and not gen.started.is_set()


def test_status_before_the_model_loads_and_when_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ls = FakeServer()
    completer = Completer(ls)  # type: ignore[arg-type]
    # Without a code model (none ships), the status says what completion offers instead.
    monkeypatch.setattr(code_model, "DEFAULT_MODEL", tmp_path / "none-installed")
    assert completer.status()["completion"].startswith("no code model is installed")
    assert completer.status()["completionIndex"] == "not started"
    ls.settings = parse_settings({"models": {"code": str(tmp_path)}})[0]
    assert "loads on the first completion request" in completer.status()["completion"]
    ls.settings = parse_settings({"completion": {"enabled": False}})[0]
    assert "completion is off" in completer.status()["completion"]


def test_completion_settings_parse() -> None:
    settings, problems = parse_settings(
        {"completion.maxTokens": 32, "completion": {"multiline": True}, "models.code": "/m"}
    )
    assert problems == []
    assert settings.completion.max_tokens == 32 and settings.completion.multiline
    assert settings.models.code == "/m" and settings.completion.enabled
    _, bad = parse_settings({"completion": {"maxTokens": "many"}})
    assert bad and "completion.maxTokens" in bad[0]
    assert completion.MAX_WORD_ITEMS > 0
