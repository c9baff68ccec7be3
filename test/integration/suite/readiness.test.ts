// The readiness drill inside the editor: "Run Readiness Check" renders the Markdown report and the accounts tree
// shows a badge per account; role template files get diagnostics as they are opened.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { AwsClients } from '../../../src/core/aws/clients';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { accountClientsFactory } from '../../../src/core/provision/access';
import { desiredState } from '../../../src/core/provision/desired';
import { applyProvisioning, planProvisioning } from '../../../src/core/provision/provision';
import type { DrillReport } from '../../../src/core/readiness/drill';
import { ROLE_TEMPLATES } from '../../../src/core/templates';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { activateExtension, waitFor } from './helpers';

const SEC = '111122223333';
const PROD = '444455556666';
const BASE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const CONFIG = {
  version: 1,
  accounts: [
    { id: SEC, name: 'Security', roles: [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', template: 'incident_responder', path: '/incident-response/' }] },
    // No provisioning role: the base credentials reach only the security account, so this one cannot be checked.
    { id: PROD, name: 'Production', roles: [{ name: 'BREAK-GLASS-FORENSICS_ANALYST', template: 'forensics_analyst', path: '/incident-response/' }] },
  ],
  provisioning: { securityAccountId: SEC, users: [{ responder: 'alice' }] },
};

describe('readiness check in the editor (local IAM endpoint)', function () {
  this.timeout(60_000);
  let fake: FakeAws;
  let original: Uint8Array;
  const settings = () => vscode.workspace.getConfiguration('breakglass');

  before(async () => {
    const { api } = await activateExtension();
    await api.ready;
    fake = await startFakeAws({
      accountId: SEC, callerArn: `arn:aws:iam::${SEC}:user/incident-response/alice-BREAK-GLASS`, roles: [],
      passwordPolicies: { [SEC]: { minimumPasswordLength: 14, requireSymbols: true, requireNumbers: true, requireUppercase: true, requireLowercase: true, allowUsersToChangePassword: true } },
    });
    process.env.AWS_ACCESS_KEY_ID = 'AKIABASEUSER00000001';
    process.env.AWS_SECRET_ACCESS_KEY = BASE_SECRET;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    await settings().update('endpointUrl', fake.url, vscode.ConfigurationTarget.Global);
    await settings().update('region', 'us-east-1', vscode.ConfigurationTarget.Global);
    const uri = api.commands.configs.uri!;
    original = await vscode.workspace.fs.readFile(uri);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(CONFIG, null, 2)));
    await api.commands.configs.reload();
    // Provision the security account through the core use-case (what "Provision…" does after its confirmation).
    const clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIABASEUSER00000001', secretAccessKey: BASE_SECRET }, env: {} });
    const access = accountClientsFactory(clients);
    const desired = desiredState(parseWorkspaceConfig(JSON.stringify(CONFIG)).config, ROLE_TEMPLATES);
    const plan = await planProvisioning(desired, { clientsFor: access.clientsFor });
    await applyProvisioning(plan, { clientsFor: access.clientsFor }, { allowBroadening: false, showPassword: () => undefined });
    clients.destroy();
    const alice = fake.users.get('alice-BREAK-GLASS')!;
    alice.mfaDevices = [`arn:aws:iam::${SEC}:mfa/alice`];
    alice.loginProfile!.passwordResetRequired = false;
    alice.passwordLastUsed = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  });

  after(async () => {
    const { api } = await activateExtension();
    await vscode.workspace.fs.writeFile(api.commands.configs.uri!, original);
    await api.commands.configs.reload();
    for (const k of ['endpointUrl', 'region']) await settings().update(k, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fake?.close();
  });

  it('renders the Markdown report and shows a badge per account in the tree', async () => {
    const { api } = await activateExtension();
    const report = await vscode.commands.executeCommand<DrillReport>('breakglass.readinessCheck');
    assert.ok(report, 'the command returns the report');
    assert.deepStrictEqual(report.accounts.map((a) => `${a.accountId} ${a.status}`), [`${SEC} pass`, `${PROD} fail`]);
    const doc = await waitFor(() => vscode.window.activeTextEditor?.document.languageId === 'markdown' && vscode.window.activeTextEditor.document, 10_000, 'the report document');
    const text = doc.getText();
    assert.match(text, /^# Break Glass readiness check$/m);
    assert.match(text, /^\| Security \(111122223333\) \| PASS \|/m);
    assert.match(text, /^\| Production \(444455556666\) \| FAIL \|/m);
    assert.match(text, /`account\.reachable` — Account Production \(444455556666\) could not be read: Wrong account/);
    assert.match(text, /\*\*PASS\*\* `role\.guardrails` — Playbook read_only_investigation: no SCPs apply \(the account is not in an organisation/);

    const accounts = (await api.accountsTree.getChildren()).filter((n) => n.kind === 'account');
    const item = (id: string) => api.accountsTree.getTreeItem(accounts.find((n) => n.kind === 'account' && n.account.id === id)!);
    assert.strictEqual(item(SEC).description, `${SEC} · ready`);
    assert.strictEqual((item(SEC).iconPath as vscode.ThemeIcon).id, 'pass');
    assert.strictEqual(item(PROD).description, `${PROD} · 1 failing`);
    assert.strictEqual((item(PROD).iconPath as vscode.ThemeIcon).id, 'error');
    assert.match((item(PROD).tooltip as vscode.MarkdownString).value, /Readiness check .*: 0 passed, 0 warnings, 1 failures/);
  });

  it('after tampering (AdministratorAccess attached) the badge turns to failing', async () => {
    const { api } = await activateExtension();
    fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!.managedPolicies!.push('arn:aws:iam::aws:policy/AdministratorAccess');
    const report = await vscode.commands.executeCommand<DrillReport>('breakglass.readinessCheck');
    assert.deepStrictEqual(report.findings.filter((f) => f.accountId === SEC && f.status === 'fail').map((f) => f.reason),
      ['Attached but not in template incident_responder: arn:aws:iam::aws:policy/AdministratorAccess.']);
    const accounts = (await api.accountsTree.getChildren()).filter((n) => n.kind === 'account');
    assert.strictEqual(api.accountsTree.getTreeItem(accounts.find((n) => n.kind === 'account' && n.account.id === SEC)!).description, `${SEC} · 1 failing`);
  });

  it('a role template file gets diagnostics on the field that is wrong', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const dir = vscode.Uri.joinPath(folder, '.breakglass', 'roles');
    const existed = await vscode.workspace.fs.stat(dir).then(() => true, () => false);
    await vscode.workspace.fs.createDirectory(dir);
    const uri = vscode.Uri.joinPath(dir, 'forensics_analyst.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('{\n  "description": "x",\n  "maxSessionDuration": 100,\n  "managedPolicies": [],\n  "inlinePolicies": {},\n  "permissionsBoundary": null\n}\n'));
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const diags = await waitFor(() => {
        const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'Break Glass');
        return d.length ? d : undefined;
      }, 10_000, 'role template diagnostics');
      assert.strictEqual(diags.length, 1);
      assert.match(diags[0].message, /^maxSessionDuration: "maxSessionDuration" must be whole seconds from 3600 to 43200/);
      assert.strictEqual(diags[0].range.start.line, 2);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(existed ? uri : dir, { recursive: true });
    }
  });
});
