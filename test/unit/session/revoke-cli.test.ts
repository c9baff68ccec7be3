// `breakglass revoke` in-process against the local IAM endpoint: what the responder reads in the terminal for each
// revocation rule (see revoke.test.ts for the rules and the AWS pages they follow).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIO } from '../helpers/io';
import { startFakeAws, type FakeAws } from '../../support/fake-aws';

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
let awsNow = Date.parse('2031-03-04T05:06:07Z');

describe('cli revoke: the rules as the responder sees them', () => {
  let fake: FakeAws;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = async (...argv: string[]) => {
    const io = memoryIO();
    io.env = env;
    const status = await runCli(['revoke', '--role-arn', ROLE, ...argv], io);
    return { status, out: io.out(), err: io.err() };
  };
  const audit = () => fs.readFileSync(env.BREAKGLASS_AUDIT_LOG as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => { fake = await startFakeAws({ now: () => awsNow }); });
  after(async () => { await fake.close(); });
  beforeEach(() => {
    fake.reset();
    awsNow = Date.parse('2031-03-04T05:06:07Z');
    delete fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')?.inlinePolicies?.AWSRevokeOlderSessions;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-revoke-'));
    env = {
      AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: 'us-east-1', BREAKGLASS_AUDIT_LOG: path.join(dir, 'audit.jsonl'), HOME: dir,
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("says what was revoked by AWS's clock, and that the deny takes a few minutes", async () => {
    const r = await run();
    assert.strictEqual(r.status, 0, r.err);
    assert.strictEqual(r.out, 'Revoked in AWS: sessions of BREAK-GLASS-INCIDENT_RESPONDER issued before 2031-03-04T05:06:08Z are denied '
      + '(AWSRevokeOlderSessions created; AWS time 2031-03-04T05:06:07Z).\nIAM applies the deny within a few minutes (policy changes are '
      + 'eventually consistent), so a revoked session may keep working briefly.\n');
    assert.strictEqual(r.err, '');
    assert.deepStrictEqual(audit()[0].details, { revokedBefore: '2031-03-04T05:06:08Z', policyName: 'AWSRevokeOlderSessions', updated: false, awsTime: '2031-03-04T05:06:07Z', keptStatements: 0 });
  });

  it('a 200 that is not IAM\'s exits 1 and never prints "Revoked"', async () => {
    fake.setBehaviour('PutRolePolicy', { raw: '<html><body>Sign in to the guest network</body></html>' });
    const r = await run();
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.out, '');
    assert.ok(!/revoked/i.test(r.err.replace(/breakglass revoke/g, '')), r.err);
    assert.match(r.err, /^breakglass revoke: Not an answer from IAM: The answer to iam:PutRolePolicy from http:\/\/127\.0\.0\.1:\d+ is not IAM's/);
    assert.ok(!r.err.includes('guest network'), 'no server text in the terminal');
    const rec = audit()[0];
    assert.strictEqual(rec.event, 'revoked_aws');
    assert.match(String((rec.reason as { message: string }).message), /not IAM's/);
  });

  it('refuses --before in the future and warns on one older than the role\'s maximum session', async () => {
    const future = await run('--before', '2031-03-04T06:00:00Z');
    assert.strictEqual(future.status, 1);
    assert.match(future.err, /Cut-off in the future: 2031-03-04T06:00:00Z is later than AWS's current time 2031-03-04T05:06:07Z/);
    assert.strictEqual(fake.calls('PutRolePolicy').length, 0);
    // Epoch seconds are accepted like AWS accepts them; 9 h back on a role with an 8 h maximum revokes nothing alive.
    const old = await run('--before', String(awsNow / 1000 - 9 * 3600));
    assert.strictEqual(old.status, 0, old.err);
    assert.match(old.err, /^breakglass revoke: warning: 2031-03-03T20:06:07Z is more than 8 h \(the role's maximum session duration\)/);
    assert.match(old.out, /issued before 2031-03-03T20:06:07Z are denied/);
    assert.strictEqual((await run('--before', 'tomorrow')).status, 2);
  });

  it('an existing policy keeps its other statements, and the output says so', async () => {
    fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')!.inlinePolicies!.AWSRevokeOlderSessions = JSON.stringify({
      Version: '2012-10-17', Statement: [{ Sid: 'Keep', Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
    });
    const r = await run();
    assert.strictEqual(r.status, 0, r.err);
    assert.match(r.out, /\(AWSRevokeOlderSessions updated, 1 other statement\(s\) kept; AWS time/);
  });
});
