import * as assert from 'assert';
import { buildScopedSessionPolicy, invalidResourceArn, scopedPlaybookText, validateScopedPolicy } from '../../../src/core/authoring/scopedPolicy';
import { evaluate } from '../../../src/core/policy/evaluate';
import { HIGH_RISK_DENY_ACTIONS, lintPlaybook, readPlaybook } from '../../../src/core/playbookFormat';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('custom scoped session policy (create_scoped_session_policy)', () => {
  it('builds the reference\'s shape: one scoped Allow with the conditions, then the explicit high-risk Deny', () => {
    const doc = buildScopedSessionPolicy({
      actions: ['ec2:DescribeInstances', 'ec2:StopInstances', 'logs:FilterLogEvents'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/ec2/*'],
      regions: ['us-east-1'], notAfter: '2026-12-01T14:00:00Z', sourceIps: ['203.0.113.0/24'],
    }, NOW);
    const [a, d] = doc.Statement as unknown as Array<Record<string, unknown>>;
    assert.deepStrictEqual(a.Condition, {
      StringEquals: { 'aws:RequestedRegion': ['us-east-1'] },
      DateLessThan: { 'aws:CurrentTime': '2026-12-01T14:00:00Z' },
      IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] },
    });
    assert.deepStrictEqual(d, { Sid: 'DenyHighRiskActions', Effect: 'Deny', Action: [...HIGH_RISK_DENY_ACTIONS], Resource: '*' });
    // The time window works as AWS evaluates it: before the end allowed, after it not.
    const req = (t: string) => ({ action: 'ec2:StopInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0',
      context: { 'aws:RequestedRegion': 'us-east-1', 'aws:CurrentTime': t, 'aws:SourceIp': '203.0.113.9' } });
    const allowAll = { name: 'role', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: '*', Resource: '*' }] } };
    assert.strictEqual(evaluate(req('2026-12-01T13:00:00Z'), { identity: [allowAll], session: [{ name: 's', document: doc }] }).decision, 'Allowed');
    assert.notStrictEqual(evaluate(req('2026-12-01T15:00:00Z'), { identity: [allowAll], session: [{ name: 's', document: doc }] }).decision, 'Allowed');
  });

  it('no resources means "*", and the saved playbook lints clean (no missing Deny)', () => {
    const doc = buildScopedSessionPolicy({ actions: ['s3:ListBucket'], resources: [] }, NOW);
    assert.strictEqual((doc.Statement as Array<{ Resource: unknown }>)[0].Resource, '*');
    const { text, size, limit } = scopedPlaybookText({ name: 'list', phase: 'investigation', maxDurationSeconds: 3600, policy: doc });
    assert.ok(size < limit);
    assert.deepStrictEqual(lintPlaybook(text).filter((f) => f.severity !== 'info' || f.code === 'missing-high-risk-deny'), []);
    assert.strictEqual(readPlaybook(text, 'list.json').playbook.name, 'list');
  });

  it('names every problem at once: unknown action, bad ARN, bad region, past window, bad IP', () => {
    const p = validateScopedPolicy({ actions: ['ec2:Nope'], resources: ['arn:aws:ec2:us-east-1:12:instance/x', 'i-123'], regions: ['useast1'], notAfter: '2026-12-01T11:00:00Z', sourceIps: ['300.1.1.1'] }, NOW);
    assert.strictEqual(p.length, 6, p.join('\n'));
    assert.throws(() => buildScopedSessionPolicy({ actions: [], resources: [] }, NOW), /pick at least one action/);
  });

  it('validates resource ARNs as a responder types them', () => {
    assert.strictEqual(invalidResourceArn('arn:aws:s3:::my-bucket/*'), undefined);
    assert.strictEqual(invalidResourceArn('arn:aws:iam::111122223333:role/x'), undefined);
    assert.strictEqual(invalidResourceArn('*'), undefined);
    assert.match(invalidResourceArn('i-0abc')!, /must start with arn:/);
    assert.match(invalidResourceArn('arn:aws:ec2:us-east-1')!, /6 colon-separated parts/);
    assert.match(invalidResourceArn('arn:aws:nosuchsvc:us-east-1:111122223333:x')!, /not the service part/);
  });
});
