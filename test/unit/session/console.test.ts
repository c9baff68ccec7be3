// Console sign-in against a local endpoint speaking the federation API's JSON (test/support/fake-signin.ts).
// AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html
// (getSigninToken, SessionDuration 900–43200 for AssumeRole credentials, login with Destination and SigninToken);
// switch-role links: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html
import * as assert from 'assert';
import {
  CONSOLE_MAX_SESSION, CONSOLE_MIN_SESSION, consoleDestination, consoleSessionDuration, consoleSignIn, signinBase, switchRoleUrl,
} from '../../../src/core/session/console';
import { BreakGlassError } from '../../../src/core/aws/errors';
import { startFakeSignin, type FakeSignin } from '../../support/fake-signin';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const creds = { accessKeyId: 'ASIAFEDERATIONTEST01', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLETOKEN', expiration: '2024-05-01T14:00:00Z' };
const session = (roleArn: string, region: string, minutes = 120, playbook = 'read_only_investigation') => ({
  roleArn, region, playbook, incidentId: 'INC-7', state: 'active' as const, expiresAt: new Date(NOW + minutes * 60_000).toISOString(),
});

describe('session/console: federation sign-in', () => {
  let fake: FakeSignin;
  before(async () => { fake = await startFakeSignin(); });
  after(() => fake.close());
  beforeEach(() => { fake.requests.length = 0; fake.chainedKeys.clear(); });

  for (const [partition, arn, region, host, consoleHost] of [
    ['aws', 'arn:aws:iam::111122223333:role/BREAK-GLASS-IR', 'eu-west-1', 'https://signin.aws.amazon.com', 'eu-west-1.console.aws.amazon.com'],
    ['aws-us-gov', 'arn:aws-us-gov:iam::111122223333:role/BREAK-GLASS-IR', 'us-gov-west-1', 'https://signin.amazonaws-us-gov.com', 'us-gov-west-1.console.amazonaws-us-gov.com'],
    ['aws-cn', 'arn:aws-cn:iam::111122223333:role/BREAK-GLASS-IR', 'cn-north-1', 'https://signin.amazonaws.cn', 'cn-north-1.console.amazonaws.cn'],
  ] as const) {
    it(`${partition}: one getSigninToken POST with the session JSON, then a login URL to ${consoleHost}`, async () => {
      assert.strictEqual(signinBase(partition), host);
      const link = await consoleSignIn({ session: session(arn, region), credentials: creds, signinEndpoint: fake.url, now: NOW, issuer: 'Break Glass test' });
      assert.strictEqual(fake.requests.length, 1);
      const r = fake.requests[0];
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.action, 'getSigninToken');
      assert.strictEqual(r.sessionInUrl, false, 'credentials must not be in the request line');
      assert.deepStrictEqual(JSON.parse(r.params.Session), { sessionId: creds.accessKeyId, sessionKey: creds.secretAccessKey, sessionToken: creds.sessionToken });
      assert.strictEqual(r.params.SessionDuration, '7200');
      const u = new URL(link.url);
      assert.strictEqual(`${u.origin}${u.pathname}`, `${fake.url}/federation`);
      assert.strictEqual(u.searchParams.get('Action'), 'login');
      assert.strictEqual(u.searchParams.get('Issuer'), 'Break Glass test');
      assert.ok(fake.tokens.has(u.searchParams.get('SigninToken') ?? ''), 'the token the endpoint issued');
      const dest = new URL(u.searchParams.get('Destination') ?? '');
      assert.strictEqual(dest.hostname, consoleHost);
      assert.strictEqual(dest.searchParams.get('region'), region);
      assert.ok(dest.pathname.startsWith('/cloudtrailv2/'), 'read-only investigation lands on CloudTrail');
      assert.ok(!link.url.includes(creds.secretAccessKey) && !link.url.includes(encodeURIComponent(creds.secretAccessKey)), 'the login URL carries only the sign-in token');
    });
  }

  it('a chained session (temporary base credentials) is sent without SessionDuration, which AWS refuses for it', async () => {
    fake.chainedKeys.add(creds.accessKeyId);
    const link = await consoleSignIn({ session: session('arn:aws:iam::111122223333:role/R', 'us-east-1'), credentials: creds, kind: 'chained', signinEndpoint: fake.url, now: NOW });
    assert.strictEqual(fake.requests[0].params.SessionDuration, undefined);
    assert.strictEqual(link.sessionDurationSeconds, undefined);
    // And the refusal, had it been sent, is translated into one sentence (not raw server text).
    await assert.rejects(
      consoleSignIn({ session: session('arn:aws:iam::111122223333:role/R', 'us-east-1'), credentials: creds, kind: 'role', signinEndpoint: fake.url, now: NOW }),
      (e: unknown) => e instanceof BreakGlassError && e.translated.title === 'Console sign-in refused' && !/syntactically/.test(e.translated.message));
  });

  it('kind unknown: a SessionDuration refusal (a chained session) is asked again once without it', async () => {
    fake.chainedKeys.add(creds.accessKeyId);
    const link = await consoleSignIn({ session: session('arn:aws:iam::111122223333:role/R', 'us-east-1'), credentials: creds, signinEndpoint: fake.url, now: NOW });
    assert.deepStrictEqual(fake.requests.map((r) => r.params.SessionDuration), ['7200', undefined]);
    assert.strictEqual(link.sessionDurationSeconds, undefined);
    assert.ok(fake.tokens.has(new URL(link.url).searchParams.get('SigninToken') ?? ''));
  });

  it('an ended session is refused before anything is sent', async () => {
    await assert.rejects(consoleSignIn({ session: session('arn:aws:iam::111122223333:role/R', 'us-east-1', -1), credentials: creds, signinEndpoint: fake.url, now: NOW }), /has ended/);
    assert.strictEqual(fake.requests.length, 0);
  });

  it('the destination can be overridden by a path or a console URL of the same partition, never another host', () => {
    assert.strictEqual(consoleDestination('aws', 'eu-west-1', 'x', 's3/home'), 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1');
    assert.strictEqual(consoleDestination('aws', 'eu-west-1', 'x'), 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
    assert.strictEqual(consoleDestination('aws', 'eu-west-1', 'containment_actions'), 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:');
    assert.strictEqual(consoleDestination('aws', 'eu-west-1', 'x', 'https://eu-west-1.console.aws.amazon.com/guardduty/home'), 'https://eu-west-1.console.aws.amazon.com/guardduty/home');
    assert.throws(() => consoleDestination('aws', 'eu-west-1', 'x', 'https://evil.example.com/'), /must be on console\.aws\.amazon\.com/);
    assert.throws(() => consoleDestination('aws-cn', 'cn-north-1', 'x', 'https://console.aws.amazon.com/'), /console\.amazonaws\.cn/);
  });

  it('the sign-in endpoint override accepts only loopback addresses (a setting cannot send credentials elsewhere)', () => {
    assert.strictEqual(signinBase('aws', 'http://127.0.0.1:9/'), 'http://127.0.0.1:9');
    assert.throws(() => signinBase('aws', 'https://signin.evil.example/'), /loopback/);
    assert.throws(() => signinBase('aws', 'http://10.0.0.1:80'), /loopback/);
  });
});

describe('session/console: SessionDuration bounds (AssumeRole credentials: 900–43200 s)', () => {
  it('follows the session\'s remaining time inside AWS\'s bounds', () => {
    assert.deepStrictEqual(consoleSessionDuration('role', 7200.7).seconds, 7200);
    assert.strictEqual(consoleSessionDuration('role', 50_000).seconds, CONSOLE_MAX_SESSION);
    assert.strictEqual(consoleSessionDuration('role', 900).seconds, CONSOLE_MIN_SESSION);
  });
  it('under 15 minutes left: 900 s, and says the console outlives the session', () => {
    const d = consoleSessionDuration('role', 300);
    assert.strictEqual(d.seconds, 900);
    assert.match(d.notes[0], /up to 10 min after the session ends/);
  });
  it('chained sessions get none', () => {
    assert.strictEqual(consoleSessionDuration('chained', 3000).seconds, undefined);
  });
});

describe('session/console: switch-role links', () => {
  it('account, role with its path, display name = incident, colour by risk, per partition', () => {
    const u = new URL(switchRoleUrl('arn:aws:iam::111122223333:role/incident/BREAK-GLASS-IR', 'INC-7', 'high'));
    assert.strictEqual(`${u.origin}${u.pathname}`, 'https://signin.aws.amazon.com/switchrole');
    assert.strictEqual(u.searchParams.get('account'), '111122223333');
    assert.strictEqual(u.searchParams.get('roleName'), 'incident/BREAK-GLASS-IR');
    assert.strictEqual(u.searchParams.get('displayName'), 'INC-7');
    assert.strictEqual(u.searchParams.get('color'), 'F2B0A9');
    assert.strictEqual(new URL(switchRoleUrl('arn:aws:iam::111122223333:role/R', 'INC-7', 'low')).searchParams.get('roleName'), 'R');
    assert.strictEqual(new URL(switchRoleUrl('arn:aws:iam::111122223333:role/R', 'INC-7', 'low')).searchParams.get('color'), '99BCE3');
    assert.ok(switchRoleUrl('arn:aws-us-gov:iam::111122223333:role/R', 'INC-7').startsWith('https://signin.amazonaws-us-gov.com/switchrole?'));
    assert.ok(switchRoleUrl('arn:aws-cn:iam::111122223333:role/R', 'INC-7').startsWith('https://signin.amazonaws.cn/switchrole?'));
    assert.throws(() => switchRoleUrl('arn:aws:iam::111122223333:user/alice', 'x'), /not an IAM role ARN/);
  });
});
