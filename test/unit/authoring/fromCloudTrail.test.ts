// The draft generator over LookupEvents pages shaped as the API returns them
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html; record fields from
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
import * as assert from 'assert';
import { draftFromEvents, draftPlaybookText, eventAction, lookupSessionEvents, validateSessionFilter, type LookupEventsInput, type TrailEvent } from '../../../src/core/authoring/fromCloudTrail';
import { lintPlaybook, readPlaybook } from '../../../src/core/playbookFormat';

const KEY = 'ASIAEXAMPLE1234567890';
const ev = (source: string, name: string, opts: { arns?: string[]; error?: string; key?: string; sourceIdentity?: string } = {}): TrailEvent => ({
  EventName: name, EventSource: source, EventTime: new Date('2026-11-30T10:00:00Z'), AccessKeyId: opts.key ?? KEY,
  CloudTrailEvent: JSON.stringify({
    eventVersion: '1.09', eventSource: source, eventName: name, awsRegion: 'us-east-1',
    userIdentity: { type: 'AssumedRole', accessKeyId: opts.key ?? KEY, sessionContext: { sourceIdentity: opts.sourceIdentity ?? 'alice@example.com' } },
    ...(opts.error ? { errorCode: opts.error, errorMessage: 'denied' } : {}),
    ...(opts.arns ? { resources: opts.arns.map((ARN) => ({ ARN, accountId: '111122223333' })) } : {}),
  }),
});
const I1 = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0aaa';
const I2 = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0bbb';
const EVENTS = [
  ev('ec2.amazonaws.com', 'DescribeInstances'),
  ev('ec2.amazonaws.com', 'StopInstances', { arns: [I1] }),
  ev('ec2.amazonaws.com', 'StopInstances', { arns: [I2] }),
  ev('ec2.amazonaws.com', 'TerminateInstances', { arns: [I1], error: 'Client.UnauthorizedOperation' }),
  ev('monitoring.amazonaws.com', 'GetMetricData'),
  ev('lambda.amazonaws.com', 'GetFunction20150331v2', { arns: ['arn:aws:lambda:us-east-1:111122223333:function:f'] }),
  ev('sts.amazonaws.com', 'GetCallerIdentity'),
  ev('example.amazonaws.com', 'DoThing'),
];

describe('playbook draft from CloudTrail (a past session)', () => {
  it('maps event sources and names to IAM actions, including renamed services and versioned names', () => {
    assert.strictEqual(eventAction('ec2.amazonaws.com', 'StopInstances'), 'ec2:StopInstances');
    assert.strictEqual(eventAction('monitoring.amazonaws.com', 'GetMetricData'), 'cloudwatch:GetMetricData');
    assert.strictEqual(eventAction('lambda.amazonaws.com', 'GetFunction20150331v2'), 'lambda:GetFunction');
    assert.strictEqual(eventAction('example.amazonaws.com', 'DoThing'), undefined);
  });

  it('pages through LookupEvents by access key id and keeps only the session\'s events', async () => {
    const pages = [EVENTS.slice(0, 3), [...EVENTS.slice(3), ev('ec2.amazonaws.com', 'RebootInstances', { key: 'ASIAOTHER00000000000' })]];
    const calls: LookupEventsInput[] = [];
    const lookup = async (input: LookupEventsInput) => {
      calls.push(input);
      const i = input.NextToken ? Number(input.NextToken) : 0;
      return { Events: pages[i], NextToken: i + 1 < pages.length ? String(i + 1) : undefined };
    };
    const f = { accessKeyId: KEY, start: new Date('2026-11-30T09:00:00Z'), end: new Date('2026-11-30T11:00:00Z') };
    const { events, truncated } = await lookupSessionEvents(lookup, f);
    assert.strictEqual(events.length, EVENTS.length);
    assert.strictEqual(truncated, false);
    assert.deepStrictEqual(calls[0].LookupAttributes, [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }]);
    assert.strictEqual(calls[1].NextToken, '1');
    // By SourceIdentity: no lookup attribute (LookupEvents has none for it), filtered on the record.
    const bySi = await lookupSessionEvents(async () => ({ Events: [...EVENTS, ev('ec2.amazonaws.com', 'RebootInstances', { sourceIdentity: 'mallory' })] }),
      { sourceIdentity: 'alice@example.com', start: f.start, end: f.end });
    assert.strictEqual(bySi.events.length, EVENTS.length);
  });

  it('drafts least privilege: used actions on the ARNs seen, refused calls and unknown events reported, not granted', () => {
    const d = draftFromEvents(EVENTS);
    assert.deepStrictEqual(d.used.map((u) => [u.action, u.calls, u.resources]), [
      ['cloudwatch:GetMetricData', 1, ['*']],
      ['ec2:DescribeInstances', 1, ['*']],
      ['ec2:StopInstances', 2, [I1, I2]],
      ['lambda:GetFunction', 1, ['arn:aws:lambda:us-east-1:111122223333:function:f']],
    ]);
    assert.deepStrictEqual(d.refused, [{ action: 'ec2:TerminateInstances', errorCode: 'Client.UnauthorizedOperation', calls: 1 }]);
    assert.deepStrictEqual(d.unmapped, ['example.amazonaws.com DoThing']);
    const text = draftPlaybookText(d, { name: 'from-inc-42', filter: { accessKeyId: KEY, start: new Date('2026-11-30T09:00:00Z'), end: new Date('2026-11-30T11:00:00Z') } });
    assert.match(text, /Refused by AWS \(Client\.UnauthorizedOperation, 1×\), not granted: ec2:TerminateInstances/);
    const { policy } = readPlaybook(text, 'draft.json');
    const sts = policy!.document.Statement as Array<{ Effect: string; Action: string[] }>;
    assert.ok(!sts.some((s) => s.Effect === 'Allow' && s.Action.includes('ec2:TerminateInstances')));
    assert.strictEqual(sts[sts.length - 1].Effect, 'Deny');
    assert.deepStrictEqual(lintPlaybook(text).filter((f) => f.severity === 'error'), []);
  });

  it('refuses a filter it cannot look up, naming every problem', () => {
    const p = validateSessionFilter({ accessKeyId: 'nope', start: new Date('2026-11-30T11:00:00Z'), end: new Date('2026-11-30T10:00:00Z') }, Date.parse('2026-12-01T00:00:00Z'));
    assert.strictEqual(p.length, 2, p.join('; '));
    assert.strictEqual(validateSessionFilter({ start: new Date(0), end: new Date(1) }, Date.parse('2026-12-01T00:00:00Z')).length, 2);
  });
});
