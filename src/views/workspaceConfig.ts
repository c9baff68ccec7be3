// Loads `.breakglass/config.json` from the first workspace folder and keeps it current: a file watcher reloads it on
// change, problems are shown as diagnostics on the file (path → message), and listeners get one event per reload.
import * as vscode from 'vscode';
import { CONFIG_RELATIVE_PATH, parseWorkspaceConfig, type ConfigProblem, type WorkspaceConfig } from '../core/config';
import type { Logger } from '../core/log';
import { parsePolicyText } from '../core/policy/parse';

export class WorkspaceConfigService implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<WorkspaceConfig>();
  readonly onDidChange = this.emitter.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('breakglass-config');
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.diagnostics];
  private current: WorkspaceConfig = { version: 1, accounts: [] };
  private loaded: Promise<void> | undefined;

  /**
   * Optional discovery (IAM ListRoles, Organizations ListAccounts) merged into the file's config. It never throws:
   * failures come back as one note per source, shown once in the log and the status bar.
   */
  discovery: ((config: WorkspaceConfig) => Promise<{ config: WorkspaceConfig; notes: string[] } | undefined>) | undefined;

  constructor(private readonly log: Logger) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_RELATIVE_PATH}`);
    const reload = () => void this.reload();
    this.disposables.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
      vscode.workspace.onDidGrantWorkspaceTrust(reload));
  }

  /** The config as last loaded (loading it first if needed). */
  async get(): Promise<WorkspaceConfig> {
    this.loaded ??= this.reload();
    await this.loaded;
    return this.current;
  }

  get uri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && vscode.Uri.joinPath(folder.uri, ...CONFIG_RELATIVE_PATH.split('/'));
  }

  async reload(): Promise<void> {
    const uri = this.uri;
    let next: WorkspaceConfig = { version: 1, accounts: [] };
    let problems: ConfigProblem[] = [];
    let text = '';
    if (uri && vscode.workspace.isTrusted) {
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        ({ config: next, problems } = parseWorkspaceConfig(text));
        this.log.info(`loaded ${CONFIG_RELATIVE_PATH}: ${next.accounts.length} account(s), ${problems.length} problem(s)`);
      } catch (e) {
        if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) {
          this.log.warn(`could not read ${uri.fsPath}: ${(e as Error).message}`);
        }
      }
    } else if (uri) {
      this.log.info(`workspace not trusted: ignoring ${CONFIG_RELATIVE_PATH}`);
    }
    if (uri) {
      // Each problem sits on the JSON it names (the policy parser's position map works for any JSON document).
      const located = problems.length ? parsePolicyText(text) : undefined;
      this.diagnostics.set(uri, problems.map((p) => {
        const at = p.path ? located?.locate(p.path) : located?.problems.find((x) => x.position)?.position;
        const range = at ? new vscode.Range(at.line, at.column, at.line, at.column + Math.max(1, Math.min(at.length, 200)))
          : new vscode.Range(0, 0, 0, 0);
        const d = new vscode.Diagnostic(range, p.path ? `${p.path}: ${p.message}` : p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'Break Glass';
        return d;
      }));
    }
    if (this.discovery) {
      try {
        const found = await this.discovery(next);
        if (found) {
          for (const note of found.notes) this.log.warn(`discovery: ${note}`);
          if (found.notes.length) vscode.window.setStatusBarMessage(`$(warning) Break Glass: ${found.notes[0]}`, 10_000);
          next = found.config;
        }
      } catch (e) {
        this.log.warn(`discovery failed: ${(e as Error).message}`);
      }
    }
    this.current = next;
    this.emitter.fire(next);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
