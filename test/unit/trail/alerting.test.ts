// The alert patterns matched against CloudTrail events as AWS documents them:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html (AssumeRole example) and
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
// (ConsoleLogin, IAM user without MFA),
// wrapped in EventBridge's CloudTrail envelope (https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html).
// Pattern semantics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
import * as assert from 'assert';
import { AwsClients } from '../../../src/core/aws/clients';
import { matchesPattern, UnsupportedPatternError } from '../../../src/core/trail/pattern';
import {
  alertingCloudFormation, ASSUME_ROLE_PATTERN, ASSUME_ROLE_RULE, checkAlerting, CONSOLE_LOGIN_PATTERN, CONSOLE_LOGIN_RULE, provisionAlerting,
} from '../../../src/core/trail/alerting';
import { breakGlassAssumeRoleRecord, breakGlassConsoleLoginRecord, DOC_ASSUME_ROLE_RECORD, DOC_CONSOLE_LOGIN_RECORD, eventBridgeEnvelope } from '../../../src/core/trail/samples';
import { startFakeTrail, type FakeTrail } from '../../support/fake-trail';
import { TEST_CREDS } from '../helpers/aws';

const env = (r: unknown) => eventBridgeEnvelope(r as Record<string, unknown>);

describe('trail/pattern: EventBridge pattern matching', () => {
  it('the AssumeRole rule matches a break-glass role (with or without a path) and not the documented JohnRole2', () => {
    assert.strictEqual(matchesPattern(ASSUME_ROLE_PATTERN, env(breakGlassAssumeRoleRecord())), true);
    assert.strictEqual(matchesPattern(ASSUME_ROLE_PATTERN, env(breakGlassAssumeRoleRecord('arn:aws:iam::111122223333:role/ir/BREAK-GLASS-FORENSICS'))), true);
    assert.strictEqual(matchesPattern(ASSUME_ROLE_PATTERN, env(breakGlassAssumeRoleRecord('arn:aws-us-gov:iam::111122223333:role/BREAK-GLASS-X'))), true);
    assert.strictEqual(matchesPattern(ASSUME_ROLE_PATTERN, env(DOC_ASSUME_ROLE_RECORD)), false);
    assert.strictEqual(matchesPattern(ASSUME_ROLE_PATTERN, env(DOC_CONSOLE_LOGIN_RECORD)), false);
  });

  it('the ConsoleLogin rule matches a *-BREAK-GLASS user and not the documented Anaya', () => {
    assert.strictEqual(matchesPattern(CONSOLE_LOGIN_PATTERN, env(breakGlassConsoleLoginRecord())), true);
    assert.strictEqual(matchesPattern(CONSOLE_LOGIN_PATTERN, env(DOC_CONSOLE_LOGIN_RECORD)), false);
    assert.strictEqual(matchesPattern(CONSOLE_LOGIN_PATTERN, env(breakGlassAssumeRoleRecord())), false);
  });

  it('follows EventBridge semantics: arrays are OR, event arrays match any element, missing fields, anything-but, exists, $or', () => {
    assert.strictEqual(matchesPattern({ a: ['x', 'y'] }, { a: 'y' }), true);
    assert.strictEqual(matchesPattern({ a: ['x'] }, { a: ['z', 'x'] }), true);
    assert.strictEqual(matchesPattern({ a: ['x'] }, {}), false);
    assert.strictEqual(matchesPattern({ a: [{ exists: false }] }, {}), true);
    assert.strictEqual(matchesPattern({ a: [{ exists: true }] }, {}), false);
    assert.strictEqual(matchesPattern({ a: [{ 'anything-but': ['x'] }] }, { a: 'y' }), true);
    assert.strictEqual(matchesPattern({ a: [{ 'anything-but': { prefix: 'x' } }] }, { a: 'xy' }), false);
    assert.strictEqual(matchesPattern({ a: [{ 'anything-but': 'x' }] }, {}), false, 'anything-but needs the field');
    assert.strictEqual(matchesPattern({ a: [{ prefix: { 'equals-ignore-case': 'AB' } }] }, { a: 'abc' }), true);
    assert.strictEqual(matchesPattern({ $or: [{ a: ['1'] }, { b: ['2'] }] }, { b: '2' }), true);
    assert.strictEqual(matchesPattern({ a: { b: ['c'] } }, { a: 'c' }), false);
    assert.strictEqual(matchesPattern({ n: [5] }, { n: 5 }), true);
    assert.strictEqual(matchesPattern({ n: [5] }, { n: '5' }), false, 'a number matches a number only');
    assert.throws(() => matchesPattern({ a: [{ numeric: ['>', 1] }] }, { a: 2 }), UnsupportedPatternError);
  });
});

