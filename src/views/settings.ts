// Typed access to the `breakglass.*` settings. Read through `readSettings()` each time they are needed (cheap), and
// react to changes with `onSettingsChanged`, filtered with affectsConfiguration.
//
// Protected settings (src/core/protectedSettings.ts: endpoint, profile, region, requester, incident pattern, credential
// delivery, revocation mode, audit log path) are read with inspect() and only the user's (global) value or the
// default is used: a workspace or folder value is ignored even in a trusted workspace, and named once in the log.
// VS Code itself drops workspace values of machine/application-scoped settings before the API sees them, so
// `guardWorkspaceSettings` also reads the workspace's settings files to say what was ignored.
import * as vscode from 'vscode';
import { compileIncidentPattern } from '../core/incident';
import type { Logger } from '../core/log';
import { describeIgnored, PROTECTED_KEYS, protectedKeysIn, type IgnoredSetting } from '../core/protectedSettings';

export type CredentialDelivery = 'environment' | 'localEndpoint';
export type RevokeInAws = 'ask' | 'always' | 'never';

export interface Settings {
  /** AWS profile holding the base (break-glass user) credentials; empty: environment / default chain. */
  sourceProfile: string;
  /** Endpoint override for STS/IAM/Organizations (a local test endpoint, a VPC endpoint). */
  endpointUrl: string;
  /** Region for STS and for the terminals' AWS_REGION when the account lists none. */
  region: string;
  /** Who is elevating: goes to the Requester tag and SourceIdentity. */
  requester: string;
  /** The configured pattern as written (empty: default). Use `incidentRegExp` to test IDs. */
  incidentPattern: string;
  /** The bounded, compiled incident pattern (src/core/incident.ts); the default when unset or refused. */
  incidentRegExp: RegExp;
  incidentExample: string;
  credentialDelivery: CredentialDelivery;
  openTerminalOnElevate: boolean;
  closeTerminalsOnExpiry: boolean;
  /** Minutes before expiry at which to warn. */
  expiryWarningMinutes: number[];
  revokeInAws: RevokeInAws;
  /** Absolute path of the audit log; empty: the per-user default shared with the CLI (defaultAuditPath). */
  auditLogPath: string;
  discoverRoles: boolean;
  discoverAccounts: boolean;
}

export const SECTION = 'breakglass';

// What has been reported already, so each ignored value and each refused pattern is logged once.
let log: Logger | undefined;
/** Set by guardWorkspaceSettings: scans the settings files, then reports what it found plus `extra`. */
let scanner: ((extra: IgnoredSetting[]) => void) | undefined;
const reported = new Set<string>();

function report(ignored: IgnoredSetting[]): void {
  const fresh = ignored.filter((i) => !reported.has(`${i.origin}:${i.key}`));
  if (!fresh.length) return;
  for (const i of fresh) reported.add(`${i.origin}:${i.key}`);
  log?.warn(describeIgnored(fresh));
}

