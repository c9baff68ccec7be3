// Issue 14 inside the real extension host: a debug session of a small Node program gets the session's credentials
// in its environment at launch (and nothing reaches launch.json or the log); a launch naming no live session stops;
// the loopback endpoint serves the re-elevated session's credentials to a terminal that is already open.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { startFakeSignin } from '../../support/fake-signin';
import { runCli } from '../../../src/cli/main';
import { memoryIO } from '../../unit/helpers/io';
import type { Session } from '../../../src/core/session/types';
import type { BreakGlassApi } from '../../../src/extension';
import { activateExtension, waitFor } from './helpers';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const MFA = 'arn:aws:iam::111122223333:mfa/alice';
let nextCode = 700000;

function get(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { Authorization: token } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('sessions everywhere: debugger and refreshed terminals', function () {
  this.timeout(60_000);
  let fake: FakeAws;
  let api: BreakGlassApi;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-int14-'));
  const config = () => vscode.workspace.getConfiguration('breakglass');
  const elevate = (incidentId: string) => vscode.commands.executeCommand<Session | undefined>('breakglass.elevate', {
    roleArn: ROLE_ARN, playbook: 'read_only_investigation', incidentId, durationSeconds: 3600,
    justification: 'issue 14 integration', tokenCode: String(nextCode++), mfaSerial: MFA,
  });

  before(async () => {
    ({ api } = await activateExtension());
    await api.ready;
    fake = await startFakeAws({ roles: [
      { name: 'BREAK-GLASS-INCIDENT_RESPONDER', maxSessionDuration: 28800, mfaRequired: true },
      { name: 'BREAK-GLASS-IR-STAGING', accountId: '444455556666', maxSessionDuration: 28800, mfaRequired: true },
    ], mfaSerial: MFA });
    process.env.AWS_ACCESS_KEY_ID = 'AKIABASEUSER00000014';
    process.env.AWS_SECRET_ACCESS_KEY = 'baseSecretKeyDoNotLeak0123456789ABCDEF14';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    await config().update('endpointUrl', fake.url, vscode.ConfigurationTarget.Global);
    await config().update('region', 'us-east-1', vscode.ConfigurationTarget.Global);
    await config().update('auditLogPath', path.join(tmp, 'audit.jsonl'), vscode.ConfigurationTarget.Global);
    await config().update('requester', 'alice@example.com', vscode.ConfigurationTarget.Global);
    await config().update('terminal.openOnElevate', false, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const k of ['endpointUrl', 'region', 'auditLogPath', 'requester', 'terminal.openOnElevate', 'terminal.credentialDelivery']) {
      await config().update(k, undefined, vscode.ConfigurationTarget.Global);
    }
    await fake?.close();
  });

  it('a launch configuration naming the incident gets the session in the debuggee\'s env; nothing reaches launch.json or the log', async () => {
    const s = await elevate('INC-2024-014');
    assert.ok(s, 'elevated');
    const secret = api.commands.sessions.credentials(s.id)?.secretAccessKey;
    assert.ok(secret);
    const program = path.join(tmp, 'program.js');
    const out = path.join(tmp, 'debuggee.json');
    // The debuggee reports what it got — the access key id, and only WHETHER a secret is there.
    fs.writeFileSync(program, `require('fs').writeFileSync(process.argv[2], JSON.stringify({ key: process.env.AWS_ACCESS_KEY_ID, hasSecret: Boolean(process.env.AWS_SECRET_ACCESS_KEY), hasToken: Boolean(process.env.AWS_SESSION_TOKEN), profile: process.env.AWS_PROFILE ?? null, incident: process.env.BREAKGLASS_INCIDENT }));\n`);
    const folder = vscode.workspace.workspaceFolders?.[0];
    const launchJson = folder ? path.join(folder.uri.fsPath, '.vscode', 'launch.json') : undefined;
    const before = launchJson && fs.existsSync(launchJson) ? fs.readFileSync(launchJson, 'utf8') : undefined;
    process.env.AWS_PROFILE = 'a-profile-that-must-not-win';
    const ended = new Promise<void>((resolve) => { const d = vscode.debug.onDidTerminateDebugSession(() => { d.dispose(); resolve(); }); });
    let started: boolean;
    try {
      started = await vscode.debug.startDebugging(folder, {
        type: 'node', request: 'launch', name: 'breakglass debuggee', program, args: [out], console: 'internalConsole',
        breakglass: { incident: 'INC-2024-014' },
      });
    } finally {
      delete process.env.AWS_PROFILE;
    }
    assert.strictEqual(started, true, 'the launch was resolved and started');
    const got = await waitFor(() => fs.existsSync(out) && JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>, 30_000, 'the debuggee output');
    await ended;
    assert.deepStrictEqual(got, { key: s.accessKeyId, hasSecret: true, hasToken: true, profile: null, incident: 'INC-2024-014' });
    const after = launchJson && fs.existsSync(launchJson) ? fs.readFileSync(launchJson, 'utf8') : undefined;
    assert.strictEqual(after, before, 'launch.json untouched');
    assert.ok(!api.commands.log.recent().join('\n').includes(secret), 'no secret in the log');
    assert.ok(api.commands.log.recent().some((l) => l.includes('breakglass debuggee') && l.includes(s.id)), 'the launch is logged (without credentials)');
    const audit = fs.readFileSync(path.join(tmp, 'audit.jsonl'), 'utf8');
    assert.ok(audit.includes('"delivery":"debug"') && !audit.includes(secret));
  });

  it('a launch naming an incident without a live session does not start', async () => {
    const out = path.join(tmp, 'never.json');
    const started = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], {
      type: 'node', request: 'launch', name: 'no session', program: path.join(tmp, 'program.js'), args: [out], breakglass: { incident: 'INC-2024-999' },
    });
    assert.strictEqual(started, false);
    assert.ok(!fs.existsSync(out));
  });

  it('a breakglass task runs its command with the session in its environment (not on its command line)', async () => {
    const s = await elevate('INC-2024-016');
    assert.ok(s);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const out = path.join(tmp, 'task.json');
    const dotVscode = path.join(folder.uri.fsPath, '.vscode');
    const tasksJson = path.join(dotVscode, 'tasks.json');
    const existed = fs.existsSync(dotVscode);
    const script = path.join(tmp, 'task.js');
    fs.writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ key: process.env.AWS_ACCESS_KEY_ID, hasSecret: Boolean(process.env.AWS_SECRET_ACCESS_KEY) }));\n`);
    fs.mkdirSync(dotVscode, { recursive: true });
    fs.writeFileSync(tasksJson, JSON.stringify({ version: '2.0.0', tasks: [{ type: 'breakglass', label: 'bg task', command: `node ${script}`, incident: 'INC-2024-016' }] }));
    try {
      const task = await waitFor(async () => (await vscode.tasks.fetchTasks({ type: 'breakglass' })).find((t) => t.name === 'bg task'), 15_000, 'the task from tasks.json');
      const ended = new Promise<void>((resolve) => { const d = vscode.tasks.onDidEndTaskProcess(() => { d.dispose(); resolve(); }); });
      await vscode.tasks.executeTask(task);
      await ended;
      const got = await waitFor(() => fs.existsSync(out) && JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>, 15_000, 'the task output');
      assert.deepStrictEqual(got, { key: s.accessKeyId, hasSecret: true });
      const secret = api.commands.sessions.credentials(s.id)?.secretAccessKey ?? '';
      assert.ok(!fs.readFileSync(tasksJson, 'utf8').includes(secret), 'tasks.json untouched by credentials');
    } finally {
      if (existed) fs.rmSync(tasksJson, { force: true });
      else fs.rmSync(dotVscode, { recursive: true, force: true });
    }
  });

  it('Elevate in Several Accounts: one GetSessionToken, one AssumeRole per account, then re-elevation without a code', async () => {
    fake.reset();
    const args = {
      roleArns: [ROLE_ARN, 'arn:aws:iam::444455556666:role/BREAK-GLASS-IR-STAGING'], playbook: 'read_only_investigation',
      incidentId: 'INC-2024-017', justification: 'two accounts, one code', mfaSerial: MFA, tokenCode: String(nextCode++),
    };
    const r = await vscode.commands.executeCommand<{ ok: boolean; results: Array<{ ok: boolean; session?: Session }> }>('breakglass.elevateSeveral', args);
    assert.ok(r?.ok);
    assert.strictEqual(r.results.filter((x) => x.ok).length, 2);
    assert.strictEqual(fake.calls('GetSessionToken').length, 1);
    assert.strictEqual(fake.calls('AssumeRole').length, 2);
    assert.ok(fake.calls('AssumeRole').every((c) => !c.params.TokenCode));
    const live = api.commands.sessions.live().filter((x) => x.incidentId === 'INC-2024-017');
    assert.strictEqual(live.length, 2);
    fake.reset();
    const again = await vscode.commands.executeCommand<{ ok: boolean; mfaSession?: { reused: boolean } }>('breakglass.elevateSeveral', { ...args, roleArns: [ROLE_ARN], tokenCode: undefined });
    assert.ok(again?.ok && again.mfaSession?.reused);
    assert.strictEqual(fake.calls('GetSessionToken').length, 0);
    assert.strictEqual(fake.calls('AssumeRole').length, 1);
    // Revoking a derived session forgets the MFA session.
    await vscode.commands.executeCommand('breakglass.revokeSession', live[0].id, { aws: false });
    await waitFor(async () => (await api.commands.mfaSessions.info()) === undefined, 5000, 'the MFA session wiped');
  });

  it('Open AWS Console: one getSigninToken, the browser gets the URL, and the sign-in token reaches neither log nor audit', async () => {
    const s = await elevate('INC-2024-018');
    assert.ok(s);
    const signin = await startFakeSignin();
    process.env.BREAKGLASS_SIGNIN_ENDPOINT = signin.url;
    try {
      const opened = await vscode.commands.executeCommand<boolean>('breakglass.openConsole', s.id, { confirmed: true, destination: 's3/home' });
      assert.strictEqual(opened, true);
      assert.strictEqual(signin.requests.filter((r) => r.action === 'getSigninToken').length, 1);
      assert.strictEqual(signin.requests[0].method, 'POST');
      const [token] = [...signin.tokens.keys()];
      assert.ok(token);
      assert.ok(!api.commands.log.recent().join('\n').includes(token), 'no sign-in token in the log');
      const audit = fs.readFileSync(path.join(tmp, 'audit.jsonl'), 'utf8');
      assert.ok(audit.includes('"delivery":"console"') && !audit.includes(token));
      // A workspace value for the override is ignored: only user settings or the editor's environment count.
      await config().update('console.signinEndpoint', 'http://127.0.0.1:1', vscode.ConfigurationTarget.Workspace).then(() => undefined, () => undefined);
      const again = await vscode.commands.executeCommand<boolean>('breakglass.openConsole', s.id, { confirmed: true });
      assert.strictEqual(again, true);
      assert.strictEqual(signin.requests.filter((r) => r.action === 'getSigninToken').length, 2, 'still the environment\'s endpoint');
    } finally {
      delete process.env.BREAKGLASS_SIGNIN_ENDPOINT;
      await config().update('console.signinEndpoint', undefined, vscode.ConfigurationTarget.Workspace).then(() => undefined, () => undefined);
      await signin.close();
    }
  });

  it('breakglass credential-process (the CLI) gets a live session from this window\'s agent', async () => {
    const s = await elevate('INC-2024-019');
    assert.ok(s);
    await waitFor(() => api.commands.log.recent().some((l) => l.includes('session agent listening at')), 10_000, 'the session agent');
    const io = { ...memoryIO(), env: { ...process.env } };
    const code = await runCli(['credential-process', '--incident', 'INC-2024-019'], io);
    assert.strictEqual(code, 0, io.err());
    const out = JSON.parse(io.out()) as Record<string, unknown>;
    assert.strictEqual(out.AccessKeyId, s.accessKeyId);
    assert.strictEqual(out.SecretAccessKey, api.commands.sessions.credentials(s.id)?.secretAccessKey);
    await vscode.commands.executeCommand('breakglass.revokeSession', s.id, { aws: false });
    const io2 = { ...memoryIO(), env: { ...process.env } };
    assert.strictEqual(await runCli(['credential-process', '--incident', 'INC-2024-019'], io2), 1);
    assert.match(io2.err(), /^breakglass credential-process: no live break-glass session for incident INC-2024-019/);
  });

  it('with localEndpoint delivery, a terminal already open gets the re-elevated session\'s credentials at the same URL and token', async () => {
    await config().update('terminal.credentialDelivery', 'localEndpoint', vscode.ConfigurationTarget.Global);
    const first = await elevate('INC-2024-015');
    assert.ok(first);
    const terminal = await api.commands.openTerminal(first.id);
    const env = (terminal.creationOptions as vscode.TerminalOptions).env ?? {};
    const url = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    assert.ok(url && token, 'the terminal uses the loopback endpoint');
    assert.strictEqual(env.AWS_SECRET_ACCESS_KEY ?? null, null, 'no secret in the terminal environment');
    assert.strictEqual(JSON.parse((await get(url, token)).body).AccessKeyId, first.accessKeyId);

    // Re-elevate: the same role, playbook and incident (Re-elevate's answers, with a fresh MFA code given here).
    const second = await elevate('INC-2024-015');
    assert.ok(second && second.id !== first.id && second.accessKeyId !== first.accessKeyId);
    const r = await get(url, token);
    assert.strictEqual(r.status, 200);
    assert.strictEqual(JSON.parse(r.body).AccessKeyId, second.accessKeyId, 'the open terminal now gets the new session');
    // Revoking the old session does not cut the terminal that now follows the new one.
    await vscode.commands.executeCommand('breakglass.revokeSession', first.id, { aws: false });
    assert.strictEqual((await get(url, token)).status, 200);
    assert.ok(api.commands.terminals.terminals(second.id).includes(terminal), 'the terminal moved to the new session');
    terminal.dispose();
  });
});
