import * as assert from 'assert';
import { BreakGlassError } from '../../../src/core/aws/errors';
import { existingRevokeDate, isoSeconds, revokeInAws, revokeSession, REVOKE_POLICY_NAME } from '../../../src/core/session/revoke';
import { SessionStore } from '../../../src/core/session/store';
import { MemorySecretStore } from '../../../src/core/session/types';
import { useFakeAws } from '../helpers/aws';
import { FakeClock } from './fake-clock';

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';

describe('session/revoke (AWSRevokeOlderSessions) against fake AWS', () => {
  const aws = useFakeAws();
  beforeEach(() => {
    delete aws.fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')?.inlinePolicies?.[REVOKE_POLICY_NAME];
  });

  const stored = () => JSON.parse(aws.fake.roles.get('BREAK-GLASS-INCIDENT_RESPONDER')?.inlinePolicies?.[REVOKE_POLICY_NAME] ?? 'null');

  it('creates the console-style deny policy with a seconds-precision UTC date', async () => {
    const clock = new FakeClock(Date.parse('2024-05-01T12:00:00.000Z'));
    const r = await revokeInAws(aws.clients.iam(), ROLE, { clock });
    assert.deepStrictEqual(r, { roleArn: ROLE, roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', policyName: REVOKE_POLICY_NAME, issuedBefore: '2024-05-01T12:00:00Z', updated: false });
    assert.deepStrictEqual(stored(), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2024-05-01T12:00:00Z' } } }],
    });
    assert.deepStrictEqual(aws.fake.requests.map((q) => q.action), ['GetRolePolicy', 'PutRolePolicy']);
    assert.strictEqual(isoSeconds(Date.parse('2024-05-01T12:00:00.999Z')), '2024-05-01T12:00:00Z');
  });

  it('updates an existing policy to a single statement with the newest date', async () => {
    await revokeInAws(aws.clients.iam(), ROLE, { clock: new FakeClock(Date.parse('2024-05-01T12:00:00Z')) });
    const r = await revokeInAws(aws.clients.iam(), ROLE, { clock: new FakeClock(Date.parse('2024-05-01T13:30:00Z')) });
    assert.strictEqual(r.updated, true);
    assert.strictEqual(stored().Statement.length, 1);
    assert.strictEqual(stored().Statement[0].Condition.DateLessThan['aws:TokenIssueTime'], '2024-05-01T13:30:00Z');
    // An older --before never moves the date back.
    const older = await revokeInAws(aws.clients.iam(), ROLE, { before: '2024-04-01T00:00:00Z' });
    assert.strictEqual(older.issuedBefore, '2024-05-01T13:30:00Z');
    assert.strictEqual(existingRevokeDate(encodeURIComponent(JSON.stringify(stored()))), '2024-05-01T13:30:00Z');
  });

  it('AccessDenied on PutRolePolicy → translated explanation, and local revocation still happens', async () => {
    const clock = new FakeClock(Date.now());
    const secrets = new MemorySecretStore();
    const store = new SessionStore({ clock, secrets });
    const expiresAt = new Date(clock.now() + 3600_000).toISOString();
    await store.add({
      id: 'r1', accountId: '111122223333', roleArn: ROLE, roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'p', incidentId: 'INC-1', justification: 'j',
      requester: 'a', sourceIdentity: 'a', roleSessionName: 'x1', issuedAt: new Date(clock.now()).toISOString(), expiresAt, tokenHash: '0', accessKeyId: 'ASIA1', region: 'us-east-1', state: 'active',
    }, { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: expiresAt });
    aws.fake.setBehaviour('PutRolePolicy', 'accessDenied');
    const unregistered: string[] = [];
    const r = await revokeSession('r1', { store, iam: aws.clients.iam(), endpoints: { unregister: (id) => unregistered.push(id) }, clock });
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
