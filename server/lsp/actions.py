"""Code actions: quick fixes from a diagnostic's data, dictionary commands, fix-all.

Every edit names the document version it was made for (``documentChanges`` with a versioned
identifier), so a client applies it only to that version. A quick fix is offered only while
the text under the diagnostic is still the word that was flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from ..engine.fix import first_suggestion_edits, issue_edits
from ..engine.types import Category, Issue
from .commands import ADD_WORD as COMMAND_ADD_WORD
from .commands import IGNORE_WORD as COMMAND_IGNORE_WORD
from .convert import diagnostic_payload, text_edits, versioned_edit
from .documents import Document

FIX_ALL_KIND = "source.fixAll.quill"
MAX_FIXES = 5


def _command_action(
    title: str, diagnostic: types.Diagnostic, name: str, argument: dict[str, Any]
) -> types.CodeAction:
    """A quick fix that the server performs itself (workspace/executeCommand)."""
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(title=title, command=name, arguments=[argument]),
    )


def _touches(diagnostic: types.Diagnostic, requested: types.Range) -> bool:
    """Whether the diagnostic's range meets the requested one (a cursor at either end of a
    flagged word counts)."""
    start = (diagnostic.range.start.line, diagnostic.range.start.character)
    end = (diagnostic.range.end.line, diagnostic.range.end.character)
    return (
        start <= (requested.end.line, requested.end.character)
        and (
            requested.start.line,
            requested.start.character,
        )
        <= end
    )


def in_range(context: types.CodeActionContext, requested: types.Range) -> list[types.Diagnostic]:
    """The context's diagnostics that meet the requested range, each once: Neovim sends every
    diagnostic of the cursor's line, and a client may send one diagnostic twice."""
    seen: set[tuple[int, int, int, int, str]] = set()
    out = []
    for d in context.diagnostics:
        key = (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
        )
        if key in seen or not _touches(d, requested):
            continue
        seen.add(key)
        out.append(d)
    return out


def quick_fixes(
    doc: Document,
    context: types.CodeActionContext,
    encoding: str,
    can_write_workspace: bool,
    current: Sequence[Issue],
    requested: types.Range | None = None,
) -> list[types.CodeAction]:
    """Fixes and dictionary actions for Quill's diagnostics in ``context`` that meet the
    ``requested`` range (the cursor or selection; None: all of them).

    ``current`` are the issues of the document's current version: a fix is only offered for
    a diagnostic that still matches one of them (same place, same word), so a diagnostic the
    user has typed past never produces an edit. No action is listed twice.
    """
    live = {(i.start, i.end, i.text): i for i in current}
    if context.only is not None and not any(
        types.CodeActionKind.QuickFix.value.startswith(k) or k.startswith("quickfix")
        for k in context.only
    ):
        return []
    result: list[types.CodeAction] = []
    words_offered: set[str] = set()
    diagnostics = context.diagnostics if requested is None else in_range(context, requested)
    for diagnostic in diagnostics:
        payload = diagnostic_payload(diagnostic)
        if payload is None:
            continue
        word = payload["word"]
        start = doc.offset_at(diagnostic.range.start, encoding)
        end = doc.offset_at(diagnostic.range.end, encoding)
        issue = live.get((start, end, word))
        if issue is not None:
            places = f" ({len(issue.spans)} places)" if issue.related else ""
            for index, suggestion in enumerate(payload["suggestions"][:MAX_FIXES]):
                edits = text_edits(issue_edits(issue, suggestion), doc.lines, encoding)
                result.append(
                    types.CodeAction(
                        title=_fix_title(word, suggestion) + places,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=index == 0,
                        edit=versioned_edit(doc.uri, doc.version, edits),
                    )
                )
        if payload["category"] == Category.GRAMMAR.value:
            result.append(
                _command_action(
                    "Ignore this grammar suggestion in this document",
                    diagnostic,
                    COMMAND_IGNORE_WORD,
                    {"word": word, "uri": doc.uri, "rule": payload["rule"]},
                )
            )
            continue
        if payload["category"] != Category.SPELLING.value or word.lower() in words_offered:
            continue
        words_offered.add(word.lower())
        targets = [("workspace dictionary", "workspace")] if can_write_workspace else []
        targets.append(("user dictionary", "user"))
        for name, scope in targets:
            result.append(
                _command_action(
                    f"Add '{word}' to the {name}",
                    diagnostic,
                    COMMAND_ADD_WORD,
                    {"word": word, "scope": scope, "uri": doc.uri},
                )
            )
        result.append(
            _command_action(
                f"Ignore '{word}' in this document",
                diagnostic,
                COMMAND_IGNORE_WORD,
                {"word": word, "uri": doc.uri},
            )
        )
    seen: set[tuple[str, str]] = set()
    unique = []
    for action in result:
        # The same title doing the same thing (one flag's "Ignore ..." offered for each of
        # its copies in the context) is listed once; the same fix at two places is two.
        key = (action.title, repr(action.command.arguments if action.command else action.edit))
        if key not in seen:
            seen.add(key)
            unique.append(action)
    return unique


