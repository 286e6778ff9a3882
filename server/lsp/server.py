"""Quill's language server: handlers that fetch a document, schedule work and publish.

The work itself lives elsewhere: the engine checks text (``server.engine``), ``state`` decides
what a user has accepted, ``actions`` builds code actions, ``convert`` turns issues into
diagnostics. Checks run in one worker thread so the event loop always answers; results are
published only for the document version they were computed on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    FeatureNotificationError,
    FeatureRequestError,
    JsonRpcException,
    PyglsError,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from ..engine.checkable import skip_reason
from ..engine.checker import CheckResult
from ..engine.edits import changed_span
from ..engine.extract import code_suffixes
from ..engine.types import CheckCancelled
from . import actions, commands, completion, transport
from .convert import report_id, report_key, to_diagnostics
from .documents import UTF16, Document, DocumentStore
from .health import Health
from .scheduler import Debouncer
from .settings import (
    ALLOW_EXTERNAL_MODELS,
    ModelTrust,
    Settings,
    confine_models,
    model_roots,
    parse_settings,
    take_allow_external,
)
from .stages import StageTimes
from .state import GRAMMAR_BACKGROUND_BATCH, CheckedVersion, QuillState

log = logging.getLogger(__name__)

#: A new document longer than this is first published without ranked suggestions (a quick
#: look; the ranked ones follow): ranking takes about 15 ms a misspelling, so 3,000 lines of
#: learner prose took 2-4 s to show anything. Below it (about 300 lines) ranking at once costs
#: under half a second and saves the client a second publication.
QUICK_FIRST_LOOK_CHARS = 20_000


class QuillProtocol(LanguageServerProtocol):
    """pygls' protocol, but documents are kept by Quill's own store (LSP line rules).
    Malformed messages never reach it: ``transport`` answers them (a request whose
    parameters cannot be read included)."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


class QuillServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "quill",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=QuillProtocol,
        )
        self.documents = DocumentStore()
        self.state = QuillState()
        self.debouncer = Debouncer()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quill-check")
        self.encoding = UTF16
        self.pull_mode = False
        self.refresh_support = False
        #: Whether the client reports file changes we register for (didChangeWatchedFiles).
        self.watch_files = False
        self._shown: set[str] = set()
        #: Background work in flight (kept referenced so it is not collected mid-way; each
        #: piece leaves the set when it is done, see :meth:`in_background`).
        self.background: set[asyncio.Future[None]] = set()
        #: Checks someone is waiting for (an edit, a request): background grammar yields to them.
        self.foreground = 0
        #: Documents whose check is queued for the worker thread and has not started yet.
        self.queued: set[str] = set()
        #: Each document's foreground check in flight (a pull request waits for it rather
        #: than checking the same version again).
        self.checking: dict[str, asyncio.Future[CheckResult | None]] = {}
        #: When the pull client was last asked to pull again (background grammar progress).
        self._refreshed = 0.0
        #: What each stage of the foreground checks costs (quill.status: checkStages).
        self.stages = StageTimes()
        #: The text each document's last foreground check read (worker thread): the next
        #: check finds what the edit changed by comparing with it.
        self.checked_text: dict[str, str] = {}
        #: What each open document's last publication held (see :meth:`publish`), and its
        #: last pulled report (its result id and items).
        self.published: dict[str, tuple[Any, ...]] = {}
        self.pulled: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        #: Publications sent, and skipped because the client already had them (quill.status).
        self.publications = {"sent": 0, "unchanged": 0}
        self.state.on_problem = self.show_once
        #: Which model directories settings may name (set from initializationOptions).
        self.model_trust = ModelTrust()
        #: Event-loop stalls and the check queue, for quill.status (server/lsp/health.py).
        self.health = Health(self.debouncer, self.executor, self.state.cache_sizes)
        #: Code completion (set by ``build_server``: it registers the completion features).
        self.completer: completion.Completer

    @property
    def settings(self) -> Settings:
        return self.state.settings

    def report_server_error(
        self, error: Exception, source: type[PyglsError] | type[JsonRpcException]
    ) -> None:
        """Log every protocol error; tell the user once per kind, not once per message.
        A handler that raised (a disk that refused a dictionary write, say) is not the
        editor's fault: the message must not say it is."""
        if isinstance(error, commands.UserError):
            # The answer to the request says it, in words; the editor shows that.
            log.info("refused: %s", error.message)
            return
        log.error("protocol error (%s): %s", source.__name__, error, exc_info=error)
        failed = source in (FeatureRequestError, FeatureNotificationError)
        what = "a request failed" if failed else "the editor sent a message Quill could not handle"
        self.show_once(
            f"protocol:{type(error).__name__}",
            f"{what} ({error}); details in the language server's log (Neovim: :LspLog; "
            "VS Code: Output, Quill; Emacs: the events buffer)",
            types.MessageType.Error,
        )

    # -- messages ------------------------------------------------------------------------------
    def show_once(
        self, key: str, message: str, kind: types.MessageType = types.MessageType.Warning
    ) -> None:
        """Tell the user something once per session (and always log it)."""
        log.warning("%s", message)
        if key in self._shown:
            return
        self._shown.add(key)
        self.window_show_message(types.ShowMessageParams(type=kind, message=f"Quill: {message}"))

    def in_background(self, work: Awaitable[None]) -> None:
        """Run ``work`` without waiting for it, referenced until it is done (a closed
        document's re-index is one per close: the set must not keep them all)."""
        future = asyncio.ensure_future(work)
        self.background.add(future)
        future.add_done_callback(self.background.discard)

    def apply_settings(self, raw: Any, *, initial: bool = False) -> None:
        """Settings from ``initializationOptions`` (``initial``: the user's own editor
        configuration, which decides which model directories are trusted) or from the
        workspace configuration, whose ``models.*`` must stay in trusted places."""
        raw, allow_external = take_allow_external(raw)
        settings, problems = parse_settings(raw)
        if initial:
            roots = model_roots(self.state.folders)
            self.model_trust = ModelTrust(roots, settings.models, allow_external is True)
        elif allow_external is not None:
            problems.append(f"{ALLOW_EXTERNAL_MODELS}: only read from initializationOptions")
        settings, refused = confine_models(settings, self.settings.models, self.model_trust)
        for problem in [*problems, *refused]:
            self.show_once(f"settings:{problem}", f"ignoring invalid setting {problem}")
        self.state.configure(settings)

    # -- checking --------------------------------------------------------------------------
    def schedule(self, doc: Document, *, immediate: bool = False) -> None:
        uri = doc.uri
        if uri in self.queued:
            # A check of this document waits for the worker and will read the text it finds
            # when it starts: it keeps its place instead of going to the back of the queue.
            return
        delay = 0.0 if immediate else self.settings.diagnostics.debounce_ms / 1000
        self.debouncer.schedule(uri, delay, lambda: self.check_and_publish(uri))

    def recheck_all(self) -> None:
        """After a dictionary or settings change: publish again for every open document."""
        for doc in self.documents:
            self.schedule(doc, immediate=True)
        if self.pull_mode and self.refresh_support:
            self.workspace_diagnostic_refresh(None)

    async def check(
        self,
        doc: Document,
        *,
        grammar_limit: int | None = None,
        progress: bool = False,
        edited: bool = False,
        quick: bool = False,
    ) -> CheckedVersion | None:
        """The issues of ``doc`` at its current version (from the last check when still
        current); None if the document changed or closed meanwhile. ``grammar_limit`` lets a
        check return before every sentence's grammar is known (at most that many sentences
        are tagged); ``progress`` asks for more of it rather than the last partial result."""
        version, text = doc.snapshot
        cached = self.state.results.get(doc.uri)
        if (
            cached is not None
            and cached.version == version
            and cached.generation == self.state.generation
            and (
                cached.complete
                or (grammar_limit is not None and not progress and (quick or cached.ranked))
            )
        ):
            return cached
        if not self.settings.checks_language(doc.language_id):
            return self.state.remember(doc.uri, version, [], skipped="language")
        reason = skip_reason(text, self.settings.max_file_size)
        if reason is not None:
            self.show_once(
                f"skip:{doc.uri}", f"not checking {doc.uri}: {reason}", types.MessageType.Info
            )
            return self.state.remember(doc.uri, version, [], skipped=reason)

        abandoned = False
        #: The settings' generation the check runs under (set when the worker starts it): a
        #: result computed under settings changed since is never published (the change
        #: schedules a check of its own).
        generation = self.state.generation

        def stale() -> bool:
            if abandoned or (progress and self.foreground > 0):
                return True  # background work steps aside; what it tagged stays cached
            if self.state.generation != generation:
                return True
            return self.documents.get(doc.uri) is not doc or doc.version != version

        submitted = time.perf_counter()

        def work() -> CheckResult | None:
            # A foreground check reads the snapshot when the worker starts it, so edits made
            # while it waited in the queue are in it (it keeps its place in the queue).
            nonlocal version, text, generation
            generation = self.state.generation
            if not progress:
                self.stages.add("wait", 1000 * (time.perf_counter() - submitted))
                self.queued.discard(doc.uri)
                latest, latest_text = doc.snapshot
                if latest != version and skip_reason(latest_text, self.settings.max_file_size):
                    return None  # too big or binary now: a new check decides what to say
                version, text = latest, latest_text
            if stale():
                raise CheckCancelled()
            changed = None
            if not progress:
                previous = self.checked_text.get(doc.uri)
                changed = changed_span(previous, text) if previous is not None else None
                self.checked_text[doc.uri] = text
            return self.state.check_text(
                text, doc.language_id, stale, grammar_limit, edited, changed, quick
            )

        loop = asyncio.get_running_loop()
        if not progress:
            self.foreground += 1
            self.queued.add(doc.uri)
        running = loop.run_in_executor(self.executor, work)
        if not progress:
            self.checking[doc.uri] = running
        try:
            result = await running
        except CheckCancelled:
            return None
        except asyncio.CancelledError:
            abandoned = True  # closed or superseded: the worker skips it when it gets there
            raise
        finally:
            if not progress:
                self.foreground -= 1
                self.queued.discard(doc.uri)
                if self.checking.get(doc.uri) is running:
                    del self.checking[doc.uri]
            # The future holds the exception of a cancelled check, whose traceback holds this
            # frame: without this, each cancelled check (dozens a second under load) would be a
            # reference cycle holding the document's text until a full garbage collection.
            del running
        if result is None:
            self.schedule(doc, immediate=True)
            return None
        if not progress:
            self.stages.add_engine(result.stats.extra)
        if stale():
            return None
        if result.grammar_error is not None:
            self.show_once(
                "grammar-error",
                f"grammar failed ({result.grammar_error}); spelling goes on working, "
                "details in the log",
            )
        issues = result.issues
        complete = result.pending_sentences == 0 and not result.provisional
        checked = self.state.remember(
            doc.uri, version, issues, complete=complete, ranked=not result.provisional
        )
        if self.state.learn(doc.uri, issues):
            for other in self.documents:
                if other is not doc:
                    self.schedule(other, immediate=True)
        return checked

    async def current(self, doc: Document, ranked: bool = False) -> CheckedVersion | None:
        """What is known of ``doc``'s current version without waiting for background grammar:
        spelling of the whole document, the grammar of every sentence read so far and of the
        edited ones. A new long document's first look is its spelling without ranked
        suggestions (provisional: ranking them is most of the cost, 15 ms a misspelling), so
        that its squiggles come within a second whatever its size (``ranked``: not for code actions,
        which offer the suggestions). A foreground check of the same document already running
        is waited for, not repeated."""
        running = self.checking.get(doc.uri)
        if running is not None:
            # Waits without taking its outcome (a cancelled check's exception would tie this
            # frame to it in a reference cycle), and without cancelling it if this is cancelled.
            await asyncio.wait([running])
            del running
        known = self.state.results.get(doc.uri)
        # Quick until the document's first full check has ranked its suggestions (a short
        # document is ranked at once: the user sees one publication, not two).
        quick = (
            not ranked
            and (known is None or not known.ranked)
            and len(doc.text) > QUICK_FIRST_LOOK_CHARS
        )
        return await self.check(doc, grammar_limit=0, edited=known is not None, quick=quick)

    async def check_and_publish(self, uri: str) -> None:
        """Check ``uri`` after an edit (or its opening) and tell the client, in two steps: at
        once what :meth:`current` knows (spelling and the edited sentences' grammar), then the
        grammar of the rest of the document in the background, a sentence per turn of the
        worker thread, told about once a second and at the end (push: published; pull: the
        client is asked to pull again)."""
        doc = self.documents.get(uri)
        if doc is None:
            return
        checked = await self.current(doc)
        if checked is None:
            return
        self.tell(doc, checked, first=True)
        loop = asyncio.get_running_loop()
        last = loop.time()
        told = checked
        while not checked.complete:
            more = await self.check(doc, grammar_limit=GRAMMAR_BACKGROUND_BATCH, progress=True)
            if more is None:
                if self.documents.get(uri) is not doc or doc.version != checked.version:
                    return  # the document changed: its newer version has its own check
                await asyncio.sleep(0.05)  # it stepped aside for an edit: go on after it
                continue
            checked = more
            # At once when what was told lacked ranked suggestions (a long document's first
            # look), else about once a second and at the end.
            if checked.complete or not told.ranked or loop.time() - last > 1.0:
                self.tell(doc, checked)
                last = loop.time()
                told = checked

    def tell(self, doc: Document, checked: CheckedVersion, first: bool = False) -> None:
        """Let the client have ``checked``: published (push), or, for a pull client that
        takes refreshes, a request to pull again when background grammar found more (the
        first result of a version is what its own pull after the edit gets)."""
        if not self.pull_mode:
            self.publish(doc, checked)
            return
        if first or not self.refresh_support:
            return
        now = asyncio.get_running_loop().time()
        if checked.complete or now - self._refreshed > 1.0:
            self._refreshed = now
            self.workspace_diagnostic_refresh(None)

    async def ensure_grammar(self) -> None:
        """Load (or reload, after a settings change) the grammar model in the worker thread,
        tell the user if it cannot be used, and check the open documents again."""
        loop = asyncio.get_running_loop()
        model = await loop.run_in_executor(self.executor, self.state.load_grammar)
        if model is None:
            return
        if model.failed:
            self.show_once(f"grammar:{model.status}", f"{model.status}; spelling goes on working")
        else:
            log.info("%s", model.status)
            if "CUDA was asked for" in model.status:
                self.show_once(f"grammar:{model.status}", model.status, types.MessageType.Info)
        self.recheck_all()

    def publish(self, doc: Document, checked: CheckedVersion) -> None:
        """Send the diagnostics of ``checked`` unless the client already has exactly these.

        A project-vocabulary or dictionary change reschedules every open document, and most
        of them come out the same: sending 200 identical publications in a burst kept the
        event loop busy for hundreds of milliseconds (``python -m benchmarks load``)."""
        if self.documents.get(doc.uri) is not doc or doc.version != checked.version:
            return
        started = time.perf_counter()
        visible = self.state.visible(doc.uri, checked.issues)
        sent = (checked.version, self.encoding, self.settings.diagnostics.severity, visible)
        if self.published.get(doc.uri) == sent:
            self.publications["unchanged"] += 1
            return
        self.published[doc.uri] = sent
        self.publications["sent"] += 1
        diagnostics = to_diagnostics(visible, doc.uri, doc.lines, self.settings, self.encoding)
        serialised = time.perf_counter()
        self.stages.add("serialise", 1000 * (serialised - started))
        transport.send_notification(
            self,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
            {"uri": doc.uri, "diagnostics": diagnostics, "version": checked.version},
        )
        self.stages.add("write", 1000 * (time.perf_counter() - serialised))

    def clear(self, uri: str) -> None:
        self.published.pop(uri, None)
        self.pulled.pop(uri, None)
        self.checked_text.pop(uri, None)
        if not self.pull_mode:
            transport.send_notification(
                self, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, {"uri": uri, "diagnostics": []}
            )


