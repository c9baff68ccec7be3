import * as assert from 'assert';
import * as vscode from 'vscode';
import type { PreviewPanel } from '../../../src/views/preview/panel';
import { activateExtension, waitFor } from './helpers';

describe('playbook files: lint as you type', function () {
  this.timeout(60_000);
  let uri: vscode.Uri;

  before(async () => {
    await activateExtension();
    uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.breakglass', 'playbooks', 'contain-host.json');
    const text = [
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      '    { "Effect": "Allow", "Action": ["ec2:StopInstance", "ec2:DescribeInstances"], "Resource": "*" }',
      '  ]',
      '}',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(uri, { recursive: false });
  });

  it('shows lint findings on the offending text, and updates them from unsaved edits', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const typo = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => typeof d.code === 'object' && d.code.value === 'unknown-action'), 15_000, 'the unknown-action finding');
    assert.match(typo.message, /did you mean 'ec2:StopInstances'/);
    assert.strictEqual(typo.source, 'Break Glass');
    assert.strictEqual(doc.getText(typo.range), '"ec2:StopInstance"');

    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, typo.range, '"ec2:StopInstances"');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(doc.isDirty, 'not saved');
    await waitFor(() => !vscode.languages.getDiagnostics(uri).some((d) => typeof d.code === 'object' && d.code.value === 'unknown-action'), 15_000, 'the finding to clear');
  });

  it('reports broken JSON at its position instead of failing', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(1, 0), '  "Version" "2012-10-17",\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const err = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => d.severity === vscode.DiagnosticSeverity.Error), 15_000, 'a syntax error');
    assert.strictEqual(err.range.start.line, 1);
    assert.ok(doc.isDirty);
  });

  it('previews the playbook being edited, following unsaved edits (live preview)', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // Start from a valid two-action playbook.
    const valid = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:StopInstances', 'ec2:DescribeInstances'], Resource: '*' }] }, null, 2);
    const all = new vscode.WorkspaceEdit();
    all.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), valid);
    assert.ok(await vscode.workspace.applyEdit(all));
    const panel = await vscode.commands.executeCommand<PreviewPanel>('breakglass.previewPlaybookFile', uri);
    assert.ok(panel);
    const effective = async () => (await panel.currentState()).model?.counts.effective.total.permitted;
    // The two actions, plus sts:GetCallerIdentity, which AWS allows outside policy evaluation.
    assert.strictEqual(await effective(), 3);
    const edit = new vscode.WorkspaceEdit();
    const at = doc.getText().indexOf('"ec2:DescribeInstances"');
    edit.insert(uri, doc.positionAt(at), '"ec2:StartInstances", "ec2:RebootInstances", ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(doc.isDirty, 'the edit is not saved');
    await waitFor(async () => (await effective()) === 5, 15_000, 'the preview to follow the edit');
    assert.strictEqual(panel.target.kind === 'playbook' && panel.target.policyFile, uri.toString());
    panel.dispose();
  });
});
