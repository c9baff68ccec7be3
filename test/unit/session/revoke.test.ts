// Revocation in AWS (AWSRevokeOlderSessions) against the local IAM endpoint, one test per rule.
//
// The policy's shape is the IAM console's "Revoke active sessions" one:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
// (a single Statement object, "Action": "*", "Resource": "*", DateLessThan on aws:TokenIssueTime; newer consoles
// write milliseconds, e.g. 2024-10-10T09:43:48.085Z). Date condition values are W3C ISO 8601 forms or epoch seconds:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
// IAM answers are XML in the https://iam.amazonaws.com/doc/2010-05-08/ namespace with a RequestId:
//   https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html (Examples)
// and policy changes take a few minutes to apply:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html
import * as assert from 'assert';
import { BreakGlassError } from '../../../src/core/aws/errors';
import {
  existingRevokeDate, isoSeconds, MAX_FUTURE_SKEW_MS, parseCutoff, parseRevokePolicy, revokeInAws, revokeSession, REVOKE_POLICY_NAME,
} from '../../../src/core/session/revoke';
import { SessionStore } from '../../../src/core/session/store';
import { MemorySecretStore } from '../../../src/core/session/types';
import { AwsClients } from '../../../src/core/aws/clients';
import { TEST_CREDS, useFakeAws } from '../helpers/aws';
import { FakeClock } from './fake-clock';

const ROLE_NAME = 'BREAK-GLASS-INCIDENT_RESPONDER';
const ROLE = `arn:aws:iam::111122223333:role/${ROLE_NAME}`;
const H = 3600_000;

// AWS's clock, years away from the workstation's, so a test can tell which one was used.
let awsNow = Date.parse('2031-03-04T05:06:07.400Z');

