"""Reading a file as text: UTF-8 (with a BOM or not) or UTF-16 with its BOM, or a clear reason
why not (binary, undecodable, too large) rather than a guess.
"""

from __future__ import annotations

from pathlib import Path


class UndecodableFile(Exception):
    """The file is not text Quill can read (binary, or not UTF-8)."""


def decode_text(data: bytes) -> str:
    """Decode file bytes as UTF-8 (a BOM is dropped); binary data raises ``UndecodableFile``."""
    if b"\x00" in data[:8192]:
        raise UndecodableFile("it looks binary (it contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UndecodableFile(f"it is not valid UTF-16 ({exc.reason})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UndecodableFile(f"it is not valid UTF-8 (byte {exc.start}: {exc.reason})") from exc


def read_text(path: Path, max_size: int | None = None) -> str:
    """Read a text file; raises ``UndecodableFile`` or ``OSError`` with a clear reason."""
    if max_size is not None:
        size = path.stat().st_size
        if size > max_size:
            raise UndecodableFile(f"it is {size} bytes, over the {max_size}-byte limit")
    return decode_text(path.read_bytes())
