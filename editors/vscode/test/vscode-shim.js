// A minimal VS Code extension host for `npm test`: just enough of the `vscode` API for the
// extension and the real vscode-languageclient to run under `node --test` against the real
// server. Documents live in memory; providers the client registers are kept so that tests
// call them as VS Code would; diagnostic collections record what the client shows.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

class Disposable {
  constructor(fn) { this._fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose())); }
  dispose() { if (this._fn) { const fn = this._fn; this._fn = undefined; fn(); } }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const bound = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(bound);
      const d = new Disposable(() => this._listeners.delete(bound));
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(value) { for (const l of [...this._listeners]) { try { l(value); } catch (e) { console.error(e); } } }
  dispose() { this._listeners.clear(); }
}

class CancellationError extends Error { constructor() { super('Canceled'); this.name = 'Canceled'; } }

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
  }
  cancel() { if (!this.token.isCancellationRequested) { this.token.isCancellationRequested = true; this._emitter.fire(); } }
  dispose() { this._emitter.dispose(); }
}

class Uri {
  constructor(scheme, authority, p, query, fragment) {
    this.scheme = scheme; this.authority = authority || ''; this.path = p || ''; this.query = query || ''; this.fragment = fragment || '';
  }
  static file(p) { return new Uri('file', '', path.resolve(p)); }
  static parse(value) {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (!m) throw new Error(`cannot parse URI ${value}`);
    return new Uri(m[1], m[2], decodeURIComponent(m[3]), m[4], m[5]);
  }
  static joinPath(base, ...parts) { return base.with({ path: path.posix.join(base.path, ...parts) }); }
  get fsPath() { return this.path; }
  with(change) {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path,
      change.query ?? this.query, change.fragment ?? this.fragment);
  }
  toString() {
    const encoded = this.path.split('/').map(encodeURIComponent).join('/');
    return `${this.scheme}://${this.authority}${encoded}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }
  toJSON() { return this.toString(); }
}

class Position {
  constructor(line, character) { this.line = line; this.character = character; }
  isBefore(o) { return this.line < o.line || (this.line === o.line && this.character < o.character); }
  isAfter(o) { return o.isBefore(this); }
  isEqual(o) { return this.line === o.line && this.character === o.character; }
  isBeforeOrEqual(o) { return this.isBefore(o) || this.isEqual(o); }
  isAfterOrEqual(o) { return this.isAfter(o) || this.isEqual(o); }
  compareTo(o) { return this.isBefore(o) ? -1 : this.isEqual(o) ? 0 : 1; }
  translate(dl = 0, dc = 0) { return new Position(this.line + dl, this.character + dc); }
  with(line = this.line, character = this.character) { return new Position(line, character); }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') { this.start = new Position(a, b); this.end = new Position(c, d); }
    else { this.start = a; this.end = b; }
  }
  get isEmpty() { return this.start.isEqual(this.end); }
  get isSingleLine() { return this.start.line === this.end.line; }
  contains(x) {
    if (x instanceof Range) return this.contains(x.start) && this.contains(x.end);
    return x.isAfterOrEqual(this.start) && x.isBeforeOrEqual(this.end);
  }
  isEqual(o) { return this.start.isEqual(o.start) && this.end.isEqual(o.end); }
  with(start = this.start, end = this.end) { return new Range(start, end); }
}
class Selection extends Range {
  constructor(anchor, active) { super(anchor, active); this.anchor = anchor; this.active = active; }
}

class Location { constructor(uri, range) { this.uri = uri; this.range = range; } }
class Diagnostic {
  constructor(range, message, severity = 0) { this.range = range; this.message = message; this.severity = severity; }
}
class DiagnosticRelatedInformation { constructor(location, message) { this.location = location; this.message = message; } }
class TextEdit {
  constructor(range, newText) { this.range = range; this.newText = newText; }
  static replace(range, text) { return new TextEdit(range, text); }
  static insert(pos, text) { return new TextEdit(new Range(pos, pos), text); }
  static delete(range) { return new TextEdit(range, ''); }
}
class SnippetString { constructor(value = '') { this.value = value; } }
class SnippetTextEdit { constructor(range, snippet) { this.range = range; this.snippet = snippet; } }
class MarkdownString {
  constructor(value = '', supportThemeIcons = false) { this.value = value; this.supportThemeIcons = supportThemeIcons; }
  appendText(t) { this.value += t; return this; }
  appendMarkdown(t) { this.value += t; return this; }
  appendCodeblock(code, lang = '') { this.value += `\n\`\`\`${lang}\n${code}\n\`\`\`\n`; return this; }
}
class WorkspaceEdit {
  constructor() { this._edits = new Map(); }
  _list(uri) { const key = uri.toString(); if (!this._edits.has(key)) this._edits.set(key, [uri, []]); return this._edits.get(key)[1]; }
  set(uri, edits) { const list = this._list(uri); list.length = 0; for (const e of edits || []) list.push(Array.isArray(e) ? e[0] : e); }
  replace(uri, range, newText) { this._list(uri).push(new TextEdit(range, newText)); }
  insert(uri, pos, newText) { this._list(uri).push(TextEdit.insert(pos, newText)); }
  delete(uri, range) { this._list(uri).push(TextEdit.delete(range)); }
  has(uri) { return this._edits.has(uri.toString()); }
  get(uri) { return this._edits.has(uri.toString()) ? this._edits.get(uri.toString())[1] : []; }
  entries() { return [...this._edits.values()]; }
  get size() { return this._edits.size; }
  createFile() { throw new Error('the test host does not create files'); }
  renameFile() { throw new Error('the test host does not rename files'); }
  deleteFile() { throw new Error('the test host does not delete files'); }
}
class CodeActionKind {
  constructor(value) { this.value = value; }
  append(part) { return new CodeActionKind(this.value ? `${this.value}.${part}` : part); }
  contains(other) { return this.value === '' || other.value === this.value || other.value.startsWith(`${this.value}.`); }
  intersects(other) { return this.contains(other) || other.contains(this); }
}
CodeActionKind.Empty = new CodeActionKind('');
CodeActionKind.QuickFix = CodeActionKind.Empty.append('quickfix');
CodeActionKind.Refactor = CodeActionKind.Empty.append('refactor');
CodeActionKind.RefactorExtract = CodeActionKind.Refactor.append('extract');
CodeActionKind.RefactorInline = CodeActionKind.Refactor.append('inline');
CodeActionKind.RefactorMove = CodeActionKind.Refactor.append('move');
CodeActionKind.RefactorRewrite = CodeActionKind.Refactor.append('rewrite');
CodeActionKind.Source = CodeActionKind.Empty.append('source');
CodeActionKind.SourceOrganizeImports = CodeActionKind.Source.append('organizeImports');
CodeActionKind.SourceFixAll = CodeActionKind.Source.append('fixAll');
CodeActionKind.Notebook = CodeActionKind.Empty.append('notebook');
class CodeAction { constructor(title, kind) { this.title = title; this.kind = kind; } }
class CompletionItem { constructor(label, kind) { this.label = label; this.kind = kind; } }
class CompletionList { constructor(items = [], isIncomplete = false) { this.items = items; this.isIncomplete = isIncomplete; } }
class InlineCompletionItem { constructor(insertText, range, command) { this.insertText = insertText; this.range = range; this.command = command; } }
class InlineCompletionList { constructor(items) { this.items = items; } }
class RelativePattern { constructor(base, pattern) { this.baseUri = typeof base === 'string' ? Uri.file(base) : base.uri ?? base; this.base = this.baseUri.fsPath; this.pattern = pattern; } }
class TabInputText { constructor(uri) { this.uri = uri; } }
class TabInputTextDiff { constructor(original, modified) { this.original = original; this.modified = modified; } }
class TabInputCustom { constructor(uri, viewType) { this.uri = uri; this.viewType = viewType; } }
class TabInputNotebook { constructor(uri, notebookType) { this.uri = uri; this.notebookType = notebookType; } }
// Classes the client only constructs for features Quill does not offer.
const plainClass = (name) => ({ [name]: class { constructor(...args) { this.args = args; } } })[name];

