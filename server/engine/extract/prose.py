"""Prose formats (placeholder: paragraphs only; replaced by the full extractors)."""

from __future__ import annotations

import re

from ..types import Region, RegionKind

_BLANK_LINE = re.compile(r"\n[ \t]*(?:\r?\n)+|\r\n[ \t]*(?:\r?\n)+")


def extract_plaintext(text: str) -> list[Region]:
    regions: list[Region] = []
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        if text[pos : m.start()].strip():
            regions.append(Region(pos, m.start(), RegionKind.PROSE))
        pos = m.end()
    if text[pos:].strip():
        regions.append(Region(pos, len(text), RegionKind.PROSE))
    return regions


extract_markdown = extract_plaintext
extract_rst = extract_plaintext
extract_latex = extract_plaintext
extract_commit_message = extract_plaintext
