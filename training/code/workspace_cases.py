"""Completion cases in a real repository, as a user meets them: one shared definition for
fitting the workspace ranker (``python -m training code ranker``) and for the benchmark
(``python -m benchmarks completion``), so what is tuned is what is measured.

A case is a non-trivial line (8 or more characters, not a comment) of some file. The workspace
is the repository with that line removed from the file on disk; the editor's copy of the file
has the cursor on the line, either right after its indentation (``next``: the whole line is to
be written) or after a typed start cut at a word boundary (``mid``: the rest is to be written).
The index holds the editor's copy of the case's file in place of the file on disk, as the
server's index holds an open document.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from server.engine.code_index import CodeIndex, Cursor, cursor_at
from training.code.data import collect

#: Lines shorter than this (stripped) are not cases: too little to be worth suggesting.
MIN_CASE_CHARS = 8
_COMMENT = re.compile(r"^(#|//|/\*|\*|--)")
_BOUNDARY = re.compile(r"\b|(?<=[^\w\s])(?=[\w\s])|(?<=\s)(?=\S)")


@dataclass(frozen=True)
class RepoFile:
    key: str
    text: str


@dataclass(frozen=True)
class WorkspaceCase:
    """One cursor in one file: the editor's copy of the file and what completes the line."""

    repo: str
    file: str
    #: The file as the editor has it: the case line cut at the cursor.
    editor_text: str
    offset: int
    kind: str  # next | mid
    #: What a perfect suggestion inserts (the rest of the line, stripped at the end).
    target: str


def repo_files(root: Path, extensions: tuple[str, ...] = (".py",)) -> list[RepoFile]:
    """The source files under ``root``, keyed by relative path: ``.gitignore`` respected, except
    for an installed package (site-packages usually lies in an ignored virtual environment)."""
    installed = "site-packages" in root.parts
    return [
        RepoFile(str(path.relative_to(root)), text)
        for path, text in collect([root], extensions, 300_000, default=installed)
    ]


def case_lines(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line number, offset of the line's start, indentation, stripped text) of every line of
    ``text`` that can be a case."""
    offset = 0
    for i, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if i > 0 and len(stripped) >= MIN_CASE_CHARS and not _COMMENT.match(stripped):
            yield i, offset, line[: len(line) - len(line.lstrip(" \t"))], stripped
        offset += len(line) + 1


def make_cases(
    repo: str, files: Sequence[RepoFile], n: int, kind: str, seed: int
) -> list[WorkspaceCase]:
    """``n`` cases of ``kind`` drawn at random (seeded) from every eligible line of ``files``."""
    lines = [(f, *rest) for f in files for rest in case_lines(f.text)]
    rng = random.Random(f"{seed}:{repo}:{kind}")
    cases = []
    for f, _, start, indent, stripped in rng.sample(lines, min(n, len(lines))):
        typed = ""
        if kind == "mid":
            cuts = [
                m.start() for m in _BOUNDARY.finditer(stripped) if 0 < m.start() < len(stripped) - 1
            ]
            if not cuts:
                continue
            typed = stripped[: rng.choice(cuts)]
        end = f.text.find("\n", start)
        line_end = end if end >= 0 else len(f.text)
        editor = f.text[:start] + indent + typed + f.text[line_end:]
        cursor = start + len(indent) + len(typed)
        cases.append(WorkspaceCase(repo, f.key, editor, cursor, kind, stripped[len(typed) :]))
    return cases


def index_of(files: Sequence[RepoFile]) -> CodeIndex:
    index = CodeIndex()
    for f in files:
        index.add(f.key, f.text)
    return index


def run_cases(
    files: Sequence[RepoFile],
    cases: Sequence[WorkspaceCase],
    predict: Callable[[CodeIndex, Cursor, WorkspaceCase], object],
    *,
    workspace: bool = True,
    index: CodeIndex | None = None,
) -> list[object]:
    """``predict(index, cursor, case)`` for every case, with the case's file replaced by its
    editor copy in the workspace's index (``workspace=False``: an index of that copy alone)."""
    originals = {f.key: f.text for f in files}
    if workspace and index is None:
        index = index_of(files)
    out = []
    for case in cases:
        local = index if workspace else CodeIndex()
        assert local is not None
        local.add(case.file, case.editor_text)
        out.append(predict(local, cursor_at(case.editor_text, case.offset, case.file), case))
        if workspace:
            local.add(case.file, originals[case.file])
    return out