const enums = {
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
  CompletionItemKind: Object.fromEntries(['Text', 'Method', 'Function', 'Constructor', 'Field', 'Variable', 'Class', 'Interface', 'Module', 'Property', 'Unit', 'Value', 'Enum', 'Keyword', 'Snippet', 'Color', 'File', 'Reference', 'Folder', 'EnumMember', 'Constant', 'Struct', 'Event', 'Operator', 'TypeParameter', 'User', 'Issue'].map((n, i) => [n, i])),
  CompletionItemTag: { Deprecated: 1 },
  CompletionTriggerKind: { Invoke: 0, TriggerCharacter: 1, TriggerForIncompleteCompletions: 2 },
  InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
  CodeActionTriggerKind: { Invoke: 1, Automatic: 2 },
  SignatureHelpTriggerKind: { Invoke: 1, TriggerCharacter: 2, ContentChange: 3 },
  DocumentHighlightKind: { Text: 0, Read: 1, Write: 2 },
  SymbolKind: Object.fromEntries(['File', 'Module', 'Namespace', 'Package', 'Class', 'Method', 'Property', 'Field', 'Constructor', 'Enum', 'Interface', 'Function', 'Variable', 'Constant', 'String', 'Number', 'Boolean', 'Array', 'Object', 'Key', 'Null', 'EnumMember', 'Struct', 'Event', 'Operator', 'TypeParameter'].map((n, i) => [n, i])),
  SymbolTag: { Deprecated: 1 },
  FoldingRangeKind: { Comment: 1, Imports: 2, Region: 3 },
  TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
  FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
  NotebookCellKind: { Markup: 1, Code: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  EndOfLine: { LF: 1, CRLF: 2 },
  UIKind: { Desktop: 1, Web: 2 },
  TextEditorRevealType: { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 },
};

// -- documents ---------------------------------------------------------------------------
class TextDocument {
  constructor(uri, languageId, text) {
    this.uri = uri; this.languageId = languageId; this.version = 1; this._text = text;
    this.isClosed = false; this.isDirty = false; this.isUntitled = uri.scheme === 'untitled'; this.eol = 1;
    this.encoding = 'utf8';
  }
  get fileName() { return this.uri.fsPath; }
  get lineCount() { return this._lines().length; }
  _lines() { return this._text.split('\n'); }
  getText(range) { if (!range) return this._text; return this._text.slice(this.offsetAt(range.start), this.offsetAt(range.end)); }
  offsetAt(pos) {
    const lines = this._lines();
    let offset = 0;
    for (let i = 0; i < Math.min(pos.line, lines.length); i++) offset += lines[i].length + 1;
    const line = lines[Math.min(pos.line, lines.length - 1)] ?? '';
    return Math.min(offset + Math.min(pos.character, line.length), this._text.length);
  }
  positionAt(offset) {
    const before = this._text.slice(0, Math.max(0, Math.min(offset, this._text.length))).split('\n');
    return new Position(before.length - 1, before[before.length - 1].length);
  }
  lineAt(lineOrPos) {
    const line = typeof lineOrPos === 'number' ? lineOrPos : lineOrPos.line;
    const text = this._lines()[line];
    return { lineNumber: line, text, range: new Range(line, 0, line, text.length), rangeIncludingLineBreak: new Range(line, 0, line + 1, 0), firstNonWhitespaceCharacterIndex: text.search(/\S|$/), isEmptyOrWhitespace: !/\S/.test(text) };
  }
  getWordRangeAtPosition(pos, regex = /[\w']+/g) {
    const text = this.lineAt(pos.line).text;
    const re = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m.index <= pos.character && pos.character <= m.index + m[0].length) return new Range(pos.line, m.index, pos.line, m.index + m[0].length);
    }
    return undefined;
  }
  validateRange(r) { return r; }
  validatePosition(p) { return p; }
  save() { fs.writeFileSync(this.uri.fsPath, this._text); this.isDirty = false; return Promise.resolve(true); }
}

