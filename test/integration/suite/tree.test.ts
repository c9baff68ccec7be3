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
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('{\n  "accounts": [\n    { "id": "12" }\n  ]\n}\n'));
      await api.commands.configs.reload();
      const diags = vscode.languages.getDiagnostics(uri);
      assert.strictEqual(diags.length, 1);
      assert.match(diags[0].message, /accounts\[0\]\.id: .*12-digit/);
      assert.deepStrictEqual([diags[0].range.start.line, diags[0].range.start.character], [2, 12], 'on the offending value');
    } finally {
      await vscode.workspace.fs.writeFile(uri, original);
      await api.commands.configs.reload();
    }
    assert.strictEqual(vscode.languages.getDiagnostics(uri).length, 0);
  });
});

describe('accounts tree countdown and discovery', function () {
  this.timeout(60_000);

  it('ticks only while the view is visible', async () => {
    const { api } = await activateExtension();
    await vscode.commands.executeCommand('workbench.view.extension.breakglass');
    await waitFor(() => api.commands.accountsView.visible, 10_000, 'the view to show');
    assert.strictEqual(api.accountsTree.ticking, true);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor(() => !api.commands.accountsView.visible, 10_000, 'the view to hide');
    assert.strictEqual(api.accountsTree.ticking, false);
    await vscode.commands.executeCommand('workbench.view.extension.breakglass');
    await waitFor(() => api.accountsTree.ticking, 10_000, 'ticking again');
  });

  it('adds roles discovered with iam:ListRoles when discovery is on, and degrades to the file with one note when it fails', async () => {
    const { startFakeAws } = await import('../../support/fake-aws');
    const fake = await startFakeAws({
      roles: [
        { name: 'BREAK-GLASS-DISCOVERED', maxSessionDuration: 7200 },
        { name: 'TaggedResponder', tags: { Purpose: 'IncidentResponse' } },
        { name: 'UnrelatedAppRole' },
      ],
    });
    const { api } = await activateExtension();
    const config = vscode.workspace.getConfiguration('breakglass');
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIABASEUSER00000001';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'baseSecretKeyDoNotLeak0123456789ABCDEFGH';
    try {
      await config.update('endpointUrl', fake.url, vscode.ConfigurationTarget.Global);
      await config.update('discovery.roles', true, vscode.ConfigurationTarget.Global);
      await api.commands.configs.reload();
      const rolesOf = async () => {
        const account = (await api.accountsTree.getChildren()).find((n) => n.id === 'account:111122223333')!;
        return (await api.accountsTree.getChildren(account)).map((n) => n.kind === 'role' && n.role.name);
      };
      const roles = await rolesOf();
      assert.ok(roles.includes('BREAK-GLASS-DISCOVERED') && roles.includes('TaggedResponder'), roles.join(', '));
      assert.ok(!roles.includes('UnrelatedAppRole'));
      assert.ok(roles.includes('BREAK-GLASS-INCIDENT_RESPONDER'), 'configured roles stay');

      fake.setBehaviour('ListRoles', 'accessDenied');
      const before = api.commands.log.recent().length;
      await api.commands.configs.reload();
      const after = await rolesOf();
      assert.deepStrictEqual(after, ['BREAK-GLASS-INCIDENT_RESPONDER', 'BREAK-GLASS-SECURITY_INVESTIGATOR']);
      const notes = api.commands.log.recent().slice(before).filter((l) => /discovery:/.test(l));
      assert.strictEqual(notes.length, 1);
      assert.match(notes[0], /could not list IAM roles.*configured roles only/);
    } finally {
      await config.update('discovery.roles', undefined, vscode.ConfigurationTarget.Global);
      await config.update('endpointUrl', undefined, vscode.ConfigurationTarget.Global);
      await api.commands.configs.reload();
      await fake.close();
    }
  });

  it('the status bar item reveals the soonest session in the tree', async () => {
    const { api } = await activateExtension();
    assert.strictEqual(api.statusBar.item.command, 'breakglass.revealSession');
    assert.strictEqual(api.statusBar.item.name, 'Break Glass session');
  });
});
