// The composition root: builds the services once, registers views and commands, and returns a small API that the
// integration tests use. No logic lives here.
import * as path from 'path';
import * as vscode from 'vscode';
import { AuditLog, defaultAuditPath } from './core/audit/log';
import { auditStoreEvents, sessionAuditFields } from './core/session/flow';
import { SessionStore } from './core/session/store';
import { VERSION } from './core/version';
import { registerCommands } from './commands/registry';
import type { CommandContext } from './commands/context';
import { AccountsTreeProvider } from './views/accountsTree';
import { ApprovalsSection } from './views/approvalsTree';
import { AwsAccess } from './views/awsAccess';
import { AuditTrail } from './views/auditTrail';
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
import { SessionAgent } from './core/session/agent';
import { MfaSessionStore } from './core/session/multiAccount';
import { openConsole } from './commands/openConsole';
import { SessionDebugProvider } from './views/debug';
import { SessionTaskProvider } from './views/tasks';

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
  // Default: the user's one log shared with the CLI (~/.breakglass/audit.jsonl); each append also nudges the central
  // trail shipper (CloudWatch Logs, when configured), which never delays the append.
  const aws = new AwsAccess(context.globalState, log);
  const trail = new AuditTrail(aws, log);
  let auditLog: AuditLog | undefined;
  const audit = (): AuditLog => {
    const file = readSettings().auditLogPath || defaultAuditPath();
    if (auditLog?.file !== file) {
      void auditLog?.dispose();
      auditLog = new AuditLog(file, { source: 'vscode', onAppended: () => trail.notify(file) });
    }
    return auditLog;
  };
  const legacyAudit = path.join(context.globalStorageUri.fsPath, 'audit.jsonl');
  // Lifecycle records go to the audit log at the path configured when they happen.
  const auditEvents = auditStoreEvents(sessions, { append: (r) => audit().append(r) }, (e) => log.error(`audit log write failed: ${(e as Error).message}`));
  const configs = new WorkspaceConfigService(log);
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
  // approvals (issue 12): the lists come from the table named in the workspace config, with the base credentials.
  const approvals = new ApprovalsSection({
    load: async () => {
      const config = await configs.get();
      if (!config.approvals) return undefined;
      const [{ approvalPorts }, { listRequests }, clients] = await Promise.all([
        import('./core/approvals/services'), import('./core/approvals/requests'), aws.clients()]);
      return listRequests(approvalPorts(config.approvals, clients));
    },
  });
  const accountsTree = new AccountsTreeProvider(configs, sessions, { expiringWithinMs: lastThresholdMs, approvals });
  const accountsView = vscode.window.createTreeView('breakglass.accounts', { treeDataProvider: accountsTree, showCollapseAll: true });
  accountsTree.attach(accountsView);
  const terminals = new SessionTerminals(sessions, log);
  const statusBar = new SessionStatusBar(sessions, { lastThresholdMs });
  const playbooks = new PlaybookDiagnostics(vscode.Uri.joinPath(context.extensionUri, 'docs', 'lint-rules.md'));
  const roleTemplates = new RoleTemplateDiagnostics();
  // Issue 14: the MFA session of "Elevate in Several Accounts…" (memory + SecretStorage) and the sessions derived from it.
  const mfaSessions = new MfaSessionStore(new VsCodeSecretStore(context.secrets));
  const chainedSessions = new Set<string>();
  const commands: CommandContext = {
    extension: context, log, configs, accountsTree, accountsView, sessions, aws, terminals, audit, mfaSessions, chainedSessions,
    openTerminal: async (id) => {
      const terminal = await terminals.open(id);
      const s = sessions.get(id);
      if (s) await audit().append({ event: 'terminal_opened', ...sessionAuditFields(s), details: { delivery: readSettings().credentialDelivery } });
      return terminal;
    },
  };
  context.subscriptions.push(approvals, configs.onDidChange(() => accountsView.visible && void approvals.refresh()),
    approvals.onDidApprove((r) => void vscode.window.showInformationMessage(
      `Break Glass: your request for ${r.roleArn.split('/').pop()} (${r.incidentId}) was approved by ${r.decidedByArn ?? 'an approver'}.`, 'Elevate')
      .then((pick) => pick && vscode.commands.executeCommand('breakglass.elevateApproved', { kind: 'request', id: `mine:${r.id}`, request: r, parentId: 'myRequests' }))));
  context.subscriptions.push(log.channel, configs, accountsTree, accountsView, aws, trail, terminals, statusBar, playbooks, roleTemplates,
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
    // Issue 14: sessions in the debugger and tasks; the MFA session is forgotten when a session derived from it is
    // revoked, or when no session is left after a revocation.
    SessionDebugProvider.register(sessions, terminals, audit, log),
    SessionTaskProvider.register(sessions, terminals, audit, log),
    { dispose: () => mfaSessions.dispose() },
    sessions.onDidChange((e) => {
      if (e.kind !== 'revoked') return;
      if (chainedSessions.has(e.session.id) || sessions.live().length === 0) {
        void mfaSessions.wipe().then(() => log.info('MFA session wiped after a revocation'));
      }
    }),
    // Playbooks as code: read-only built-ins, the git base for Compare with HEAD, quick fixes/completion/hover/CodeLens.
    registerBuiltinPlaybooks(), registerPlaybookGitBase(), registerReports(), ...registerPlaybookLanguage(),
    // Restores the policy preview after a window reload (activationEvents: onWebviewPanel:breakglass.preview).
    PreviewPanel.registerSerializer({ extensionUri: context.extensionUri, log, sessions, configs }));
  // Issue 14: the session agent — the CLI's `credential-process` and `console` reach this window's live sessions over a
  // private unix socket (src/core/session/agent.ts). Not fatal when it cannot start; the log says why.
  const handedOut = new Set<string>();
  const agent = process.platform === 'win32' ? undefined : SessionAgent.start({
    live: () => sessions.live(),
    credentials: (id) => sessions.credentials(id),
    isChained: (id) => chainedSessions.has(id),
    openConsole: async (id, destination) => {
      if (!(await openConsole(commands, id, { destination, confirmed: true }))) throw new Error('the console was not opened');
    },
    onHandout: (s) => {
      // One audit line per session (credential_process is called for every AWS CLI command), every handout in the log.
      log.debug(`credential_process: credentials of session ${s.id} handed out`);
      if (handedOut.has(s.id)) return;
      handedOut.add(s.id);
      void audit().append({ event: 'terminal_opened', ...sessionAuditFields(s), details: { delivery: 'credential_process' } }).catch(() => undefined);
    },
    log,
  }).then((a) => {
    log.info(`session agent listening at ${a.socketPath}`);
    return a;
  }, (e: unknown) => {
    log.warn(`session agent not started (breakglass credential-process will not find this window): ${(e as Error).message}`);
    return undefined;
  });
  context.subscriptions.push({ dispose: () => void agent?.then((a) => a?.close()) });
  const ready = sessions.restore().then(({ restored, purged, dropped }) => {
    log.info(`sessions restored: ${restored.length} live, ${purged} expired purged, ${dropped} unreadable dropped`);
  }, (e) => log.error(`could not restore sessions: ${(e as Error).message}`));
  // Records the CLI (or an earlier window) left unshipped go out now; a log from before the shared default is kept.
  trail.notify(audit().file);
  void vscode.workspace.fs.stat(vscode.Uri.file(legacyAudit)).then(() => {
    if (legacyAudit !== audit().file) log.warn(`an audit log from an older version is kept at ${legacyAudit}; new records go to ${audit().file} (summarise the old one with: breakglass audit --audit-log "${legacyAudit}")`);
  }, () => undefined);
  log.info(`Break Glass ${VERSION} activated (VS Code ${vscode.version}, ${vscode.env.appName})`);
  return { version: VERSION, commands, accountsTree, statusBar, playbooks, roleTemplates, ready };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