const configValues = new Map(); // 'quill.spelling.enabled' -> value
let packageDefaults = {};
const events = {
  openDoc: new EventEmitter(), closeDoc: new EventEmitter(), changeDoc: new EventEmitter(), saveDoc: new EventEmitter(),
  willSaveDoc: new EventEmitter(), changeConfig: new EventEmitter(), changeFolders: new EventEmitter(),
  activeEditor: new EventEmitter(), visibleEditors: new EventEmitter(), tabs: new EventEmitter(), tabGroups: new EventEmitter(),
};
const never = new EventEmitter().event;
const textDocuments = [];
const commands = new Map();
const providers = {}; // kind -> [{selector, provider, metadata}]
const collections = [];
const messages = [];
const statusItems = [];
const tabs = [];

function register(kind) {
  return (selector, provider, ...rest) => {
    (providers[kind] ??= []).push({ selector, provider, rest });
    return new Disposable(() => { providers[kind] = providers[kind].filter((p) => p.provider !== provider); });
  };
}

function getConfiguration(section = '') {
  const full = (key) => (section ? `${section}.${key}` : key);
  const lookup = (key) => {
    const name = full(key);
    if (configValues.has(name)) return configValues.get(name);
    if (name in packageDefaults) return structuredClone(packageDefaults[name]);
    // A section: gather its leaves into an object.
    const prefix = `${name}.`;
    const names = new Set([...Object.keys(packageDefaults), ...configValues.keys()].filter((k) => k.startsWith(prefix)));
    if (names.size === 0) return undefined;
    const out = {};
    for (const n of names) {
      const parts = n.slice(prefix.length).split('.');
      let node = out;
      for (const p of parts.slice(0, -1)) node = node[p] ??= {};
      node[parts[parts.length - 1]] = lookup(n.slice(section ? section.length + 1 : 0));
    }
    return out;
  };
  return {
    get: (key, fallback) => { const v = lookup(key); return v === undefined ? fallback : v; },
    has: (key) => lookup(key) !== undefined,
    inspect: (key) => ({ key: full(key), defaultValue: packageDefaults[full(key)], globalValue: configValues.get(full(key)) }),
    update: async (key, value) => { host.setConfiguration({ [full(key)]: value }); },
  };
}