def _fix_title(flagged: str, suggestion: str) -> str:
    """``Change 'a' to 'an'``; ``Remove 'the'`` for a deletion (grammar's edits carry spaces)."""
    if not suggestion.strip():
        return f"Remove '{flagged.strip()}'"
    return f"Change '{flagged.strip()}' to '{suggestion.strip()}'"


def wants_fix_all(context: types.CodeActionContext) -> bool:
    """Fix-all is offered when asked for by kind, or alongside quick fixes on a Quill flag."""
    if context.only is not None:
        return any(FIX_ALL_KIND.startswith(str(k)) for k in context.only)
    return any(diagnostic_payload(d) is not None for d in context.diagnostics)


def fix_all_action(
    doc: Document, issues: Sequence[Issue], encoding: str
) -> types.CodeAction | None:
    """One action applying the first suggestion of every spelling and grammar issue."""
    edits = first_suggestion_edits(i for i in issues if i.suggestions)
    if not edits:
        return None
    kinds = sorted({i.category.value for i in issues if i.suggestions})
    return types.CodeAction(
        title=f"Fix all {' and '.join(kinds)} in this document ({len(edits)})",
        kind=FIX_ALL_KIND,
        edit=versioned_edit(doc.uri, doc.version, text_edits(edits, doc.lines, encoding)),
    )


def count_edits(edit: types.WorkspaceEdit) -> int:
    total = 0
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit):
            total += len(change.edits)
    return total


def parse_word_command(args: Sequence[Any], default_scope: str) -> tuple[str, str, str | None]:
    """``[{"word", "scope", "uri"}]`` or ``[word, scope?, uri?]`` -> (word, scope, uri)."""
    if len(args) == 1 and isinstance(args[0], dict):
        data = args[0]
        word, scope, uri = data.get("word"), data.get("scope", default_scope), data.get("uri")
    else:
        padded = [*args, None, None, None]
        word, scope, uri = padded[0], padded[1] or default_scope, padded[2]
    if not isinstance(word, str) or not word.strip():
        raise ValueError(
            'expected a word: [{"word": ..., "scope": "workspace"|"user", "uri": ...}]'
        )
    if not isinstance(scope, str):
        raise ValueError(f"scope must be a string, got {scope!r}")
    if uri is not None and not isinstance(uri, str):
        raise ValueError(f"uri must be a string, got {uri!r}")
    return word.strip(), scope, uri


def parse_uri_argument(args: Sequence[Any]) -> str:
    if len(args) == 1 and isinstance(args[0], dict):
        uri = args[0].get("uri")
    else:
        uri = args[0] if args else None
    if not isinstance(uri, str):
        raise ValueError('expected the document\'s uri: ["file:///..."] or [{"uri": ...}]')
    return uri
