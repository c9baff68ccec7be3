import * as assert from 'assert';
import * as http from 'http';
import { spawnSync, spawn } from 'child_process';
import { fromHttp } from '@aws-sdk/credential-providers';
import { CredentialServer, followReElevations } from '../../../src/core/session/credentialServer';
import { SessionStore } from '../../../src/core/session/store';
import { applyEnvironment, terminalEnvironment } from '../../../src/core/session/terminal';
import { AwsClients } from '../../../src/core/aws/clients';
import { elevate, planElevation } from '../../../src/core/session/elevate';
import { resolvePlaybook } from '../../../src/core/playbooks';
import type { Session, SessionCredentials } from '../../../src/core/session/types';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';
import { FakeClock } from './fake-clock';

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function sessionFor(clock: FakeClock, minutes: number): { session: Session; credentials: SessionCredentials } {
  const expiresAt = new Date(clock.now() + minutes * 60_000).toISOString();
  return {
    session: {
      id: 'cs1', accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-X', roleName: 'BREAK-GLASS-X', playbook: 'p',
      incidentId: 'INC-9', justification: 'j', requester: 'a', sourceIdentity: 'a', roleSessionName: 'INC-9-a', issuedAt: new Date(clock.now()).toISOString(),
      expiresAt, tokenHash: 'ffffffffffffffff', accessKeyId: 'ASIAEXAMPLE', region: 'eu-west-1', state: 'active',
    },
    credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjTOKEN', expiration: expiresAt },
  };
}

describe('session/terminalEnvironment', () => {
  it('env delivery sets credentials, region, expiry and markers, and removes AWS_PROFILE (null)', () => {
    const { session, credentials } = sessionFor(new FakeClock(), 60);
    const env = terminalEnvironment(session, credentials);
    assert.strictEqual(env.AWS_ACCESS_KEY_ID, 'ASIAEXAMPLE');
    assert.strictEqual(env.AWS_SECRET_ACCESS_KEY, credentials.secretAccessKey);
    assert.strictEqual(env.AWS_SESSION_TOKEN, credentials.sessionToken);
    assert.strictEqual(env.AWS_REGION, 'eu-west-1');
    assert.strictEqual(env.AWS_DEFAULT_REGION, 'eu-west-1');
    assert.strictEqual(env.AWS_CREDENTIAL_EXPIRATION, session.expiresAt);
    assert.strictEqual(env.BREAKGLASS_SESSION, 'cs1');
    assert.strictEqual(env.BREAKGLASS_INCIDENT, 'INC-9');
    assert.strictEqual(env.AWS_PROFILE, null);
    assert.strictEqual(env.AWS_DEFAULT_PROFILE, null);
    const applied = applyEnvironment({ AWS_PROFILE: 'prod', PATH: '/bin' }, env);
    assert.ok(!('AWS_PROFILE' in applied));
    assert.strictEqual(applied.PATH, '/bin');
  });

  it('localEndpoint delivery puts no secret in the environment', () => {
    const { session, credentials } = sessionFor(new FakeClock(), 60);
    const env = terminalEnvironment(session, undefined, 'us-east-1', { url: 'http://127.0.0.1:1/creds/x', token: 'Bearer t' });
    const text = JSON.stringify(env);
    assert.ok(!text.includes(credentials.secretAccessKey) && !text.includes(credentials.sessionToken));
    assert.strictEqual(env.AWS_ACCESS_KEY_ID, null);
    assert.strictEqual(env.AWS_CONTAINER_CREDENTIALS_FULL_URI, 'http://127.0.0.1:1/creds/x');
    assert.strictEqual(env.AWS_CONTAINER_AUTHORIZATION_TOKEN, 'Bearer t');
  });
});

