"""Applying fixes to text: the CLI's ``fix`` and the server's fix-all share this."""

from __future__ import annotations

from collections.abc import Iterable

from .types import Edit, Issue


def issue_edits(issue: Issue, replacement: str) -> list[Edit]:
    """The edits that fix ``issue`` with ``replacement``, at every place it covers."""
    return [Edit(start, end, replacement) for start, end in issue.spans]


def first_suggestion_edits(issues: Iterable[Issue]) -> list[Edit]:
    """The first suggestion of every issue (at all its places), dropping edits that overlap."""
    candidates = [
        edit
        for issue in issues
        if issue.suggestions
        for edit in issue_edits(issue, issue.suggestions[0])
    ]
    edits: list[Edit] = []
    last_end = -1
    for edit in sorted(candidates, key=lambda e: (e.start, e.end)):
        if edit.start < last_end:
            continue
        edits.append(edit)
        last_end = edit.end
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
