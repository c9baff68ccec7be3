// A repository's .vscode/settings.json cannot change where credentials go, who the requester is, or whether a
// revocation reaches AWS — inside the real extension host, in a trusted workspace (the harness disables workspace
// trust, so every workspace is trusted: the strongest case). The user's settings point at a local STS/IAM endpoint;
// the workspace names another one, another requester and `revokeInAws: never`. The elevation must reach only the
// user's endpoint with the user's requester, the revocation must reach AWS, and the log must name what was ignored.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { DEFAULT_INCIDENT_PATTERN } from '../../../src/core/incident';
import type { Session } from '../../../src/core/session/types';
import { readSettings } from '../../../src/views/settings';
import type { BreakGlassApi } from '../../../src/extension';
import { activateExtension, waitFor } from './helpers';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const MFA = 'arn:aws:iam::111122223333:mfa/alice';
const ROLES = [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', maxSessionDuration: 28800, mfaRequired: true }];

describe('workspace settings cannot redirect credentials, forge the requester or switch off AWS revocation', function () {
  this.timeout(45_000);
  let api: BreakGlassApi;
  let user: FakeAws;
  let repo: FakeAws;
  let settingsFile: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-ws-settings-'));
  const config = () => vscode.workspace.getConfiguration('breakglass');
  const USER_KEYS = ['endpointUrl', 'region', 'auditLogPath', 'requester', 'revokeInAws', 'incidentPattern'];

  before(async () => {
    ({ api } = await activateExtension());
    await api.ready;
    user = await startFakeAws({ roles: ROLES, mfaSerial: MFA });
    repo = await startFakeAws({ roles: ROLES, mfaSerial: MFA });
    process.env.AWS_ACCESS_KEY_ID = 'AKIABASEUSER00000002';
    process.env.AWS_SECRET_ACCESS_KEY = 'baseSecretKeyDoNotLeak0123456789ABCDEFGH';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    // The user's own settings.
    await config().update('endpointUrl', user.url, vscode.ConfigurationTarget.Global);
    await config().update('region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await config().update('auditLogPath', path.join(tmp, 'audit.jsonl'), vscode.ConfigurationTarget.Global);
    await config().update('requester', 'alice@example.com', vscode.ConfigurationTarget.Global);
    await config().update('revokeInAws', 'always', vscode.ConfigurationTarget.Global);
    // The repository's: written as a file, as a cloned repository brings it (VS Code refuses to write
    // machine/application-scoped settings to the workspace through the API).
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    settingsFile = path.join(folder, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({
      'breakglass.endpointUrl': repo.url,
      'breakglass.requester': 'mallory',
      'breakglass.revokeInAws': 'never',
      'breakglass.terminal.credentialDelivery': 'localEndpoint',
      'breakglass.incidentPattern': '^(a+)+$',
      'breakglass.auditLogPath': path.join(folder, 'audit-in-the-repo.jsonl'),
      // A harmless, window-scoped setting the workspace may set: it shows when VS Code has read the file.
      'breakglass.incidentExample': 'WS-EXAMPLE-1',
    }, null, 2));
    await waitFor(() => config().get('incidentExample') === 'WS-EXAMPLE-1', 20_000, 'VS Code to read the workspace settings');
  });

  after(async () => {
    if (settingsFile) fs.rmSync(path.dirname(settingsFile), { recursive: true, force: true });
    await waitFor(() => config().get('incidentExample') !== 'WS-EXAMPLE-1', 20_000, 'VS Code to drop the workspace settings');
    for (const k of USER_KEYS) await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    await user?.close();
    await repo?.close();
  });

  it("the effective settings are the user's or the default, and the log names once what was ignored", async () => {
    const s = readSettings();
    assert.strictEqual(s.endpointUrl, user.url);
    assert.strictEqual(s.requester, 'alice@example.com');
    assert.strictEqual(s.revokeInAws, 'always');
    assert.strictEqual(s.credentialDelivery, 'environment', 'the default');
    assert.strictEqual(s.auditLogPath, path.join(tmp, 'audit.jsonl'));
    assert.strictEqual(s.incidentPattern, '', 'the default (empty)');
    assert.strictEqual(s.incidentRegExp, DEFAULT_INCIDENT_PATTERN);
    assert.strictEqual(s.incidentExample, 'WS-EXAMPLE-1', 'a harmless setting still comes from the workspace');
    const line = await waitFor(() => api.commands.log.recent().find((l) => l.includes('Ignored workspace values of')), 20_000, 'the ignored-settings log line');
    for (const key of ['endpointUrl', 'requester', 'revokeInAws', 'terminal.credentialDelivery', 'incidentPattern', 'auditLogPath']) {
      assert.ok(line.includes(`breakglass.${key} (${settingsFile})`), `the log line names breakglass.${key}: ${line}`);
    }
    assert.ok(!line.includes('incidentExample'), 'only protected settings are named');
    assert.match(line, /^\[warn\] /);
    // Once: reading the settings again (every command does) adds no second line.
    readSettings();
    await vscode.commands.executeCommand('breakglass.refresh');
    assert.strictEqual(api.commands.log.recent().filter((l) => l.includes('Ignored workspace values of')).length, 1);
  });

  let session: Session | undefined;
  it("an elevation reaches only the user's endpoint, with the user's requester", async () => {
    user.reset();
    repo.reset();
    session = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
      roleArn: ROLE_ARN, playbook: 'read_only_investigation', incidentId: 'INC-2024-101', durationSeconds: 3600,
      justification: 'Workspace settings must not redirect this', tokenCode: '246810', mfaSerial: MFA,
    });
    assert.ok(session, 'a session was granted');
    assert.deepStrictEqual(repo.requests, [], "nothing reached the repository's endpoint");
    const assume = user.calls('AssumeRole');
    assert.strictEqual(assume.length, 1);
    assert.strictEqual(assume[0].params.SourceIdentity, 'alice@example.com');
    assert.strictEqual(assume[0].params.TokenCode, '246810');
    assert.ok(!Object.values(assume[0].params).includes('mallory'), 'the forged requester is nowhere in the request');
    assert.strictEqual(session.requester, 'alice@example.com');
    assert.ok(!fs.existsSync(path.join(path.dirname(path.dirname(settingsFile)), 'audit-in-the-repo.jsonl')), 'no audit log in the repository');
  });

  it("Revoke Session follows the user's revokeInAws (always), not the workspace's (never)", async () => {
    assert.ok(session);
    user.reset();
    // No `aws` option: the command decides from the setting (with 'never' nothing would reach IAM; with 'ask' a modal
    // dialog would wait for an answer and this test would time out).
    const ok = await vscode.commands.executeCommand<boolean>('breakglass.revokeSession', session.id);
    assert.strictEqual(ok, true);
    const put = user.calls('PutRolePolicy');
    assert.strictEqual(put.length, 1, 'revoked on AWS');
    assert.strictEqual(put[0].params.PolicyName, 'AWSRevokeOlderSessions');
    assert.deepStrictEqual(repo.requests, []);
    assert.strictEqual(api.commands.sessions.get(session.id)?.state, 'revoked');
  });

  it("a catastrophic incident pattern in the user's own settings is refused: the default applies, with one warning", async () => {
    await config().update('incidentPattern', '^(a+)+$', vscode.ConfigurationTarget.Global);
    const line = await waitFor(() => api.commands.log.recent().find((l) => l.includes('breakglass.incidentPattern "^(a+)+$" is not used')), 20_000, 'the refused-pattern log line');
    assert.match(line, /^\[warn\] .*a repetition of something that itself repeats.*default \^\[A-Z\]\[A-Z0-9\]\*-\\d\[\\w-\]\*\$/);
    const s = readSettings();
    assert.strictEqual(s.incidentPattern, '^(a+)+$');
    assert.strictEqual(s.incidentRegExp, DEFAULT_INCIDENT_PATTERN);
    // The input that would take hours with the configured pattern is answered at once by the default.
    assert.strictEqual(s.incidentRegExp.test('a'.repeat(40) + '!'), false);
    await vscode.commands.executeCommand('breakglass.refresh');
    assert.strictEqual(api.commands.log.recent().filter((l) => l.includes('breakglass.incidentPattern "^(a+)+$" is not used')).length, 1, 'logged once');
  });
});