def initialize(ls: QuillServer, params: types.InitializeParams) -> None:
    encoding = ls.workspace.position_encoding  # negotiated by pygls from the client's offer
    ls.encoding = str(getattr(encoding, "value", encoding) or UTF16)
    caps = params.capabilities
    ls.pull_mode = bool(caps.text_document and caps.text_document.diagnostic)
    ls.refresh_support = bool(
        caps.workspace and caps.workspace.diagnostics and caps.workspace.diagnostics.refresh_support
    )
    watched = caps.workspace.did_change_watched_files if caps.workspace else None
    ls.watch_files = bool(watched and watched.dynamic_registration)
    ls.state.set_workspace_folders(
        [f.uri for f in params.workspace_folders or []]
        or ([params.root_uri] if params.root_uri else [])
    )
    ls.apply_settings(params.initialization_options, initial=True)
    for problem in ls.state.load_problems():
        ls.show_once(f"load:{problem}", problem)


async def initialized(ls: QuillServer, params: types.InitializedParams) -> None:
    ls.health.start()
    ls.completer.start_index(ls.state.folders)
    if ls.watch_files and ls.state.folders and ls.settings.completion.enabled:
        ls.in_background(watch_workspace_files(ls))
    await ls.ensure_grammar()
    # The lexicon and the grammar model are loaded: freeze them, full collections at idle.
    ls.health.collector.install()
    if ls.state.settings.spelling.learn_project_words:
        ls.in_background(learn_workspace(ls))


