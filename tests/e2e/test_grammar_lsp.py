"""Grammar through the real server over stdio: a real exported model run by onnxruntime.

Two models: the tiny one the ``tiny`` training preset builds in this session (proves that a
model made by the pipeline loads and serves), and the shipped ``models/grammar-minilm`` (proves
the model users get finds real mistakes, offers fixes, and obeys the settings).
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.e2e.conftest import DEADLINE, ROOT, QuillClient

SHIPPED = ROOT / "models" / "grammar-minilm"
GRAMMAR_ON = {"diagnostics": {"debounceMs": 0}, "grammar": {"enabled": True}}


async def status(quill: QuillClient) -> dict[str, Any]:
    result = await quill.execute(types.Command(title="status", command="quill.status"))
    assert isinstance(result, dict)
    return result


async def wait_for_status(quill: QuillClient, needle: str) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while True:
        current = await status(quill)
        if needle in current["grammar"]:
            return current
        assert loop.time() < deadline, f"grammar status never said {needle!r}: {current}"
        await asyncio.sleep(0.1)


async def test_a_model_made_by_the_pipeline_loads_and_serves(
    start: Any, tiny_grammar_model: Path
) -> None:
    quill: QuillClient = await start(
        initialization_options={**GRAMMAR_ON, "models": {"grammar": str(tiny_grammar_model)}}
    )
    current = await wait_for_status(quill, "grammar model model on")
    assert current["grammarProviders"] == ["CPUExecutionProvider"]
    uri = quill.open("t.md", "He go to the school yesterday. A wrod.\n", "markdown")
    found = await quill.diagnostics(uri, 1, predicate=lambda d: any(x.code for x in d))
    codes = {str(d.code) for d in found}
    assert "spelling.known-typo" in codes  # "wrod"
    assert all(c.startswith(("spelling.", "grammar.")) for c in codes)


async def test_a_corrupt_model_is_reported_and_spelling_goes_on(
    start: Any, tiny_grammar_model: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-model"
    shutil.copytree(tiny_grammar_model, broken)
    with (broken / "model.onnx").open("r+b") as f:
        f.seek(100)
        f.write(b"\x00garbage\x00")
    quill: QuillClient = await start(
        initialization_options={**GRAMMAR_ON, "models": {"grammar": str(broken)}}
    )
    uri = quill.open("c.txt", "Spelling still finds the wrod here.\n", "plaintext")
    found = await quill.diagnostics(uri, 1, predicate=bool)
    assert [d.code for d in found] == ["spelling.known-typo"]  # "wrod"
    current = await wait_for_status(quill, "grammar is off")
    assert "sha256 mismatch" in current["grammar"] and "model.onnx" in current["grammar"]
    shown = [m.message for m in quill.lsp.messages if "grammar is off" in m.message]
    assert len(shown) == 1 and "spelling goes on working" in shown[0]


async def test_a_missing_model_directory_is_reported(start: Any, tmp_path: Path) -> None:
    quill: QuillClient = await start(
        initialization_options={**GRAMMAR_ON, "models": {"grammar": str(tmp_path / "nowhere")}}
    )
    current = await wait_for_status(quill, "grammar is off")
    assert "no such model directory" in current["grammar"]


def grammar(diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if str(d.code).startswith("grammar.")]


async def test_shipped_model_flags_agreement_with_a_fix(start: Any) -> None:
    assert (SHIPPED / "model.onnx").is_file(), "the shipped grammar model is missing"
    quill: QuillClient = await start(initialization_options=GRAMMAR_ON)
    text = "# Notes 😀\r\n\r\n😀 They was at home.\r\n"
    uri = quill.open("g.md", text, "markdown")
    found = grammar(await quill.diagnostics(uri, 1, predicate=lambda d: bool(grammar(d))))
    (issue,) = [d for d in found if d.range.start.line == 2]
    # "was", after an emoji: 4 UTF-8 bytes or 2 UTF-16 units, in the negotiated encoding
    width = {"utf-8": 4, "utf-16": 2, "utf-32": 1}[(await status(quill))["positionEncoding"]]
    start = width + len(" They ")
    assert issue.range == types.Range(types.Position(2, start), types.Position(2, start + 3))
    assert issue.severity == types.DiagnosticSeverity.Warning
    assert issue.data["suggestions"][0] == "were"
    actions = await quill.code_actions(uri, [issue])
    titles = [a.title for a in actions]
    assert "Change 'was' to 'were'" in titles
    fix = actions[titles.index("Change 'was' to 'were'")]
    assert fix.edit is not None and fix.edit.document_changes is not None
    change = fix.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    ignore = next(a for a in actions if a.title.startswith("Ignore this grammar"))
    assert ignore.command is not None
    mark = len(quill.recorder.published)
    await quill.execute(ignore.command)
    after = await quill.diagnostics(uri, 1, after=mark)
    assert not [d for d in grammar(after) if d.range.start.line == 2]


async def test_grammar_reads_comments_not_code(start: Any) -> None:
    quill: QuillClient = await start(initialization_options=GRAMMAR_ON)
    code = "# They was at home.\nthey_go = 'They was at home.'\n"
    uri = quill.open("c.py", code, "python")
    found = grammar(await quill.diagnostics(uri, 1, predicate=lambda d: bool(grammar(d))))
    assert {d.range.start.line for d in found} == {0}


async def test_min_confidence_and_enabled_settings(start: Any) -> None:
    quill: QuillClient = await start(initialization_options=GRAMMAR_ON)
    uri = quill.open("s.txt", "They was at home.\n", "plaintext")
    assert grammar(await quill.diagnostics(uri, 1, predicate=lambda d: bool(grammar(d))))
    mark = len(quill.recorder.published)
    quill.lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"quill": {**GRAMMAR_ON, "grammar": {"minConfidence": 1.0}}}
        )
    )
    assert (
        grammar(await quill.diagnostics(uri, 1, after=mark, predicate=lambda d: not grammar(d)))
        == []
    )
    mark = len(quill.recorder.published)
    quill.lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"quill": GRAMMAR_ON})
    )
    assert grammar(
        await quill.diagnostics(uri, 1, after=mark, predicate=lambda d: bool(grammar(d)))
    )
    mark = len(quill.recorder.published)
    quill.lsp.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"quill": {**GRAMMAR_ON, "grammar": {"enabled": False}}}
        )
    )
    await quill.diagnostics(uri, 1, after=mark, predicate=lambda d: not grammar(d))
    assert (await status(quill))["grammar"] == "grammar is off"


async def test_a_long_new_document_publishes_at_once_and_completes_in_the_background(
    start: Any,
) -> None:
    quill: QuillClient = await start(initialization_options=GRAMMAR_ON)
    await wait_for_status(quill, "grammar model")
    lines = [f"This is quiet sentence number {n} of the report." for n in range(150)]
    text = "\n".join([*lines, "They was at home.", ""])
    uri = quill.open("long.txt", text, "plaintext")
    last = len(lines)
    found = await quill.diagnostics(
        uri, 1, predicate=lambda d: any(x.range.start.line == last for x in grammar(d))
    )
    (issue,) = [d for d in grammar(found) if d.range.start.line == last]
    assert issue.data["suggestions"][0] == "were"
    first = next(p for p in quill.recorder.published if p.uri == uri and p.version == 1)
    assert not [d for d in grammar(list(first.diagnostics)) if d.range.start.line == last]


async def test_code_actions_keep_to_the_cursor_and_are_never_repeated(start: Any) -> None:
    """Neovim sends every diagnostic of the cursor's line as context (and a client may send
    one twice): with the cursor on "a" only that flag's actions come back, each once."""
    quill: QuillClient = await start(initialization_options=GRAMMAR_ON)
    text = "She go to the office every day and eat a apple.\n"
    uri = quill.open("line.md", text, "markdown")
    found = await quill.diagnostics(uri, 1, predicate=lambda d: len(d) >= 2)
    assert {text[d.range.start.character : d.range.end.character] for d in found} >= {"go", "a"}
    cursor = types.Position(0, text.index(" a ") + 1)
    result = await asyncio.wait_for(
        quill.lsp.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(cursor, cursor),
                context=types.CodeActionContext(diagnostics=[*found, *found]),
            )
        ),
        DEADLINE,
    )
    titles = [a.title for a in result or []]
    assert "Change 'a' to 'an'" in titles, titles
    assert not any("'go'" in t for t in titles), titles
    assert len(titles) == len(set(titles)), titles
    assert titles.count("Ignore this grammar suggestion in this document") == 1


