// The composition root: builds the services once, registers views and commands, and returns a small API that the
// integration tests use. No logic lives here.
import * as path from 'path';
import * as vscode from 'vscode';
import { AuditLog } from './core/audit/log';
import { auditStoreEvents, sessionAuditFields } from './core/session/flow';
import { SessionStore } from './core/session/store';
import { VERSION } from './core/version';
import { registerCommands } from './commands/registry';
import type { CommandContext } from './commands/context';
import { AccountsTreeProvider } from './views/accountsTree';
import { AwsAccess } from './views/awsAccess';
import { createExtensionLog } from './views/logChannel';
import { PlaybookDiagnostics } from './views/playbookDiagnostics';
import { registerBuiltinPlaybooks } from './views/builtinPlaybooks';
import { registerPlaybookGitBase, registerReports } from './views/playbookGitBase';
import { registerPlaybookLanguage } from './views/playbookLanguage';
import { RoleTemplateDiagnostics } from './views/roleTemplates';
import { PreviewPanel } from './views/preview/panel';
import { VsCodeSecretStore } from './views/secretStore';
import { guardWorkspaceSettings, readSettings } from './views/settings';
import { SessionStatusBar } from './views/statusBar';
import { SessionTerminals } from './views/terminals';
import { WorkspaceConfigService } from './views/workspaceConfig';

export interface BreakGlassApi {
  readonly version: string;
  readonly commands: CommandContext;
  readonly accountsTree: AccountsTreeProvider;
  readonly statusBar: SessionStatusBar;
  readonly playbooks: PlaybookDiagnostics;
  readonly roleTemplates: RoleTemplateDiagnostics;
  /** Resolves once sessions persisted by an earlier window have been restored. */
  readonly ready: Promise<void>;
}

export function activate(context: vscode.ExtensionContext): BreakGlassApi {
  const log = createExtensionLog();
  // Protected settings are never taken from the workspace; this names, once, what a workspace tried to set.
  context.subscriptions.push(guardWorkspaceSettings(log));
  const warnings = () => readSettings().expiryWarningMinutes.map((m) => m * 60_000);
  // The last (smallest) configured warning threshold; 2 minutes if none is configured.
  const lastThresholdMs = () => (warnings().length ? Math.min(...warnings()) : 2 * 60_000);
  const sessions = new SessionStore({ secrets: new VsCodeSecretStore(context.secrets), warnBeforeMs: warnings(), log });
  // One AuditLog per configured path: its write queue keeps records in order and its file handle stays open between
  // appends (a fresh instance per call reopened the file on the elevation path). A new path gets a new log.
  let auditLog: AuditLog | undefined;
  const audit = (): AuditLog => {
    const file = readSettings().auditLogPath || path.join(context.globalStorageUri.fsPath, 'audit.jsonl');
    if (auditLog?.file !== file) {
      void auditLog?.dispose();
      auditLog = new AuditLog(file, { source: 'vscode' });
    }
    return auditLog;
  };
  // Lifecycle records go to the audit log at the path configured when they happen.
  const auditEvents = auditStoreEvents(sessions, { append: (r) => audit().append(r) }, (e) => log.error(`audit log write failed: ${(e as Error).message}`));
  const configs = new WorkspaceConfigService(log);
  const aws = new AwsAccess(context.globalState, log);
  configs.discovery = async (config) => {
    const s = readSettings();
    if (!s.discoverRoles && !s.discoverAccounts) return undefined;
    // Discovery only adds to the configured lists, and asks only the sources that are switched on.
    const [{ discoverAccounts, discoverRoles, mergeDiscovery }, clients] = await Promise.all([import('./core/aws/discovery'), aws.clients()]);
    const [roles, accounts] = await Promise.all([
      s.discoverRoles ? discoverRoles(clients.iam()) : undefined,
      s.discoverAccounts ? discoverAccounts(clients.organizations()) : undefined,
    ]);
    return mergeDiscovery(config, roles, accounts);
  };
  const accountsTree = new AccountsTreeProvider(configs, sessions, { expiringWithinMs: lastThresholdMs });
  const accountsView = vscode.window.createTreeView('breakglass.accounts', { treeDataProvider: accountsTree, showCollapseAll: true });
  accountsTree.attach(accountsView);
  const terminals = new SessionTerminals(sessions, log);
  const statusBar = new SessionStatusBar(sessions, { lastThresholdMs });
  const playbooks = new PlaybookDiagnostics(vscode.Uri.joinPath(context.extensionUri, 'docs', 'lint-rules.md'));
  const roleTemplates = new RoleTemplateDiagnostics();
  const commands: CommandContext = {
    extension: context, log, configs, accountsTree, accountsView, sessions, aws, terminals, audit,
    openTerminal: async (id) => {
      const terminal = await terminals.open(id);
      const s = sessions.get(id);
      if (s) await audit().append({ event: 'terminal_opened', ...sessionAuditFields(s), details: { delivery: readSettings().credentialDelivery } });
      return terminal;
    },
  };
  context.subscriptions.push(log.channel, configs, accountsTree, accountsView, aws, terminals, statusBar, playbooks, roleTemplates,
    { dispose: () => auditEvents.dispose() }, { dispose: () => sessions.dispose() }, { dispose: () => void auditLog?.dispose() },
    sessions.onDidChange((e) => {
      if (e.kind === 'warning') {
        const minutes = Math.max(1, Math.round(e.remainingMs / 60_000));
        void vscode.window.showWarningMessage(`Break Glass: ${e.session.incidentId} on ${e.session.roleName} expires in ${minutes} min.`, 'Re-elevate')
          .then((pick) => pick && vscode.commands.executeCommand('breakglass.reElevate', e.session.id));
      } else if (e.kind === 'expired') {
        void vscode.window.showInformationMessage(`Break Glass: ${e.session.incidentId} on ${e.session.roleName} has expired; its credentials are gone.`, 'Re-elevate')
          .then((pick) => pick && vscode.commands.executeCommand('breakglass.reElevate', e.session.id));
      }
    }),
    vscode.window.onDidChangeWindowState((w) => w.focused && sessions.tick()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['discovery', 'sourceProfile', 'endpointUrl', 'region'].some((k) => e.affectsConfiguration(`breakglass.${k}`))) void configs.reload();
    }),
    ...registerCommands(commands),
    // Playbooks as code: read-only built-ins, the git base for Compare with HEAD, quick fixes/completion/hover/CodeLens.
    registerBuiltinPlaybooks(), registerPlaybookGitBase(), registerReports(), ...registerPlaybookLanguage(),
    // Restores the policy preview after a window reload (activationEvents: onWebviewPanel:breakglass.preview).
    PreviewPanel.registerSerializer({ extensionUri: context.extensionUri, log, sessions, configs }));
  const ready = sessions.restore().then(({ restored, purged, dropped }) => {
    log.info(`sessions restored: ${restored.length} live, ${purged} expired purged, ${dropped} unreadable dropped`);
  }, (e) => log.error(`could not restore sessions: ${(e as Error).message}`));
  log.info(`Break Glass ${VERSION} activated (VS Code ${vscode.version}, ${vscode.env.appName})`);
  return { version: VERSION, commands, accountsTree, statusBar, playbooks, roleTemplates, ready };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
