"""The real server over stdio: diagnostics, quick fixes, dictionaries, fix-all, settings."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from server.lsp import server as server_module

from .conftest import DEADLINE, QuillClient


def words(diagnostics: list[types.Diagnostic]) -> list[str]:
    return [d.data["word"] for d in diagnostics]  # type: ignore[index]


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits the way a client does (UTF-16 positions, \\n line breaks here)."""
    from server.lsp.documents import LineIndex

    index = LineIndex(text)
    spans = sorted(
        ((index.offset_at(e.range.start), index.offset_at(e.range.end), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def only_edit(action: types.CodeAction) -> tuple[int | None, list[types.TextEdit]]:
    assert action.edit is not None and action.edit.document_changes
    change = action.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    return change.text_document.version, [e for e in change.edits if isinstance(e, types.TextEdit)]


MARKDOWN = "# Notes 😋\n\nWe recieve `teh` mail [here](https://exmple.com/recieve).\n"


async def test_diagnostics_have_ranges_rules_and_suggestions(quill: QuillClient) -> None:
    uri = quill.open("notes.md", MARKDOWN, "markdown")
    diagnostics = await quill.diagnostics(uri, 1, predicate=bool)
    assert words(diagnostics) == ["recieve"]
    d = diagnostics[0]
    assert d.source == "quill"
    assert d.code == "spelling.known-typo"
    assert d.severity == types.DiagnosticSeverity.Information
    assert d.range == types.Range(types.Position(2, 3), types.Position(2, 10))
    assert "receive" in d.message
    assert d.data["suggestions"][0] == "receive"  # type: ignore[index]


EMOJI_CRLF = "😋😋 wrod one\r\nline two 😋 misspeling\r\n"


async def test_utf16_ranges_after_emoji_and_crlf(start: Any) -> None:
    quill: QuillClient = await start(capabilities="visual-studio-code")  # offers UTF-16 only
    uri = quill.open("emoji.txt", EMOJI_CRLF, "plaintext")
    diagnostics = await quill.diagnostics(uri, 1, predicate=lambda d: len(d) == 2)
    ranges = {d.data["word"]: d.range for d in diagnostics}  # type: ignore[index]
    assert ranges["wrod"] == types.Range(types.Position(0, 5), types.Position(0, 9))
    assert ranges["misspeling"] == types.Range(types.Position(1, 12), types.Position(1, 22))


async def test_utf8_positions_when_the_client_prefers_them(quill: QuillClient) -> None:
    # Neovim 0.11 offers utf-8 first; the server agrees and counts bytes.
    uri = quill.open("emoji.txt", EMOJI_CRLF, "plaintext")
    diagnostics = await quill.diagnostics(uri, 1, predicate=lambda d: len(d) == 2)
    ranges = {d.data["word"]: d.range for d in diagnostics}  # type: ignore[index]
    assert ranges["wrod"] == types.Range(types.Position(0, 9), types.Position(0, 13))
    assert ranges["misspeling"] == types.Range(types.Position(1, 14), types.Position(1, 24))


async def test_incremental_edit_republishes_with_version(quill: QuillClient) -> None:
    uri = quill.open("a.txt", "One wrod here.\n", "plaintext")
    assert words(await quill.diagnostics(uri, 1, predicate=bool)) == ["wrod"]
    quill.change(uri, 2, (0, 4), (0, 8), "word")
    assert await quill.diagnostics(uri, 2) == []
    quill.change(uri, 3, (0, 9), (0, 13), "herre")
    assert words(await quill.diagnostics(uri, 3, predicate=bool)) == ["herre"]


async def test_quick_fix_applies_to_the_flagged_version_only(quill: QuillClient) -> None:
    text = "Please recieve this.\n"
    uri = quill.open("fix.txt", text, "plaintext")
    diagnostics = await quill.diagnostics(uri, 1, predicate=bool)
    actions = await quill.code_actions(uri, diagnostics)
    fixes = [a for a in actions if a.edit is not None and a.kind == types.CodeActionKind.QuickFix]
    assert fixes and fixes[0].is_preferred and not any(a.is_preferred for a in fixes[1:])
    assert len(fixes) <= 5
    version, edits = only_edit(fixes[0])
    assert version == 1
    assert apply_text_edits(text, edits) == "Please receive this.\n"
    titles = [a.title for a in actions]
    assert "Add 'recieve' to the workspace dictionary" in titles
    assert "Add 'recieve' to the user dictionary" in titles
    assert "Ignore 'recieve' in this document" in titles
    # The user moves on: the word under the old diagnostic changed, so no edit is offered.
    quill.change(uri, 2, (0, 7), (0, 14), "recieved")
    await quill.diagnostics(uri, 2, predicate=bool)
    stale = await quill.code_actions(uri, diagnostics)
    assert [
        a for a in stale if a.edit is not None and a.kind == types.CodeActionKind.QuickFix
    ] == []


async def add_to_workspace_dictionary(
    quill: QuillClient, uri: str, diagnostics: list[types.Diagnostic], word: str
) -> int:
    """Run the quick fix's add-to-workspace-dictionary command for ``word``; the count of
    publications before it ran (to wait for the ones it causes)."""
    actions = await quill.code_actions(uri, diagnostics)
    add = next(x for x in actions if x.title == f"Add '{word}' to the workspace dictionary")
    assert add.command is not None
    mark = len(quill.recorder.published)
    await quill.execute(add.command)
    return mark


async def test_add_to_workspace_dictionary_rechecks_open_documents(quill: QuillClient) -> None:
    a = quill.open("a.md", "The frobnicator spins.\n", "markdown")
    b = quill.open("b.txt", "A frobnicator again.\n", "plaintext")
    diagnostics = await quill.diagnostics(a, 1, predicate=bool)
    await quill.diagnostics(b, 1, predicate=bool)
    mark = await add_to_workspace_dictionary(quill, a, diagnostics, "frobnicator")
    assert await quill.diagnostics(a, 1, after=mark) == []
    assert await quill.diagnostics(b, 1, after=mark) == []
    dictionary = quill.workspace / ".quill" / "dictionary.txt"
    assert "frobnicator" in dictionary.read_text().splitlines()


async def settled_status(quill: QuillClient) -> dict[str, Any]:
    """``quill.status`` once no check is pending (every rescheduled document is done)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while True:
        status = await quill.execute(types.Command(title="status", command="quill.status"))
        if status["checkQueue"]["pending"] == 0:
            return dict(status)
        assert loop.time() < deadline, f"checks still pending: {status['checkQueue']}"
        await asyncio.sleep(0.05)


async def test_documents_a_dictionary_change_leaves_alone_are_not_published_again(
    quill: QuillClient,
) -> None:
    a = quill.open("a.md", "The frobnicator spins.\n", "markdown")
    c = quill.open("c.md", "An other wrongg word.\n", "markdown")
    diagnostics = await quill.diagnostics(a, 1, predicate=bool)
    assert words(await quill.diagnostics(c, 1, predicate=bool)) == ["wrongg"]
    before = await settled_status(quill)
    mark = await add_to_workspace_dictionary(quill, a, diagnostics, "frobnicator")
    assert await quill.diagnostics(a, 1, after=mark) == []
    after = await settled_status(quill)
    # c.md was checked again (every open document is, after a dictionary change) and came
    # out the same: the client already has those diagnostics, so none were sent.
    assert [p.uri for p in quill.recorder.published[mark:]] == [a]
    assert after["diagnosticsUnchanged"] > before["diagnosticsUnchanged"]
    assert after["outgoingBytes"] == 0


async def test_a_reopened_document_is_published_again(quill: QuillClient) -> None:
    uri = quill.open("again.txt", "A wrod.\n", "plaintext")
    await quill.diagnostics(uri, 1, predicate=bool)
    quill.lsp.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    mark = len(quill.recorder.published)
    await quill.diagnostics(uri, None, after=mark)  # the close cleared them
    mark = len(quill.recorder.published)
    quill.open("again.txt", "A wrod.\n", "plaintext")  # same version, same findings
    assert words(await quill.diagnostics(uri, 1, after=mark, predicate=bool)) == ["wrod"]


async def test_add_to_user_dictionary_writes_under_xdg_config(quill: QuillClient) -> None:
    uri = quill.open("u.txt", "Zorblax is here.\n", "plaintext")
    diagnostics = await quill.diagnostics(uri, 1, predicate=bool)
    actions = await quill.code_actions(uri, diagnostics)
    add = next(x for x in actions if x.title == "Add 'Zorblax' to the user dictionary")
    mark = len(quill.recorder.published)
    assert add.command is not None
    await quill.execute(add.command)
    assert await quill.diagnostics(uri, 1, after=mark) == []
    user = quill.config_home / "quill" / "dictionary.txt"
    assert "zorblax" in user.read_text().splitlines()
    assert not (quill.workspace / ".quill").exists()


async def test_ignore_word_only_in_that_document(quill: QuillClient) -> None:
    a = quill.open("a.txt", "Blorptastic stuff.\n", "plaintext")
    b = quill.open("b.txt", "More blorptastic stuff.\n", "plaintext")
    diagnostics = await quill.diagnostics(a, 1, predicate=bool)
    await quill.diagnostics(b, 1, predicate=bool)
    actions = await quill.code_actions(a, diagnostics)
    ignore = next(x for x in actions if x.title.startswith("Ignore"))
    mark = len(quill.recorder.published)
    assert ignore.command is not None
    await quill.execute(ignore.command)
    assert await quill.diagnostics(a, 1, after=mark) == []
    assert words(quill.lsp.diagnostics[b]) == ["blorptastic"]  # type: ignore[arg-type]


async def test_fix_all_source_action(quill: QuillClient) -> None:
    text = "Teh wrod is misspeled.\nAnothr line.\n"
    uri = quill.open("all.txt", text, "plaintext")
    await quill.diagnostics(uri, 1, predicate=lambda d: len(d) == 4)
    actions = await quill.code_actions(uri, [], only=["source.fixAll"])
    assert [a.kind for a in actions] == ["source.fixAll.quill"]
    version, edits = only_edit(actions[0])
    assert version == 1
    assert apply_text_edits(text, edits) == "The word is misspelled.\nAnother line.\n"


async def test_fix_all_command_applies_through_the_client(quill: QuillClient) -> None:
    uri = quill.open("cmd.txt", "Teh end.\n", "plaintext")
    await quill.diagnostics(uri, 1, predicate=bool)
    result = await quill.execute(
        types.Command(title="fix", command="quill.fixAll", arguments=[uri])
    )
    assert result["applied"] is True and result["fixes"] == 1
    (params,) = quill.recorder.applied_edits
    change = params.edit.document_changes[0]  # type: ignore[index]
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1


async def test_settings_change_rechecks(quill: QuillClient) -> None:
    uri = quill.open("c.txt", "The colour of the wrod.\n", "plaintext")
    assert words(await quill.diagnostics(uri, 1, predicate=lambda d: len(d) == 2)) == [
        "colour",
        "wrod",
    ]
    mark = len(quill.recorder.published)
    quill.lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "quill": {
                    "spelling": {"dialect": "en-GB"},
                    "diagnostics": {"debounceMs": 0},
                    "grammar": {"enabled": False},
                }
            }
        )
    )
    assert words(await quill.diagnostics(uri, 1, after=mark, predicate=lambda d: len(d) == 1)) == [
        "wrod"
    ]
    mark = len(quill.recorder.published)
    quill.lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"quill": {"spelling": {"enabled": False}, "grammar": {"enabled": False}}}
        )
    )
    assert await quill.diagnostics(uri, 1, after=mark) == []


async def test_invalid_setting_is_reported_once_and_ignored(quill: QuillClient) -> None:
    for _ in range(2):
        quill.lsp.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={
                    "quill": {"spelling": {"dialect": "klingon"}, "diagnostics": {"debounceMs": 0}}
                }
            )
        )
    uri = quill.open("d.txt", "A wrod.\n", "plaintext")
    assert words(await quill.diagnostics(uri, 1, predicate=bool)) == ["wrod"]
    about = [m for m in quill.lsp.messages if "spelling.dialect" in m.message]
    assert len(about) == 1


async def test_severity_and_languages_settings(start: Any) -> None:
    quill: QuillClient = await start(
        initialization_options={
            "diagnostics": {"debounceMs": 0, "severity": {"spelling": "error"}},
            "languages": ["plaintext"],
        }
    )
    md = quill.open("x.md", "A wrod.\n", "markdown")
    txt = quill.open("x.txt", "A wrod.\n", "plaintext")
    (d,) = await quill.diagnostics(txt, 1, predicate=bool)
    assert d.severity == types.DiagnosticSeverity.Error
    assert await quill.diagnostics(md, 1) == []


async def test_pull_diagnostics(start: Any) -> None:
    quill: QuillClient = await start(pull=True)
    uri = quill.open("p.txt", "Pull the wrod.\n", "plaintext")
    report = await asyncio.wait_for(
        quill.lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        DEADLINE,
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert [d.data["word"] for d in report.items] == ["wrod"]  # type: ignore[index]
    again = await quill.lsp.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=report.result_id
        )
    )
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert quill.recorder.published == []  # a pull client gets no pushed duplicates


async def test_pull_sees_a_dictionary_another_process_changed(start: Any) -> None:
    """Found by tests/reliability/test_fuzz_lsp.py: the result id counted only this server's
    own changes, so after another editor's Quill added a word to the user dictionary, a pull
    with the previous id was answered "unchanged" and the client kept the stale diagnostic."""
    quill: QuillClient = await start(pull=True)
    uri = quill.open("shared.txt", "A wrod here.\n", "plaintext")

    async def pull(previous: str | None) -> types.DocumentDiagnosticReport:
        return await asyncio.wait_for(
            quill.lsp.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    previous_result_id=previous,
                )
            ),
            DEADLINE,
        )

    first = await pull(None)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert words(list(first.items)) == ["wrod"]
    user = quill.config_home / "quill" / "dictionary.txt"
    user.parent.mkdir(parents=True)
    user.write_text("wrod\n")  # what quill.addToDictionary does in the other server
    second = await pull(first.result_id)
    assert isinstance(second, types.RelatedFullDocumentDiagnosticReport)
    assert list(second.items) == []
    third = await pull(second.result_id)
    assert isinstance(third, types.RelatedUnchangedDocumentDiagnosticReport)


async def test_code_identifiers_are_flagged_by_part(quill: QuillClient) -> None:
    text = 'def total_quantitiy(items):\n    """Sum the quantites."""\n    return items\n'
    uri = quill.open("inv.py", text, "python")
    diagnostics = await quill.diagnostics(uri, 1, predicate=lambda d: len(d) == 2)
    by_word = {d.data["word"]: d for d in diagnostics}  # type: ignore[index]
    assert by_word["quantitiy"].range == types.Range(types.Position(0, 10), types.Position(0, 19))
    assert by_word["quantitiy"].data["suggestions"][0] == "quantity"  # type: ignore[index]
    assert by_word["quantites"].data["suggestions"][0] == "quantities"  # type: ignore[index]


async def test_large_and_binary_documents_are_skipped_with_a_message(start: Any) -> None:
    quill: QuillClient = await start(
        initialization_options={"diagnostics": {"debounceMs": 0}, "maxFileSize": 1000}
    )
    big = quill.open("big.txt", "wrod " * 400, "plaintext")
    binary = quill.open("bin.txt", "wrod\x00\x01\x02", "plaintext")
    assert await quill.diagnostics(big, 1) == []
    assert await quill.diagnostics(binary, 1) == []
    texts = [m.message for m in quill.lsp.messages]
    assert any("big.txt" in t and "maxFileSize" in t for t in texts)
    assert any("bin.txt" in t and "binary" in t for t in texts)


async def test_bad_requests_get_errors_and_the_server_goes_on(quill: QuillClient) -> None:
    with pytest.raises(Exception, match="word"):
        await quill.execute(
            types.Command(title="x", command="quill.addToDictionary", arguments=[42])
        )
    with pytest.raises(Exception, match="not open"):
        await quill.execute(
            types.Command(title="x", command="quill.fixAll", arguments=["file:///nope.txt"])
        )
    # A change for a document that was never opened, and out-of-range positions: no crash.
    quill.change("file:///never-opened.txt", 2, (0, 0), (0, 1), "x")
    uri = quill.open("ok.txt", "short\n", "plaintext")
    quill.change(uri, 2, (99, 5), (120, 0), " wrod")
    assert words(await quill.diagnostics(uri, 2, predicate=bool)) == ["wrod"]


async def test_close_clears_diagnostics(quill: QuillClient) -> None:
    uri = quill.open("close.txt", "A wrod.\n", "plaintext")
    await quill.diagnostics(uri, 1, predicate=bool)
    mark = len(quill.recorder.published)
    quill.lsp.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await quill.diagnostics(uri, None, after=mark) == []


async def test_identifier_fix_renames_every_occurrence(quill: QuillClient) -> None:
    text = "recieveBuffer = []\nrecieveBuffer.append(1)\n"
    uri = quill.open("rename.py", text, "python")
    (diagnostic,) = await quill.diagnostics(uri, 1, predicate=bool)
    assert diagnostic.related_information is not None
    assert [r.location.range.start.line for r in diagnostic.related_information] == [1]
    actions = await quill.code_actions(uri, [diagnostic])
    preferred = next(a for a in actions if a.is_preferred)
    assert preferred.title == "Change 'recieve' to 'receive' (2 places)"
    version, edits = only_edit(preferred)
    assert version == 1
    assert apply_text_edits(text, edits) == "receiveBuffer = []\nreceiveBuffer.append(1)\n"


async def test_adding_to_the_workspace_dictionary_outside_any_workspace_says_why_in_words(
    quill: QuillClient, tmp_path: Path
) -> None:
    """:QuillAddWord on a file in no workspace folder: refused (nothing is written) with one
    sentence that names the fix, no exception type, and no second message."""
    outside = tmp_path / "elsewhere" / "x.md"
    outside.parent.mkdir()
    uri = outside.as_uri()
    with pytest.raises(Exception) as refused:
        await quill.execute(
            types.Command(
                title="add",
                command="quill.addToDictionary",
                arguments=[{"word": "grobnicator", "scope": "workspace", "uri": uri}],
            )
        )
    text = str(refused.value)
    assert "no workspace folder" in text and "user dictionary" in text, text
    assert "ValueError" not in text and "Traceback" not in text, text
    user_dictionary = quill.config_home / "quill" / "dictionary.txt"
    assert not user_dictionary.exists() or "grobnicator" not in user_dictionary.read_text()
    # A second message would be on the wire before the answer to the next request.
    await quill.execute(types.Command(title="status", command="quill.status"))
    assert not [m for m in quill.lsp.messages if "failed" in m.message], quill.lsp.messages


async def test_a_long_document_is_shown_at_once_and_its_suggestions_follow(
    quill: QuillClient,
) -> None:
    """Over 20,000 characters, the first publication flags every misspelling without ranking
    suggestions (the slow part); the ranked ones follow for the same version, and their
    quick fixes with them."""
    text = "".join(f"Line {k} of the report mentions an elephent once.\n" for k in range(500))
    assert len(text) > server_module.QUICK_FIRST_LOOK_CHARS
    uri = quill.open("long.md", text, "markdown")
    first = await quill.diagnostics(uri, 1, predicate=bool)
    assert len(first) == 500 and {d.data["word"] for d in first} == {"elephent"}  # type: ignore[index]
    assert not any(d.data["suggestions"] for d in first)  # type: ignore[index]
    ranked = await quill.diagnostics(
        uri,
        1,
        predicate=lambda ds: bool(ds) and all(d.data["suggestions"] for d in ds),  # type: ignore[index]
    )
    assert len(ranked) == 500
    assert ranked[0].data["suggestions"][0] == "elephant"  # type: ignore[index]
    actions = await quill.code_actions(uri, [ranked[0]])
    assert "Change 'elephent' to 'elephant'" in [a.title for a in actions]