def report_text(n: int) -> str:
    """``n`` distinct quiet sentences (none cached: background grammar has work to do)."""
    return "".join(f"This is quiet sentence number {k} of the long report.\n" for k in range(n))


async def pull(quill: QuillClient, uri: str) -> list[types.Diagnostic]:
    report = await asyncio.wait_for(
        quill.lsp.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        DEADLINE,
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    return list(report.items)


@pytest.mark.parametrize("mode", ["push", "pull"])
async def test_an_edit_gets_its_own_sentences_grammar_first(start: Any, mode: str) -> None:
    """An edit far down a long document, made while the background grammar of the document
    is running, comes back with the edited sentence's grammar in its first diagnostics."""
    quill: QuillClient = await start(initialization_options=GRAMMAR_ON, pull=mode == "pull")
    await wait_for_status(quill, "grammar model")
    text = report_text(400)
    uri = quill.open("long.txt", text, "plaintext")
    if mode == "pull":
        await pull(quill, uri)
    else:
        await quill.diagnostics(uri, 1)
    line = 399
    old = "This is quiet sentence number 399 of the long report."
    quill.change(uri, 2, (line, 0), (line, len(old)), "They was at home.")
    if mode == "pull":
        found = await pull(quill, uri)
    else:
        await quill.diagnostics(uri, 2)
        first = next(p for p in quill.recorder.published if p.uri == uri and p.version == 2)
        found = list(first.diagnostics)
    (issue,) = [d for d in grammar(found) if d.range.start.line == line]
    assert issue.data["suggestions"][0] == "were"


async def test_a_pull_client_is_answered_before_the_grammar_is_done_and_asked_to_pull_again(
    start: Any,
) -> None:
    quill: QuillClient = await start(initialization_options=GRAMMAR_ON, pull=True)
    await wait_for_status(quill, "grammar model")
    text = report_text(300) + "They was at home.\n"
    uri = quill.open("pulled.txt", text, "plaintext")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while True:
        refreshes = quill.lsp.diagnostic_refresh_count  # before the pull: none is missed
        if [d for d in grammar(await pull(quill, uri)) if d.range.start.line == 300]:
            break
        while quill.lsp.diagnostic_refresh_count == refreshes:  # pull again when asked to
            assert loop.time() < deadline, "the server never asked the client to pull again"
            await asyncio.sleep(0.05)
    assert quill.lsp.diagnostic_refresh_count >= 1
