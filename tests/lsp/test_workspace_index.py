"""The server's workspace index without a client: what it reads and leaves out, caps said once,
open documents over their files on disk, a closed document going back to its file, and the
index kept across restarts (only changed files read again; a snapshot that cannot be used is
rebuilt; one that cannot be written is said)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from server.engine.code_index import CodeIndex
from server.engine.completion_ranker import WorkspaceSuggestion, decide
from server.lsp import index_snapshot, workspace_index
from server.lsp.workspace_index import WorkspaceIndex

CODE = "def f(x, y):\n    return x + y\n"


async def suggest(
    index: WorkspaceIndex, uri: str, language: str, text: str, offset: int
) -> WorkspaceSuggestion | None:
    """What the shipped ranker suggests from the index's shortlist (no code model)."""
    found = await index.shortlist(uri, language, text, offset)
    return None if found is None else decide(*found)


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
    found = await suggest(index, (tmp_path / "b.py").as_uri(), "python", other, len(other))
    assert found is not None and found.text == "import re"
    await index.closed(uri)
    found = await suggest(index, (tmp_path / "b.py").as_uri(), "python", other, len(other))
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
    assert await suggest(index, (tmp_path / "c.py").as_uri(), "python", text, len(text)) is None
    assert index.status()["completionIndexFiles"] == 0
    index.shutdown()


# -- kept across restarts --------------------------------------------------------------------
async def built(folder: Path, cache: Path) -> WorkspaceIndex:
    """A fresh index of ``folder`` (as after a restart), built and its snapshot saved."""
    index = WorkspaceIndex(cache_dir=cache)
    await index.build([folder])
    return index


