// Quill for VS Code: starts the Quill language server and connects it through
// vscode-languageclient (diagnostics, quick fixes, completions and inline completions come
// from the client's own support). The `quill.*` settings are the server's, sent as
// initializationOptions and on every change; `quill.server.*` and `quill.trace.server` are
// the extension's own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from 'vscode-languageclient/node';

/** VS Code language ids the server checks. */
export const LANGUAGES = [
  'markdown', 'plaintext', 'restructuredtext', 'latex', 'tex', 'git-commit',
  'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact',
  'go', 'rust', 'java', 'c', 'cpp', 'shellscript',
];

/** Settings under `quill.` that only the extension reads. */
const CLIENT_ONLY = ['server.', 'trace.'];

export interface ServerStatus {
  grammar?: string;
  grammarProviders?: string[];
  summary?: string[];
  [key: string]: unknown;
}

export interface QuillApi {
  readonly client: () => LanguageClient | undefined;
  readonly statusItem: vscode.StatusBarItem;
  readonly serverSettings: () => Record<string, unknown>;
  readonly refreshStatus: () => Promise<ServerStatus | undefined>;
}

/** The server settings' keys, from this extension's package.json (generated from the
 *  server's settings by scripts/settings_schema.py). */
function serverKeys(context: vscode.ExtensionContext): string[] {
  const properties = context.extension.packageJSON?.contributes?.configuration?.properties ?? {};
  return Object.keys(properties)
    .filter((key) => key.startsWith('quill.'))
    .map((key) => key.slice('quill.'.length))
    .filter((key) => !CLIENT_ONLY.some((prefix) => key.startsWith(prefix)));
}

/** The `quill` section as the server reads it: dotted keys, client-only keys left out. */
export function serverSettings(keys: string[]): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('quill');
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    const value = config.get(key);
    if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  return settings;
}

function exists(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `quill.server.command`, else a workspace's `.venv` Python with `-m server` (a Quill
 *  checkout, or a venv with Quill installed), else `quill-lsp` on PATH. */
export function serverCommand(): { command: string; args: string[]; cwd?: string } {
  const config = vscode.workspace.getConfiguration('quill');
  const configured = config.get<string[] | string>('server.command') ?? [];
  const list = typeof configured === 'string' ? (configured ? [configured] : []) : configured;
  if (list.length > 0) {
    return { command: list[0], args: list.slice(1) };
  }
  const windows = process.platform === 'win32';
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const root = folder.uri.fsPath;
    const venv = path.join(root, '.venv', windows ? 'Scripts' : 'bin');
    const python = path.join(venv, windows ? 'python.exe' : 'python');
    const quill = exists(path.join(venv, windows ? 'quill-lsp.exe' : 'quill-lsp'))
      || exists(path.join(root, 'server', 'lsp', 'server.py'));
    if (exists(python) && quill) {
      return { command: python, args: ['-m', 'server'], cwd: root };
    }
  }
  return { command: 'quill-lsp', args: [] };
}

/** What the status bar shows for the grammar model: its device, or why there is none. */
export function describeDevice(status: ServerStatus | undefined): string {
  const providers = status?.grammarProviders ?? [];
  if (providers.some((p) => p.startsWith('CUDA'))) {
    return 'cuda';
  }
  if (providers.length > 0) {
    return providers[0].replace(/ExecutionProvider$/, '').toLowerCase();
  }
  const grammar = status?.grammar ?? '';
  if (/off/.test(grammar)) {
    return 'grammar off';
  }
  if (/loading/.test(grammar)) {
    return 'loading';
  }
  return grammar ? 'no grammar model' : '';
}