describe('trail/alerting: CloudFormation fragment, provisioning and the readiness check', () => {
  let fake: FakeTrail;
  let clients: AwsClients;
  before(async () => {
    fake = await startFakeTrail();
    clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: TEST_CREDS, env: { AWS_ENDPOINT_URL_SNS: fake.url }, maxAttempts: 1 });
  });
  after(async () => { clients.destroy(); await fake.close(); });
  beforeEach(() => { fake.rules.clear(); fake.topics.clear(); fake.groups.clear(); fake.requests.length = 0; });
  const c = () => ({ events: clients.eventBridge(), sns: clients.sns(), logs: clients.cloudWatchLogs() });

  it('the CloudFormation fragment wires both rules to the topic, lets only those rules publish, and adds filter + alarm on request', () => {
    const r = alertingCloudFormation({ emails: ['oncall@example.com'], cloudTrailLogGroup: 'aws-cloudtrail-logs' });
    assert.deepStrictEqual(Object.keys(r).sort(), ['BreakGlassAlertAlarm', 'BreakGlassAlertAssumeRoleRule', 'BreakGlassAlertConsoleLoginRule', 'BreakGlassAlertMetricFilter', 'BreakGlassAlertTopic', 'BreakGlassAlertTopicPolicy']);
    assert.deepStrictEqual(r.BreakGlassAlertAssumeRoleRule.Properties.EventPattern, ASSUME_ROLE_PATTERN);
    assert.deepStrictEqual((r.BreakGlassAlertConsoleLoginRule.Properties.Targets as Array<{ Arn: unknown }>)[0].Arn, { Ref: 'BreakGlassAlertTopic' });
    const stmt = (r.BreakGlassAlertTopicPolicy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement[0];
    assert.deepStrictEqual([stmt.Principal, stmt.Action], [{ Service: 'events.amazonaws.com' }, 'sns:Publish']);
    assert.deepStrictEqual(r.BreakGlassAlertTopic.Properties.Subscription, [{ Protocol: 'email', Endpoint: 'oncall@example.com' }]);
    assert.deepStrictEqual((r.BreakGlassAlertAlarm.Properties.AlarmActions as unknown[])[0], { Ref: 'BreakGlassAlertTopic' });
    assert.ok(!('BreakGlassAlertAlarm' in alertingCloudFormation()), 'no CloudTrail log group: no filter, no alarm');
  });

  it('provisions through the APIs, then the check passes only once a subscription is confirmed', async () => {
    fake.groups.set('aws-cloudtrail-logs', { streams: new Map(), metricFilters: [] });
    const p = await provisionAlerting(c(), { emails: ['oncall@example.com'], cloudTrailLogGroup: 'aws-cloudtrail-logs' });
    assert.deepStrictEqual(p.pendingConfirmations, ['oncall@example.com']);
    assert.strictEqual(fake.rules.get(ASSUME_ROLE_RULE)?.targets[0].Arn, p.topicArn);
    assert.match(fake.topics.get(p.topicArn)!.attributes.Policy, /events\.amazonaws\.com/);
    assert.strictEqual(fake.groups.get('aws-cloudtrail-logs')!.metricFilters.length, 1);
    let findings = await checkAlerting(c());
    assert.deepStrictEqual(findings.filter((f) => f.severity !== 'ok').map((f) => f.id), ['alerting.topic.subscription']);
    assert.match(findings.find((f) => f.severity !== 'ok')!.message, /no confirmed subscription \(1 pending confirmation\)/);
    fake.confirm(p.topicArn, 'oncall@example.com');
    findings = await checkAlerting(c());
    assert.deepStrictEqual(findings.filter((f) => f.severity !== 'ok'), []);
    assert.strictEqual(findings.length, 5, '2 rules × (enabled, pattern) + the subscription');
    // Idempotent: provisioning again changes nothing that matters.
    await provisionAlerting(c(), { emails: ['oncall@example.com'] });
    assert.strictEqual(fake.rules.get(ASSUME_ROLE_RULE)?.targets.length, 1);
  });

  it('reports a disabled rule, a pattern that would never fire, one that fires on everything, and missing rules', async () => {
    let findings = await checkAlerting(c());
    assert.deepStrictEqual(findings.filter((f) => /rule\..*\.enabled/.test(f.id)).map((f) => f.message), [`EventBridge rule ${ASSUME_ROLE_RULE} does not exist.`, `EventBridge rule ${CONSOLE_LOGIN_RULE} does not exist.`]);
    const p = await provisionAlerting(c(), { emails: ['a@example.com'] });
    fake.confirm(p.topicArn, 'a@example.com');
    fake.rules.get(ASSUME_ROLE_RULE)!.State = 'DISABLED';
    fake.rules.get(CONSOLE_LOGIN_RULE)!.EventPattern = JSON.stringify({ source: ['aws.signin'] });
    findings = await checkAlerting(c());
    const bad = findings.filter((f) => f.severity === 'error');
    assert.deepStrictEqual(bad.map((f) => f.id), [`alerting.rule.${ASSUME_ROLE_RULE}.enabled`, `alerting.rule.${CONSOLE_LOGIN_RULE}.pattern`]);
    assert.match(bad[1].message, /also matches ordinary/);
    fake.rules.get(CONSOLE_LOGIN_RULE)!.EventPattern = JSON.stringify({ source: ['aws.signin'], detail: { userIdentity: { userName: ['nobody'] } } });
    findings = await checkAlerting(c());
    assert.match(findings.find((f) => f.id === `alerting.rule.${CONSOLE_LOGIN_RULE}.pattern`)!.message, /would never alert/);
  });
});
