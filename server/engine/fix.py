"""Applying fixes to text: the CLI's ``fix`` and the server's fix-all share this."""

from __future__ import annotations

from collections.abc import Iterable

from .types import Edit, Issue


def first_suggestion_edits(issues: Iterable[Issue]) -> list[Edit]:
    """One edit per issue with a suggestion (its first), dropping any that overlap."""
    edits: list[Edit] = []
    last_end = -1
    for issue in sorted(issues, key=lambda i: (i.start, i.end)):
        if not issue.suggestions or issue.start < last_end:
            continue
        edits.append(Edit(issue.start, issue.end, issue.suggestions[0]))
        last_end = issue.end
    return edits


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` applied (offsets refer to the original text)."""
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < pos:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        out.append(text[pos : edit.start])
        out.append(edit.new_text)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
