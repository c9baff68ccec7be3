// Playbooks as code in the host: diagnostics (linked to their rule), quick fixes, completion, hover and CodeLens on real
// documents; built-in playbooks as read-only documents and their copy; Compare with HEAD in a real git repository.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PlaybookDiff } from '../../../src/core/authoring/diffGate';
import type { PreviewPanel } from '../../../src/views/preview/panel';
import { activateExtension, waitFor } from './helpers';

const code = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

describe('playbooks as code: editor features on real documents', function () {
  this.timeout(90_000);
  let folder: vscode.Uri;
  let uri: vscode.Uri;
  const created: vscode.Uri[] = [];
  const TEXT = [
    '// Contain one host (comments are allowed in playbooks)',
    '{',
    '  "name": "isolate-host",',
    '  "phase": "containment",',
    '  "maxDurationSeconds": 3600,',
    '  "sessionPolicy": {',
    '    "Statement": [',
    '      { "Effect": "Allow", "Action": ["ec2:StopInstancess", "ec2:DescribeInstances", "ec2:DescribeInstances"], "Resource": "*" }',
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');

  before(async () => {
    await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri;
    uri = vscode.Uri.joinPath(folder, '.breakglass', 'playbooks', 'isolate-host.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(TEXT));
    created.push(uri);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const u of created) await vscode.workspace.fs.delete(u, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    await vscode.workspace.getConfiguration('git').update('enabled', undefined, vscode.ConfigurationTarget.Global);
  });

  it('opens as JSON with comments; diagnostics sit on the text and link to their rule', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.strictEqual(doc.languageId, 'jsonc');
    const typo = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => code(d) === 'unknown-action'), 15_000, 'unknown-action');
    assert.strictEqual(doc.getText(typo.range), '"ec2:StopInstancess"');
    assert.strictEqual(typo.range.start.line, 7);
    const target = (typo.code as { target: vscode.Uri }).target;
    assert.strictEqual(target.fragment, 'unknown-action');
    assert.ok(target.path.endsWith('/docs/lint-rules.md'));
    assert.ok(fs.readFileSync(target.fsPath, 'utf8').includes('## unknown-action'), 'the linked page exists and has the anchor');
    const codes = vscode.languages.getDiagnostics(uri).map(code);
    for (const c of ['version-missing', 'duplicate-action', 'missing-high-risk-deny']) assert.ok(codes.includes(c), `${c} in ${codes.join(', ')}`);
    assert.ok(!vscode.languages.getDiagnostics(uri).some((d) => /comment/.test(d.message)), 'comments are fine');
  });

  it('quick fixes: replace the unknown action, drop the duplicate, add Version and the high-risk Deny', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const apply = async (c: string, title: RegExp) => {
      const d = await waitFor(() => vscode.languages.getDiagnostics(uri).find((x) => code(x) === c), 15_000, c);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
      const a = actions.find((x) => title.test(x.title));
      assert.ok(a?.edit, `a quick fix ${title} among ${actions.map((x) => x.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(a.edit));
      await waitFor(() => !vscode.languages.getDiagnostics(uri).some((x) => code(x) === c), 15_000, `${c} to clear`);
    };
    await apply('unknown-action', /^Replace with 'ec2:StopInstances'$/);
    await apply('duplicate-action', /Remove the duplicate/);
    await apply('version-missing', /Add "Version"/);
    await apply('missing-high-risk-deny', /explicit Deny of high-risk actions/);
    assert.deepStrictEqual(vscode.languages.getDiagnostics(uri).map(code), []);
    const json = JSON.parse(doc.getText().replace(/^\/\/.*\n/, ''));
    assert.deepStrictEqual(json.sessionPolicy.Statement[0].Action, ['ec2:StopInstances', 'ec2:DescribeInstances']);
    assert.strictEqual(json.sessionPolicy.Version, '2012-10-17');
    assert.strictEqual(json.sessionPolicy.Statement[1].Effect, 'Deny');
    await doc.save();
  });

  it('completes actions (service, then action with access level) and condition keys; hovers on wildcards', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const at = doc.getText().indexOf('"ec2:DescribeInstances"');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, doc.positionAt(at), '"ec2:", "iam:*", ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const inside = doc.positionAt(doc.getText().indexOf('"ec2:",') + 5);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, inside);
    const stop = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'ec2:StopInstances');
    assert.ok(stop, 'ec2:StopInstances offered');
    assert.match(String(stop.detail), /^Write/);
    const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, doc.positionAt(doc.getText().indexOf('"iam:*"') + 2));
    const md = hover.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value)).join('\n');
    assert.match(md, /`iam:\*` expands to \*\*\d+\*\* actions/);
    assert.match(md, /risky/);
    const undo = new vscode.WorkspaceEdit();
    const s = doc.getText().indexOf('"ec2:", "iam:*", ');
    undo.delete(uri, new vscode.Range(doc.positionAt(s), doc.positionAt(s + '"ec2:", "iam:*", '.length)));
    assert.ok(await vscode.workspace.applyEdit(undo));
    await doc.save();
  });

  it('CodeLens: preview effective permissions (the preview opens on the playbook), elevate, compare with HEAD', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const titles = lenses.map((l) => l.command?.title);
    assert.deepStrictEqual(titles, ['Preview effective permissions', 'Elevate with this playbook', 'Compare with HEAD']);
    const elevate = lenses[1].command!;
    assert.strictEqual(elevate.command, 'breakglass.elevateWithPlaybook');
    assert.strictEqual((elevate.arguments![0] as vscode.Uri).toString(), uri.toString());
    const preview = lenses[0].command!;
    const panel = await vscode.commands.executeCommand<PreviewPanel>(preview.command, ...(preview.arguments ?? []));
    assert.ok(panel, 'the preview opened');
    const state = await panel.currentState();
    assert.strictEqual(state.error, undefined, String(state.error));
    assert.ok((state.model?.counts.effective.total.permitted ?? 0) >= 1, 'the playbook format is previewed');
    panel.dispose();
  });

  it('Compare with HEAD: a diff view and what the uncommitted edit newly allows', async () => {
    // The built-in git extension would pick up the repository and fail once it is removed: keep it out of this.
    await vscode.workspace.getConfiguration('git').update('enabled', false, vscode.ConfigurationTarget.Global);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: folder.fsPath, stdio: 'pipe' }).toString();
    git('init', '-q');
    created.push(vscode.Uri.joinPath(folder, '.git'));
    git('-c', 'user.email=t@example.invalid', '-c', 'user.name=T', '-c', 'commit.gpgsign=false', 'add', path.join('.breakglass', 'playbooks', 'isolate-host.json'));
    git('-c', 'user.email=t@example.invalid', '-c', 'user.name=T', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'base');
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, doc.positionAt(doc.getText().indexOf('"ec2:DescribeInstances"')), '"iam:PassRole", ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const d = await vscode.commands.executeCommand<PlaybookDiff>('breakglass.comparePlaybookWithHead', uri);
    assert.ok(d, 'a result');
    assert.deepStrictEqual(d.newAccess.map((c) => c.action), ['iam:PassRole']);
    await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff
      && t.input.original.scheme === 'breakglass-git' && t.input.modified.toString() === uri.toString()), 15_000, 'the diff tab');
    await waitFor(() => vscode.workspace.textDocuments.some((t) => t.uri.scheme === 'breakglass-report' && /1 newly allowed action/.test(t.getText())), 15_000, 'the report');
    // Leave nothing dirty (closing a dirty editor asks to save).
    const undo = new vscode.WorkspaceEdit();
    const s = doc.getText().indexOf('"iam:PassRole", ');
    undo.delete(uri, new vscode.Range(doc.positionAt(s), doc.positionAt(s + '"iam:PassRole", '.length)));
    assert.ok(await vscode.workspace.applyEdit(undo));
    await doc.save();
  });

  it('built-in playbooks open read-only in the playbook format; Copy to Workspace makes an editable copy', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('breakglass.openBuiltinPlaybook', 'containment_actions');
    assert.strictEqual(editor.document.uri.scheme, 'breakglass-builtin');
    assert.match(editor.document.getText(), /"name": "containment_actions"/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    assert.deepStrictEqual(lenses.map((l) => l.command?.title), ['Preview effective permissions', 'Copy to workspace']);
    const copy = await vscode.commands.executeCommand<vscode.Uri>('breakglass.copyBuiltinPlaybook', editor.document.uri);
    created.push(copy);
    assert.strictEqual(path.basename(copy.fsPath), 'containment_actions.json');
    const again = await vscode.commands.executeCommand<vscode.Uri>('breakglass.copyBuiltinPlaybook', 'containment_actions');
    created.push(again);
    assert.strictEqual(path.basename(again.fsPath), 'containment_actions-2.json', 'never overwrites');
    // The built-in containment Deny lacks some of the reference's high-risk actions: linted like any playbook, no errors.
    await waitFor(() => vscode.languages.getDiagnostics(copy).some((d) => code(d) === 'missing-high-risk-deny'), 15_000, 'the copy linted');
    assert.ok(!vscode.languages.getDiagnostics(copy).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
  });

  it('Create Scoped Playbook saves the reference policy as a playbook that lints clean', async () => {
    const out = await vscode.commands.executeCommand<vscode.Uri>('breakglass.createScopedPlaybook', {
      actions: ['ec2:StopInstances', 'ec2:DescribeInstances'], resources: ['arn:aws:ec2:us-east-1:111122223333:instance/i-0abc'],
      regions: ['us-east-1'], hours: 2, sourceIps: ['203.0.113.0/24'], name: 'scoped-test',
    });
    created.push(out);
    const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(out)));
    assert.strictEqual(json.sessionPolicy.Statement[1].Sid, 'DenyHighRiskActions');
    assert.ok(json.sessionPolicy.Statement[0].Condition.DateLessThan['aws:CurrentTime']);
    const doc = await waitFor(() => vscode.workspace.textDocuments.find((t) => t.uri.toString() === out.toString()), 15_000, 'the playbook opened');
    // Lint is running on it (a duplicate shows up), and the duplicate is its only finding.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(out, doc.positionAt(doc.getText().indexOf('"ec2:DescribeInstances"')), '"ec2:DescribeInstances", ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(() => vscode.languages.getDiagnostics(out).some((d) => code(d) === 'duplicate-action'), 15_000, 'the duplicate finding');
    assert.deepStrictEqual(vscode.languages.getDiagnostics(out).map(code), ['duplicate-action']);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