function matchScore(selector, document) {
  const selectors = Array.isArray(selector) ? selector : [selector];
  let best = 0;
  for (const s of selectors) {
    if (typeof s === 'string') { if (s === document.languageId || s === '*') best = Math.max(best, 10); continue; }
    if (s.language && s.language !== '*' && s.language !== document.languageId) continue;
    if (s.scheme && s.scheme !== '*' && s.scheme !== document.uri.scheme) continue;
    if (s.notebookType) continue;
    best = Math.max(best, s.language ? 10 : 5);
  }
  return best;
}

const editors = [];
const window = {
  get activeTextEditor() { return editors[editors.length - 1]; },
  get visibleTextEditors() { return [...editors]; },
  onDidChangeActiveTextEditor: events.activeEditor.event,
  onDidChangeVisibleTextEditors: events.visibleEditors.event,
  onDidChangeTextEditorSelection: never,
  onDidChangeWindowState: never,
  state: { focused: true },
  tabGroups: { get all() { return [{ tabs: [...tabs], isActive: true, viewColumn: 1 }]; }, onDidChangeTabs: events.tabs.event, onDidChangeTabGroups: events.tabGroups.event },
  createOutputChannel(name) {
    const lines = [];
    const log = (level) => (msg, ...args) => lines.push(`[${level}] ${msg}${args.length ? ` ${args.map(String).join(' ')}` : ''}`);
    return { name, lines, logLevel: 3, onDidChangeLogLevel: never, append: (t) => lines.push(t), appendLine: (t) => lines.push(t), replace: () => {}, clear: () => { lines.length = 0; }, show: () => {}, hide: () => {}, dispose: () => {}, trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  },
  createStatusBarItem(alignment, priority) {
    const item = { alignment, priority, text: '', tooltip: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() { this.visible = false; } };
    statusItems.push(item);
    return item;
  },
  showInformationMessage: async (message) => { messages.push(['info', message]); return undefined; },
  showWarningMessage: async (message) => { messages.push(['warning', message]); return undefined; },
  showErrorMessage: async (message) => { messages.push(['error', message]); return undefined; },
  withProgress: async (_options, task) => task({ report: () => {} }, new CancellationTokenSource().token),
  async showTextDocument(documentOrUri) {
    const document = documentOrUri instanceof Uri ? await workspace.openTextDocument(documentOrUri) : documentOrUri;
    let editor = editors.find((e) => e.document === document);
    if (!editor) {
      const start = new Position(0, 0);
      editor = { document, selection: new Selection(start, start), selections: [new Selection(start, start)], visibleRanges: [new Range(0, 0, document.lineCount, 0)], options: {}, viewColumn: 1 };
      editors.push(editor);
      const tab = { input: new TabInputText(document.uri), label: path.basename(document.uri.path), isActive: true };
      tabs.push(tab);
      events.tabs.fire({ opened: [tab], closed: [], changed: [] });
      events.visibleEditors.fire([...editors]);
    }
    editors.splice(editors.indexOf(editor), 1);
    editors.push(editor);
    events.activeEditor.fire(editor);
    return editor;
  },
};

const workspace = {
  get textDocuments() { return textDocuments.filter((d) => !d.isClosed); },
  workspaceFolders: undefined,
  name: 'quill-test',
  notebookDocuments: [],
  workspaceFile: undefined,
  isTrusted: true,
  onDidOpenTextDocument: events.openDoc.event,
  onDidCloseTextDocument: events.closeDoc.event,
  onDidChangeTextDocument: events.changeDoc.event,
  onDidSaveTextDocument: events.saveDoc.event,
  onWillSaveTextDocument: events.willSaveDoc.event,
  onDidChangeConfiguration: events.changeConfig.event,
  onDidChangeWorkspaceFolders: events.changeFolders.event,
  onDidOpenNotebookDocument: never, onDidCloseNotebookDocument: never, onDidChangeNotebookDocument: never, onDidSaveNotebookDocument: never,
  onDidCreateFiles: never, onDidDeleteFiles: never, onDidRenameFiles: never, onWillCreateFiles: never, onWillDeleteFiles: never, onWillRenameFiles: never,
  onDidGrantWorkspaceTrust: never,
  getConfiguration,
  getWorkspaceFolder(uri) { return (workspace.workspaceFolders || []).find((f) => uri.fsPath.startsWith(f.uri.fsPath)); },
  createFileSystemWatcher() { return { onDidCreate: never, onDidChange: never, onDidDelete: never, dispose() {} }; },
  registerTextDocumentContentProvider() { return new Disposable(); },
  fs: { stat: async (uri) => { const s = fs.statSync(uri.fsPath); return { type: s.isDirectory() ? 2 : 1, size: s.size, ctime: s.ctimeMs, mtime: s.mtimeMs }; } },
  async openTextDocument(arg) {
    const uri = arg instanceof Uri ? arg : Uri.file(arg);
    const existing = workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (existing) return existing;
    const text = fs.readFileSync(uri.fsPath, 'utf8');
    const document = new TextDocument(uri, host.languageOf(uri.fsPath), text);
    textDocuments.push(document);
    events.openDoc.fire(document);
    return document;
  },
  async applyEdit(edit) {
    for (const [uri, edits] of edit.entries()) {
      const document = await workspace.openTextDocument(uri);
      host.edit(document, edits);
    }
    return true;
  },
  async save(uri) { const d = workspace.textDocuments.find((x) => x.uri.toString() === uri.toString()); if (d) { await d.save(); events.saveDoc.fire(d); } return uri; },
};

const languages = {
  match: matchScore,
  getLanguages: async () => [],
  createDiagnosticCollection(name) {
    const entries = new Map();
    const changed = new EventEmitter();
    const collection = {
      name, entries, onDidChange: changed.event,
      set(uri, diagnostics) {
        if (Array.isArray(uri)) { for (const [u, d] of uri) collection.set(u, d); return; }
        entries.set(uri.toString(), diagnostics ? [...diagnostics] : []);
        changed.fire(uri);
      },
      get: (uri) => entries.get(uri.toString()) ?? [],
      has: (uri) => entries.has(uri.toString()),
      delete(uri) { entries.delete(uri.toString()); changed.fire(uri); },
      clear() { entries.clear(); },
      forEach(cb) { for (const [k, v] of entries) cb(Uri.parse(k), v, collection); },
      dispose() { entries.clear(); },
    };
    collections.push(collection);
    return collection;
  },
  getDiagnostics(uri) { return collections.flatMap((c) => c.get(uri)); },
  setLanguageConfiguration: () => new Disposable(),
};
for (const kind of ['CodeActionsProvider', 'CompletionItemProvider', 'InlineCompletionItemProvider', 'HoverProvider', 'DefinitionProvider', 'DeclarationProvider', 'ImplementationProvider', 'TypeDefinitionProvider', 'ReferenceProvider', 'DocumentHighlightProvider', 'DocumentSymbolProvider', 'WorkspaceSymbolProvider', 'CodeLensProvider', 'DocumentFormattingEditProvider', 'DocumentRangeFormattingEditProvider', 'OnTypeFormattingEditProvider', 'RenameProvider', 'DocumentLinkProvider', 'ColorProvider', 'FoldingRangeProvider', 'SelectionRangeProvider', 'CallHierarchyProvider', 'TypeHierarchyProvider', 'SignatureHelpProvider', 'DocumentSemanticTokensProvider', 'DocumentRangeSemanticTokensProvider', 'LinkedEditingRangeProvider', 'InlayHintsProvider', 'InlineValuesProvider']) {
  languages[`register${kind}`] = register(kind);
}

const vscodeCommands = {
  registerCommand(name, fn, thisArg) {
    if (commands.has(name)) throw new Error(`command '${name}' already exists`);
    commands.set(name, thisArg ? fn.bind(thisArg) : fn);
    return new Disposable(() => commands.delete(name));
  },
  registerTextEditorCommand(name, fn) { return vscodeCommands.registerCommand(name, (...a) => fn(window.activeTextEditor, {}, ...a)); },
  async executeCommand(name, ...args) {
    if (commands.has(name)) return commands.get(name)(...args);
    if (name === 'setContext') return undefined;
    throw new Error(`command '${name}' not found`);
  },
  getCommands: async () => [...commands.keys()],
};

const LANGUAGE_BY_EXTENSION = { '.md': 'markdown', '.txt': 'plaintext', '.py': 'python', '.js': 'javascript', '.ts': 'typescript', '.rst': 'restructuredtext', '.tex': 'latex', '.go': 'go', '.rs': 'rust' };

// -- what tests use to drive the host ---------------------------------------------------------
const host = {
  commands, providers, collections, messages, statusItems, configValues,
  languageOf: (file) => LANGUAGE_BY_EXTENSION[path.extname(file)] ?? 'plaintext',
  setPackage(pkg) {
    packageDefaults = {};
    for (const [key, prop] of Object.entries(pkg.contributes.configuration.properties)) packageDefaults[key] = prop.default;
  },
  setWorkspace(folder) { workspace.workspaceFolders = [{ uri: Uri.file(folder), name: path.basename(folder), index: 0 }]; },
  setConfiguration(values) {
    for (const [k, v] of Object.entries(values)) configValues.set(k, v);
    const keys = Object.keys(values);
    events.changeConfig.fire({ affectsConfiguration: (section) => keys.some((k) => k === section || k.startsWith(`${section}.`)) });
  },
  /** Apply edits to a document as VS Code would: one change event, version + 1. */
  edit(document, edits) {
    const sorted = [...edits].sort((a, b) => document.offsetAt(b.range.start) - document.offsetAt(a.range.start));
    const contentChanges = [];
    for (const e of sorted) {
      const start = document.offsetAt(e.range.start);
      const end = document.offsetAt(e.range.end);
      contentChanges.push({ range: e.range, rangeOffset: start, rangeLength: end - start, text: e.newText });
      document._text = document._text.slice(0, start) + e.newText + document._text.slice(end);
    }
    document.version += 1;
    document.isDirty = true;
    events.changeDoc.fire({ document, contentChanges, reason: undefined });
  },
  close(document) {
    document.isClosed = true;
    const i = editors.findIndex((e) => e.document === document);
    if (i >= 0) editors.splice(i, 1);
    events.closeDoc.fire(document);
  },
  extensionContext(extensionPath, pkg) {
    const memento = () => { const m = new Map(); return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => { m.set(k, v); }, keys: () => [...m.keys()], setKeysForSync() {} }; };
    return {
      subscriptions: [], extensionPath, extensionUri: Uri.file(extensionPath),
      extension: { id: `${pkg.publisher}.${pkg.name}`, extensionPath, packageJSON: pkg, extensionUri: Uri.file(extensionPath) },
      globalState: memento(), workspaceState: memento(), environmentVariableCollection: {},
      asAbsolutePath: (p) => path.join(extensionPath, p), storageUri: undefined, globalStorageUri: Uri.file(path.join(extensionPath, '.test-storage')),
      logUri: Uri.file(path.join(extensionPath, '.test-log')), extensionMode: 3,
    };
  },
};

