// The session agent (a private unix socket of the editor) with the CLI commands that use it: credential-process and
// console, and the credential_process profile that "Write AWS Profile" writes — proven with the real AWS CLI.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { runCli } from '../../../src/cli/main';
import { SessionAgent, ensurePrivateDir } from '../../../src/core/session/agent';
import { profileSection, upsertProfile, writeProfile } from '../../../src/core/session/profile';
import { SessionStore } from '../../../src/core/session/store';
import type { Session, SessionCredentials } from '../../../src/core/session/types';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { startFakeSignin, type FakeSignin } from '../../support/fake-signin';
import { memoryIO } from '../helpers/io';

function sessionFor(id: string, incidentId: string, roleName: string, minutes = 60): { session: Session; credentials: SessionCredentials } {
  const expiresAt = new Date(Date.now() + minutes * 60_000).toISOString();
  const key = `ASIA${id.toUpperCase().padEnd(16, 'X')}`;
  return {
    session: {
      id, accountId: '111122223333', roleArn: `arn:aws:iam::111122223333:role/${roleName}`, roleName, playbook: 'read_only_investigation',
      incidentId, justification: 'j', requester: 'alice', sourceIdentity: 'alice', roleSessionName: `${incidentId}-alice`, issuedAt: new Date().toISOString(),
      expiresAt, tokenHash: 'ffffffffffffffff', accessKeyId: key, region: 'eu-west-1', state: 'active',
    },
    credentials: { accessKeyId: key, secretAccessKey: `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${id}SECRET`.slice(0, 40), sessionToken: `IQoJb3JpZ2luX2Vj${id}TOKEN`, expiration: expiresAt },
  };
}

describe('session/agent + CLI credential-process and console', () => {
  let dir: string;
  let store: SessionStore;
  let agent: SessionAgent;
  let handouts: string[];
  let opened: Array<{ id: string; destination?: string }>;
  const env = (): NodeJS.ProcessEnv => ({ BREAKGLASS_AGENT_DIR: path.join(dir, 'run') });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-agent-'));
    store = new SessionStore();
    handouts = [];
    opened = [];
    agent = await SessionAgent.start({
      live: () => store.live(), credentials: (id) => store.credentials(id),
      onHandout: (s) => handouts.push(s.id),
      openConsole: async (id, destination) => { opened.push({ id, destination }); },
    }, { dir: path.join(dir, 'run') });
  });
  afterEach(async () => {
    await agent.close();
    store.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the socket lives in a 0700 directory and is 0600', () => {
    assert.strictEqual(fs.statSync(path.join(dir, 'run')).mode & 0o777, 0o700);
    assert.strictEqual(fs.statSync(agent.socketPath).mode & 0o777, 0o600);
  });

  it('a group- or world-readable directory is made private; a symlink is refused', async () => {
    const loose = path.join(dir, 'loose');
    fs.mkdirSync(loose, { mode: 0o755 });
    fs.chmodSync(loose, 0o755);
    await ensurePrivateDir(loose);
    assert.strictEqual(fs.statSync(loose).mode & 0o777, 0o700);
    const link = path.join(dir, 'link');
    fs.symlinkSync(loose, link);
    await assert.rejects(ensurePrivateDir(link), /not a directory \(a symlink\?\)/);
  });

  it('credential-process prints the credential_process JSON of the live session of an incident', async () => {
    const a = sessionFor('s1', 'INC-1', 'BREAK-GLASS-IR');
    await store.add(a.session, a.credentials);
    const io = { ...memoryIO(), env: env() };
    const code = await runCli(['credential-process', '--incident', 'INC-1'], io);
    assert.strictEqual(code, 0, io.err());
    assert.deepStrictEqual(JSON.parse(io.out()), { Version: 1, AccessKeyId: a.credentials.accessKeyId, SecretAccessKey: a.credentials.secretAccessKey, SessionToken: a.credentials.sessionToken, Expiration: a.credentials.expiration });
    assert.deepStrictEqual(handouts, ['s1']);
  });

  it('fails with exactly one clear line: no live session, several sessions, no editor', async () => {
    let io = { ...memoryIO(), env: env() };
    assert.strictEqual(await runCli(['credential-process', '--incident', 'INC-9'], io), 1);
    assert.strictEqual(io.out(), '');
    assert.match(io.err(), /^breakglass credential-process: no live break-glass session for incident INC-9; elevate in the editor first\n$/);

    await store.add(sessionFor('s1', 'INC-1', 'ROLE-A').session, sessionFor('s1', 'INC-1', 'ROLE-A').credentials);
    await store.add(sessionFor('s2', 'INC-1', 'ROLE-B').session, sessionFor('s2', 'INC-1', 'ROLE-B').credentials);
    io = { ...memoryIO(), env: env() };
    assert.strictEqual(await runCli(['credential-process', '--incident', 'INC-1'], io), 1);
    assert.match(io.err(), /^breakglass credential-process: 2 live sessions for incident INC-1 \(ROLE-A, ROLE-B\); add --role NAME or use --session ID\n$/);
    io = { ...memoryIO(), env: env() };
    assert.strictEqual(await runCli(['credential-process', '--incident', 'INC-1', '--role', 'ROLE-B'], io), 0);
    assert.strictEqual(JSON.parse(io.out()).AccessKeyId, sessionFor('s2', 'INC-1', 'ROLE-B').credentials.accessKeyId);

    await store.markRevoked('s2');
    io = { ...memoryIO(), env: env() };
    assert.strictEqual(await runCli(['credential-process', '--session', 's2'], io), 1, 'a revoked session is not handed out');
    assert.strictEqual(io.err().split('\n').filter(Boolean).length, 1);

    io = { ...memoryIO(), env: { BREAKGLASS_AGENT_DIR: path.join(dir, 'nobody-here') } };
    assert.strictEqual(await runCli(['credential-process', '--incident', 'INC-1'], io), 1);
    assert.match(io.err(), /^breakglass credential-process: no editor with Break Glass is running/);
  });

  it('console asks the editor to open it (the URL never crosses the socket); --print signs in here', async () => {
    const a = sessionFor('s1', 'INC-1', 'BREAK-GLASS-IR');
    await store.add(a.session, a.credentials);
    let io = { ...memoryIO(), env: env() };
    assert.strictEqual(await runCli(['console', '--session', 's1', '--destination', 's3/home'], io), 0, io.err());
    assert.deepStrictEqual(opened, [{ id: 's1', destination: 's3/home' }]);
    assert.strictEqual(io.out(), '');

    const signin: FakeSignin = await startFakeSignin();
    try {
      io = { ...memoryIO(), env: { ...env(), BREAKGLASS_SIGNIN_ENDPOINT: signin.url } };
      assert.strictEqual(await runCli(['console', '--incident', 'INC-1', '--print'], io), 0, io.err());
      const u = new URL(io.out().trim());
      assert.strictEqual(u.searchParams.get('Action'), 'login');
      assert.ok(signin.tokens.has(u.searchParams.get('SigninToken') ?? ''));
      assert.match(io.err(), /does not sign the console out/);
      assert.ok(!io.err().includes(u.searchParams.get('SigninToken') ?? '-'), 'the URL goes to stdout only');
      // A non-loopback override is refused before any credential is sent.
      io = { ...memoryIO(), env: { ...env(), BREAKGLASS_SIGNIN_ENDPOINT: 'https://signin.example.org' } };
      const before = signin.requests.length;
      assert.strictEqual(await runCli(['console', '--incident', 'INC-1', '--print'], io), 1);
      assert.match(io.err(), /loopback/);
      assert.strictEqual(signin.requests.length, before);
    } finally {
      await signin.close();
    }
  });
});

