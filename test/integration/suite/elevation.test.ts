// Elevation end to end inside the real extension host, against a local HTTP endpoint that answers STS and IAM like
// AWS does (test/support/fake-aws.ts), pointed at by the breakglass.endpointUrl setting.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { parseAuditText } from '../../../src/core/audit/log';
import type { Session } from '../../../src/core/session/types';
import { SessionStatusBar } from '../../../src/views/statusBar';
import { SessionStore } from '../../../src/core/session/store';
import { VsCodeSecretStore } from '../../../src/views/secretStore';
import type { BreakGlassApi } from '../../../src/extension';
import { activateExtension, waitFor } from './helpers';
import { runCli } from '../../../src/cli/main';
import { memoryIO } from '../../unit/helpers/io';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const MFA = 'arn:aws:iam::111122223333:mfa/alice';
const BASE_SECRET = 'baseSecretKeyDoNotLeak0123456789ABCDEFGH';

function readTree(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs.readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? readTree(p) : e.isFile() && fs.statSync(p).size < 5_000_000 ? fs.readFileSync(p, 'latin1') : '';
  }).join('\n');
}

describe('elevation through the command (local STS/IAM endpoint)', function () {
  this.timeout(45_000);
  let fake: FakeAws;
  let api: BreakGlassApi;
  let session: Session;
  let auditFile: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-int-'));
  const config = () => vscode.workspace.getConfiguration('breakglass');

  before(async () => {
    ({ api } = await activateExtension());
    await api.ready;
    fake = await startFakeAws({
      roles: [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', maxSessionDuration: 28800, mfaRequired: true, tags: { Purpose: 'IncidentResponse' } }],
      mfaSerial: MFA,
    });
    // Base credentials of the break-glass user, as the default chain finds them in the environment.
    process.env.AWS_ACCESS_KEY_ID = 'AKIABASEUSER00000001';
    process.env.AWS_SECRET_ACCESS_KEY = BASE_SECRET;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    auditFile = path.join(tmp, 'audit.jsonl');
    await config().update('endpointUrl', fake.url, vscode.ConfigurationTarget.Global);
    await config().update('region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await config().update('auditLogPath', auditFile, vscode.ConfigurationTarget.Global);
    await config().update('requester', 'alice@example.com', vscode.ConfigurationTarget.Global);
    await config().update('revokeInAws', 'never', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const k of ['endpointUrl', 'region', 'auditLogPath', 'requester', 'revokeInAws', 'terminal.credentialDelivery']) {
      await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    }
    await fake?.close();
  });

  it('makes exactly one sts:AssumeRole with the exact input, and registers the session', async () => {
    fake.reset();
    const s = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
      roleArn: ROLE_ARN, playbook: 'containment_actions', incidentId: 'INC-2024-001', durationSeconds: 7200,
      justification: 'Isolate i-0abc after GuardDuty finding', tokenCode: '123456', mfaSerial: MFA,
    });
    assert.ok(s, 'a session was granted');
    session = s;
    // Who the caller is, before the code is used (the role's maximum comes from the config: no iam:GetRole); then the
    // one AssumeRole.
    assert.deepStrictEqual(fake.requests.map((r) => `${r.service}:${r.action}`), ['sts:GetCallerIdentity', 'sts:AssumeRole'], 'the only AWS calls');
    const p = fake.calls('AssumeRole')[0].params;
    assert.strictEqual(p.RoleArn, ROLE_ARN);
    assert.strictEqual(p.SerialNumber, MFA);
    assert.strictEqual(p.TokenCode, '123456');
    assert.strictEqual(p.DurationSeconds, '7200');
    assert.strictEqual(p.SourceIdentity, 'alice@example.com');
    assert.match(p.RoleSessionName, /^[\w+=,.@-]{2,64}$/);
    assert.match(p.RoleSessionName, /INC-2024-001/);
    assert.ok(!p.Policy.includes('\n') && JSON.parse(p.Policy).Statement.length === 2, 'minified containment_actions policy');
    const tags = Object.fromEntries([1, 2, 3].map((i) => [p[`Tags.member.${i}.Key`], p[`Tags.member.${i}.Value`]]));
    assert.deepStrictEqual(tags, { IncidentId: 'INC-2024-001', SessionPolicyType: 'containment_actions', Requester: 'alice@example.com' });
    assert.strictEqual(api.commands.sessions.get(s.id)?.state, 'active');
    assert.strictEqual(s.accessKeyId, fake.issued[0].accessKeyId);
  });

  it('opens a terminal whose environment holds the session credentials and no profile', async () => {
    const creds = fake.issued[0];
    const terminal = await waitFor(() => api.commands.terminals.terminals(session.id)[0], 20_000, 'the session terminal');
    assert.match(terminal.name, /INC-2024-001 · BREAK-GLASS-INCIDENT_RESPONDER · until/);
    const envFile = path.join(tmp, 'env.txt');
    terminal.sendText(`env > '${envFile}.tmp' && mv '${envFile}.tmp' '${envFile}'`);
    const text = await waitFor(() => fs.existsSync(envFile) && fs.readFileSync(envFile, 'utf8'), 30_000, 'env written by the shell');
    const env = Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.strictEqual(env.AWS_ACCESS_KEY_ID, creds.accessKeyId);
    assert.strictEqual(env.AWS_SECRET_ACCESS_KEY, creds.secretAccessKey);
    assert.strictEqual(env.AWS_SESSION_TOKEN, creds.sessionToken);
    assert.strictEqual(env.AWS_REGION, 'us-east-1');
    assert.strictEqual(env.AWS_DEFAULT_REGION, 'us-east-1');
    assert.strictEqual(env.AWS_CREDENTIAL_EXPIRATION, session.expiresAt);
    assert.strictEqual(env.BREAKGLASS_SESSION, session.id);
    assert.strictEqual(env.BREAKGLASS_INCIDENT, 'INC-2024-001');
    assert.ok(!('AWS_PROFILE' in env) && !('AWS_DEFAULT_PROFILE' in env));
    fs.rmSync(envFile, { force: true });
  });

  it('shows the session in the tree under its role and under Active sessions, with menus matching its contextValue', async () => {
    const tree = api.accountsTree;
    const top = await tree.getChildren();
    assert.strictEqual(top[0].id, 'activeSessions');
    const active = await tree.getChildren(top[0]);
    assert.deepStrictEqual(active.map((n) => n.id), [`active:${session.id}`]);
    const node = await tree.findSession(session.id);
    assert.ok(node && node.kind === 'session');
    assert.strictEqual(tree.getParent(node)?.id, `role:${ROLE_ARN}`);
    const item = tree.getTreeItem(node);
    assert.strictEqual(item.contextValue, 'session:active');
    assert.match(String(item.description), /^(1h 59m|2h 00m) left · containment_actions$/);
    assert.match(String(tree.getTreeItem(active[0]).description), /^(1h 59m|2h 00m) left · BREAK-GLASS-INCIDENT_RESPONDER$/);
    // Every session menu entry's when-clause accepts exactly the states it should.
    const { ext } = await activateExtension();
    const menus = ext.packageJSON.contributes.menus['view/item/context'] as Array<{ command: string; when: string; group: string }>;
    const matches = (when: string, cv: string) => {
      const m = /viewItem =~ \/(.+)\/$/.exec(when) ?? /viewItem == (\S+)$/.exec(when);
      return m ? (when.includes('=~') ? new RegExp(m[1]).test(cv) : m[1] === cv) : false;
    };
    const inlineFor = (cv: string) => menus.filter((m) => m.group.startsWith('inline') && matches(m.when, cv)).map((m) => m.command);
    assert.deepStrictEqual(inlineFor('session:active'), ['breakglass.openTerminal', 'breakglass.revokeSession', 'breakglass.openConsole']);
    assert.deepStrictEqual(inlineFor('session:expiring'), ['breakglass.openTerminal', 'breakglass.revokeSession', 'breakglass.openConsole']);
    assert.deepStrictEqual(inlineFor('session:expired'), []);
    assert.deepStrictEqual(inlineFor('role'), ['breakglass.elevate']);
    assert.ok(menus.some((m) => m.command === 'breakglass.reElevate' && matches(m.when, 'session:expired')));
    for (const cv of ['account', 'role', 'session:active', 'session:expiring', 'session:expired', 'activeSessions']) {
      assert.ok(inlineFor(cv).length <= 3, `at most three inline actions for ${cv}`);
    }
  });

  it('the status bar shows the soonest session and turns to warning colours only in the last threshold (fake clock)', () => {
    let now = Date.parse(session.expiresAt) - 30 * 60_000;
    const bar = new SessionStatusBar(api.commands.sessions, { now: () => now, lastThresholdMs: () => 2 * 60_000 });
    try {
      assert.strictEqual(bar.item.text, '$(shield) INC-2024-001 · 30m');
      assert.strictEqual(bar.item.backgroundColor, undefined);
      assert.match(bar.item.accessibilityInformation!.label, /INC-2024-001 on BREAK-GLASS-INCIDENT_RESPONDER, 30 minutes left/);
      now = Date.parse(session.expiresAt) - 90_000;
      bar.update();
      // In the last threshold the icon turns to a warning too (issue 16: not colour alone).
      assert.strictEqual(bar.item.text, '$(warning) INC-2024-001 · 1m 30s');
      assert.strictEqual((bar.item.backgroundColor as vscode.ThemeColor | undefined)?.id, 'statusBarItem.warningBackground');
    } finally {
      bar.dispose();
    }
  });

  it('keeps every secret out of the log, settings, globalState and the audit file', async () => {
    const creds = fake.issued[0];
    const secrets = [creds.secretAccessKey, creds.sessionToken, creds.sessionToken.slice(20, 80), BASE_SECRET, '123456'];
    const { ext } = await activateExtension();
    const ctx = api.commands.extension;
    const haystacks: Record<string, string> = {
      'log channel': api.commands.log.recent().join('\n'),
      'log files': readTree(path.dirname(ctx.logUri.fsPath)),
      settings: JSON.stringify(config()),
      globalState: JSON.stringify(ctx.globalState.keys().map((k) => [k, ctx.globalState.get(k)])),
      workspaceState: JSON.stringify(ctx.workspaceState.keys().map((k) => [k, ctx.workspaceState.get(k)])),
      'audit file': fs.readFileSync(auditFile, 'utf8'),
      'workspace files': readTree(vscode.workspace.workspaceFolders![0].uri.fsPath),
    };
    assert.ok(haystacks['log channel'].includes('granted session'), 'the log did record the grant');
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} must not contain ${secret.slice(0, 6)}…`);
    }
    const { records } = parseAuditText(haystacks['audit file']);
    assert.deepStrictEqual(records.map((r) => r.event).filter((e) => e !== 'warning'), ['requested', 'granted', 'terminal_opened']);
    assert.strictEqual(records[1].tokenHash, session.tokenHash);
    assert.match(session.tokenHash, /^[0-9a-f]{16}$/);
    assert.ok(ext.isActive);
  });

  it('translates a wrong MFA code, audits the failure and grants nothing', async () => {
    fake.reset();
    fake.setBehaviour('AssumeRole', 'wrongMfa', { times: 1 });
    const before = api.commands.sessions.list().length;
    const s = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
      roleArn: ROLE_ARN, playbook: 'read_only_investigation', incidentId: 'INC-2024-002', durationSeconds: 3600, justification: 'triage', tokenCode: '000000', mfaSerial: MFA,
    });
    assert.strictEqual(s, undefined);
    assert.strictEqual(api.commands.sessions.list().length, before);
    assert.strictEqual(fake.calls('AssumeRole').length, 1, 'an MFA code is never retried');
    const { records } = parseAuditText(fs.readFileSync(auditFile, 'utf8'));
    const failed = records.filter((r) => r.event === 'failed').pop();
    assert.strictEqual(failed?.reason?.code, 'MfaInvalid');
    assert.match(failed!.reason!.message, /MFA/);
    assert.ok(api.commands.log.recent().some((l) => /elevation failed: MfaInvalid/.test(l)));
  });

  it('refuses bad input before calling AWS', async () => {
    fake.reset();
    const s = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
      roleArn: ROLE_ARN, playbook: 'containment_actions', incidentId: 'not an incident', durationSeconds: 3600, justification: 'x', tokenCode: '123456', mfaSerial: MFA,
    });
    assert.strictEqual(s, undefined);
    assert.strictEqual(fake.requests.length, 0);
    assert.ok(api.commands.log.recent().some((l) => /pre-flight refused: incidentId/.test(l)));
  });

  it('revokes locally and on AWS: secrets wiped, terminal closed, AWSRevokeOlderSessions put on the role', async () => {
    fake.reset();
    assert.ok(api.commands.terminals.terminals(session.id).length > 0);
    const ok = await vscode.commands.executeCommand<boolean>('breakglass.revokeSession', session.id, { aws: true });
    assert.strictEqual(ok, true);
    assert.strictEqual(api.commands.sessions.get(session.id)?.state, 'revoked');
    assert.strictEqual(api.commands.sessions.credentials(session.id), undefined);
    assert.deepStrictEqual(api.commands.terminals.terminals(session.id), []);
    const put = fake.calls('PutRolePolicy');
    assert.strictEqual(put.length, 1);
    assert.strictEqual(put[0].params.PolicyName, 'AWSRevokeOlderSessions');
    const doc = JSON.parse(put[0].params.PolicyDocument);
    assert.strictEqual(doc.Statement[0].Effect, 'Deny');
    assert.ok(doc.Statement[0].Condition.DateLessThan['aws:TokenIssueTime']);
    const { records } = parseAuditText(fs.readFileSync(auditFile, 'utf8'));
    assert.ok(records.some((r) => r.event === 'revoked_local' && r.sessionId === session.id));
    assert.ok(records.some((r) => r.event === 'revoked_aws' && r.sessionId === session.id && !r.reason));
    assert.strictEqual((await api.accountsTree.getChildren())[0].id, 'account:111122223333', 'no Active sessions node any more');
  });

  it('delivers credentials through a loopback endpoint that stops answering once the session is revoked', async () => {
    await config().update('terminal.credentialDelivery', 'localEndpoint', vscode.ConfigurationTarget.Global);
    fake.reset();
    const s = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
      roleArn: ROLE_ARN, playbook: 'forensics_collection', incidentId: 'INC-2024-003', durationSeconds: 3600, justification: 'collect disk images', tokenCode: '654321', mfaSerial: MFA,
    });
    assert.ok(s);
    const terminal = await waitFor(() => api.commands.terminals.terminals(s.id)[0], 20_000, 'the session terminal');
    const out = path.join(tmp, 'endpoint.txt');
    const fetchCreds = (file: string) => `node -e 'fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI,{headers:{Authorization:process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN}}).then(async r=>require("fs").writeFileSync("${file}",r.status+" "+await r.text()))'; env | grep -c '^AWS_SECRET_ACCESS_KEY=' > '${file}.keys'`;
    terminal.sendText(fetchCreds(out));
    const body = await waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 30_000, 'credentials fetched from the endpoint');
    assert.match(body, /^200 /);
    assert.strictEqual(JSON.parse(body.slice(4)).AccessKeyId, s.accessKeyId);
    const keys = await waitFor(() => fs.existsSync(`${out}.keys`) && fs.readFileSync(`${out}.keys`, 'utf8'), 10_000, 'env check');
    assert.strictEqual(keys.trim(), '0', 'no secret key in the terminal environment');
    // Revoke, then the same request fails (the terminal itself is closed on revocation, so ask from here).
    const endpointTerminalEnv = { url: '', token: '' };
    terminal.sendText(`printf '%s\\n%s' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN" > '${out}.ep'`);
    const ep = (await waitFor(() => fs.existsSync(`${out}.ep`) && fs.readFileSync(`${out}.ep`, 'utf8'), 20_000, 'endpoint details')).split('\n');
    [endpointTerminalEnv.url, endpointTerminalEnv.token] = ep;
    await vscode.commands.executeCommand('breakglass.revokeSession', s.id, { aws: false });
    const after = await fetch(endpointTerminalEnv.url, { headers: { Authorization: endpointTerminalEnv.token } });
    assert.ok([403, 404, 410].includes(after.status), `revoked endpoint answers ${after.status}`);
  });

  it('keeps live sessions across a window reload: a new store restores them from SecretStorage', async () => {
    await config().update('terminal.credentialDelivery', undefined, vscode.ConfigurationTarget.Global);
    await config().update('terminal.openOnElevate', false, vscode.ConfigurationTarget.Global);
    try {
      const s = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
        roleArn: ROLE_ARN, playbook: 'read_only_investigation', incidentId: 'INC-2024-004', justification: 'reload check', durationSeconds: 3600, tokenCode: '111111', mfaSerial: MFA,
      });
      assert.ok(s);
      await api.commands.sessions.flush();
      const reloaded = new SessionStore({ secrets: new VsCodeSecretStore(api.commands.extension.secrets) });
      try {
        const rawEntry = await api.commands.extension.secrets.get(`breakglass.session.${s.id}`);
        const result = await reloaded.restore();
        const { restored } = result;
        const back = restored.find((x) => x.id === s.id);
        const index = await api.commands.extension.secrets.get('breakglass.sessions');
        assert.ok(back, `the live session came back (index ${index}, restored ${restored.map((x) => x.id).join(',')}, looking for ${s.id}, entry ${rawEntry?.length} chars, ${JSON.stringify({ purged: result.purged, dropped: result.dropped })})`);
        assert.strictEqual(reloaded.credentials(s.id)?.accessKeyId, s.accessKeyId);
        assert.ok(!restored.some((x) => x.state === 'revoked' || x.state === 'expired'), 'ended sessions are not restored');
      } finally {
        reloaded.dispose();
      }
      await vscode.commands.executeCommand('breakglass.revokeSession', s.id, { aws: false });
    } finally {
      await config().update('terminal.openOnElevate', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('elevates with a workspace playbook file or with the role\'s full permissions (no session policy)', async () => {
    await config().update('terminal.openOnElevate', false, vscode.ConfigurationTarget.Global);
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.breakglass', 'playbooks', 'isolate.json');
    const doc = { Version: '2012-10-17', Statement: [{ Sid: 'Isolate', Effect: 'Allow', Action: ['ec2:ModifyInstanceAttribute'], Resource: '*' }] };
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(doc, null, 2)));
    try {
      fake.reset();
      const fromFile = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
        roleArn: ROLE_ARN, playbook: `file:${file.fsPath}`, incidentId: 'INC-2024-020', justification: 'file playbook', durationSeconds: 900, tokenCode: '414141', mfaSerial: MFA,
      });
      assert.ok(fromFile);
      const p1 = fake.calls('AssumeRole')[0].params;
      assert.deepStrictEqual(JSON.parse(p1.Policy), doc);
      assert.ok(!p1.Policy.includes('\n'), 'minified');
      fake.reset();
      const full = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
        roleArn: ROLE_ARN, playbook: 'none', incidentId: 'INC-2024-021', justification: 'no playbook fits', durationSeconds: 900, tokenCode: '424242', mfaSerial: MFA,
      });
      assert.ok(full);
      const p2 = fake.calls('AssumeRole')[0].params;
      assert.strictEqual(p2.Policy, undefined, 'no session policy: the role\'s full permissions');
      assert.deepStrictEqual(fake.requests.map((r) => r.action), ['GetCallerIdentity', 'AssumeRole']);
      for (const s of [fromFile, full]) await vscode.commands.executeCommand('breakglass.revokeSession', s.id, { aws: false });
    } finally {
      await vscode.workspace.fs.delete(file);
      await config().update('terminal.openOnElevate', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('the CLI and the extension write the same audit records for the same elevation (one core function)', async () => {
    await config().update('terminal.openOnElevate', false, vscode.ConfigurationTarget.Global);
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.breakglass', 'playbooks', 'isolate.json');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:ModifyInstanceAttribute', Resource: '*' }] })));
    const cliAudit = path.join(tmp, 'cli-audit.jsonl');
    let fromExtension: Session | undefined;
    try {
      fromExtension = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
        roleArn: ROLE_ARN, playbook: `file:${file.fsPath}`, incidentId: 'INC-2024-030', justification: 'parity', durationSeconds: 1800, tokenCode: '515151', mfaSerial: MFA,
      });
      assert.ok(fromExtension);
      const io = memoryIO();
      io.env = { AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIABASEUSER00000001', AWS_SECRET_ACCESS_KEY: BASE_SECRET, AWS_REGION: 'us-east-1', BREAKGLASS_AUDIT_LOG: cliAudit, HOME: tmp };
      const status = await runCli(['elevate', '--role-arn', ROLE_ARN, '--playbook', file.fsPath, '--incident', 'INC-2024-030', '--justification', 'parity',
        '--duration', '1800', '--requester', 'alice@example.com', '--mfa-serial', MFA, '--token-code', '525252', '--role-max-duration', '28800', '--json'], io);
      assert.strictEqual(status, 0, io.err());
      // Everything but ids, times, keys, the source, the random RoleSessionName suffix and the record's place in its
      // own log's hash chain (seq, prev: two different files) must be the same.
      const normalise = (r: Record<string, unknown>): Record<string, unknown> => {
        const { ts: _ts, sessionId, tokenHash, accessKeyId, expiresAt, source: _source, roleSessionName, seq: _seq, prev: _prev, rotatedFrom: _rot, ...rest } = r;
        for (const v of [sessionId, tokenHash, accessKeyId, expiresAt]) if (r.event === 'granted') assert.ok(v, `granted records carry ${JSON.stringify(v)}`);
        return { ...rest, roleSessionName: String(roleSessionName).replace(/-[a-z0-9]{6,8}$/, '-<suffix>') };
      };
      const ext = parseAuditText(fs.readFileSync(auditFile, 'utf8')).records.filter((r) => r.incidentId === 'INC-2024-030').map((r) => normalise({ ...r }));
      const cli = parseAuditText(fs.readFileSync(cliAudit, 'utf8')).records.map((r) => normalise({ ...r }));
      assert.deepStrictEqual(ext.map((r) => r.event), ['requested', 'granted']);
      assert.deepStrictEqual(cli, ext);
      assert.strictEqual(ext[0].playbook, 'workspace:isolate', 'one display name for a workspace playbook');
    } finally {
      if (fromExtension) await vscode.commands.executeCommand('breakglass.revokeSession', fromExtension.id, { aws: false });
      await vscode.workspace.fs.delete(file);
      await config().update('terminal.openOnElevate', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('repaints only the parents a new session touches once sessions exist', async () => {
    await config().update('terminal.openOnElevate', false, vscode.ConfigurationTarget.Global);
    const elevateOne = (incidentId: string, tokenCode: string) => vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
      roleArn: ROLE_ARN, playbook: 'read_only_investigation', incidentId, justification: 'repaint check', durationSeconds: 3600, tokenCode, mfaSerial: MFA,
    });
    const fired: Array<string | undefined> = [];
    const sub = api.accountsTree.onDidChangeTreeData((n) => fired.push(n?.id));
    try {
      const first = await elevateOne('INC-2024-010', '313131');
      assert.ok(first);
      assert.ok(fired.includes(undefined), 'the first live session changes the top level: full refresh');
      // Let VS Code (and this test) see the new shape, as the visible tree would.
      const top = await api.accountsTree.getChildren();
      await api.accountsTree.getChildren(top[0]);
      const account = top.find((n) => n.id === 'account:111122223333')!;
      await api.accountsTree.getChildren(account);
      fired.length = 0;
      const second = await elevateOne('INC-2024-011', '323232');
      assert.ok(second);
      assert.deepStrictEqual([...new Set(fired)].sort(), ['activeSessions', `role:${ROLE_ARN}`]);
      await vscode.commands.executeCommand('breakglass.revokeSession', second.id, { aws: false });
      await vscode.commands.executeCommand('breakglass.revokeSession', first.id, { aws: false });
      assert.ok(fired.includes(undefined), 'the last session ending removes "Active sessions": full refresh');
    } finally {
      sub.dispose();
      await config().update('terminal.openOnElevate', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('at expiry marks the session expired, wipes its secrets, closes its terminals and audits it', async () => {
    // An endpoint whose sessions expire 4 seconds after they are issued.
    const shortLived = await startFakeAws({ roles: [{ name: 'BREAK-GLASS-INCIDENT_RESPONDER' }], now: () => Date.now() - 896_000 });
    await config().update('endpointUrl', shortLived.url, vscode.ConfigurationTarget.Global);
    try {
      const s = await vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
        roleArn: ROLE_ARN, playbook: 'read_only_investigation', incidentId: 'INC-2024-005', justification: 'expiry check', durationSeconds: 900, tokenCode: '222222', mfaSerial: MFA,
      });
      assert.ok(s);
      await waitFor(() => api.commands.terminals.terminals(s.id).length > 0, 10_000, 'its terminal');
      await waitFor(() => api.commands.sessions.get(s.id)?.state === 'expired', 15_000, 'expiry');
      assert.strictEqual(api.commands.sessions.credentials(s.id), undefined);
      await waitFor(() => api.commands.terminals.terminals(s.id).length === 0, 5_000, 'terminals closed');
      const { records } = parseAuditText(fs.readFileSync(auditFile, 'utf8'));
      await waitFor(() => parseAuditText(fs.readFileSync(auditFile, 'utf8')).records.some((r) => r.event === 'expired' && r.sessionId === s.id), 5_000, 'expired record');
      assert.ok(records.some((r) => r.event === 'granted' && r.sessionId === s.id));
    } finally {
      await config().update('endpointUrl', fake.url, vscode.ConfigurationTarget.Global);
      await shortLived.close();
    }
  });

  it('summarises the audit log by playbook, requester and incident, and exports it', async () => {
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>('breakglass.auditSummary', { sinceMs: 0 });
    assert.ok(doc);
    const text = doc.getText();
    assert.match(text, /INC-2024-001/);
    assert.match(text, /containment_actions/);
    assert.match(text, /alice@example\.com/);
    const target = vscode.Uri.file(path.join(tmp, 'export.json'));
    await vscode.commands.executeCommand('breakglass.exportAudit', target);
    const exported = JSON.parse(fs.readFileSync(target.fsPath, 'utf8'));
    assert.ok(exported.records.length >= 5);
    assert.ok(exported.summary);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
