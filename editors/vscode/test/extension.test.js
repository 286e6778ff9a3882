// The extension (dist/extension.js, as packaged) with the real vscode-languageclient against
// the real Quill server, in the minimal host of vscode-shim.js. Every wait has a deadline and
// fails when it runs out: nothing passes because the editor showed nothing.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');

const SHIM = path.join(__dirname, 'vscode-shim.js');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? SHIM : resolve.call(this, request, ...rest);
};
const vscode = require('vscode');
const host = vscode._host;

const EXTENSION = path.resolve(__dirname, '..');
const ROOT = path.resolve(EXTENSION, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(EXTENSION, 'package.json'), 'utf8'));
const DEADLINE = Number(process.env.QUILL_TEST_DEADLINE_MS || 30000);
const PYTHON = process.env.QUILL_PYTHON
  || [path.join(ROOT, '.venv', 'bin', 'python')].find((p) => fs.existsSync(p))
  || 'python3';

const MARKDOWN = '# Notes\n\nWe will recieve the package tomorrow.\n\nThe zorblaxian engine is ready.\n\nAnother sentance with a typo.\n';
const PYTHON_SOURCE = 'def total_quantitiy(items):\n    """Retrun the sum of the items."""\n    return sum(items)\n';
// A file whose second constructor has the same shape as its first: the workspace supplies the
// line that follows it (no code model is installed in this test).
const SHAPES = 'class Point:\n    def __init__(self, x, y):\n        super().__init__()\n        self.x = x\n\n\nclass Box:\n    def __init__(self, x, y):\n        \n';

async function waitFor(what, predicate) {
  const end = Date.now() + DEADLINE;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${DEADLINE} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const quillDiagnostics = (document) => vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'quill');
const flagged = (document) => quillDiagnostics(document).map((d) => d.data?.word).sort();
const find = (document, word) => quillDiagnostics(document).find((d) => d.data?.word === word);
const token = () => new vscode.CancellationTokenSource().token;

let workspace;
let api;
let extension;

test.before(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'quill-vscode-'));
  fs.mkdirSync(path.join(workspace, '.git'));
  fs.mkdirSync(path.join(workspace, 'config'));
  fs.writeFileSync(path.join(workspace, 'notes.md'), MARKDOWN);
  fs.writeFileSync(path.join(workspace, 'inventory.py'), PYTHON_SOURCE);
  fs.writeFileSync(path.join(workspace, 'shapes.py'), SHAPES);
  host.setPackage(PACKAGE);
  host.setWorkspace(workspace);
  for (const [k, v] of Object.entries({
    'quill.server.command': [PYTHON, '-m', 'server'],
    'quill.server.env': { PYTHONPATH: ROOT, XDG_CONFIG_HOME: path.join(workspace, 'config'), XDG_CACHE_HOME: path.join(workspace, 'cache'), HF_HUB_OFFLINE: '1' },
    // Deterministic: no grammar model, no debounce, nothing learnt from other files.
    'quill.grammar.enabled': false,
    'quill.diagnostics.debounceMs': 0,
    'quill.spelling.learnProjectWords': false,
  })) host.configValues.set(k, v);
  extension = require(path.join(EXTENSION, PACKAGE.main));
  api = await extension.activate(host.extensionContext(EXTENSION, PACKAGE));
  await waitFor('the client to run', () => api.client()?.isRunning());
});

test.after(async () => {
  const client = api?.client();
  await extension?.deactivate();
  fs.rmSync(workspace, { recursive: true, force: true });
  assert.equal(client?.isRunning(), false, 'deactivate() stops the server');
});

test('settings: every server setting is sent, the extension\'s own are not', () => {
  const sent = api.serverSettings();
  assert.equal(sent['grammar.enabled'], false);
  assert.equal(sent['spelling.dialect'], 'en-US');
  assert.equal(sent['completion.maxTokens'], 64);
  assert.ok(!Object.keys(sent).some((k) => k.startsWith('server.') || k.startsWith('trace.')));
  const declared = Object.keys(PACKAGE.contributes.configuration.properties)
    .filter((k) => !k.startsWith('quill.server.') && !k.startsWith('quill.trace.'));
  // minConfidence defaults to null ("the model's own"), which is not sent.
  assert.deepEqual(Object.keys(sent).sort(), declared.map((k) => k.slice(6)).filter((k) => k !== 'grammar.minConfidence').sort());
});

