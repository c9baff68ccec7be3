// A minimal stand-in for the `vscode` module, for the activation benchmark only: enough of the API for the
// extension's real activate() to run to the end in a plain Node process. Real implementations where the extension's
// own work depends on them (EventEmitter, Disposable, Uri, configuration defaults read from package.json, an
// in-memory SecretStorage and Memento); everything that would draw UI is an inert object whose methods do nothing
// and return a disposable. Installed by resolving `require('vscode')` to this file (Module._load hook).
const path = require('path');

class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose())); }
  dispose() { if (this.fn) this.fn(); this.fn = undefined; }
}

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const l = thisArg ? listener.bind(thisArg) : listener;
      this.listeners.add(l);
      const d = new Disposable(() => this.listeners.delete(l));
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(value) { for (const l of [...this.listeners]) l(value); }
  dispose() { this.listeners.clear(); }
}

class Uri {
  constructor(scheme, p) { this.scheme = scheme; this.path = p; this.fsPath = p; }
  static file(p) { return new Uri('file', path.resolve(p)); }
  static parse(s) { const m = /^([a-z][\w+.-]*):(?:\/\/)?(.*)$/i.exec(s); return m ? new Uri(m[1], m[2]) : Uri.file(s); }
  static joinPath(base, ...parts) { return new Uri(base.scheme, path.posix.join(base.path, ...parts)); }
  with(change) { return new Uri(change.scheme || this.scheme, change.path || this.path); }
  toString() { return `${this.scheme}://${this.path}`; }
}

/** An object whose every method is a no-op returning a disposable (events, show/hide, setters are plain fields). */
function inert(fields = {}) {
  return new Proxy(fields, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === 'then' || typeof key === 'symbol') return undefined;
      return () => new Disposable();
    },
    set(target, key, value) { target[key] = value; return true; },
  });
}

// Configuration defaults from the extension's own package.json, as VS Code would serve them for unset settings.
const pkg = require(path.resolve(__dirname, '..', 'package.json'));
const defaults = {};
for (const block of [].concat(pkg.contributes.configuration || [])) {
  for (const [key, spec] of Object.entries(block.properties || {})) defaults[key] = spec.default;
}
const configuration = (section) => ({
  get: (key, fallback) => {
    const v = defaults[section ? `${section}.${key}` : key];
    return v === undefined ? fallback : v;
  },
  has: (key) => `${section}.${key}` in defaults,
  inspect: () => undefined,
  update: async () => undefined,
});

const noEvent = () => new Disposable();
const enumOf = (...names) => Object.fromEntries(names.map((n, i) => [n, i]));

module.exports = {
  version: '1.95.0-bench',
  env: { appName: 'activation benchmark', language: 'en', machineId: 'bench', uiKind: 1 },
  Disposable, EventEmitter, Uri,
  ThemeIcon: class { constructor(id, color) { this.id = id; this.color = color; } },
  ThemeColor: class { constructor(id) { this.id = id; } },
  MarkdownString: class { constructor(v = '') { this.value = v; } appendMarkdown(s) { this.value += s; return this; } appendText(s) { this.value += s; return this; } },
  TreeItem: class { constructor(label, state) { this.label = label; this.collapsibleState = state; } },
  Range: class { constructor(a, b, c, d) { this.start = { line: a, character: b }; this.end = { line: c, character: d }; } },
  Diagnostic: class { constructor(range, message, severity) { this.range = range; this.message = message; this.severity = severity; } },
  TreeItemCollapsibleState: enumOf('None', 'Collapsed', 'Expanded'),
  DiagnosticSeverity: enumOf('Error', 'Warning', 'Information', 'Hint'),
  QuickPickItemKind: { Separator: -1, Default: 0 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  QuickInputButtons: { Back: inert() },
  TabInputWebview: class {},
  window: inert({
    createOutputChannel: () => inert({ name: 'Break Glass', logLevel: 2, onDidChangeLogLevel: noEvent }),
    createTreeView: () => inert({ visible: true, onDidChangeVisibility: noEvent, onDidExpandElement: noEvent, onDidCollapseElement: noEvent, onDidChangeSelection: noEvent }),
    createStatusBarItem: () => inert({}),
    onDidChangeWindowState: noEvent, onDidCloseTerminal: noEvent, onDidOpenTerminal: noEvent, onDidChangeActiveTextEditor: noEvent,
    terminals: [], visibleTextEditors: [], activeTextEditor: undefined, state: { focused: true },
    tabGroups: { all: [] },
  }),
  workspace: inert({
    getConfiguration: configuration,
    workspaceFolders: undefined, textDocuments: [], isTrusted: true,
    onDidChangeConfiguration: noEvent, onDidChangeTextDocument: noEvent, onDidOpenTextDocument: noEvent, onDidCloseTextDocument: noEvent,
    onDidChangeWorkspaceFolders: noEvent, onDidGrantWorkspaceTrust: noEvent, onDidSaveTextDocument: noEvent,
    createFileSystemWatcher: () => inert({ onDidChange: noEvent, onDidCreate: noEvent, onDidDelete: noEvent }),
    findFiles: async () => [],
    fs: inert({ readFile: async () => { throw Object.assign(new Error('not found'), { code: 'FileNotFound' }); }, stat: async () => { throw Object.assign(new Error('not found'), { code: 'FileNotFound' }); } }),
  }),
  languages: inert({ createDiagnosticCollection: () => inert({ set() {}, delete() {}, clear() {} }), match: () => 0 }),
  commands: inert({ registerCommand: () => new Disposable(), executeCommand: async () => undefined }),
  extensions: inert({ all: [] }),
};

/** An ExtensionContext for activate(): in-memory SecretStorage and Memento, a temporary global storage folder. */
module.exports.benchContext = (storageDir) => {
  const secrets = new Map();
  const secretChanged = new EventEmitter();
  const memento = () => {
    const m = new Map();
    return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => { m.set(k, v); }, keys: () => [...m.keys()], setKeysForSync() {} };
  };
  return {
    subscriptions: [],
    extensionUri: Uri.file(path.resolve(__dirname, '..')),
    extensionPath: path.resolve(__dirname, '..'),
    globalStorageUri: Uri.file(storageDir),
    storageUri: undefined,
    logUri: Uri.file(storageDir),
    globalState: memento(),
    workspaceState: memento(),
    secrets: {
      get: async (k) => secrets.get(k),
      store: async (k, v) => { secrets.set(k, v); secretChanged.fire({ key: k }); },
      delete: async (k) => { secrets.delete(k); secretChanged.fire({ key: k }); },
      onDidChange: secretChanged.event,
    },
    extensionMode: 1,
    extension: { id: 'breakglass.breakglass', packageJSON: pkg },
    environmentVariableCollection: inert({}),
  };
};
