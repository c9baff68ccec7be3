import * as assert from 'assert';
import * as vscode from 'vscode';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { activateExtension } from './helpers';

describe('Break Glass: Create Workspace Configuration', () => {
  before(activateExtension);

  it('opens an existing config and never overwrites it', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const uri = vscode.Uri.joinPath(folder.uri, '.breakglass', 'config.json');
    const before = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const returned = await vscode.commands.executeCommand<vscode.Uri>('breakglass.createConfig');
    assert.strictEqual(returned?.toString(), uri.toString());
    const after = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    assert.strictEqual(after, before);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
  });

  it('writes a template that parses cleanly when there is none', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const uri = vscode.Uri.joinPath(folder.uri, '.breakglass', 'config.json');
    const saved = await vscode.workspace.fs.readFile(uri);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(uri);
    try {
      await vscode.commands.executeCommand('breakglass.createConfig');
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const { config, problems } = parseWorkspaceConfig(text);
      assert.deepStrictEqual(problems, []);
      assert.ok(config.accounts.length > 0);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.writeFile(uri, saved);
    }
  });
});