test('markdown: diagnostics, a quick fix, add to dictionary, fix all, settings change', async () => {
  const document = await vscode.workspace.openTextDocument(path.join(workspace, 'notes.md'));
  const editor = await vscode.window.showTextDocument(document);
  await waitFor('diagnostics for recieve, zorblaxian and sentance', () => flagged(document).length === 3);
  assert.deepEqual(flagged(document), ['recieve', 'sentance', 'zorblaxian']);

  // The quick fix, as the light bulb offers it.
  const [{ provider }] = host.providers.CodeActionsProvider;
  const d = find(document, 'recieve');
  const actions = await provider.provideCodeActions(document, d.range, { diagnostics: [d], only: undefined, triggerKind: 1 }, token());
  const titles = actions.map((a) => a.title);
  assert.ok(titles.includes("Add 'recieve' to the workspace dictionary"), titles.join('\n'));
  const fix = actions.find((a) => a.title === "Change 'recieve' to 'receive'");
  assert.ok(fix, titles.join('\n'));
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.equal(document.lineAt(2).text, 'We will receive the package tomorrow.');
  await waitFor("the diagnostic on 'recieve' to go after the edit", () => !find(document, 'recieve') && find(document, 'zorblaxian'));

  // Add to dictionary from the cursor (the command palette's "Quill: Add the word ...").
  const z = find(document, 'zorblaxian');
  editor.selection = new vscode.Selection(z.range.start.translate(0, 2), z.range.start.translate(0, 2));
  const added = await vscode.commands.executeCommand('quill.addWordToDictionary');
  assert.equal(added.added, 'zorblaxian');
  await waitFor("the diagnostic on 'zorblaxian' to go", () => !find(document, 'zorblaxian') && find(document, 'sentance'));
  const dictionary = fs.readFileSync(path.join(workspace, '.quill', 'dictionary.txt'), 'utf8');
  assert.match(dictionary, /^zorblaxian$/m);

  // A settings change reaches the server (workspace/didChangeConfiguration) and is shown.
  assert.equal(find(document, 'sentance').severity, vscode.DiagnosticSeverity.Information);
  host.setConfiguration({ 'quill.diagnostics.severity.spelling': 'error' });
  await waitFor('spelling diagnostics shown as errors', () => find(document, 'sentance')?.severity === vscode.DiagnosticSeverity.Error);

  // Fix all: the server sends workspace/applyEdit, the client applies it.
  const result = await vscode.commands.executeCommand('quill.fixAllInDocument');
  assert.equal(result.applied, true);
  assert.equal(document.getText(), MARKDOWN.replace('recieve', 'receive').replace('sentance', 'sentence'));
  await waitFor('no Quill diagnostics left', () => quillDiagnostics(document).length === 0);
});

test('status bar: server state and the grammar model\'s device', async () => {
  const status = await vscode.commands.executeCommand('quill.showStatus');
  assert.equal(status.grammar, 'grammar is off');
  assert.deepEqual(status.grammarProviders, []);
  // A few lines for a person beside the whole table.
  assert.ok(status.summary.length <= 6, status.summary.join('\n'));
  assert.ok(status.summary.includes('Grammar: grammar is off'), status.summary.join('\n'));
  assert.ok(status.summary.some((line) => line.startsWith('Completion: no code model is installed')), status.summary.join('\n'));
  assert.ok(api.statusItem.visible);
  assert.equal(api.statusItem.text, '$(check) Quill: grammar off');
});

test('python: identifiers and docstrings; completion providers and the toggle', async () => {
  const document = await vscode.workspace.openTextDocument(path.join(workspace, 'inventory.py'));
  await vscode.window.showTextDocument(document);
  await waitFor('diagnostics in the Python file', () => flagged(document).length === 2);
  assert.deepEqual(flagged(document), ['Retrun', 'quantitiy']);
  // The server offers completions: the client registered both providers.
  assert.equal(host.providers.InlineCompletionItemProvider?.length, 1);
  assert.equal(host.providers.CompletionItemProvider?.length, 1);
  const position = new vscode.Position(2, 4);
  const inline = await host.providers.InlineCompletionItemProvider[0].provider.provideInlineCompletionItems(
    document, position, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, token());
  const items = Array.isArray(inline) ? inline : inline?.items;
  assert.ok(Array.isArray(items), `inline completion answered ${JSON.stringify(inline)}`);
  const enabled = await vscode.commands.executeCommand('quill.toggleCompletion');
  assert.equal(enabled, false);
  assert.equal(api.serverSettings()['completion.enabled'], false);
  assert.equal(await vscode.commands.executeCommand('quill.toggleCompletion'), true);
});

test('completion from the workspace: the line is offered inline and as an item, and accepted', async () => {
  const document = await vscode.workspace.openTextDocument(path.join(workspace, 'shapes.py'));
  await vscode.window.showTextDocument(document);
  const position = new vscode.Position(8, 8);
  const inline = await host.providers.InlineCompletionItemProvider[0].provider.provideInlineCompletionItems(
    document, position, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, token());
  const items = Array.isArray(inline) ? inline : inline?.items;
  const state = await vscode.commands.executeCommand('quill.showStatus');
  assert.deepEqual(items.map((i) => i.insertText), ['super().__init__()'], JSON.stringify([document.getText(), state]));
  const list = await host.providers.CompletionItemProvider[0].provider.provideCompletionItems(
    document, position, token(), { triggerKind: vscode.CompletionTriggerKind.Invoke });
  const listed = (Array.isArray(list) ? list : list.items).filter((i) => i.detail === 'Quill: a line from your workspace');
  assert.equal(listed.length, 1, JSON.stringify(list));
  // Accepting the inline suggestion inserts it at the cursor, as VS Code does on Tab.
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, position, items[0].insertText);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.equal(document.lineAt(8).text, '        super().__init__()');
});

test('restart: a new server, diagnostics again', async () => {
  const before = api.client();
  await vscode.commands.executeCommand('quill.restartServer');
  await waitFor('the new client to run', () => api.client() && api.client() !== before && api.client().isRunning());
  const document = vscode.workspace.textDocuments.find((d) => d.uri.path.endsWith('inventory.py'));
  host.edit(document, [vscode.TextEdit.insert(new vscode.Position(3, 0), '# anothr comment\n')]);
  await waitFor('a diagnostic from the restarted server', () => find(document, 'anothr'));
});
