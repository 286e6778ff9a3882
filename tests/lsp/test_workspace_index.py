"""The server's workspace index without a client: what it reads and leaves out, caps said once,
open documents over their files on disk, and a closed document going back to its file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.lsp import workspace_index
from server.lsp.workspace_index import WorkspaceIndex

CODE = "def f(x, y):\n    return x + y\n"


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


async def test_bad_files_are_left_out_and_the_build_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "good.py", CODE)
    write(tmp_path, "pkg/more.py", CODE)
    write(tmp_path, "binary.py", b"\x00\x01\x02 not text")
    write(tmp_path, "latin1.py", "caf\xe9 = 1\n".encode("latin-1"))
    write(tmp_path, "huge.py", "x = 1\n" * (workspace_index.MAX_FILE_BYTES // 6 + 1))
    write(tmp_path, "notes.md", "# prose is not indexed for completion\n")
    write(tmp_path, "ignored/skip.py", CODE)
    write(tmp_path, ".gitignore", "ignored/\n")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")  # a symbolic-link loop
    capped: list[str] = []
    index = WorkspaceIndex(on_capped=capped.append)
    await index.build([tmp_path])
    status = index.status()
    assert status["completionIndex"] == "ready"
    assert status["completionIndexFiles"] == 2
    assert status["completionIndexLines"] == 4
    assert status["completionIndexSkippedFiles"] == 3  # binary, latin-1, huge
    assert status["completionIndexLanguages"] == ["python"]
    assert capped == [] and status["completionIndexCapped"] is None
    index.shutdown()


async def test_a_workspace_over_the_cap_is_indexed_in_part_and_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k in range(5):
        write(tmp_path, f"m{k}.py", CODE)
    monkeypatch.setattr(workspace_index, "MAX_FILES", 3)
    capped: list[str] = []
    index = WorkspaceIndex(on_capped=capped.append)
    await index.build([tmp_path])
    assert index.status()["completionIndexFiles"] == 3
    assert len(capped) == 1 and "first 3 code files" in capped[0]
    index.shutdown()


async def test_an_open_document_replaces_its_file_and_goes_back_when_closed(
    tmp_path: Path,
) -> None:
    disk = write(tmp_path, "a.py", "import os\nimport sys\n")
    index = WorkspaceIndex()
    await index.build([tmp_path])
    uri = disk.as_uri()
    other = "import os\n"
    # The editor's copy, not the disk's: after "import os" comes "import re" now.
    index.update(uri, "python", "import os\nimport re\n")
    found = await index.suggest((tmp_path / "b.py").as_uri(), "python", other, len(other))
    assert found is not None and found.text == "import re"
    await index.closed(uri)
    found = await index.suggest((tmp_path / "b.py").as_uri(), "python", other, len(other))
    assert found is not None and found.text == "import sys"
    # A document outside the workspace folders is forgotten when closed, not read from disk.
    outside = write(tmp_path.parent, "outside.py", "import os\nimport json\n").as_uri()
    index.update(outside, "python", "import os\nimport json\n")
    await index.closed(outside)
    assert all(outside not in i.files for i in index.indexes.values())
    index.shutdown()


async def test_prose_documents_are_not_indexed(tmp_path: Path) -> None:
    index = WorkspaceIndex()
    index.update((tmp_path / "n.md").as_uri(), "markdown", "import os\nimport sys\n")
    text = "import os\n"
    assert await index.suggest((tmp_path / "c.py").as_uri(), "python", text, len(text)) is None
    assert index.status()["completionIndexFiles"] == 0
    index.shutdown()
