// The `breakglass.accounts` tree: accounts → incident-response roles (→ live sessions, added by the session layer).
// Elements are plain data with stable ids, turned into TreeItems in one place; getParent makes reveal() work.
import * as vscode from 'vscode';
import type { AccountConfig, RoleConfig, WorkspaceConfig } from '../core/config';
import type { WorkspaceConfigService } from './workspaceConfig';

export type AccountsNode =
  | { kind: 'account'; id: string; account: AccountConfig }
  | { kind: 'role'; id: string; account: AccountConfig; role: RoleConfig };

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h && m ? `${h} h ${m} min` : h ? `${h} h` : `${m} min`;
}

export class AccountsTreeProvider implements vscode.TreeDataProvider<AccountsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<AccountsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private config: WorkspaceConfig = { version: 1, accounts: [] };
  private readonly subscription: vscode.Disposable;

  constructor(private readonly configs: WorkspaceConfigService) {
    this.subscription = configs.onDidChange((c) => {
      this.config = c;
      this.emitter.fire(undefined);
    });
  }

  async getChildren(element?: AccountsNode): Promise<AccountsNode[]> {
    if (!element) {
      this.config = await this.configs.get();
      return this.config.accounts.map((account) => ({ kind: 'account', id: `account:${account.id}`, account }));
    }
    if (element.kind === 'account') {
      return element.account.roles.map((role) => ({ kind: 'role', id: `role:${role.arn}`, account: element.account, role }));
    }
    return [];
  }

  getParent(element: AccountsNode): AccountsNode | undefined {
    if (element.kind === 'role') return { kind: 'account', id: `account:${element.account.id}`, account: element.account };
    return undefined;
  }

  getTreeItem(element: AccountsNode): vscode.TreeItem {
    if (element.kind === 'account') {
      const a = element.account;
      const item = new vscode.TreeItem(a.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = element.id;
      item.description = a.partition === 'aws' ? a.id : `${a.id} · ${a.partition}`;
      item.iconPath = new vscode.ThemeIcon('organization');
      item.contextValue = 'account';
      item.tooltip = new vscode.MarkdownString(`**${a.name}**\n\nAccount \`${a.id}\` (${a.partition})` +
        (a.regions.length ? `\n\nRegions: ${a.regions.join(', ')}` : ''));
      return item;
    }
    const r = element.role;
    const item = new vscode.TreeItem(r.name, vscode.TreeItemCollapsibleState.None);
    item.id = element.id;
    const parts: string[] = [];
    if (r.maxSessionDuration) parts.push(`max ${formatDuration(r.maxSessionDuration)}`);
    if (r.mfaRequired !== undefined) parts.push(r.mfaRequired ? 'MFA required' : 'no MFA in trust');
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(r.mfaRequired === false ? 'warning' : 'key');
    item.contextValue = 'role';
    const md = new vscode.MarkdownString(`**${r.name}**\n\n\`${r.arn}\``);
    if (r.description) md.appendMarkdown(`\n\n${r.description}`);
    if (r.template) md.appendMarkdown(`\n\nProvisioned from template \`${r.template}\``);
    md.appendMarkdown(`\n\nPermissions boundary: ${r.permissionsBoundary ? `\`${r.permissionsBoundary}\`` : 'none'}`);
    if (r.tags && Object.keys(r.tags).length) {
      md.appendMarkdown(`\n\nTags: ${Object.entries(r.tags).map(([k, v]) => `\`${k}=${v}\``).join(', ')}`);
    }
    item.tooltip = md;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
