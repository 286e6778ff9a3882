"""End-to-end fixtures: the real server over stdio, driven by pytest-lsp's client.

Every wait has a deadline and a test fails when it passes: nothing here passes on a timeout.
The server runs with its own XDG_CONFIG_HOME and XDG_CACHE_HOME so tests never touch the real
user dictionary or cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Union

import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30.0


class Recorder:
    """Every publishDiagnostics the client received, in order, with a way to wait for one."""

    def __init__(self) -> None:
        self.published: list[types.PublishDiagnosticsParams] = []
        self.changed = asyncio.Event()
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []

    async def wait(
        self,
        uri: str,
        version: int | None = None,
        predicate: Callable[[list[types.Diagnostic]], bool] = lambda d: True,
        after: int = 0,
    ) -> list[types.Diagnostic]:
        """The first diagnostics for ``uri`` (at ``version``) matching ``predicate``,
        published after the ``after``-th notification."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while True:
            for params in self.published[after:]:
                right_version = version is None or params.version == version
                if params.uri == uri and right_version and predicate(list(params.diagnostics)):
                    return list(params.diagnostics)
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [
                    (p.uri, p.version, [d.message for d in p.diagnostics]) for p in self.published
                ]
                raise AssertionError(f"no matching diagnostics for {uri} v{version}; saw {seen}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


class QuillClient:
    """A pytest-lsp client plus Quill-specific helpers."""

    def __init__(
        self, client: LanguageClient, recorder: Recorder, workspace: Path, config_home: Path
    ):
        self.lsp = client
        self.recorder = recorder
        self.workspace = workspace
        self.config_home = config_home
        #: What the server answered to ``initialize`` (its capabilities).
        self.initialize_result: types.InitializeResult | None = None

    def uri(self, name: str) -> str:
        return (self.workspace / name).as_uri()

    def open(self, name: str, text: str, language_id: str, version: int = 1) -> str:
        uri = self.uri(name)
        self.lsp.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language_id, version=version, text=text
                )
            )
        )
        return uri

    def change(
        self, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str
    ) -> None:
        self.lsp.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(*start), types.Position(*end)), text=text
                    )
                ],
            )
        )

    async def diagnostics(
        self, uri: str, version: int | None = None, **kw: Any
    ) -> list[types.Diagnostic]:
        return await self.recorder.wait(uri, version, **kw)

    async def code_actions(
        self, uri: str, diagnostics: list[types.Diagnostic], only: list[str] | None = None
    ) -> list[types.CodeAction]:
        # The range a selection over all of them would send (the server keeps to it).
        rng = (
            types.Range(
                min((d.range.start for d in diagnostics), key=lambda p: (p.line, p.character)),
                max((d.range.end for d in diagnostics), key=lambda p: (p.line, p.character)),
            )
            if diagnostics
            else types.Range(types.Position(0, 0), types.Position(0, 0))
        )
        result = await asyncio.wait_for(
            self.lsp.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=rng,
                    context=types.CodeActionContext(diagnostics=diagnostics, only=only),
                )
            ),
            DEADLINE,
        )
        return [a for a in result or [] if isinstance(a, types.CodeAction)]

    async def execute(self, command: types.Command) -> Any:
        return await asyncio.wait_for(
            self.lsp.workspace_execute_command_async(
                types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
            ),
            DEADLINE,
        )


def server_env(config_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "XDG_CONFIG_HOME": str(config_home),
            "XDG_CACHE_HOME": str(config_home / "cache"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


async def start_client(
    tmp_path: Path,
    *,
    capabilities: str = "neovim",
    initialization_options: dict[str, Any] | None = None,
    pull: bool = False,
) -> QuillClient:
    # Spelling tests pin exact findings: grammar (its own tests turn it on) stays out of them.
    options = dict(initialization_options or {"diagnostics": {"debounceMs": 0}})
    options.setdefault("grammar", {"enabled": False})
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
    config_home = tmp_path / "config"
    config_home.mkdir(exist_ok=True)
    recorder = Recorder()

    def factory() -> LanguageClient:
        client = LanguageClient(converter_factory=default_converter)
        mine = {types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, types.WORKSPACE_APPLY_EDIT}
        register_lsp_features(
            client, {k: v for k, v in DEFAULT_CLIENT_FEATURES.items() if k not in mine}
        )
        converter = client.protocol._converter

        # lsprotocol's converter reads a CodeAction that carries a command (and no edit) as a
        # Command. On the wire a Command's "command" is a string, a CodeAction's an object:
        # decide by that, as VS Code's client does.
        def command_or_action(obj: Any, _: Any) -> types.Command | types.CodeAction:
            if isinstance(obj.get("command"), str):
                return converter.structure(obj, types.Command)
            return converter.structure(obj, types.CodeAction)

        union: Any = Union[types.Command, types.CodeAction]  # noqa: UP007 (the typing.Union object)
        converter.register_structure_hook(types.Command | types.CodeAction, command_or_action)
        converter.register_structure_hook(union, command_or_action)

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def _record(params: types.PublishDiagnosticsParams) -> None:
            client.diagnostics[params.uri] = params.diagnostics
            recorder.published.append(params)
            recorder.changed.set()

        @client.feature(types.WORKSPACE_APPLY_EDIT)  # type: ignore[untyped-decorator]
        def _apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            recorder.applied_edits.append(params)
            return types.ApplyWorkspaceEditResult(applied=True)

        return client

    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "server"],
        client_factory=factory,
        server_env=server_env(config_home),
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    caps = client_capabilities(capabilities)
    if caps.text_document is not None and not pull:
        caps.text_document.diagnostic = None
    if pull and caps.text_document is not None and caps.text_document.diagnostic is None:
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities()
    if pull and caps.workspace is not None:  # as VS Code: asked to pull again when grammar is in
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
            refresh_support=True
        )
    result = await asyncio.wait_for(
        client.initialize_session(
            types.InitializeParams(
                capabilities=caps,
                root_uri=workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="workspace")],
                initialization_options=options,
            )
        ),
        DEADLINE,
    )
    quill = QuillClient(client, recorder, workspace, config_home)
    quill.initialize_result = result
    return quill


async def stop_client(client: QuillClient) -> None:
    try:
        await asyncio.wait_for(client.lsp.shutdown_session(), DEADLINE)
    finally:
        await client.lsp.stop()  # type: ignore[no-untyped-call]


@pytest_asyncio.fixture
async def quill(tmp_path: Path) -> AsyncIterator[QuillClient]:
    client = await start_client(tmp_path)
    yield client
    await stop_client(client)


@pytest_asyncio.fixture
async def start(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Start a client with custom options: ``client = await start(pull=True)``."""
    started: list[QuillClient] = []

    async def _start(**kw: Any) -> QuillClient:
        client = await start_client(tmp_path, **kw)
        started.append(client)
        return client

    yield _start
    for client in started:
        if not client.lsp.stopped:  # a test may have stopped one itself (a restart)
            await stop_client(client)