async def watch_workspace_files(ls: QuillServer) -> None:
    """Ask the editor to report files created, changed or deleted in the workspace (a
    ``git checkout`` changes files no editor has open): the completion index follows them."""
    suffixes = ",".join(suffix.lstrip(".") for suffix in code_suffixes())
    # Code files only: a watcher on every file would cost the editor for nothing.
    watcher = types.FileSystemWatcher(glob_pattern=f"**/*.{{{suffixes}}}")
    registration = types.Registration(
        id="quill-workspace-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher]),
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as exc:  # the editor refused: the index is read again at the next start
        log.info("the editor does not report file changes: %s", exc)


def did_change_watched_files(ls: QuillServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.completer.files_changed(params.changes)


async def learn_workspace(ls: QuillServer) -> None:
    """Read the workspace's files in the background to learn its vocabulary."""
    loop = asyncio.get_running_loop()
    changed = False
    for path in ls.state.workspace_files():
        uri = path.as_uri()
        if ls.documents.get(uri) is not None:
            continue
        try:
            changed |= await loop.run_in_executor(ls.executor, ls.state.learn_file, path, uri)
        except Exception:  # unreadable files are simply not learnt from
            log.debug("could not learn from %s", path, exc_info=True)
    if changed:
        ls.recheck_all()


async def did_change_configuration(
    ls: QuillServer, params: types.DidChangeConfigurationParams
) -> None:
    raw = params.settings
    if isinstance(raw, dict) and "quill" in raw:
        raw = raw["quill"]
    elif not raw:
        try:
            values = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="quill")])
            )
            raw = values[0] if values else None
        except Exception:
            log.warning("workspace/configuration failed", exc_info=True)
            return
    ls.apply_settings(raw)
    ls.recheck_all()
    await ls.ensure_grammar()


