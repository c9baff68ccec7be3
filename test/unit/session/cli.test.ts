// `breakglass elevate | revoke | audit` in-process against the fake endpoint (AWS_ENDPOINT_URL), with fake base
// credentials in the environment.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { runCli } from '../../../src/cli/main';
import { memoryIO } from '../helpers/io';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const SERIAL = 'arn:aws:iam::111122223333:mfa/alice';
const BASE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('cli elevate / revoke / audit (fake AWS)', () => {
  let fake: FakeAws;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let code = 100000;
  const nextCode = () => String(++code).slice(-6);
  const args = (...extra: string[]) => ['elevate', '--role-arn', ROLE, '--playbook', 'read_only_investigation', '--incident', 'INC-2024-001',
    '--justification', 'Investigate GuardDuty finding', '--mfa-serial', SERIAL, '--requester', 'alice@example.com', ...extra];
  const run = async (argv: string[], input = '', tty = false) => {
    const io = memoryIO(input);
    io.env = env;
    io.isTTY = tty;
    const status = await runCli(argv, io);
    return { status, out: io.out(), err: io.err() };
  };

  before(async () => { fake = await startFakeAws(); });
  after(async () => { await fake.close(); });
  beforeEach(() => {
    fake.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-cli-'));
    env = {
      AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: BASE_SECRET, AWS_REGION: 'us-east-1',
      BREAKGLASS_AUDIT_LOG: path.join(dir, 'audit.jsonl'), HOME: dir,
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--json prints credential_process JSON after exactly one AssumeRole; audit has no secret', async () => {
    const mfa = nextCode();
    const r = await run(args('--token-code', mfa, '--json'));
    assert.strictEqual(r.status, 0, r.err);
    const out = JSON.parse(r.out);
    assert.deepStrictEqual(Object.keys(out), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.strictEqual(out.Version, 1);
    assert.match(out.AccessKeyId, /^ASIA/);
    // Who the caller is and the role's maximum are learned before the code is used; then exactly one AssumeRole.
    assert.deepStrictEqual(fake.requests.map((q) => q.action).slice(0, 2).sort(), ['GetCallerIdentity', 'GetRole']);
    assert.deepStrictEqual(fake.requests.map((q) => q.action).slice(2), ['AssumeRole']);
    assert.strictEqual(fake.calls('AssumeRole')[0].params.TokenCode, mfa);
    assert.strictEqual(fake.calls('AssumeRole')[0].params.DurationSeconds, '14400');
    assert.match(r.err, /Granted BREAK-GLASS-INCIDENT_RESPONDER for INC-2024-001/);
    const audit = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8');
    for (const secret of [out.SecretAccessKey, out.SessionToken, mfa, BASE_SECRET]) assert.ok(!audit.includes(secret), 'no secret in the audit log');
    assert.ok(!r.err.includes(out.SecretAccessKey) && !r.err.includes(mfa));
  });

  it('--export prints single-quoted export lines and unsets AWS_PROFILE', async () => {
    const r = await run(args('--token-code', nextCode(), '--export', '--duration', '1800'));
    assert.strictEqual(r.status, 0, r.err);
    assert.match(r.out, /^export AWS_ACCESS_KEY_ID='ASIA[A-Z0-9]{16}'$/m);
    assert.match(r.out, /^export AWS_SECRET_ACCESS_KEY='.{40}'$/m);
    assert.match(r.out, /^export AWS_SESSION_TOKEN='IQoJ/m);
    assert.match(r.out, /^export BREAKGLASS_INCIDENT='INC-2024-001'$/m);
    assert.match(r.out, /^unset AWS_PROFILE$/m);
    assert.strictEqual(fake.calls('AssumeRole')[0].params.DurationSeconds, '1800');
  });

  it('--exec runs the command with the session env and exits with its code', async () => {
    const r = await run(args('--token-code', nextCode(), '--exec', '--', process.execPath, '-e',
      'process.stdout.write(process.env.AWS_ACCESS_KEY_ID + " " + process.env.BREAKGLASS_INCIDENT + " " + (process.env.AWS_SECRET_ACCESS_KEY !== process.argv[1])); process.exit(7)'));
    assert.strictEqual(r.status, 7, r.err);
    assert.match(r.out, /^ASIA\w{16} INC-2024-001 true$/);
    const events = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    assert.deepStrictEqual(events, ['requested', 'granted', 'terminal_opened']);
  });

  it('prompts for the MFA code on a TTY; without a TTY and --token-code it is a usage error', async () => {
    const ok = await run(args('--json'), `${nextCode()}\n`, true);
    assert.strictEqual(ok.status, 0, ok.err);
    assert.match(ok.err, /MFA code for arn:aws:iam::111122223333:mfa\/alice \(to assume BREAK-GLASS-INCIDENT_RESPONDER\): /);
    const events = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    assert.deepStrictEqual(events, ['requested', 'granted'], 'one requested record, written once the code is typed');
    // A bad incident ID is reported before anyone is asked for a code.
    const early = await run(['elevate', '--role-arn', ROLE, '--playbook', 'read_only_investigation', '--incident', 'oops', '--justification', 'x', '--mfa-serial', SERIAL, '--json'], '', true);
    assert.strictEqual(early.status, 2);
    assert.doesNotMatch(early.err, /MFA code for/);
    const bad = await run(args('--json'));
    assert.strictEqual(bad.status, 2);
    assert.match(bad.err, /no terminal to ask on: pass --token-code - \(one line on stdin\) or set BREAKGLASS_MFA_CODE/);
    assert.strictEqual(fake.calls('AssumeRole').length, 1);
  });

  it('pre-flight problems exit 2 without calling AWS; AWS refusals exit 1 with a translated message', async () => {
    const pre = await run(['elevate', '--role-arn', ROLE, '--playbook', 'read_only_investigation', '--incident', 'oops', '--justification', 'x', '--mfa-serial', SERIAL, '--token-code', '12', '--json']);
    assert.strictEqual(pre.status, 2);
    assert.match(pre.err, /incidentId: .*e\.g\. INC-2024-001/);
    assert.match(pre.err, /tokenCode: .*6 digits/);
    assert.strictEqual(fake.requests.length, 0);
    const used = nextCode();
    assert.strictEqual((await run(args('--token-code', used, '--json'))).status, 0);
    const again = await run(args('--token-code', used, '--json'));
    assert.strictEqual(again.status, 1);
    assert.match(again.err, /MFA code rejected: .*next code/);
    assert.strictEqual((await run(args('--json'))).status, 2, 'no output mode conflict: missing token');
    assert.match((await run(args('--token-code', nextCode()))).err, /choose exactly one output/);
  });

  it('the MFA code never needs the command line: one line on stdin (--token-code -) or BREAKGLASS_MFA_CODE', async () => {
    const fromStdin = nextCode();
    const r1 = await run(args('--token-code', '-', '--json'), `${fromStdin}\n`);
    assert.strictEqual(r1.status, 0, r1.err);
    assert.strictEqual(fake.calls('AssumeRole')[0].params.TokenCode, fromStdin);
    assert.ok(!r1.err.includes(fromStdin), 'not echoed');
    const fromEnv = nextCode();
    env.BREAKGLASS_MFA_CODE = fromEnv;
    const r2 = await run(args('--json'));
    assert.strictEqual(r2.status, 0, r2.err);
    assert.strictEqual(fake.calls('AssumeRole')[1].params.TokenCode, fromEnv);
    const audit = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8');
    assert.ok(!audit.includes(fromStdin) && !audit.includes(fromEnv));
  });

  it('the requester defaults to the caller identity (sts:GetCallerIdentity), not the OS user', async () => {
    env.USER = 'os-user';
    const r = await run(['elevate', '--role-arn', ROLE, '--playbook', 'read_only_investigation', '--incident', 'INC-2024-001',
      '--justification', 'who am I', '--mfa-serial', SERIAL, '--token-code', nextCode(), '--json']);
    assert.strictEqual(r.status, 0, r.err);
    assert.strictEqual(fake.calls('AssumeRole')[0].params.SourceIdentity, 'alice');
    const recs = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(recs.map((x) => x.requester), ['alice', 'alice']);
  });

  it('environment session tokens of a role session (role chaining) cap the session at 1 h before the code is used', async () => {
    env.AWS_SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLETOKEN';
    fake.setCaller('arn:aws:sts::111122223333:assumed-role/jump-role/alice');
    const r = await run(args('--token-code', nextCode(), '--json', '--duration', '7200'));
    assert.strictEqual(r.status, 0, r.err);
    assert.strictEqual(fake.calls('AssumeRole')[0].params.DurationSeconds, '3600');
    assert.match(r.err, /note: .*role chaining/);
  });

  it('a duration above the role maximum is clamped before the code is sent (iam:GetRole)', async () => {
    fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!.maxSessionDuration = 3600;
    try {
      const r = await run(args('--token-code', nextCode(), '--json', '--duration', '14400'));
      assert.strictEqual(r.status, 0, r.err);
      assert.strictEqual(fake.calls('AssumeRole')[0].params.DurationSeconds, '3600');
      assert.match(r.err, /note: Duration clamped from 4 h to 1 h: the role's MaxSessionDuration is 1 h/);
    } finally {
      fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!.maxSessionDuration = 28800;
    }
  });

  it('an audit log that cannot be written stops before the code is used, also with --token-code', async () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, 'not a directory');
    const r = await run(args('--token-code', nextCode(), '--json', '--audit-log', path.join(blocker, 'audit.jsonl')));
    assert.strictEqual(r.status, 2);
    assert.match(r.err, /auditLog: The audit log .* cannot be written \(E[A-Z]+\).*No MFA code was used/);
    assert.deepStrictEqual(fake.calls('AssumeRole'), []);
    assert.strictEqual(r.out, '');
  });

  it('a silent endpoint does not keep the CLI waiting: --timeout, then failed (not "Granted")', async () => {
    fake.setBehaviour('AssumeRole', 'ok', { delayMs: 120_000 });
    const r = await run(args('--token-code', nextCode(), '--json', '--timeout', '1'));
    assert.strictEqual(r.status, 1);
    assert.match(r.err, /AWS did not answer in time: STS did not answer AssumeRole within 1 s.*AWS may have issued a session/);
    assert.doesNotMatch(r.err, /Granted/);
    assert.strictEqual(r.out, '');
    const recs = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(recs.map((x) => x.event), ['requested', 'failed']);
    assert.strictEqual(recs[1].details.mayHaveIssued, true);
  });

  it('Ctrl-C (SIGINT) during the STS call writes a failed record saying AWS may have issued a session', async function () {
    this.timeout(60_000);
    fake.setBehaviour('AssumeRole', 'ok', { delayMs: 120_000 });
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, '../../../src/cli/main.ts'), ...args('--token-code', nextCode(), '--json')],
      { env: { ...process.env, ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // Interrupt once the request is at the endpoint: a state, not a time.
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (fake.calls('AssumeRole').length) { clearInterval(t); resolve(); } }, 10); });
    child.kill('SIGINT');
    assert.strictEqual(await exited, 130, err);
    assert.match(err, /Cancelled while STS was answering\. The request had left: AWS may have issued a session/);
    const recs = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(recs.map((x) => [x.event, x.reason?.code]), [['requested', undefined], ['failed', 'Aborted']]);
    assert.match(recs[1].reason.message, /AWS may have issued a session/);
  });

  it('server error text is stripped of control characters before it reaches the terminal', async () => {
    fake.setBehaviour('AssumeRole', { status: 400, code: 'Weird\u001b[31m', message: 'bad\u001b]0;owned\u0007 thing\r\nmore' });
    const r = await run(args('--token-code', nextCode(), '--json'));
    assert.strictEqual(r.status, 1);
    assert.match(r.err, /bad/);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(r.err), JSON.stringify(r.err));
  });

  it('revoke puts AWSRevokeOlderSessions and audits it; AccessDenied exits 1 with advice', async () => {
    const r = await run(['revoke', '--role-arn', ROLE]);
    assert.strictEqual(r.status, 0, r.err);
    assert.match(r.out, /issued before \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z are denied/);
    assert.deepStrictEqual(fake.requests.map((q) => q.action), ['GetRolePolicy', 'PutRolePolicy']);
    fake.setBehaviour('PutRolePolicy', 'accessDenied');
    const denied = await run(['revoke', '--role-arn', ROLE]);
    assert.strictEqual(denied.status, 1);
    assert.match(denied.err, /Cannot revoke in AWS: .*IAM console/);
    const recs = fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(recs.map((x) => [x.event, Boolean(x.reason)]), [['revoked_aws', false], ['revoked_aws', true]]);
    assert.strictEqual((await run(['revoke', '--role-arn', ROLE, '--before', 'yesterday'])).status, 2);
  });

  it('audit summarises the same log as Markdown and JSON', async () => {
    await run(args('--token-code', nextCode(), '--json'));
    await run(['elevate', '--role-arn', ROLE, '--playbook', 'containment_actions', '--incident', 'INC-2024-002', '--justification', 'contain',
      '--mfa-serial', SERIAL, '--requester', 'bob', '--token-code', nextCode(), '--json']);
    const md = await run(['audit']);
    assert.strictEqual(md.status, 0, md.err);
    assert.match(md.out, /\| 2 \| 2 \| 0 \| 0 \| 0 \|/);
    const js = await run(['audit', '--json', '--incident', 'INC-2024-002', '--since', '2000-01-01']);
    const s = JSON.parse(js.out);
    assert.strictEqual(s.totalSessions, 1);
    assert.deepStrictEqual(s.requesters, { bob: 1 });
    assert.strictEqual((await run(['audit', '--since', 'last week'])).status, 2);
  });
});
