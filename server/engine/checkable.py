"""Whether a document is checkable at all: not too large, not binary.

The server (open documents and the workspace scan) and the CLI ask the same question before
checking, so they skip the same files with the same reason.
"""

from __future__ import annotations


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def skip_reason(text: str, max_size: int) -> str | None:
    """Why ``text`` is not checked, or None. Cheap for the common case."""
    if len(text) > max_size or (len(text) * 4 > max_size and utf8_size(text) > max_size):
        size = utf8_size(text)
        return f"it is {_human(size)}, over the {_human(max_size)} limit (maxFileSize)"
    if "\x00" in text[:65536]:
        return "it looks binary (it contains NUL characters)"
    return None


def _human(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} bytes"