describe('session/revoke (AWSRevokeOlderSessions) against the local IAM endpoint', () => {
  const aws = useFakeAws({ now: () => awsNow });
  beforeEach(() => {
    awsNow = Date.parse('2031-03-04T05:06:07.400Z');
    delete aws.fake.roles.get(ROLE_NAME)?.inlinePolicies?.[REVOKE_POLICY_NAME];
  });

  const stored = () => JSON.parse(aws.fake.roles.get(ROLE_NAME)?.inlinePolicies?.[REVOKE_POLICY_NAME] ?? 'null');
  const existing = (doc: unknown) => { aws.fake.roles.get(ROLE_NAME)!.inlinePolicies![REVOKE_POLICY_NAME] = JSON.stringify(doc); };
  const consoleStatement = (cut: unknown) => ({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cut } } });
  const cutoffOf = () => stored().Statement.at(-1).Condition.DateLessThan['aws:TokenIssueTime'];

  it("takes now from AWS's clock (the Date header), not the workstation's, and writes the console's deny", async () => {
    const r = await revokeInAws(aws.clients.iam(), ROLE);
    // The header says 05:06:07 (second precision): sessions issued during that second are denied too.
    assert.strictEqual(r.awsTime, '2031-03-04T05:06:07Z');
    assert.strictEqual(r.issuedBefore, '2031-03-04T05:06:08Z');
    assert.ok(Math.abs(Date.parse(r.issuedBefore) - Date.now()) > 365 * 24 * H, 'not the workstation clock');
    assert.deepStrictEqual(stored(), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2031-03-04T05:06:08Z' } } }],
    });
    assert.deepStrictEqual({ updated: r.updated, kept: r.keptStatements, warnings: r.warnings }, { updated: false, kept: 0, warnings: [] });
    assert.match(r.note, /within a few minutes/);
    assert.deepStrictEqual(aws.fake.requests.map((q) => q.action), ['GetRolePolicy', 'PutRolePolicy']);
    assert.strictEqual(isoSeconds(Date.parse('2024-05-01T12:00:00.999Z')), '2024-05-01T12:00:00Z');
  });

  it('keeps the other statements of an existing policy and replaces its revoke statements by one with the latest cut-off', async () => {
    const other = { Sid: 'NoBucketDeletion', Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' };
    const ifExists = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThanIfExists: { 'aws:TokenIssueTime': '2031-03-04T05:00:00Z' } } };
    existing({ Version: '2012-10-17', Statement: [consoleStatement('2031-03-04T04:00:00Z'), other, ifExists, consoleStatement(['2031-03-04T03:00:00Z', '2031-03-04T04:30:00Z'])] });
    const r = await revokeInAws(aws.clients.iam(), ROLE);
    assert.strictEqual(r.updated, true);
    assert.strictEqual(r.keptStatements, 2);
    // Kept in order and untouched (an ...IfExists condition also matches long-term keys: not ours to rewrite).
    assert.deepStrictEqual(stored().Statement.slice(0, 2), [other, ifExists]);
    assert.strictEqual(stored().Statement.length, 3);
    assert.strictEqual(cutoffOf(), '2031-03-04T05:06:08Z');
    // Revoking again never multiplies statements.
    awsNow += H;
    await revokeInAws(aws.clients.iam(), ROLE);
    assert.strictEqual(stored().Statement.length, 3);
    assert.strictEqual(cutoffOf(), '2031-03-04T06:06:08Z');
  });

  it('recognises every cut-off form AWS accepts (W3C ISO 8601 profiles, epoch seconds as text or number)', () => {
    const t = Date.parse('2031-03-04T05:06:07Z');
    const forms: Array<[unknown, number]> = [
      ['2031-03-04T05:06:07Z', t],
      ['2031-03-04T05:06:07.085Z', t + 85],
      ['2031-03-04T07:06:07+02:00', t],
      ['2031-03-04T00:06:07-05:00', t],
      ['2031-03-04T05:06Z', t - 7000],
      ['2031-03-04', Date.parse('2031-03-04T00:00:00Z')],
      ['2031-03', Date.parse('2031-03-01T00:00:00Z')],
      [String(t / 1000), t],
      [t / 1000, t],
    ];
    for (const [form, ms] of forms) {
      assert.strictEqual(parseCutoff(form), ms, `${JSON.stringify(form)}`);
      // As the console writes it (Statement object) and with any case of the key, in URL-encoded GetRolePolicy form.
      const doc = { Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'AWS:TokenIssueTime': form } } } };
      assert.strictEqual(parseRevokePolicy(encodeURIComponent(JSON.stringify(doc)))?.latestMs, ms, `policy with ${JSON.stringify(form)}`);
    }
    for (const bad of ['yesterday', '2031-13-01', '', null, {}]) assert.strictEqual(parseCutoff(bad), undefined);
    // DateLessThanEquals T denies what DateLessThan T+1s does.
    const lte = { Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThanEquals: { 'aws:TokenIssueTime': '2031-03-04T05:06:07Z' } } }] };
    assert.strictEqual(existingRevokeDate(JSON.stringify(lte)), '2031-03-04T05:06:08Z');
    // A statement with an unreadable date is not a revoke statement: it is kept, not dropped.
    assert.deepStrictEqual(parseRevokePolicy(JSON.stringify({ Statement: [consoleStatement('soon')] }))?.others, [consoleStatement('soon')]);
  });

  it('keeps the latest cut-off whatever its form, and an earlier --before never moves it back', async () => {
    existing({ Version: '2012-10-17', Statement: [consoleStatement('2031-03-04T05:30:00.250+00:00'), consoleStatement(Date.parse('2031-03-04T04:00:00Z') / 1000)] });
    awsNow = Date.parse('2031-03-04T06:00:00Z');
    const r = await revokeInAws(aws.clients.iam(), ROLE, { before: '2031-03-04T05:00:00Z', roleMaxSessionDuration: 28800 });
    assert.strictEqual(r.issuedBefore, '2031-03-04T05:30:01Z');
    assert.deepStrictEqual(r.warnings, ['Kept the existing later cut-off 2031-03-04T05:30:01Z.']);
    assert.deepStrictEqual(stored().Statement, [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2031-03-04T05:30:01Z' } } }]);
  });

  it("refuses a cut-off later than AWS's now beyond a small skew, before writing anything", async () => {
    const tooLate = new Date(awsNow + MAX_FUTURE_SKEW_MS + 60_000).toISOString();
    await assert.rejects(revokeInAws(aws.clients.iam(), ROLE, { before: tooLate }),
      (e: unknown) => e instanceof BreakGlassError && /later than AWS's current time 2031-03-04T05:06:07Z: it would also deny sessions not issued yet/.test(e.message));
    assert.deepStrictEqual(aws.fake.requests.map((q) => q.action), ['GetRolePolicy'], 'nothing written');
    // Within the skew: accepted as given.
    const r = await revokeInAws(aws.clients.iam(), ROLE, { before: '2031-03-04T05:07:00Z' });
    assert.strictEqual(r.issuedBefore, '2031-03-04T05:07:00Z');
  });

  it("warns on a cut-off older than the role's maximum session (iam:GetRole), or AWS's 12 h when the role's is unknown", async () => {
    // The role's MaxSessionDuration is 8 h (fake-aws default roles).
    const r = await revokeInAws(aws.clients.iam(), ROLE, { before: new Date(awsNow - 9 * H) });
    assert.strictEqual(r.warnings.length, 1);
    assert.match(r.warnings[0], /more than 8 h \(the role's maximum session duration\) before AWS's current time.*revokes nothing that is still alive/);
    assert.deepStrictEqual(aws.fake.requests.map((q) => q.action), ['GetRolePolicy', 'GetRole', 'PutRolePolicy']);
    // A cut-off within the maximum session: no warning.
    delete aws.fake.roles.get(ROLE_NAME)?.inlinePolicies?.[REVOKE_POLICY_NAME];
    assert.deepStrictEqual((await revokeInAws(aws.clients.iam(), ROLE, { before: new Date(awsNow - 7 * H) })).warnings, []);
    // GetRole denied: AWS's upper limit (12 h) is used.
    aws.fake.setBehaviour('GetRole', 'accessDenied');
    delete aws.fake.roles.get(ROLE_NAME)?.inlinePolicies?.[REVOKE_POLICY_NAME];
    assert.deepStrictEqual((await revokeInAws(aws.clients.iam(), ROLE, { before: new Date(awsNow - 9 * H) })).warnings, []);
    delete aws.fake.roles.get(ROLE_NAME)?.inlinePolicies?.[REVOKE_POLICY_NAME];
    const old = await revokeInAws(aws.clients.iam(), ROLE, { before: new Date(awsNow - 13 * H) });
    assert.match(old.warnings[0], /more than 12 h \(the longest session AWS issues\)/);
  });

  it('an answer that is not IAM\'s (HTML page, wrong XML namespace, no Date header) is an error, never "revoked"', async () => {
    const cases: Array<[string, { raw: string; status?: number; contentType?: string; noDate?: boolean }, RegExp]> = [
      ['PutRolePolicy', { raw: '<!doctype html><html><body>Welcome to the hotel Wi-Fi</body></html>' }, /content type "text\/html", not XML/],
      ['PutRolePolicy', { raw: '<PutRolePolicyResponse xmlns="https://evil.example/doc/"><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></PutRolePolicyResponse>', contentType: 'text/xml' }, /namespace is not IAM's/],
      ['PutRolePolicy', { raw: '<?xml version="1.0"?>\n<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>', contentType: 'text/xml' }, /<AssumeRoleResponse>, not <PutRolePolicyResponse>/],
      ['PutRolePolicy', { raw: '<PutRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>7e7cd8bc</RequestId></ResponseMetadata></PutRolePolicyResponse>', contentType: 'text/xml', noDate: true }, /no Date header/],
      ['PutRolePolicy', { raw: '<PutRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"></PutRolePolicyResponse>', contentType: 'text/xml' }, /no request id/],
      ['GetRolePolicy', { raw: '<html>Not Found</html>', status: 404 }, /HTTP 404 with content type "text\/html"/],
    ];
    for (const [action, raw, why] of cases) {
      aws.fake.reset();
      aws.fake.setBehaviour(action, raw);
      await assert.rejects(revokeInAws(aws.clients.iam(), ROLE), (e: unknown) => {
        assert.ok(e instanceof BreakGlassError, String(e));
        assert.strictEqual(e.translated.awsCode, 'NotIamAnswer');
        assert.match(e.message, new RegExp(`^The answer to iam:${action} from http://127\\.0\\.0\\.1:\\d+ is not IAM's`));
        assert.match(e.message, why);
        assert.match(e.message, /nothing is known to have changed in AWS/);
        assert.ok(!/hotel|Not Found/.test(e.message), 'no server text in the message');
        return true;
      });
      if (action === 'GetRolePolicy') assert.deepStrictEqual(aws.fake.requests.map((q) => q.action), ['GetRolePolicy'], 'nothing written after a non-IAM read');
    }
  });

  it("a proxy's 5xx page is retried like AWS's 5xx (and the real answer then counts); a 200 page is not", async () => {
    const clients = new AwsClients({ endpointUrl: aws.fake.url, region: 'us-east-1', credentials: TEST_CREDS, env: {}, maxAttempts: 2 });
    try {
      aws.fake.setBehaviour('PutRolePolicy', { raw: '<html>502 Bad Gateway</html>', status: 502 }, { times: 1 });
      const r = await revokeInAws(clients.iam(), ROLE);
      assert.strictEqual(r.issuedBefore, '2031-03-04T05:06:08Z');
      assert.strictEqual(aws.fake.calls('PutRolePolicy').length, 2);
      aws.fake.reset();
      aws.fake.setBehaviour('PutRolePolicy', { raw: '<html>OK</html>' }, { times: 1 });
      await assert.rejects(revokeInAws(clients.iam(), ROLE), /not IAM's/);
      assert.strictEqual(aws.fake.calls('PutRolePolicy').length, 1, 'not retried');
    } finally {
      clients.destroy();
    }
  });

  it('without iam:GetRolePolicy: revokes until now with a warning, but refuses an earlier cut-off that could undo a later one', async () => {
    aws.fake.setBehaviour('GetRolePolicy', 'accessDenied');
    const r = await revokeInAws(aws.clients.iam(), ROLE);
    assert.strictEqual(r.issuedBefore, '2031-03-04T05:06:08Z');
    assert.match(r.warnings[0], /Could not read the existing AWSRevokeOlderSessions policy \(no iam:GetRolePolicy\)/);
    aws.fake.reset();
    aws.fake.setBehaviour('GetRolePolicy', 'accessDenied');
    await assert.rejects(revokeInAws(aws.clients.iam(), ROLE, { before: '2031-03-04T05:00:00Z' }),
      (e: unknown) => e instanceof BreakGlassError && /could move back a later one a colleague set/.test(e.message));
    assert.deepStrictEqual(aws.fake.requests.map((q) => q.action), ['GetRolePolicy']);
  });

  it('a future cut-off already in the policy is kept, with a warning that new sessions are denied until then', async () => {
    existing({ Version: '2012-10-17', Statement: consoleStatement('2031-03-05T00:00:00Z') });
    const r = await revokeInAws(aws.clients.iam(), ROLE);
    assert.strictEqual(r.issuedBefore, '2031-03-05T00:00:00Z');
    assert.match(r.warnings.join('\n'), /in the future .*new sessions of BREAK-GLASS-INCIDENT_RESPONDER are denied until then/);
  });

  it('AccessDenied on PutRolePolicy → translated explanation, and local revocation still happens', async () => {
    const clock = new FakeClock(Date.now());
    const secrets = new MemorySecretStore();
    const store = new SessionStore({ clock, secrets });
    const expiresAt = new Date(clock.now() + 3600_000).toISOString();
    await store.add({
      id: 'r1', accountId: '111122223333', roleArn: ROLE, roleName: ROLE_NAME, playbook: 'p', incidentId: 'INC-1', justification: 'j',
      requester: 'a', sourceIdentity: 'a', roleSessionName: 'x1', issuedAt: new Date(clock.now()).toISOString(), expiresAt, tokenHash: '0', accessKeyId: 'ASIA1', region: 'us-east-1', state: 'active',
    }, { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: expiresAt });
    aws.fake.setBehaviour('PutRolePolicy', 'accessDenied');
    const unregistered: string[] = [];
    const r = await revokeSession('r1', { store, iam: aws.clients.iam(), endpoints: { unregister: (id) => unregistered.push(id) } });
    assert.strictEqual(r.session?.state, 'revoked');
    assert.strictEqual(store.credentials('r1'), undefined);
    assert.deepStrictEqual(unregistered, ['r1']);
    assert.ok(r.aws && !r.aws.ok);
    assert.strictEqual(r.aws.error.code, 'AccessDenied');
    assert.match(r.aws.error.message, /iam:PutRolePolicy.*Revoke active sessions/);
    await assert.rejects(revokeInAws(aws.clients.iam(), ROLE), (e: unknown) => e instanceof BreakGlassError && /IAM console/.test(e.message));
    store.dispose();
  });
});