def did_open(ls: QuillServer, params: types.DidOpenTextDocumentParams) -> None:
    doc = ls.documents.open(params.text_document)
    ls.schedule(doc, immediate=True)
    ls.completer.document_changed(doc)


def did_change(ls: QuillServer, params: types.DidChangeTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        log.warning("didChange for a document that is not open: %s", params.text_document.uri)
        return
    for change in params.content_changes:
        doc.apply_change(change, ls.encoding)
    doc.set_version(params.text_document.version)
    ls.schedule(doc)
    ls.completer.document_changed(doc)


def did_save(ls: QuillServer, params: types.DidSaveTextDocumentParams) -> None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is not None:
        ls.schedule(doc, immediate=True)


def did_close(ls: QuillServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.debouncer.cancel(uri)
    ls.documents.close(uri)
    ls.state.forget(uri)
    ls.clear(uri)
    ls.completer.document_closed(uri)


async def pull_diagnostics(
    ls: QuillServer, params: types.DocumentDiagnosticParams
) -> dict[str, Any]:
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        return {"kind": "full", "items": []}
    checked = await ls.current(doc)
    while checked is None and ls.documents.get(doc.uri) is doc:
        checked = await ls.current(doc)  # it changed while checking: the newest version
    if checked is None:
        return {"kind": "full", "items": []}
    started = time.perf_counter()
    visible = ls.state.visible(doc.uri, checked.issues)
    key = report_key(checked.version, visible, ls.settings, ls.encoding)
    result_id = report_id(key)
    if params.previous_result_id == result_id:
        return {"kind": "unchanged", "resultId": result_id}
    last = ls.pulled.get(doc.uri)
    if last is not None and last[0] == result_id:
        items = last[1]  # a refresh re-pulls every open document: not built again
    else:
        items = to_diagnostics(visible, doc.uri, doc.lines, ls.settings, ls.encoding)
        ls.pulled[doc.uri] = (result_id, items)
    ls.stages.add("serialise", 1000 * (time.perf_counter() - started))
    # In its wire form, like the pushed diagnostics (see convert.to_diagnostic).
    return {"kind": "full", "resultId": result_id, "items": items}


async def code_action(
    ls: QuillServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        return None
    # What the client can show is what has been found so far: no wait for background grammar.
    checked = await ls.current(doc, ranked=True)
    if checked is None or checked.version != doc.version:
        return None  # the document changed while we looked: the client will ask again
    current = ls.state.visible(doc.uri, checked.issues)
    result = actions.quick_fixes(
        doc,
        params.context,
        ls.encoding,
        ls.state.can_write_workspace(doc.uri),
        current,
        params.range,
    )
    if actions.wants_fix_all(params.context):
        fix_all = actions.fix_all_action(doc, current, ls.encoding)
        if fix_all is not None:
            result.append(fix_all)
    return result


def add_to_dictionary(ls: QuillServer, *args: Any) -> dict[str, Any]:
    word, scope, uri = actions.parse_word_command(args, default_scope="workspace")
    try:
        message = ls.state.add_word(word, scope, uri)
    except ValueError as exc:  # no workspace for this file, not a word: the user's to fix
        raise commands.UserError(str(exc)) from exc
    ls.recheck_all()
    return {"added": word, "scope": scope, "message": message}


def ignore_word(ls: QuillServer, *args: Any) -> dict[str, Any]:
    word, _scope, uri = actions.parse_word_command(args, default_scope="document")
    if not uri:
        raise ValueError("quill.ignoreWord needs the document's uri")
    rule = args[0].get("rule") if len(args) == 1 and isinstance(args[0], dict) else None
    if isinstance(rule, str) and rule.startswith("grammar."):
        ls.state.ignore_grammar(uri, rule, word)
    else:
        ls.state.ignore_word(uri, word)
    doc = ls.documents.get(uri)
    if doc is not None:
        ls.schedule(doc, immediate=True)
    if ls.pull_mode and ls.refresh_support:
        ls.workspace_diagnostic_refresh(None)
    return {"ignored": word, "uri": uri}


async def fix_all_command(ls: QuillServer, *args: Any) -> dict[str, Any]:
    uri = actions.parse_uri_argument(args)
    doc = ls.documents.get(uri)
    if doc is None:
        raise ValueError(f"document is not open: {uri}")
    checked = await ls.check(doc)
    if checked is None:
        return {"applied": False, "reason": "the document changed; try again"}
    action = actions.fix_all_action(doc, ls.state.visible(doc.uri, checked.issues), ls.encoding)
    if action is None or action.edit is None:
        return {"applied": False, "fixes": 0}
    response = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=action.edit, label="Quill: fix all spelling")
    )
    return {"applied": bool(response.applied), "fixes": actions.count_edits(action.edit)}


def recheck(ls: QuillServer, *args: Any) -> None:
    ls.state.clear_caches()
    ls.recheck_all()


def status(ls: QuillServer, *args: Any) -> dict[str, Any]:
    full = _status_table(ls)
    return {"summary": status_summary(full, ls.settings)} | full


def status_summary(status: dict[str, Any], settings: Settings) -> list[str]:
    """A few lines for a person (``:QuillStatus``, VS Code's status command): dictionaries,
    models and where they run, and what is off and why; the full table stays beside them."""
    spelling = (
        f"on ({status['dialect']})" if settings.spelling.enabled else "off (spelling.enabled)"
    )
    dictionaries = [status["userDictionary"], *status["workspaceDictionaries"]]
    index = (
        f"workspace index {status['completionIndex']}: {status['completionIndexFiles']:,} "
        f"files, {status['completionIndexLines']:,} lines"
    )
    completion = status["completion"]
    if settings.completion.enabled:
        completion = f"{completion}; {index}"
    stalls = status.get("eventLoop", {}).get("stalls", 0)
    lines = [
        f"Quill {status['version']}: {status['openDocuments']} open documents"
        + (f", {stalls} event-loop stalls" if stalls else ""),
        f"Spelling: {spelling}; dictionaries: {', '.join(dictionaries)}",
        f"Grammar: {status['grammar']}",
        f"Completion: {completion}",
    ]
    stages = status.get("checkStages") or {}
    if stages:
        costs = ", ".join(f"{name} {cost['medianMs']:g}" for name, cost in stages.items())
        lines.append(f"A check costs (median ms): {costs}")
    return lines


def _status_table(ls: QuillServer) -> dict[str, Any]:
    return (
        ls.state.status()
        | ls.health.status()
        | ls.completer.status()
        | {
            "openDocuments": len(ls.documents),
            "diagnosticsPublished": ls.publications["sent"],
            "diagnosticsUnchanged": ls.publications["unchanged"],
            # Bytes queued for the client and not yet written (a client slow to read).
            "outgoingBytes": getattr(ls.protocol.writer, "pending", 0),
            "pullDiagnostics": ls.pull_mode,
            "checkStages": ls.stages.status(),
            "positionEncoding": ls.encoding,
            "version": __version__,
        }
    )


def document_state(ls: QuillServer, *args: Any) -> dict[str, Any] | None:
    """``quill.documentState``: a digest of one open document (server/lsp/commands.py)."""
    uri = actions.parse_uri_argument(args)
    return commands.document_state(ls.documents.get(uri), ls.encoding)


def shutdown(ls: QuillServer, *args: Any) -> None:
    ls.executor.shutdown(wait=False, cancel_futures=True)
    ls.completer.shutdown()


def build_server() -> QuillServer:
    """A new server with every handler registered (tests may build several)."""
    ls = QuillServer()
    ls.feature(types.INITIALIZE)(initialize)
    ls.feature(types.INITIALIZED)(initialized)
    ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    ls.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    ls.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
    ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    ls.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="quill", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )(pull_diagnostics)
    ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND],
            resolve_provider=False,
        ),
    )(code_action)
    ls.command(commands.ADD_WORD)(add_to_dictionary)
    ls.command(commands.IGNORE_WORD)(ignore_word)
    ls.command(commands.FIX_ALL)(fix_all_command)
    ls.command(commands.RECHECK)(recheck)
    ls.command(commands.STATUS)(status)
    ls.command(commands.DOCUMENT_STATE)(document_state)
    ls.feature(types.SHUTDOWN)(shutdown)
    # inlineCompletion and completion (server/lsp/completion.py)
    ls.completer = completion.Completer(ls)
    ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())(
        completion.inline_completion
    )
    ls.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["."], resolve_provider=False),
    )(completion.completion_items)
    return ls
