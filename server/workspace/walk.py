"""Finding the files to check, the way users expect from ripgrep or typos.

``.gitignore`` files (in every directory, plus ``.git/info/exclude``) are respected, hidden
files and directories are skipped unless named explicitly, and a workspace scan skips vendored
trees (``node_modules``, ``.venv``...). Used by ``quill check``, the server's vocabulary scan
and its completion index, and the code model's training data, so all four see the same files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from ..engine.extract import language_for_path

#: Directories that are never worth walking into (third-party or generated trees).
ALWAYS_SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        ".nox",
    }
)
#: Skipped in a workspace scan (the server learning project words), not in an explicit check.
VENDORED_DIRS = frozenset(
    {
        "node_modules",
        ".venv",
        "venv",
        "site-packages",
        "dist",
        "build",
        "target",
        "vendor",
        "third_party",
    }
)


def _load_spec(path: Path) -> pathspec.PathSpec[Any] | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    if not any(line.strip() and not line.startswith("#") for line in lines):
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)  # git's own matching rules


@dataclass
class _Ignore:
    base: Path
    spec: pathspec.PathSpec[Any]

    def matches(self, path: Path, is_dir: bool) -> bool:
        try:
            rel = path.absolute().relative_to(self.base).as_posix()
        except ValueError:
            return False
        return self.spec.match_file(rel + "/" if is_dir else rel)


def _repo_root(start: Path) -> Path | None:
    for parent in [start, *start.parents]:
        if (parent / ".git").exists():
            return parent
    return None


def _inherited_ignores(directory: Path) -> list[_Ignore]:
    """The .gitignore rules that apply to ``directory`` from its repository's root down."""
    root = _repo_root(directory)
    if root is None:
        return []
    ignores: list[_Ignore] = []
    exclude = _load_spec(root / ".git" / "info" / "exclude")
    if exclude:
        ignores.append(_Ignore(root, exclude))
    chain = [directory, *directory.parents]
    for parent in reversed(chain[: chain.index(root) + 1] if root in chain else []):
        if parent == directory:
            break
        spec = _load_spec(parent / ".gitignore")
        if spec:
            ignores.append(_Ignore(parent, spec))
    return ignores


def iter_files(
    paths: Iterable[str | Path],
    *,
    respect_gitignore: bool = True,
    skip_vendored: bool = False,
    known_languages_only: bool = True,
    limit: int | None = None,
) -> Iterator[Path]:
    """Files under ``paths`` (files named explicitly are always yielded)."""
    count = 0
    for raw in paths:
        path = Path(raw)
        if path.is_file() or not path.exists():
            yield path
            count += 1
            continue
        ignores = _inherited_ignores(path.absolute()) if respect_gitignore else []
        for file in _walk(path, ignores, respect_gitignore, skip_vendored):
            if known_languages_only and language_for_path(file) is None:
                continue
            yield file
            count += 1
            if limit is not None and count >= limit:
                return


def _walk(
    directory: Path, ignores: list[_Ignore], respect_gitignore: bool, skip_vendored: bool
) -> Iterator[Path]:
    if respect_gitignore:
        spec = _load_spec(directory / ".gitignore")
        if spec:
            ignores = [*ignores, _Ignore(directory.absolute(), spec)]
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        if is_dir and (name in ALWAYS_SKIPPED_DIRS or (skip_vendored and name in VENDORED_DIRS)):
            continue
        if any(ig.matches(path, is_dir) for ig in ignores):
            continue
        if is_dir:
            yield from _walk(path, ignores, respect_gitignore, skip_vendored)
        elif is_file:
            yield path