async def next_line(index: WorkspaceIndex, folder: Path, text: str) -> str | None:
    found = await suggest(index, (folder / "new.py").as_uri(), "python", text, len(text))
    return None if found is None else found.text


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    reads: list[Path] = []
    real = workspace_index.read_text

    def counting(path: Path, **kw: object) -> str:
        reads.append(path)
        return real(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(workspace_index, "read_text", counting)
    return reads


async def test_a_restart_loads_the_index_and_reads_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, cache = tmp_path / "ws", tmp_path / "cache"
    write(folder, "a.py", "import os\nimport sys\n")
    write(folder, "b.py", "import json\nimport re\n")
    write(folder, "c.py", "import abc\nimport enum\n")
    first = await built(folder, cache)
    assert first.status()["completionIndexSnapshot"] == "saved"
    first.shutdown()

    reads = count_reads(monkeypatch)
    again = await built(folder, cache)
    assert again.status()["completionIndexSnapshot"] == "loaded (3 files)"
    assert reads == []  # nothing changed: no file read again
    assert again.indexes["python"].counts == first.indexes["python"].counts
    assert again.indexes["python"].follows == first.indexes["python"].follows
    assert await next_line(again, folder, "import os\n") == "import sys"
    again.shutdown()

    # Between sessions: a.py edited (another size), b.py deleted, d.py added.
    write(folder, "a.py", "import os\nimport pathlib\nimport typing\n")
    (folder / "b.py").unlink()
    write(folder, "d.py", "import json\nimport csv\n")
    third = await built(folder, cache)
    assert sorted(p.name for p in reads) == ["a.py", "d.py"]
    assert await next_line(third, folder, "import os\n") == "import pathlib"
    assert await next_line(third, folder, "import json\n") == "import csv"  # not b.py's "re"
    python = third.indexes["python"]
    assert sorted(Path(k).name for k in python.files) == ["a.py", "c.py", "d.py"]
    assert "import re" not in python.counts and python.line_count == 7
    assert third.status()["completionIndexSnapshot"] == "saved"
    third.shutdown()


async def test_a_loaded_snapshot_shares_each_line_between_its_tables(tmp_path: Path) -> None:
    """The index is as small after a restart as when built: one string per distinct line."""
    folder, cache = tmp_path / "ws", tmp_path / "cache"
    write(folder, "a.py", "import os\nimport sys\n")
    (await built(folder, cache)).shutdown()
    index = (await built(folder, cache)).indexes["python"]
    (lines,) = index.files.values()
    counted = {text: text for text in index.counts}
    assert all(counted[text] is text for _, text in lines)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other version", "other folders"])
async def test_a_snapshot_that_cannot_be_used_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    folder, cache = tmp_path / "ws", tmp_path / "cache"
    write(folder, "a.py", "import os\nimport sys\n")
    (await built(folder, cache)).shutdown()
    (path,) = (cache / "completion-index").iterdir()
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a snapshot at all")
    elif damage == "other version":
        monkeypatch.setattr(index_snapshot, "FORMAT", index_snapshot.FORMAT + 1)
    else:  # a snapshot of another workspace under this one's name
        other = tmp_path / "other"
        write(other, "z.py", "import zlib\nimport gzip\n")
        (await built(other, cache)).shutdown()
        for snap in (cache / "completion-index").iterdir():
            if snap != path:
                snap.replace(path)
    index = await built(folder, cache)
    status = index.status()
    assert status["completionIndexSnapshot"] == "saved"  # rebuilt, then saved anew
    assert status["completionIndexFiles"] == 1 and status["completionIndexLines"] == 2
    assert await next_line(index, folder, "import os\n") == "import sys"
    index.shutdown()
    again = await built(folder, cache)
    assert again.status()["completionIndexSnapshot"] == "loaded (1 files)"
    again.shutdown()


async def test_a_cache_that_cannot_be_written_is_said_and_completion_goes_on(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ws"
    write(folder, "a.py", "import os\nimport sys\n")
    blocked = write(tmp_path, "cache", "a file where the cache directory should be")
    index = await built(folder, blocked)
    status = index.status()
    assert status["completionIndexSnapshot"].startswith("not saved: ")
    assert status["completionIndex"] == "ready"
    assert await next_line(index, folder, "import os\n") == "import sys"
    index.shutdown()


def test_a_save_interrupted_by_a_request_writes_nothing(tmp_path: Path) -> None:
    index = CodeIndex()
    index.add("a", "import os\nimport sys\n")
    snapshot = index_snapshot.Snapshot({"python": index}, {"a": (1, 2)})
    path = tmp_path / "snap.pickle"
    assert not index_snapshot.save(path, snapshot, [tmp_path], interrupted=lambda: True)
    assert not path.exists()
    assert index_snapshot.save(path, snapshot, [tmp_path], interrupted=lambda: False)
    loaded = index_snapshot.load(path, [tmp_path])
    assert loaded is not None and loaded.signatures == {"a": (1, 2)}
    assert loaded.indexes["python"].files == index.files


async def test_files_changed_on_disk_are_read_again_or_forgotten(tmp_path: Path) -> None:
    """A ``git checkout`` changes files nobody has open: the editor's file events keep the
    index current (an open document keeps its editor copy; outside the folders: ignored)."""
    folder = tmp_path / "ws"
    a = write(folder, "a.py", "import os\nimport sys\n")
    index = WorkspaceIndex()
    await index.build([folder])
    assert await next_line(index, folder, "import os\n") == "import sys"

    async def changed(path: Path, deleted: bool = False) -> None:
        work = index.file_changed(path.as_uri(), deleted)
        assert work is not None
        await work

    write(folder, "a.py", "import os\nimport json\n")
    b = write(folder, "b.py", "import abc\nimport enum\n")
    await changed(a)
    await changed(b)
    assert await next_line(index, folder, "import os\n") == "import json"
    assert await next_line(index, folder, "import abc\n") == "import enum"
    b.unlink()
    await changed(b, deleted=True)
    assert await next_line(index, folder, "import abc\n") is None
    index.update(a.as_uri(), "python", "import os\nimport re\n")  # now open in the editor
    assert index.file_changed(a.as_uri(), deleted=False) is None
    outside = write(tmp_path, "elsewhere.py", "import os\nimport zlib\n")
    assert index.file_changed(outside.as_uri(), deleted=False) is None
    assert await next_line(index, folder, "import os\n") == "import re"
    index.shutdown()


async def test_the_line_cap_counts_the_same_lines_cold_and_from_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, cache = tmp_path / "ws", tmp_path / "cache"
    for k in range(6):  # three indexed lines each, among blank ones
        write(folder, f"m{k}.py", f"import os\n\n\ndef f{k}():\n\n    return {k}\n\n")
    monkeypatch.setattr(workspace_index, "MAX_LINES", 9)
    cold = await built(folder, cache)
    cold_files = cold.status()["completionIndexFiles"]
    cold.shutdown()
    warm = await built(folder, cache)  # every file reused from the snapshot
    assert cold_files == warm.status()["completionIndexFiles"] == 3  # 3 files x 3 lines
    warm.shutdown()
