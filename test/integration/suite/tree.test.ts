import * as assert from 'assert';
import * as vscode from 'vscode';
import { ACCOUNTS_PAGE } from '../../../src/views/accountsTree';
import { activateExtension, waitFor } from './helpers';

describe('accounts tree in a large organisation', function () {
  this.timeout(60_000);

  it('pages 5,000 accounts in: the first page at once, collapsed, then "Show more"', async () => {
    const { api } = await activateExtension();
    const uri = api.commands.configs.uri!;
    const original = await vscode.workspace.fs.readFile(uri);
    const accounts = Array.from({ length: 5000 }, (_, i) => ({
      id: String(100000000000 + i), name: `Workload ${i}`, roles: [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', maxSessionDuration: 3600 }],
    }));
    try {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify({ version: 1, accounts })));
      await api.commands.configs.reload();
      const tree = api.accountsTree;
      const top = (await tree.getChildren()).filter((n) => n.kind !== 'activeSessions');
      assert.strictEqual(top.length, ACCOUNTS_PAGE + 1);
      const more = top[top.length - 1];
      assert.strictEqual(more.kind, 'more');
      assert.strictEqual(tree.getTreeItem(top[0]).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'children load on demand');
      assert.match(String(tree.getTreeItem(more).label), /Show 200 more accounts/);
      await vscode.commands.executeCommand('breakglass.showMoreAccounts');
      const next = (await tree.getChildren()).filter((n) => n.kind !== 'activeSessions');
      assert.strictEqual(next.length, 2 * ACCOUNTS_PAGE + 1);
      assert.strictEqual((await tree.getChildren(next[0])).length, 1, "an account's roles load when expanded");
    } finally {
      await vscode.workspace.fs.writeFile(uri, original);
      await api.commands.configs.reload();
      await waitFor(async () => (await api.accountsTree.getChildren()).filter((n) => n.kind === 'account').length === 2, 10_000, 'fixture config back');
    }
  });

  it('shows config problems as diagnostics on the file', async () => {
    const { api } = await activateExtension();
    const uri = api.commands.configs.uri!;
    const original = await vscode.workspace.fs.readFile(uri);
    try {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify({ accounts: [{ id: '12' }] })));
      await api.commands.configs.reload();
      const diags = vscode.languages.getDiagnostics(uri);
      assert.strictEqual(diags.length, 1);
      assert.match(diags[0].message, /accounts\[0\]\.id: .*12-digit/);
    } finally {
      await vscode.workspace.fs.writeFile(uri, original);
      await api.commands.configs.reload();
    }
    assert.strictEqual(vscode.languages.getDiagnostics(uri).length, 0);
  });
});
