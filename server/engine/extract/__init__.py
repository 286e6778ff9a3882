"""Which parts of a document are checked, and how.

``extract_regions(text, language_id)`` returns the regions (prose paragraphs, comments,
docstrings, string contents, identifiers) of a document in order, each a code-point range of
``text`` with a :class:`~server.engine.types.RegionKind`. Everything outside the regions (code,
markup, math, URLs in link targets, front matter...) is never looked at.

Language ids are the LSP ones (``markdown``, ``python``...); common aliases used by editors
(Neovim's ``sh``/``gitcommit``/``tex``...) are normalised by :func:`canonical_language`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from ..types import Region
from . import code, prose

Extractor = Callable[[str], list[Region]]

#: Editor aliases -> the canonical language id used inside Quill.
_ALIASES: dict[str, str] = {
    "text": "plaintext",
    "txt": "plaintext",
    "md": "markdown",
    "rst": "restructuredtext",
    "rest": "restructuredtext",
    "tex": "latex",
    "plaintex": "latex",
    "gitcommit": "git-commit",
    "commit": "git-commit",
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "jsx": "javascriptreact",
    "ts": "typescript",
    "tsx": "typescriptreact",
    "golang": "go",
    "rs": "rust",
    "c++": "cpp",
    "cxx": "cpp",
    "sh": "shellscript",
    "bash": "shellscript",
    "zsh": "shellscript",
    "shell": "shellscript",
}

_PROSE: dict[str, Extractor] = {
    "plaintext": prose.extract_plaintext,
    "markdown": prose.extract_markdown,
    "restructuredtext": prose.extract_rst,
    "latex": prose.extract_latex,
    "git-commit": prose.extract_commit_message,
}

#: File name suffixes -> language id, for the CLI and the benchmarks.
_SUFFIXES: dict[str, str] = {
    ".txt": "plaintext",
    ".text": "plaintext",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".rst": "restructuredtext",
    ".tex": "latex",
    ".ltx": "latex",
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascriptreact",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescriptreact",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".sh": "shellscript",
    ".bash": "shellscript",
    ".zsh": "shellscript",
}

_FILE_NAMES: dict[str, str] = {
    "COMMIT_EDITMSG": "git-commit",
    "MERGE_MSG": "git-commit",
    "TAG_EDITMSG": "git-commit",
    "README": "plaintext",
    "LICENSE": "plaintext",
    ".bashrc": "shellscript",
    ".profile": "shellscript",
}


def canonical_language(language_id: str) -> str:
    """The canonical id for an editor's language id (unknown ids are returned lower-cased)."""
    lowered = language_id.strip().lower()
    return _ALIASES.get(lowered, lowered)


def language_for_path(path: str | PurePath) -> str | None:
    """Guess a language id from a file name; ``None`` when Quill has no extractor for it."""
    p = PurePath(path)
    if p.name in _FILE_NAMES:
        return _FILE_NAMES[p.name]
    return _SUFFIXES.get(p.suffix.lower())


def code_suffixes() -> list[str]:
    """The file suffixes of code Quill reads (``.py``, ``.rs``...), sorted."""
    return sorted(suffix for suffix, language in _SUFFIXES.items() if is_code(language))


def supported_languages() -> list[str]:
    """Every canonical language id that has an extractor."""
    return sorted({*_PROSE, *code.LANGUAGES})


def is_supported(language_id: str) -> bool:
    lang = canonical_language(language_id)
    return lang in _PROSE or lang in code.LANGUAGES


def is_code(language_id: str) -> bool:
    return canonical_language(language_id) in code.LANGUAGES


def extract_regions(text: str, language_id: str) -> list[Region]:
    """The regions of ``text`` to check, in document order; [] for an unsupported language."""
    lang = canonical_language(language_id)
    prose_extractor = _PROSE.get(lang)
    if prose_extractor is not None:
        return prose_extractor(text)
    if lang in code.LANGUAGES:
        return code.extract_code(text, lang)
    return []
