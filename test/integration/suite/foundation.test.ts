import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from './helpers';

interface Contributes {
  commands: Array<{ command: string; title: string }>;
  viewsContainers: { activitybar: Array<{ id: string; title: string; icon: string }> };
  views: Record<string, Array<{ id: string; name: string }>>;
  viewsWelcome: Array<{ view: string; contents: string }>;
}

describe('foundation (inside a real VS Code extension host)', () => {
  let contributes: Contributes;

  before(async () => {
    const { ext } = await activateExtension();
    contributes = ext.packageJSON.contributes;
  });

  it('activates in the workspace (Node) extension host', async () => {
    const { ext, api } = await activateExtension();
    assert.strictEqual(ext.isActive, true);
    assert.strictEqual(ext.extensionKind, vscode.ExtensionKind.Workspace);
    assert.strictEqual(api.version, ext.packageJSON.version);
    assert.strictEqual(api.commands.extension.extensionMode, vscode.ExtensionMode.Test);
  });

  it('every contributed command has a handler and every breakglass.* handler is contributed', async () => {
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('breakglass.'));
    const contributed = contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0);
    assert.deepStrictEqual(contributed.filter((c) => !registered.includes(c)), [], 'contributed but not registered');
    // VS Code itself registers view commands such as breakglass.accounts.focus; only our own ids count.
    const ours = registered.filter((c) => !/^breakglass\.accounts\./.test(c) && !/^breakglass\.(focus|resetViewLocation)$/.test(c));
    assert.deepStrictEqual(ours.filter((c) => !contributed.includes(c)), [], 'registered but not contributed');
  });

  it('contributes the Break Glass view container, the accounts view and its welcome content', async () => {
    const container = contributes.viewsContainers.activitybar.find((c) => c.id === 'breakglass');
    assert.ok(container, 'activity-bar container "breakglass"');
    assert.strictEqual(container.title, 'Break Glass');
    assert.match(container.icon, /^\$\([a-z-]+\)$/, 'a codicon');
    assert.ok(contributes.views.breakglass.some((v) => v.id === 'breakglass.accounts'));
    const welcome = contributes.viewsWelcome.find((w) => w.view === 'breakglass.accounts');
    assert.ok(welcome && /command:breakglass\.createConfig/.test(welcome.contents));
    // The container really exists in the workbench: opening it and focusing the view succeed.
    await vscode.commands.executeCommand('workbench.view.extension.breakglass');
    await vscode.commands.executeCommand('breakglass.accounts.focus');
  });

  it('shows the log channel from the command', async () => {
    await vscode.commands.executeCommand('breakglass.showLog');
    const { api } = await activateExtension();
    assert.strictEqual(api.commands.log.channel.name, 'Break Glass');
  });

  it('declares how it behaves in untrusted workspaces', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const untrusted = ext.packageJSON.capabilities?.untrustedWorkspaces;
    assert.ok(untrusted && ['limited', true, false].includes(untrusted.supported));
  });
});

describe('accounts tree (fixture workspace)', () => {
  it('lists the configured accounts and their roles with stable ids and parents', async () => {
    const { api } = await activateExtension();
    const tree = api.accountsTree;
    const accounts = (await tree.getChildren()).filter((n) => n.kind === 'account');
    assert.deepStrictEqual(accounts.map((a) => a.id), ['account:111122223333', 'account:444455556666']);
    const roles = await tree.getChildren(accounts[0]);
    assert.deepStrictEqual(roles.map((r) => r.id), [
      'role:arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER',
      'role:arn:aws:iam::111122223333:role/BREAK-GLASS-SECURITY_INVESTIGATOR',
    ]);
    assert.strictEqual(tree.getParent(roles[0])?.id, accounts[0].id);
    const item = tree.getTreeItem(roles[0]);
    assert.strictEqual(item.contextValue, 'role');
    assert.match(String(item.description), /max 8 h · MFA required/);
  });
});
