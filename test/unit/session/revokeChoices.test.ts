// The Revoke Session confirmation: the local action says the AWS session stays valid until it expires, and revoking
// on AWS is the default only when no other live session of the same role is held here.
import * as assert from 'assert';
import { revokeChoices } from '../../../src/core/session/revokeChoices';
import type { Session } from '../../../src/core/session/types';

const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const NOW = Date.parse('2031-03-04T05:06:07Z');
const session = (id: string, over: Partial<Session> = {}): Session => ({
  id, accountId: '111122223333', roleArn: ROLE, roleName: 'BREAK-GLASS-INCIDENT_RESPONDER', playbook: 'Read-only',
  incidentId: `INC-${id}`, justification: 'disk full on prod', requester: 'alice', sourceIdentity: 'alice',
  roleSessionName: `bg-${id}`, issuedAt: '2031-03-04T05:00:00Z', expiresAt: '2031-03-04T06:00:00Z', tokenHash: 'abcdef0123456789',
  accessKeyId: 'ASIAEXAMPLE', region: 'us-east-1', state: 'active', ...over,
});

describe('revokeChoices', () => {
  it('names when the AWS session stops being valid in the local action', () => {
    const c = revokeChoices(session('a'), [session('a')], NOW);
    assert.strictEqual(c.local, 'Revoke Locally (AWS session stays valid until 06:00 UTC)');
    assert.strictEqual(c.aws, 'Revoke Locally and in AWS');
  });

  it('gives the date too when the session expires on another day', () => {
    const c = revokeChoices(session('a', { expiresAt: '2031-03-05T01:30:00Z' }), [], NOW);
    assert.strictEqual(c.local, 'Revoke Locally (AWS session stays valid until 2031-03-05 01:30 UTC)');
  });

  it('defaults to revoking on AWS when the responder is the only live user of the role', () => {
    const other = session('b', { roleArn: 'arn:aws:iam::111122223333:role/BREAK-GLASS-OTHER' });
    const expired = session('c', { state: 'expired' });
    const revoked = session('d', { state: 'revoked' });
    const c = revokeChoices(session('a'), [session('a'), other, expired, revoked], NOW);
    assert.strictEqual(c.defaultChoice, 'aws');
    assert.strictEqual(c.otherLiveSessions, 0);
  });

  it('defaults to revoking locally when another live session of the same role would be cut off', () => {
    const c = revokeChoices(session('a'), [session('a'), session('b', { state: 'expiring' })], NOW);
    assert.strictEqual(c.defaultChoice, 'local');
    assert.strictEqual(c.otherLiveSessions, 1);
  });
});