describe('session/CredentialServer', () => {
  let clock: FakeClock;
  let store: SessionStore;
  let server: CredentialServer;
  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    store = new SessionStore({ clock });
    server = await CredentialServer.start(store, { clock });
  });
  afterEach(async () => { store.dispose(); await server.close(); });

  it('serves container-format credentials to the right bearer token only', async () => {
    const { session, credentials } = sessionFor(clock, 60);
    await store.add(session, credentials);
    const ep = server.register('cs1');
    assert.match(ep.url, /^http:\/\/127\.0\.0\.1:\d+\/creds\/[\w-]{20,}$/);
    assert.strictEqual(server.register('cs1').url, ep.url, 'one endpoint per session');
    const ok = await get(ep.url, { Authorization: ep.token });
    assert.strictEqual(ok.status, 200);
    assert.deepStrictEqual(JSON.parse(ok.body), { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: credentials.secretAccessKey, Token: credentials.sessionToken, Expiration: credentials.expiration });
    assert.strictEqual((await get(ep.url)).status, 401);
    assert.strictEqual((await get(ep.url, { Authorization: 'Bearer wrong' })).status, 403);
    assert.strictEqual((await get(ep.url, { Authorization: ep.token + 'x' })).status, 403);
    assert.strictEqual((await get(ep.url.replace(/creds\/.*/, 'creds/nope'), { Authorization: ep.token })).status, 404);
    assert.strictEqual((await get(ep.url, { Authorization: ep.token }, 'POST')).status, 405);
    assert.strictEqual((await get(ep.url, { Authorization: ep.token, Host: 'evil.example:80' })).status, 403);
  });

  it('the AWS SDK container provider (fromHttp) reads it', async () => {
    const { session, credentials } = sessionFor(clock, 60);
    await store.add(session, credentials);
    const ep = server.register('cs1');
    const creds = await fromHttp({ awsContainerCredentialsFullUri: ep.url, awsContainerAuthorizationToken: ep.token })();
    assert.strictEqual(creds.secretAccessKey, credentials.secretAccessKey);
    assert.strictEqual(creds.sessionToken, credentials.sessionToken);
  });

  it('answers 410 once the session is revoked, or expired', async () => {
    const { session, credentials } = sessionFor(clock, 60);
    await store.add(session, credentials);
    const ep = server.register('cs1');
    await store.markRevoked('cs1');
    assert.strictEqual((await get(ep.url, { Authorization: ep.token })).status, 410);

    const s2 = sessionFor(clock, 60);
    s2.session.id = 'cs2';
    await store.add(s2.session, s2.credentials);
    const ep2 = server.register('cs2');
    assert.strictEqual((await get(ep2.url, { Authorization: ep2.token })).status, 200);
    clock.advance(61 * 60_000);
    assert.strictEqual(store.get('cs2')?.state, 'expired');
    assert.strictEqual((await get(ep2.url, { Authorization: ep2.token })).status, 410);
    server.unregister('cs2');
    assert.strictEqual((await get(ep2.url, { Authorization: ep2.token })).status, 410);
  });

  it('a re-elevation is served at the same URL and bearer token to a terminal already open, and survives the old session', async () => {
    const follow = followReElevations(server, store);
    try {
      const old = sessionFor(clock, 12);
      await store.add(old.session, old.credentials);
      const ep = server.register('cs1');
      const provider = fromHttp({ awsContainerCredentialsFullUri: ep.url, awsContainerAuthorizationToken: ep.token });
      assert.strictEqual((await provider()).accessKeyId, 'ASIAEXAMPLE');
      clock.advance(5 * 60_000);
      // Re-elevate: same role, incident, playbook and requester; new keys.
      const next = sessionFor(clock, 60);
      next.session.id = 'cs1-re';
      next.session.accessKeyId = 'ASIANEWSESSION';
      next.credentials = { ...next.credentials, accessKeyId: 'ASIANEWSESSION', secretAccessKey: 'NEWSECRETwJalrXUtnFEMI/K7MDENG/bPxRfiCYEX', sessionToken: 'IQoJb3JpZ2luX2VjNEWTOKEN' };
      await store.add(next.session, next.credentials);
      const r = await get(ep.url, { Authorization: ep.token });
      assert.strictEqual(r.status, 200);
      assert.deepStrictEqual(JSON.parse(r.body), { AccessKeyId: 'ASIANEWSESSION', SecretAccessKey: next.credentials.secretAccessKey, Token: next.credentials.sessionToken, Expiration: next.credentials.expiration });
      // The old session expiring (its 12 minutes run out) no longer closes the endpoint.
      clock.advance(8 * 60_000);
      assert.strictEqual(store.get('cs1')?.state, 'expired');
      server.unregister('cs1');
      assert.strictEqual((await get(ep.url, { Authorization: ep.token })).status, 200);
      // A session for another incident is not a re-elevation.
      const other = sessionFor(clock, 60);
      other.session.id = 'cs-other';
      other.session.incidentId = 'INC-10';
      await store.add(other.session, other.credentials);
      assert.strictEqual(JSON.parse((await get(ep.url, { Authorization: ep.token })).body).AccessKeyId, 'ASIANEWSESSION');
      // Revoking the new session ends the endpoint.
      await store.markRevoked('cs1-re');
      server.unregister('cs1-re');
      assert.strictEqual((await get(ep.url, { Authorization: ep.token })).status, 410);
    } finally {
      follow.dispose();
    }
  });
});

