// Runs inside real VS Code (code-server's extension host) beside the Quill extension: opens a
// Markdown file, waits (with a deadline) for Quill's diagnostics, applies a spelling and a
// grammar quick fix through VS Code's own code action command, adds a word with the
// extension's command, reads the contributed settings, and writes the report to
// $QUILL_PROBE_RESULT.
'use strict';
const fs = require('node:fs');
const vscode = require('vscode');

const DEADLINE = 60000;

async function waitFor(what, predicate) {
  const end = Date.now() + DEADLINE;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

exports.activate = async function activate() {
  const out = process.env.QUILL_PROBE_RESULT;
  const report = { vscode: vscode.version, checks: {} };
  try {
    const folder = vscode.workspace.workspaceFolders[0].uri;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'notes.md'));
    await vscode.window.showTextDocument(document);
    const code = (d) => String((d.code && d.code.value) || d.code);
    const quill = (document, word) => vscode.languages.getDiagnostics(document.uri)
      .filter((d) => d.source === 'quill' && (!word || document.getText(d.range) === word));
    const spelling = (document) => quill(document).filter((d) => code(d).startsWith('spelling.'));
    // The workbench asks for code actions too (light bulb); a request of ours that it
    // cancels is asked again.
    async function actionsFor(d) {
      let actions = [];
      for (let attempt = 0; attempt < 5 && actions.length === 0; attempt++) {
        try {
          actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', document.uri, d.range);
        } catch (error) {
          report.checks[`attempt${attempt}`] = String(error);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      return actions;
    }
    await waitFor("Quill's diagnostic on 'recieve'", () => quill(document, 'recieve').length > 0);
    report.checks.flagged = spelling(document).map((d) => document.getText(d.range)).sort();
    const [d] = quill(document, 'recieve');
    report.checks.data = d.data;
    const actions = await actionsFor(d);
    report.checks.actions = actions.map((a) => a.title);
    const fix = actions.find((a) => a.title === "Change 'recieve' to 'receive'");
    if (!fix) throw new Error('no quick fix offered');
    await vscode.workspace.applyEdit(fix.edit);
    report.checks.line = document.lineAt(2).text;
    // Grammar, from the shipped model through the real server: 'They was' -> 'were'.
    const grammarLine = document.lineCount - 2;
    const grammar = await waitFor("Quill's grammar diagnostic on 'was'", () => quill(document, 'was')
      .find((g) => code(g).startsWith('grammar.') && g.range.start.line === grammarLine));
    report.checks.grammar = { word: document.getText(grammar.range), suggestion: (grammar.data.suggestions || [])[0] };
    const grammarFix = (await actionsFor(grammar)).find((a) => a.title === "Change 'was' to 'were'");
    if (!grammarFix) throw new Error('no grammar quick fix offered');
    await vscode.workspace.applyEdit(grammarFix.edit);
    report.checks.grammarLine = document.lineAt(grammarLine).text;
    await waitFor("the diagnostic on 'recieve' to go", () => quill(document, 'recieve').length === 0 && quill(document, 'zorblaxian').length > 0);
    await vscode.commands.executeCommand('quill.addWordToDictionary', 'zorblaxian');
    await waitFor("the diagnostic on 'zorblaxian' to go", () => quill(document, 'zorblaxian').length === 0 && quill(document, 'sentance').length > 0);
    report.checks.status = await vscode.commands.executeCommand('quill.showStatus');
    const config = vscode.workspace.getConfiguration('quill');
    report.checks.settings = {
      dialect: config.inspect('spelling.dialect').defaultValue,
      maxTokens: config.inspect('completion.maxTokens').defaultValue,
      severity: config.inspect('diagnostics.severity.grammar').defaultValue,
      grammarEnabled: config.get('grammar.enabled'),
    };
    const commands = await vscode.commands.getCommands(true);
    report.checks.commands = commands.filter((c) => c.startsWith('quill.')).sort();
    report.ok = true;
  } catch (error) {
    report.ok = false;
    report.error = String(error && error.stack || error);
  }
  fs.writeFileSync(out, JSON.stringify(report, null, 1));
};