describe('session/profile: Write AWS Profile', () => {
  it('adds or replaces only its own section, with no secret in it', () => {
    const section = profileSection({ name: 'breakglass-INC-1', command: ['/opt/my tools/node', '/x/cli.js'], incidentId: 'INC-1', role: 'BREAK-GLASS-IR', region: 'eu-west-1' });
    assert.deepStrictEqual(section.slice(2), ['credential_process = "/opt/my tools/node" /x/cli.js credential-process --incident INC-1 --role BREAK-GLASS-IR', 'region = eu-west-1']);
    const original = '[default]\nregion = us-east-1\n\n[profile other]\nrole_arn = arn:aws:iam::1:role/x\n';
    const added = upsertProfile(original, 'breakglass-INC-1', section);
    assert.ok(added.startsWith(original.trimEnd()));
    assert.ok(added.includes('[profile breakglass-INC-1]'));
    const replaced = upsertProfile(added.replace('region = eu-west-1', 'region = ap-south-1\nextra = 1'), 'breakglass-INC-1', section);
    assert.strictEqual(replaced.match(/\[profile breakglass-INC-1\]/g)?.length, 1);
    assert.ok(!replaced.includes('ap-south-1') && !replaced.includes('extra = 1'));
    assert.ok(replaced.includes('[profile other]\nrole_arn = arn:aws:iam::1:role/x'));
    assert.throws(() => profileSection({ name: 'bad]name', command: ['breakglass'], incidentId: 'INC-1' }), /not a usable profile name/);
  });
});

// End to end: the real AWS CLI reads the written profile, runs credential-process, gets the session from the agent and
// signs its call with it. Not skipped when `aws` is missing (a silent skip would hide that it was never proven).
describe('session/agent with the AWS CLI and a written credential_process profile', function () {
  this.timeout(60_000);
  let fake: FakeAws;
  let dir: string;
  before(async () => {
    fake = await startFakeAws();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-profile-'));
  });
  after(async () => { await fake.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('aws sts get-caller-identity --profile breakglass-INC-1 is signed with the live session; fails once it is revoked', async () => {
    const store = new SessionStore();
    const agent = await SessionAgent.start({ live: () => store.live(), credentials: (id) => store.credentials(id) }, { dir: path.join(dir, 'run') });
    try {
      const a = sessionFor('e2e', 'INC-1', 'BREAK-GLASS-IR');
      await store.add(a.session, a.credentials);
      const config = path.join(dir, 'aws', 'config');
      const cli = [process.execPath, '-r', require.resolve('tsx/cjs'), path.resolve(__dirname, '../../../src/cli/main.ts')];
      await writeProfile(config, { name: 'breakglass-INC-1', command: cli, incidentId: 'INC-1', region: 'us-east-1' });
      assert.ok(!fs.readFileSync(config, 'utf8').includes(a.credentials.secretAccessKey));
      const env = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'), AWS_ENDPOINT_URL: fake.url, BREAKGLASS_AGENT_DIR: path.join(dir, 'run') };
      const run = (): Promise<{ code: number | null; err: string }> => new Promise((resolve) => {
        const child = spawn('aws', ['sts', 'get-caller-identity', '--profile', 'breakglass-INC-1', '--endpoint-url', fake.url], { env });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        child.stdout.resume();
        child.on('close', (code) => resolve({ code, err }));
      });
      const r = await run();
      assert.strictEqual(r.code, 0, r.err);
      assert.strictEqual(fake.calls('GetCallerIdentity').pop()?.accessKeyId, a.credentials.accessKeyId);
      await store.markRevoked('e2e');
      const after = await run();
      assert.notStrictEqual(after.code, 0);
      assert.match(after.err, /no live break-glass session/);
    } finally {
      await agent.close();
      store.dispose();
    }
  });
});
