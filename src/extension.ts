// The composition root: builds the services once, registers views and commands, and returns a small API that the
// integration tests use. No logic lives here.
import * as vscode from 'vscode';
import { VERSION } from './core/version';
import { registerCommands } from './commands/registry';
import { createExtensionLog } from './views/logChannel';
import { AccountsTreeProvider } from './views/accountsTree';
import { WorkspaceConfigService } from './views/workspaceConfig';
import type { CommandContext } from './commands/context';

export interface BreakGlassApi {
  readonly version: string;
  readonly commands: CommandContext;
  readonly accountsTree: AccountsTreeProvider;
}

export function activate(context: vscode.ExtensionContext): BreakGlassApi {
  const log = createExtensionLog();
  context.subscriptions.push(log.channel);
  const configs = new WorkspaceConfigService(log);
  const accountsTree = new AccountsTreeProvider(configs);
  const accountsView = vscode.window.createTreeView('breakglass.accounts', { treeDataProvider: accountsTree, showCollapseAll: true });
  context.subscriptions.push(configs, accountsTree, accountsView);
  const commands: CommandContext = { extension: context, log, configs, accountsView };
  context.subscriptions.push(...registerCommands(commands));
  log.info(`Break Glass ${VERSION} activated (VS Code ${vscode.version}, ${vscode.env.appName})`);
  return { version: VERSION, commands, accountsTree };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
