// What command handlers are given: the services built once in activate(). Handlers never build services themselves.
import type * as vscode from 'vscode';
import type { ExtensionLog } from '../views/logChannel';
import type { AccountsNode } from '../views/accountsTree';
import type { WorkspaceConfigService } from '../views/workspaceConfig';

export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly log: ExtensionLog;
  readonly configs: WorkspaceConfigService;
  readonly accountsView: vscode.TreeView<AccountsNode>;
}
