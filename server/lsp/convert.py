"""Engine issues <-> LSP diagnostics and edits (positions through ``documents.LineIndex``).

The fix travels in the diagnostic: ``Diagnostic.data`` carries the flagged word, its
suggestions and the rule, so a code action never has to check the document again, and can
refuse to act when the text under the diagnostic is no longer the flagged word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lsprotocol import types

from ..engine.types import Edit, Issue
from .documents import UTF16, LineIndex
from .settings import Settings

SOURCE = "quill"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def severity_for(category: str, settings: Settings) -> types.DiagnosticSeverity:
    name = getattr(settings.diagnostics.severity, category, "information")
    return _SEVERITY.get(name, types.DiagnosticSeverity.Information)


def to_diagnostic(
    issue: Issue, uri: str, lines: LineIndex, settings: Settings, encoding: str = UTF16
) -> dict[str, Any]:
    """One issue as an LSP ``Diagnostic`` in its wire (JSON) form.

    Plain dicts, not ``lsprotocol`` objects: a server with 200 open documents publishes
    tens of thousands of diagnostics, and building attrs objects for cattrs to take apart
    again cost the event loop about 2 ms per document (``python -m benchmarks load``).
    """
    severity = (
        types.DiagnosticSeverity.Information
        if not issue.suggestions and issue.category.value == "grammar"
        else severity_for(issue.category.value, settings)
    )
    diagnostic: dict[str, Any] = {
        "range": lines.range_json(issue.start, issue.end, encoding),
        "message": issue.full_message,
        "severity": int(severity),
        "code": issue.rule,
        "source": SOURCE,
        "data": {
            "rule": issue.rule,
            "category": issue.category.value,
            "word": issue.text,
            "suggestions": list(issue.suggestions),
        },
    }
    if issue.related:
        diagnostic["relatedInformation"] = [
            {
                "location": {"uri": uri, "range": lines.range_json(start, end, encoding)},
                "message": f"'{issue.text}' here too",
            }
            for start, end in issue.related
        ]
    return diagnostic


def to_diagnostics(
    issues: Iterable[Issue],
    uri: str,
    lines: LineIndex,
    settings: Settings,
    encoding: str = UTF16,
) -> list[dict[str, Any]]:
    return [to_diagnostic(i, uri, lines, settings, encoding) for i in issues]


def report_key(
    version: int, visible: Sequence[Issue], settings: Settings, encoding: str
) -> tuple[Any, ...]:
    """What a pulled report is made of: the document version (its text), the findings shown,
    and the two things that decide their wire form (severities, position encoding)."""
    return (version, encoding, settings.diagnostics.severity, tuple(visible))


def report_id(key: tuple[Any, ...]) -> str:
    """The result id of a pulled report (:func:`report_key`): the version and a digest of what
    the report holds.

    A client that sends it back is told "unchanged" only if the items would be the same.
    Counting settings or dictionary changes would not do: a dictionary file that another
    editor's Quill (or a ``git pull``) changed is re-read when it changes, and alters the
    items with nothing in this server having moved. The digest is Python's hash of the key,
    not of the items' JSON (encoding 700 diagnostics twice, for the id and for the answer, was
    half of a pull's time on the event loop); an id from an earlier server process simply
    does not match, and that client is sent the full report.
    """
    return f"{key[0]}:{hash(key) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


def diagnostic_payload(diagnostic: types.Diagnostic) -> dict[str, Any] | None:
    """The data Quill put in one of its own diagnostics, or None for anyone else's."""
    if diagnostic.source != SOURCE or not isinstance(diagnostic.data, dict):
        return None
    data = diagnostic.data
    word = data.get("word")
    suggestions = data.get("suggestions", [])
    if not isinstance(word, str) or not isinstance(suggestions, list):
        return None
    return {
        "rule": str(data.get("rule", diagnostic.code or "")),
        "category": str(data.get("category", "spelling")),
        "word": word,
        "suggestions": [s for s in suggestions if isinstance(s, str)][:5],
    }


def text_edits(
    edits: Iterable[Edit], lines: LineIndex, encoding: str = UTF16
) -> list[types.TextEdit]:
    return [
        types.TextEdit(range=lines.range_at(e.start, e.end, encoding), new_text=e.new_text)
        for e in edits
    ]


def versioned_edit(uri: str, version: int, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    """A workspace edit that the client must refuse if the document moved past ``version``."""
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=version
                ),
                edits=list(edits),
            )
        ]
    )