module.exports = {
  version: '1.91.0',
  env: { appName: 'Quill test host', appRoot: __dirname, language: 'en', machineId: 'test', sessionId: 'test', uriScheme: 'vscode', uiKind: 1, shell: '/bin/sh', clipboard: { readText: async () => '', writeText: async () => {} }, openExternal: async () => true, remoteName: undefined, isTelemetryEnabled: false, onDidChangeTelemetryEnabled: never, logLevel: 3, onDidChangeLogLevel: never },
  Disposable, EventEmitter, CancellationError, CancellationTokenSource, Uri, Position, Range, Selection, Location, Diagnostic,
  DiagnosticRelatedInformation, TextEdit, SnippetString, SnippetTextEdit, MarkdownString, WorkspaceEdit, CodeActionKind, CodeAction,
  CompletionItem, CompletionList, InlineCompletionItem, InlineCompletionList, RelativePattern,
  TabInputText, TabInputTextDiff, TabInputCustom, TabInputNotebook,
  ...Object.fromEntries(['CallHierarchyIncomingCall', 'CallHierarchyItem', 'CallHierarchyOutgoingCall', 'CodeLens', 'Color', 'ColorInformation', 'ColorPresentation', 'DocumentHighlight', 'DocumentLink', 'DocumentSymbol', 'FoldingRange', 'Hover', 'InlayHint', 'InlayHintLabelPart', 'InlineValueEvaluatableExpression', 'InlineValueText', 'InlineValueVariableLookup', 'LinkedEditingRanges', 'ParameterInformation', 'SelectionRange', 'SemanticTokens', 'SemanticTokensEdit', 'SemanticTokensEdits', 'SignatureHelp', 'SignatureInformation', 'SymbolInformation', 'TypeHierarchyItem', 'ThemeIcon', 'ThemeColor'].map((n) => [n, plainClass(n)])),
  ...enums,
  window, workspace, languages, commands: vscodeCommands,
  extensions: { getExtension: () => undefined, all: [], onDidChange: never },
  l10n: { t: (message, ...args) => (typeof message === 'string' ? message.replace(/\{(\d+)\}/g, (_, i) => String(args[i])) : message.message) },
  _host: host,
};
