"""Completion from the workspace's own lines, through the real server over stdio, with no code
model installed: a line another file of the workspace folder supplies, an edit of an open
document that supplies one, silence where the workspace has nothing, and what ``quill.status``
says, with a push client and a pull client."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from server.engine.completion_ranker import MODEL_FEATURES, RANKER_FILE, Ranker, Rescorer
from server.lsp.completion import FROM_WORKSPACE
from tests.e2e.conftest import DEADLINE, QuillClient, stop_client
from tests.e2e.test_completion_lsp import end_of, inline, unescape_snippet
from training.export import write_manifest

SHAPES = """\
class Point:
    def __init__(self, x, y):
        super().__init__()
        self.x = x


class Size:
    def __init__(self, x, y):
        super().__init__()
        self.w = x
"""


async def status(quill: QuillClient) -> dict[str, Any]:
    result = await quill.execute(types.Command(title="status", command="quill.status"))
    assert isinstance(result, dict)
    return result


async def index_ready(quill: QuillClient) -> dict[str, Any]:
    """The status once the background index of the workspace is built."""
    for _ in range(int(DEADLINE / 0.05)):
        current = await status(quill)
        if current["completionIndex"] == "ready":
            return current
        await asyncio.sleep(0.05)
    raise AssertionError(f"the workspace index was never built: {current}")


async def snapshot_saved(quill: QuillClient) -> None:
    """Wait until the server says it saved the index."""
    for _ in range(int(DEADLINE / 0.05)):
        current = await status(quill)
        if current["completionIndexSnapshot"] == "saved":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the index was never saved: {current}")


async def items(quill: QuillClient, uri: str, position: types.Position) -> list[Any]:
    result = await asyncio.wait_for(
        quill.lsp.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=position
            )
        ),
        DEADLINE,
    )
    assert isinstance(result, types.CompletionList)
    return [i for i in result.items if i.detail == FROM_WORKSPACE]


@pytest.mark.parametrize("pull", [False, True], ids=["push", "pull"])
async def test_another_file_of_the_workspace_supplies_the_line(
    start: Any, tmp_path: Path, pull: bool
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "shapes.py").write_text(SHAPES, encoding="utf-8")
    (workspace / "notes.md").write_text("def __init__(self, x, y):\n    prose\n", encoding="utf-8")
    quill: QuillClient = await start(pull=pull)
    ready = await index_ready(quill)
    assert ready["completionIndexFiles"] == 1 and ready["completionIndexLanguages"] == ["python"]
    assert ready["completion"].startswith("no code model is installed")

    text = "class Box:\n    def __init__(self, x, y):\n        "
    uri = quill.open("box.py", text, "python")
    (item,) = await items(quill, uri, end_of(text))
    assert isinstance(item.text_edit, types.TextEdit)
    assert unescape_snippet(item.text_edit.new_text) == "super().__init__()"
    assert await inline(quill, uri, end_of(text)) == ["super().__init__()"]
    # Mid-line: the rest of the line, after what was typed.
    quill.change(uri, 2, (2, 8), (2, 8), "super().")
    typed = types.Position(2, 16)
    assert await inline(quill, uri, typed) == ["__init__()"]
    counts = (await status(quill))["completionRequests"]
    assert counts["workspace"] >= 2


async def test_an_open_documents_edit_is_indexed_and_unknown_places_get_silence(
    start: Any,
) -> None:
    quill: QuillClient = await start()
    await index_ready(quill)
    source = quill.open("loader.py", "import json\n", "python")
    quill.change(
        source,
        2,
        (1, 0),
        (1, 0),
        "\n\ndef load(path):\n    with open(path) as f:\n        data = json.load(f)\n",
    )
    text = "def read(path):\n    with open(path) as f:\n        "
    uri = quill.open("reader.py", text, "python")
    assert await inline(quill, uri, end_of(text)) == ["data = json.load(f)"]
    # Nothing in the workspace follows this line: no suggestion at all.
    other = "import antigravity\n"
    uri2 = quill.open("other.py", other, "python")
    assert await inline(quill, uri2, end_of(other)) == []
    assert await items(quill, uri2, end_of(other)) == []


async def test_a_restarted_server_finds_the_index_it_saved(start: Any, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "shapes.py").write_text(SHAPES, encoding="utf-8")
    first: QuillClient = await start()
    await snapshot_saved(first)
    await stop_client(first)

    (workspace / "more.py").write_text("import os\nimport sys\n", encoding="utf-8")
    again: QuillClient = await start()
    ready = await index_ready(again)
    assert ready["completionIndexSnapshot"] in ("loaded (1 files)", "saved")
    assert ready["completionIndexFiles"] == 2  # the saved file and the new one
    await snapshot_saved(again)  # one file was added: saved again
    text = "class Box:\n    def __init__(self, x, y):\n        "
    uri = again.open("box.py", text, "python")
    assert await inline(again, uri, end_of(text)) == ["super().__init__()"]


async def test_a_file_changed_on_disk_supplies_lines_after_its_event(
    start: Any, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    quill: QuillClient = await start()
    await index_ready(quill)
    text = "import json\n"
    uri = quill.open("reader.py", text, "python")
    assert await inline(quill, uri, end_of(text)) == []
    created = workspace / "loader.py"
    created.write_text("import json\nimport csv\n", encoding="utf-8")  # e.g. a git checkout
    quill.lsp.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=created.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    for _ in range(int(DEADLINE / 0.05)):
        if (await status(quill))["completionIndexFiles"] == 2:  # reader.py (open) + loader.py
            break
        await asyncio.sleep(0.05)
    assert await inline(quill, uri, end_of(text)) == ["import csv"]


def model_with_ranker(tiny_code_model: Path, folder: Path, threshold: float) -> Path:
    """A copy of the tiny code model with a ranker of its own: the shipped first stage and a
    rescorer that agrees with it (its probability is the first stage's), shown from
    ``threshold``; the manifest rewritten as ``python -m training code ranker --ship`` does."""
    model = folder / f"model-{threshold}"
    shutil.copytree(tiny_code_model, model)
    agree = tuple(1.0 if f == "ranker_logit" else 0.0 for f in MODEL_FEATURES)
    ranker = replace(Ranker.load(), rescorer=Rescorer(agree, threshold, agree, threshold))
    (model / RANKER_FILE).write_text(ranker.to_json(), encoding="utf-8")
    write_manifest(model)
    return model


@pytest.mark.parametrize("pull", [False, True], ids=["push", "pull"])
async def test_a_code_model_with_its_ranker_decides_among_the_workspace_lines(
    start: Any, tmp_path: Path, tiny_code_model: Path, pull: bool
) -> None:
    """The model scores the shortlist and its rescorer decides: one that agrees shows the
    line; one never sure enough leaves the same place silent, though the first stage alone
    would show it (and the model writes nothing itself: ``generate`` is off)."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "shapes.py").write_text(SHAPES, encoding="utf-8")
    text = "class Box:\n    def __init__(self, x, y):\n        "
    for threshold, expected in ((0.0, ["super().__init__()"]), (1.01, [])):
        model = model_with_ranker(tiny_code_model, tmp_path, threshold)
        options = {"diagnostics": {"debounceMs": 0}, "models": {"code": str(model)}}
        quill: QuillClient = await start(pull=pull, initialization_options=options)
        await index_ready(quill)
        uri = quill.open("box.py", text, "python")
        assert await inline(quill, uri, end_of(text)) == expected
        assert "it ranks the workspace's lines" in (await status(quill))["completion"]
        await stop_client(quill)
