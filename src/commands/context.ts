// What command handlers are given: the services built once in activate(). Handlers never build services themselves.
import type * as vscode from 'vscode';
import type { AuditLog } from '../core/audit/log';
import type { SessionStore } from '../core/session/store';
import type { MfaSessionStore } from '../core/session/multiAccount';
import type { ExtensionLog } from '../views/logChannel';
import type { AccountsNode, AccountsTreeProvider } from '../views/accountsTree';
import type { AwsAccess } from '../views/awsAccess';
import type { SessionTerminals } from '../views/terminals';
import type { WorkspaceConfigService } from '../views/workspaceConfig';

export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: ExtensionLog;
  readonly configs: WorkspaceConfigService;
  readonly accountsTree: AccountsTreeProvider;
  readonly accountsView: vscode.TreeView<AccountsNode>;
  /** Live sessions (metadata in memory, credentials in memory + SecretStorage). */
  readonly sessions: SessionStore;
  readonly aws: AwsAccess;
  readonly terminals: SessionTerminals;
  /** The audit log at the configured path (re-read from settings on every call). */
  audit(): AuditLog;
  /** Opens a terminal for a session and records it in the audit log. */
  openTerminal(sessionId: string): Promise<vscode.Terminal>;
  // --- issue 14: sessions everywhere a responder works ---
  /** The one MFA session of "Elevate in Several Accounts…" (memory + SecretStorage). */
  readonly mfaSessions: MfaSessionStore;
  /** Sessions assumed with an MFA session's temporary credentials (console sign-in without SessionDuration). */
  readonly chainedSessions: Set<string>;
}
