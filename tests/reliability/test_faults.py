"""Faults around the real server: damaged models, a model runtime that fails mid-run, model
files removed after loading, dictionaries that cannot be written (a directory in the way, a
full disk), a process killed in the middle of a dictionary write, and a dictionary edited by
hand while the server runs.

Every fault is real: files are damaged on disk, the disk limit is the kernel's
(``RLIMIT_FSIZE``), the kill is ``SIGKILL``. Tests may run as root, where ``chmod`` does not
stop writes: the "read-only" case then puts a directory where the dictionary file should be.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.stdio import DEADLINE, ROOT, RawServer, server_env, with_models


def words(diagnostics: list[dict[str, Any]]) -> list[str]:
    """The flagged words, in order."""
    return [str(d["data"]["word"]) for d in diagnostics]


def rehash(model: Path, name: str) -> None:
    """Make ``manifest.json`` agree with ``name`` as it now is (a consistent but broken
    model: the checksum passes, so the runtime itself meets the damage)."""
    manifest = json.loads((model / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256((model / name).read_bytes()).hexdigest()
    (model / "manifest.json").write_text(json.dumps(manifest))


def damage(source: Path, target: Path, how: str) -> Path:
    shutil.copytree(source, target)
    onnx = target / "model.onnx"
    if how == "missing":
        onnx.unlink()
    elif how == "truncated":
        os.truncate(onnx, onnx.stat().st_size // 2)
        rehash(target, "model.onnx")
    elif how == "wrong sha256":
        manifest = json.loads((target / "manifest.json").read_text())
        manifest["files"]["tokenizer.json"] = "0" * 64
        (target / "manifest.json").write_text(json.dumps(manifest))
    else:
        raise ValueError(how)
    return target


#: (damage, what the one message must say about the grammar model, about the code model)
DAMAGES = [
    ("missing", "model.onnx: missing", "model.onnx: missing"),
    ("truncated", "cannot load", "cannot load"),
    ("wrong sha256", "tokenizer.json: sha256 mismatch", "tokenizer.json: sha256 mismatch"),
]


def inline(raw: RawServer, uri: str, line: int, character: int) -> dict[str, Any]:
    return raw.call(
        "textDocument/inlineCompletion",
        {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
            "context": {"triggerKind": 2},
        },
    )


@pytest.mark.parametrize(("how", "grammar_says", "code_says"), DAMAGES, ids=[d[0] for d in DAMAGES])
def test_a_damaged_model_is_reported_once_and_diagnostics_go_on(
    tmp_path: Path,
    tiny_grammar_model: Path,
    tiny_code_model: Path,
    how: str,
    grammar_says: str,
    code_says: str,
) -> None:
    grammar = damage(tiny_grammar_model, tmp_path / "grammar-model", how)
    code = damage(tiny_code_model, tmp_path / "code-model", how)
    raw = RawServer(tmp_path)
    try:
        raw.initialize(with_models(grammar, code))
        text = "# A wrod in a comment.\nimport os\n\n\ndef main():\n    "
        uri = raw.open("d.py", text, "python")
        assert words(raw.diagnostics(uri, 1, bool)) == ["wrod"]
        message = raw.wait_shown("grammar is off")
        assert grammar_says in message and str(grammar) in message, message
        for _ in range(2):  # the first request loads the model, the second must not re-report
            answer = inline(raw, uri, 5, 4)
            assert answer.get("result") in (None, [], {"items": []}), answer
        message = raw.wait_shown("code completion is off")
        assert code_says in message and str(code) in message, message
        raw.change(uri, 2, text.replace("wrod", "recieve"))
        assert words(raw.diagnostics(uri, 2, bool)) == ["recieve"]
        status = raw.execute("quill.status")["result"]
        assert status["grammar"].startswith("grammar is off") and grammar_says in status["grammar"]
        assert len(raw.shown("grammar is off")) == 1
        assert len(raw.shown("code completion is off")) == 1
        assert raw.shutdown_and_exit() == 0
    finally:
        raw.close()


def test_a_runtime_failing_mid_run_and_model_files_removed_after_loading(
    tmp_path: Path, tiny_grammar_model: Path, tiny_code_model: Path
) -> None:
    """Grammar: a model whose config promises longer inputs than its graph takes (a
    consistent manifest): it loads and serves, until a long sentence makes onnxruntime itself
    fail in ``run``. One message; spelling, the other documents and the model go on.
    Completion: the model's files are truncated and deleted after it loaded; the session in
    memory goes on serving."""
    grammar = tmp_path / "grammar-model"
    shutil.copytree(tiny_grammar_model, grammar)
    config = json.loads((grammar / "config.json").read_text())
    config["quill"]["max_length"] = 4000
    config["quill"].setdefault("decoding", {})["max_words"] = 4000
    (grammar / "config.json").write_text(json.dumps(config))
    rehash(grammar, "config.json")
    code = tmp_path / "code-model"
    shutil.copytree(tiny_code_model, code)
    raw = RawServer(tmp_path)
    try:
        raw.initialize(with_models(grammar, code))
        raw.wait_status("grammar", "grammar model grammar-model on")
        long = " ".join(["the cat sat on the mat"] * 80) + ". A wrod.\n"
        uri = raw.open("long.txt", long)
        assert "wrod" in words(raw.diagnostics(uri, 1, lambda d: "wrod" in words(d)))
        message = raw.wait_shown("grammar failed")
        assert "spelling goes on working" in message and "ONNXRuntimeError" in message, message
        for version in (2, 3):  # it fails again on every check: still one message
            raw.change(uri, version, long.replace("wrod", f"wrod{'d' * version}"))
            assert words(raw.diagnostics(uri, version, bool)) == [f"wrod{'d' * version}"]
        other = raw.open("short.txt", "A short wrod here.\n")
        assert "wrod" in words(raw.diagnostics(other, 1, bool))
        assert "grammar model grammar-model on" in raw.execute("quill.status")["result"]["grammar"]
        assert len(raw.shown("grammar failed")) == 1

        first = raw.open("a.py", "import os\n\n\ndef main():\n    ", "python")
        assert "result" in inline(raw, first, 4, 4)
        raw.wait_status("completion", "code model code-model on")
        os.truncate(code / "model.onnx", 0)
        (code / "tokenizer.json").unlink()
        before = raw.execute("quill.status")["result"]["completionRequests"]
        second = raw.open("b.py", "import sys\n\n\nclass A:\n    def f(self):\n        ", "python")
        answer = inline(raw, second, 5, 8)
        assert "result" in answer, answer
        after = raw.execute("quill.status")["result"]
        ran = sum(after["completionRequests"].get(k, 0) for k in ("served", "empty"))
        assert ran == sum(before.get(k, 0) for k in ("served", "empty")) + 1, after
        assert "code model code-model on" in after["completion"]
        assert not raw.shown("code completion is off")
        assert raw.shutdown_and_exit() == 0
    finally:
        raw.close()


# -- dictionaries ----------------------------------------------------------------------------
def chmod_stops_writes(directory: Path) -> bool:
    """Whether a read-only mode keeps this process from writing (not as root)."""
    directory.chmod(0o555)
    probe = directory / "probe"
    try:
        probe.write_text("x")
    except PermissionError:
        return True
    probe.unlink()
    directory.chmod(0o755)
    return False


def files_under(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def test_a_dictionary_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    """The workspace dictionary's directory is read-only (or, as root, a directory stands
    where the file should be), another workspace's ``.quill`` is a file, the user's config
    dir is a file: each add fails with a message naming the file and the reason, nothing on
    disk changes, the word can still be ignored for the session, and the server goes on."""
    readonly, blocked = tmp_path / "readonly", tmp_path / "blocked"
    (readonly / ".quill").mkdir(parents=True)
    if not chmod_stops_writes(readonly / ".quill"):
        (readonly / ".quill" / "dictionary.txt").mkdir()
    blocked.mkdir()
    (blocked / ".quill").write_text("not a directory\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "quill").write_text("a file where the config dir should be\n")
    raw = RawServer(tmp_path)
    before = files_under(tmp_path / "config"), files_under(readonly), files_under(blocked)
    try:
        raw.initialize(
            {"diagnostics": {"debounceMs": 0}, "grammar": {"enabled": False}},
            folders=[readonly, blocked],
        )
        assert "cannot read" in raw.wait_shown("user dictionary")
        uri = raw.open(readonly / "a.md", "A zorblax word.\n", "markdown")
        assert words(raw.diagnostics(uri, 1, bool)) == ["zorblax"]
        cases = [
            (uri, "workspace", readonly / ".quill" / "dictionary.txt"),
            ((blocked / "b.md").as_uri(), "workspace", blocked / ".quill" / "dictionary.txt"),
            (uri, "user", tmp_path / "config" / "quill" / "dictionary.txt"),
        ]
        for target, scope, path in cases:
            answer = raw.execute(
                "quill.addToDictionary", {"word": "zorblax", "scope": scope, "uri": target}
            )
            error = answer["error"]["message"]
            assert f"cannot write {path}" in error, error
            reason = error.split(f"cannot write {path}: ", 1)[1]
            assert reason.strip(), error  # the OS's reason, e.g. "Is a directory"
        assert not [m for m in raw.shown("") if "editor sent" in m], raw.shown("")
        mark = len(raw.messages)
        raw.execute("quill.ignoreWord", {"word": "zorblax", "uri": uri})
        assert raw.diagnostics(uri, 1, after=mark) == []
        raw.alive()
    finally:
        raw.close()
    assert (files_under(tmp_path / "config"), files_under(readonly), files_under(blocked)) == before


def letters(number: int) -> str:
    """``number`` in base 26, as five letters (words in dictionaries have no digits)."""
    out = ""
    for _ in range(5):
        number, digit = divmod(number, 26)
        out += chr(ord("a") + digit)
    return out


def test_a_full_disk_leaves_the_dictionary_intact(tmp_path: Path) -> None:
    """The server may write at most 128 KiB to any file (``RLIMIT_FSIZE``, what a full disk
    looks like to a writer): adding a word to a 400 KB dictionary fails with "File too large",
    the old file is intact byte for byte, and no temporary file is left beside it."""
    workspace = tmp_path / "workspace"
    dictionary = workspace / ".quill" / "dictionary.txt"
    dictionary.parent.mkdir(parents=True)
    old = "# Quill dictionary\n" + "".join(f"projword{letters(i)}\n" for i in range(28_000))
    dictionary.write_text(old)
    assert dictionary.stat().st_size > 300_000
    limit = 128 * 1024

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    raw = RawServer(tmp_path, preexec_fn=small_disk)
    try:
        raw.initialize()
        text = f"The zorblax word and {old.split()[5]} are in this ordinary English sentence.\n"
        uri = raw.open("a.txt", text)
        assert words(raw.diagnostics(uri, 1, bool)) == ["zorblax"]
        answer = raw.execute("quill.addToDictionary", {"word": "zorblax", "uri": uri})
        assert f"cannot write {dictionary}: File too large" in answer["error"]["message"], answer
        assert dictionary.read_text() == old
        assert sorted(p.name for p in dictionary.parent.iterdir()) == ["dictionary.txt"]
        user = raw.execute("quill.addToDictionary", {"word": "zorblax", "scope": "user"})
        assert "result" in user, user  # a small file still fits
        raw.alive()
    finally:
        raw.close()


KILL_SCRIPT = """
import sys
from pathlib import Path
from server.workspace.atomic import atomic_write
text = "zorblaxtmp\\n" * int(sys.argv[2])
print("ready", flush=True)
atomic_write(Path(sys.argv[1]), text)
"""


def test_a_write_killed_midway_and_a_hand_edit(tmp_path: Path) -> None:
    """SIGKILL in the middle of ``atomic_write`` (a 32 MB dictionary): the file is the old
    one or the new one, never a part; the temporary file left behind is not read as a
    dictionary. Then a hand edit of the dictionary, while the server runs, is picked up at
    the next check without a restart."""
    workspace = tmp_path / "workspace"
    folder = workspace / ".quill"
    dictionary = folder / "dictionary.txt"
    folder.mkdir(parents=True)
    old = "# Quill dictionary\nzorblaxold\n"
    lines = 3_000_000
    new_size = len("zorblaxtmp\n") * lines
    env = server_env(tmp_path / "config")
    caught = False
    for _attempt in range(5):
        dictionary.write_text(old)
        for stray in folder.glob(".dictionary.txt.*"):
            stray.unlink()
        child = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(dictionary), str(lines)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        try:
            assert child.stdout is not None and child.stdout.readline() == b"ready\n"
            end = time.monotonic() + DEADLINE
            while child.poll() is None:
                sizes = [p.stat().st_size for p in folder.glob(".dictionary.txt.*.tmp")]
                if any(sizes):
                    break
                assert time.monotonic() < end, "the write never started"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(DEADLINE)
        content = dictionary.read_bytes()
        assert len(content) in (len(old), new_size), f"a partial dictionary: {len(content)} bytes"
        assert content == old.encode() or content == b"zorblaxtmp\n" * lines
        strays = list(folder.glob(".dictionary.txt.*.tmp"))
        if content == old.encode() and strays:
            caught = True  # killed after the write began and before the rename
            break
    assert caught, "the writer was never caught mid-way in 5 tries"

    raw = RawServer(tmp_path)
    try:
        raw.initialize(
            {
                "diagnostics": {"debounceMs": 0},
                "grammar": {"enabled": False},
                "spelling": {"learnProjectWords": False},
            }
        )
        # Enough plain English around them that the text does not look foreign (unchecked).
        text = "The words zorblaxold, zorblaxtmp and quuxhand are in this ordinary sentence.\n"
        uri = raw.open("w.txt", text)
        assert words(raw.diagnostics(uri, 1, bool)) == ["zorblaxtmp", "quuxhand"]
        with dictionary.open("a") as f:  # an edit by hand, not through the server
            f.write("quuxhand\n")
        raw.change(uri, 2, text + "There is more.\n")
        assert words(raw.diagnostics(uri, 2)) == ["zorblaxtmp"]
        assert list(folder.glob(".dictionary.txt.*.tmp")) == strays  # left alone, never read
    finally:
        raw.close()
