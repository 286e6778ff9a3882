"""Code via tree-sitter (placeholder until the real extractor lands)."""

from __future__ import annotations

from ..types import Region

LANGUAGES: frozenset[str] = frozenset(
    {"python", "javascript", "javascriptreact", "typescript", "typescriptreact", "go", "rust",
     "java", "c", "cpp", "shellscript"}
)


def extract_code(text: str, language_id: str) -> list[Region]:
    return []