/** The running client, for deactivate(). */
let running: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<QuillApi> {
  const keys = serverKeys(context);
  const output = vscode.window.createOutputChannel('Quill', { log: true });
  const trace = vscode.window.createOutputChannel('Quill trace', { log: true });
  const statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'Quill';
  statusItem.command = 'quill.showStatus';
  context.subscriptions.push(output, trace, statusItem);
  let client: LanguageClient | undefined;
  let lastStatus: ServerStatus | undefined;

  const show = (state: string, detail = ''): void => {
    const icon = state === 'running' ? '$(check)' : state === 'starting' ? '$(sync~spin)' : '$(error)';
    statusItem.text = `${icon} Quill${detail ? `: ${detail}` : ''}`;
    const grammar = lastStatus?.grammar ? `\nGrammar: ${lastStatus.grammar}` : '';
    statusItem.tooltip = `Quill language server: ${state}${grammar}\nClick for the server's status`;
    statusItem.show();
  };

  const execute = async <T>(command: string, args: unknown[] = []): Promise<T> => {
    if (!client || !client.isRunning()) {
      throw new Error('the Quill server is not running');
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
  };

  const refreshStatus = async (): Promise<ServerStatus | undefined> => {
    try {
      lastStatus = await execute<ServerStatus>('quill.status');
      show('running', describeDevice(lastStatus));
      return lastStatus;
    } catch (error) {
      output.warn(`quill.status failed: ${String(error)}`);
      return undefined;
    }
  };

  // The grammar model loads after the server starts: look again until it says where it runs.
  let polls = 0;
  const pollStatus = (): void => {
    void refreshStatus().then((status) => {
      if (/loading/.test(status?.grammar ?? '') && ++polls < 60) {
        setTimeout(pollStatus, 1000);
      }
    });
  };

  const start = async (): Promise<void> => {
    const { command, args, cwd } = serverCommand();
    const env = { ...process.env, ...vscode.workspace.getConfiguration('quill').get<Record<string, string>>('server.env', {}) };
    const serverOptions: ServerOptions = { command, args, options: { cwd, env } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.flatMap((language) => [
        { language, scheme: 'file' },
        { language, scheme: 'untitled' },
      ]),
      initializationOptions: serverSettings(keys),
      outputChannel: output,
      // The client traces only while this channel's log level is Trace; quill.trace.server
      // then says how much.
      traceOutputChannel: trace,
      // Pull diagnostics again on every edit and save (the client's default is on open only).
      diagnosticPullOptions: { onChange: true, onSave: true },
      middleware: {
        workspace: {
          // The server asks for the `quill` section: answer with its settings only.
          configuration: async (params, token, next) => {
            const values = await next(params, token);
            if (!Array.isArray(values)) {
              return values;
            }
            return params.items.map((item, i) => (item.section === 'quill' ? serverSettings(keys) : values[i]));
          },
        },
      },
    };
    client = new LanguageClient('quill', 'Quill', serverOptions, clientOptions);
    running = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        show('running');
        polls = 0;
        pollStatus();
      } else if (event.newState === State.Starting) {
        show('starting');
      } else {
        show('stopped');
      }
    });
    show('starting');
    output.info(`starting ${command} ${args.join(' ')}${cwd ? ` in ${cwd}` : ''}`);
    try {
      await client.start();
    } catch (error) {
      show('stopped');
      void vscode.window.showErrorMessage(
        `Quill: could not start the language server (${command}): ${String(error)}. Set quill.server.command.`,
      );
    }
  };

  const restart = async (): Promise<void> => {
    if (client) {
      const old = client;
      client = undefined;
      try {
        await old.stop(5000);
      } catch (error) {
        output.warn(`stopping the server: ${String(error)}`);
      }
    }
    await start();
  };

  /** The word of the Quill diagnostic under the cursor, else the word under the cursor. */
  const wordAtCursor = (): string | undefined => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      return undefined;
    }
    const position = editor.selection.active;
    for (const d of vscode.languages.getDiagnostics(editor.document.uri)) {
      if (d.source === 'quill' && d.range.contains(position)) {
        const data = (d as vscode.Diagnostic & { data?: { word?: string } }).data;
        return data?.word ?? editor.document.getText(d.range);
      }
    }
    const range = editor.document.getWordRangeAtPosition(position);
    return range ? editor.document.getText(range) : undefined;
  };

  const addWord = (scope: 'workspace' | 'user') => async (word?: string): Promise<unknown> => {
    const chosen = typeof word === 'string' && word ? word : wordAtCursor();
    if (!chosen) {
      void vscode.window.showWarningMessage('Quill: put the cursor on a word to add it');
      return undefined;
    }
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const result = await execute<{ message?: string }>('quill.addToDictionary', [{ word: chosen, scope, uri }]);
    if (result?.message) {
      void vscode.window.showInformationMessage(`Quill: ${result.message}`);
    }
    return result;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('quill.restartServer', restart),
    vscode.commands.registerCommand('quill.addWordToDictionary', addWord('workspace')),
    vscode.commands.registerCommand('quill.addWordToUserDictionary', addWord('user')),
    vscode.commands.registerCommand('quill.fixAllInDocument', async (uri?: vscode.Uri | string) => {
      const target = uri?.toString() ?? vscode.window.activeTextEditor?.document.uri.toString();
      if (!target) {
        return undefined;
      }
      return execute('quill.fixAll', [{ uri: target }]);
    }),
    vscode.commands.registerCommand('quill.toggleCompletion', async () => {
      const config = vscode.workspace.getConfiguration('quill');
      const enabled = !config.get<boolean>('completion.enabled', true);
      await config.update('completion.enabled', enabled, vscode.ConfigurationTarget.Global);
      void vscode.window.showInformationMessage(`Quill: code completion ${enabled ? 'on' : 'off'}`);
      return enabled;
    }),
    vscode.commands.registerCommand('quill.showStatus', async () => {
      const status = await refreshStatus();
      if (status) {
        // A few lines for a person; the whole table goes to the output channel.
        output.appendLine(JSON.stringify(status, null, 1));
        const summary = status.summary?.join(' · ') ?? `grammar: ${status.grammar ?? '?'}`;
        void vscode.window.showInformationMessage(`${summary} (the whole status: Output, Quill)`);
      }
      return status;
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('quill.server')) {
        await restart();
      } else if (event.affectsConfiguration('quill') && client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { quill: serverSettings(keys) },
        });
        pollStatus();
      }
    }),
  );

  await start();
  return { client: () => client, statusItem, serverSettings: () => serverSettings(keys), refreshStatus };
}

/** VS Code waits for this: the server gets its shutdown and exit. */
export async function deactivate(): Promise<void> {
  const client = running;
  running = undefined;
  if (client?.isRunning()) {
    await client.stop(5000);
  }
}