// End to end with a real AWS client: the AWS CLI (Debian's `awscli`, installed by .ci/run) and botocore's container
// credential provider. Not skipped when missing: a silent skip would hide that delivery was never proven.
describe('session/CredentialServer with the AWS CLI', function () {
  let fake: FakeAws;
  before(async function () {
    const aws = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    assert.strictEqual(aws.status, 0, 'the AWS CLI is needed for this test: apt-get install awscli');
    fake = await startFakeAws();
  });
  after(async () => { await fake?.close(); });

  it('aws sts get-caller-identity uses the break-glass session via AWS_CONTAINER_CREDENTIALS_FULL_URI', async function () {
    this.timeout(30_000);
    const clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', env: {}, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
    const store = new SessionStore();
    const server = await CredentialServer.start(store);
    try {
      const plan = planElevation({
        roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER', playbook: await resolvePlaybook({ kind: 'builtin', name: 'read_only_investigation' }, async () => ''),
        incidentId: 'INC-2024-100', justification: 'cli test', requester: 'carol', mfaSerial: 'arn:aws:iam::111122223333:mfa/carol', tokenCode: '909090', region: 'us-east-1',
      });
      assert.ok(plan.ok);
      const { session, credentials } = await elevate(plan.plan, { sts: clients.stsForMfa() });
      await store.add(session, credentials);
      const ep = server.register(session.id);
      const env = applyEnvironment({ PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'AKIASHOULDBEIGNORED', AWS_PROFILE: 'nope' },
        terminalEnvironment(session, undefined, 'us-east-1', ep));
      env.AWS_ENDPOINT_URL = fake.url;
      const run = (): Promise<{ code: number | null; out: string; err: string }> => new Promise((resolve) => {
        const child = spawn('aws', ['sts', 'get-caller-identity', '--output', 'json'], { env });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => resolve({ code, out, err }));
      });
      const r = await run();
      assert.strictEqual(r.code, 0, r.err);
      assert.match(JSON.parse(r.out).Arn, /^arn:aws:sts::111122223333:assumed-role\/BREAK-GLASS-INCIDENT_RESPONDER\/INC-2024-100-carol$/);
      const gci = fake.calls('GetCallerIdentity').pop();
      assert.strictEqual(gci?.accessKeyId, session.accessKeyId);

      await store.markRevoked(session.id);
      const after = await run();
      assert.notStrictEqual(after.code, 0, 'revoked session: the CLI can no longer get credentials');
    } finally {
      store.dispose();
      await server.close();
      clients.destroy();
    }
  });
});