/** The user's value or the default of a protected setting; a workspace/folder value is recorded in `ignored`. */
function protectedValue<T>(c: vscode.WorkspaceConfiguration, key: string, valid: (v: unknown) => v is T, fallback: T, ignored: IgnoredSetting[]): T {
  if (!PROTECTED_KEYS.has(key)) throw new Error(`breakglass.${key} is not a protected setting`);
  const i = c.inspect<unknown>(key);
  if (i?.workspaceValue !== undefined) ignored.push({ key, origin: 'workspace' });
  if (i?.workspaceFolderValue !== undefined) ignored.push({ key, origin: 'workspaceFolder' });
  const user = i?.globalValue;
  const def = i?.defaultValue;
  return valid(user) ? user : valid(def) ? def : fallback;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const oneOf = <T extends string>(...values: T[]) => (v: unknown): v is T => typeof v === 'string' && (values as string[]).includes(v);

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const ignored: IgnoredSetting[] = [];
  const str = (key: string) => protectedValue(c, key, isString, '', ignored).trim();
  const minutes = c.get<number[]>('expiryWarningMinutes', [10, 2]).filter((m) => typeof m === 'number' && m > 0);
  const incidentPattern = str('incidentPattern');
  const compiled = compileIncidentPattern(incidentPattern);
  if (compiled.problem && !reported.has(`pattern:${incidentPattern}`)) {
    reported.add(`pattern:${incidentPattern}`);
    log?.warn(compiled.problem);
    void vscode.window.showWarningMessage(`Break Glass: ${compiled.problem}`, 'Open User Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.incidentPattern`);
    });
  }
  const s: Settings = {
    sourceProfile: str('sourceProfile'),
    endpointUrl: str('endpointUrl'),
    region: str('region'),
    requester: str('requester'),
    incidentPattern,
    incidentRegExp: compiled.pattern,
    incidentExample: c.get<string>('incidentExample', 'INC-2024-001').trim(),
    credentialDelivery: protectedValue(c, 'terminal.credentialDelivery', oneOf<CredentialDelivery>('environment', 'localEndpoint'), 'environment', ignored),
    openTerminalOnElevate: c.get<boolean>('terminal.openOnElevate', true),
    closeTerminalsOnExpiry: c.get<boolean>('terminal.closeOnExpiry', true),
    expiryWarningMinutes: minutes,
    revokeInAws: protectedValue(c, 'revokeInAws', oneOf<RevokeInAws>('ask', 'always', 'never'), 'ask', ignored),
    auditLogPath: str('auditLogPath'),
    discoverRoles: c.get<boolean>('discovery.roles', false),
    discoverAccounts: c.get<boolean>('discovery.accounts', false),
  };
  // Values the API still shows: say which file they come from when a scanner can tell, else report them as they are.
  if (ignored.some((i) => !reported.has(`${i.origin}:${i.key}`))) {
    if (scanner) scanner(ignored);
    else report(ignored);
  }
  return s;
}

export function onSettingsChanged(keys: string[], listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (keys.some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) listener();
  });
}

/**
 * Logs (once each) the protected settings a workspace tries to set — in each folder's .vscode/settings.json and in the
 * .code-workspace file — now and whenever those files change. Also makes readSettings() log what it ignored.
 */
export function guardWorkspaceSettings(logger: Logger): vscode.Disposable {
  log = logger;
  const scan = async (extra: IgnoredSetting[] = []): Promise<void> => {
    const files: Array<{ uri: vscode.Uri; kind: 'settings' | 'workspaceFile'; origin: IgnoredSetting['origin'] }> = [];
    const folders = vscode.workspace.workspaceFolders ?? [];
    const ws = vscode.workspace.workspaceFile;
    for (const f of folders) {
      files.push({ uri: vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'), kind: 'settings', origin: ws ? 'workspaceFolder' : 'workspace' });
    }
    if (ws && ws.scheme !== 'untitled') files.push({ uri: ws, kind: 'workspaceFile', origin: 'workspace' });
    const ignored: IgnoredSetting[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(f.uri));
      } catch {
        continue; // no such file
      }
      const file = f.uri.scheme === 'file' ? f.uri.fsPath : f.uri.toString();
      for (const key of protectedKeysIn(text, f.kind)) ignored.push({ key, origin: f.origin, file });
    }
    for (const x of extra) if (!ignored.some((i) => i.key === x.key && i.origin === x.origin)) ignored.push(x);
    report(ignored);
  };
  const rescan = (extra?: IgnoredSetting[]) => void scan(extra).catch((e) => logger.error(`could not read workspace settings: ${(e as Error).message}`));
  scanner = rescan;
  const watchers = [vscode.workspace.createFileSystemWatcher('**/.vscode/settings.json'), vscode.workspace.createFileSystemWatcher('**/*.code-workspace')];
  const subs: vscode.Disposable[] = [...watchers, vscode.workspace.onDidChangeWorkspaceFolders(() => rescan()),
    // readSettings() also reports values the API still shows, and a refused incident pattern.
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && (rescan(), readSettings()))];
  for (const w of watchers) subs.push(w.onDidCreate(() => rescan()), w.onDidChange(() => rescan()));
  rescan();
  readSettings();
  return vscode.Disposable.from(...subs, { dispose: () => { if (log === logger) { log = undefined; scanner = undefined; } } });
}

