// Alerting as the reference design describes: an EventBridge rule on break-glass AssumeRole and one on break-glass
// user ConsoleLogin, both targeting an SNS topic with the responders' subscriptions, and optionally a CloudWatch Logs
// metric filter (+ alarm, in the CloudFormation fragment) on the CloudTrail log group.
//
// Three entry points, one definition:
//   alertingCloudFormation(opts) → CloudFormation `Resources` (merged by the provisioning template export, issue 10)
//   provisionAlerting(clients, opts) → the same resources through the APIs (command / CLI)
//   checkAlerting(clients, opts) → findings for the readiness drill: rules exist and are ENABLED, their pattern
//     matches documented CloudTrail events (and not the documented non-break-glass ones), they target the topic, and
//     the topic has a confirmed subscription.
// EventBridge receives CloudTrail management events only where a trail logs them; AssumeRole events arrive in the
// Region of the STS endpoint used, console sign-ins mostly in us-east-1 — deploy the rules in those Regions.
import { DescribeRuleCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { PutMetricFilterCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { translateAwsError } from '../aws/errors';
import { matchesPattern, type EventPattern } from './pattern';
import { breakGlassAssumeRoleRecord, breakGlassConsoleLoginRecord, DOC_ASSUME_ROLE_RECORD, DOC_CONSOLE_LOGIN_RECORD, eventBridgeEnvelope } from './samples';

export const ASSUME_ROLE_RULE = 'BreakGlass-AssumeRole';
export const CONSOLE_LOGIN_RULE = 'BreakGlass-ConsoleLogin';
export const DEFAULT_TOPIC = 'breakglass-alerts';
export const METRIC_NAMESPACE = 'BreakGlass';
export const METRIC_NAME = 'BreakGlassUsage';

/** sts:AssumeRole of a role named BREAK-GLASS-* (any path, any partition), successful or not. */
export const ASSUME_ROLE_PATTERN: EventPattern = {
  source: ['aws.sts'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['sts.amazonaws.com'],
    eventName: ['AssumeRole'],
    requestParameters: { roleArn: [{ wildcard: 'arn:aws*:iam::*:role/*BREAK-GLASS-*' }] },
  },
};

/** Console sign-in of an IAM user named *-BREAK-GLASS. */
export const CONSOLE_LOGIN_PATTERN: EventPattern = {
  source: ['aws.signin'],
  'detail-type': ['AWS Console Sign In via CloudTrail'],
  detail: { eventSource: ['signin.amazonaws.com'], eventName: ['ConsoleLogin'], userIdentity: { userName: [{ suffix: '-BREAK-GLASS' }] } },
};

/** CloudWatch Logs filter pattern for the same two events in a CloudTrail log group. */
export const METRIC_FILTER_PATTERN = '{ (($.eventSource = "sts.amazonaws.com") && ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "*BREAK-GLASS-*")) || (($.eventName = "ConsoleLogin") && ($.userIdentity.userName = "*-BREAK-GLASS")) }';

export interface AlertingOptions {
  topicName?: string;
  /** E-mail addresses subscribed to the topic (each must confirm the subscription). */
  emails?: string[];
  /** A CloudWatch Logs group receiving CloudTrail: adds the metric filter (and the alarm in CloudFormation). */
  cloudTrailLogGroup?: string;
}

type CfnResource = { Type: string; Properties: Record<string, unknown> };

/** The alerting resources as CloudFormation `Resources` entries (logical ids prefixed BreakGlassAlert…). */
export function alertingCloudFormation(o: AlertingOptions = {}): Record<string, CfnResource> {
  const topic = { Ref: 'BreakGlassAlertTopic' };
  const rule = (name: string, pattern: EventPattern, description: string): CfnResource => ({
    Type: 'AWS::Events::Rule',
    Properties: { Name: name, Description: description, State: 'ENABLED', EventPattern: pattern, Targets: [{ Id: 'breakglass-sns', Arn: topic }] },
  });
  const r: Record<string, CfnResource> = {
    BreakGlassAlertTopic: {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: o.topicName ?? DEFAULT_TOPIC, DisplayName: 'Break Glass usage', Subscription: (o.emails ?? []).map((e) => ({ Protocol: 'email', Endpoint: e })) },
    },
    BreakGlassAlertTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [topic],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Sid: 'AllowEventBridgeBreakGlassRules', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: topic,
            Condition: { ArnEquals: { 'aws:SourceArn': [{ 'Fn::GetAtt': ['BreakGlassAlertAssumeRoleRule', 'Arn'] }, { 'Fn::GetAtt': ['BreakGlassAlertConsoleLoginRule', 'Arn'] }] } },
          }],
        },
      },
    },
    BreakGlassAlertAssumeRoleRule: rule(ASSUME_ROLE_RULE, ASSUME_ROLE_PATTERN, 'Break Glass: a BREAK-GLASS-* role was assumed'),
    BreakGlassAlertConsoleLoginRule: rule(CONSOLE_LOGIN_RULE, CONSOLE_LOGIN_PATTERN, 'Break Glass: a *-BREAK-GLASS user signed in to the console'),
  };
  if (o.cloudTrailLogGroup) {
    r.BreakGlassAlertMetricFilter = {
      Type: 'AWS::Logs::MetricFilter',
      Properties: { LogGroupName: o.cloudTrailLogGroup, FilterName: 'BreakGlassUsage', FilterPattern: METRIC_FILTER_PATTERN, MetricTransformations: [{ MetricNamespace: METRIC_NAMESPACE, MetricName: METRIC_NAME, MetricValue: '1', DefaultValue: 0 }] },
    };
    r.BreakGlassAlertAlarm = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: 'BreakGlassUsage', AlarmDescription: 'Break-glass access was used', Namespace: METRIC_NAMESPACE, MetricName: METRIC_NAME,
        Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', AlarmActions: [topic],
      },
    };
  }
  return r;
}

export interface AlertingClients {
  events: EventBridgeClient;
  sns: SNSClient;
  logs?: CloudWatchLogsClient;
}

export interface ProvisionedAlerting {
  topicArn: string;
  ruleArns: string[];
  /** E-mail addresses that now have a pending subscription (they must click the confirmation link). */
  pendingConfirmations: string[];
  metricFilter?: string;
}

/** Creates (or updates — every call is idempotent) the topic, its policy, subscriptions, both rules and their targets. */
export async function provisionAlerting(c: AlertingClients, o: AlertingOptions = {}): Promise<ProvisionedAlerting> {
  const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: o.topicName ?? DEFAULT_TOPIC }));
  const topicArn = TopicArn!;
  const ruleArns: string[] = [];
  for (const [name, pattern, description] of [
    [ASSUME_ROLE_RULE, ASSUME_ROLE_PATTERN, 'Break Glass: a BREAK-GLASS-* role was assumed'],
    [CONSOLE_LOGIN_RULE, CONSOLE_LOGIN_PATTERN, 'Break Glass: a *-BREAK-GLASS user signed in to the console'],
  ] as const) {
    const { RuleArn } = await c.events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), State: 'ENABLED', Description: description }));
    ruleArns.push(RuleArn!);
    const t = await c.events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'breakglass-sns', Arn: topicArn }] }));
    if (t.FailedEntryCount) throw new Error(`EventBridge refused the SNS target of ${name}: ${t.FailedEntries?.map((f) => `${f.ErrorCode}: ${f.ErrorMessage}`).join('; ')}`);
  }
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'AllowEventBridgeBreakGlassRules', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: topicArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } } }],
  };
  await c.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
  const pendingConfirmations: string[] = [];
  for (const email of o.emails ?? []) {
    const s = await c.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: email }));
    if (!s.SubscriptionArn || /pending/i.test(s.SubscriptionArn)) pendingConfirmations.push(email);
  }
  let metricFilter: string | undefined;
  if (o.cloudTrailLogGroup) {
    if (!c.logs) throw new Error('A CloudWatch Logs client is needed for the metric filter.');
    await c.logs.send(new PutMetricFilterCommand({
      logGroupName: o.cloudTrailLogGroup, filterName: 'BreakGlassUsage', filterPattern: METRIC_FILTER_PATTERN,
      metricTransformations: [{ metricNamespace: METRIC_NAMESPACE, metricName: METRIC_NAME, metricValue: '1', defaultValue: 0 }],
    }));
    metricFilter = 'BreakGlassUsage';
  }
  return { topicArn, ruleArns, pendingConfirmations, ...(metricFilter ? { metricFilter } : {}) };
}

export interface AlertingFinding {
  /** Stable id of the check, e.g. 'alerting.rule.BreakGlass-AssumeRole.enabled'. */
  id: string;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  /** What to do when it is not ok. */
  fix?: string;
}

/** Readiness checks of the alerting path. Never throws for AWS errors: each becomes a finding. */
export async function checkAlerting(c: Pick<AlertingClients, 'events' | 'sns'>, o: { topicName?: string; topicArn?: string } = {}): Promise<AlertingFinding[]> {
  const findings: AlertingFinding[] = [];
  const fixProvision = 'Run "breakglass alerting provision" (or deploy the exported CloudFormation template).';
  const samples = {
    [ASSUME_ROLE_RULE]: { hit: eventBridgeEnvelope(breakGlassAssumeRoleRecord()), miss: eventBridgeEnvelope(DOC_ASSUME_ROLE_RECORD as unknown as Record<string, unknown>) },
    [CONSOLE_LOGIN_RULE]: { hit: eventBridgeEnvelope(breakGlassConsoleLoginRecord()), miss: eventBridgeEnvelope(DOC_CONSOLE_LOGIN_RECORD as unknown as Record<string, unknown>) },
  };
  const targets = new Set<string>();
  for (const name of [ASSUME_ROLE_RULE, CONSOLE_LOGIN_RULE] as const) {
    try {
      const r = await c.events.send(new DescribeRuleCommand({ Name: name }));
      findings.push(r.State === 'ENABLED'
        ? { id: `alerting.rule.${name}.enabled`, severity: 'ok', message: `EventBridge rule ${name} is enabled.` }
        : { id: `alerting.rule.${name}.enabled`, severity: 'error', message: `EventBridge rule ${name} is ${r.State ?? 'not enabled'}: break-glass use would not alert.`, fix: `Enable it: aws events enable-rule --name ${name}` });
      let pattern: EventPattern | undefined;
      try { pattern = JSON.parse(r.EventPattern ?? '') as EventPattern; } catch { pattern = undefined; }
      const s = samples[name];
      let matches = false;
      let quiet = false;
      try {
        matches = pattern !== undefined && matchesPattern(pattern, s.hit);
        quiet = pattern !== undefined && !matchesPattern(pattern, s.miss);
      } catch { /* an unsupported pattern is not a match */ }
      findings.push(matches && quiet
        ? { id: `alerting.rule.${name}.pattern`, severity: 'ok', message: `Rule ${name} matches a documented break-glass CloudTrail event and not an ordinary one.` }
        : { id: `alerting.rule.${name}.pattern`, severity: 'error', message: matches ? `Rule ${name} also matches ordinary (non-break-glass) events: it would alert on everything.` : `Rule ${name} does not match a documented break-glass CloudTrail event: it would never alert.`, fix: fixProvision });
      const t = await c.events.send(new ListTargetsByRuleCommand({ Rule: name }));
      const snsTargets = (t.Targets ?? []).filter((x) => x.Arn?.startsWith('arn:') && x.Arn.split(':')[2] === 'sns');
      snsTargets.forEach((x) => targets.add(x.Arn!));
      if (!snsTargets.length) findings.push({ id: `alerting.rule.${name}.target`, severity: 'error', message: `Rule ${name} has no SNS topic target: nobody would be told.`, fix: fixProvision });
    } catch (e) {
      const tr = translateAwsError(e, { operation: 'events:DescribeRule' });
      const missing = (e as { name?: string }).name === 'ResourceNotFoundException';
      findings.push({ id: `alerting.rule.${name}.enabled`, severity: 'error', message: missing ? `EventBridge rule ${name} does not exist.` : `Rule ${name} could not be checked: ${tr.message}`, fix: missing ? fixProvision : undefined });
    }
  }
  const topicArns = o.topicArn ? [o.topicArn] : [...targets].filter((a) => !o.topicName || a.endsWith(`:${o.topicName}`));
  if (!topicArns.length && !findings.some((f) => f.id.endsWith('.target'))) findings.push({ id: 'alerting.topic.subscription', severity: 'error', message: 'No SNS topic to check.', fix: fixProvision });
  for (const arn of topicArns) {
    try {
      const a = await c.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      const confirmed = Number(a.Attributes?.SubscriptionsConfirmed ?? 0);
      const pending = Number(a.Attributes?.SubscriptionsPending ?? 0);
      findings.push(confirmed > 0
        ? { id: 'alerting.topic.subscription', severity: 'ok', message: `Topic ${arn} has ${confirmed} confirmed subscription(s).` }
        : { id: 'alerting.topic.subscription', severity: 'error', message: `Topic ${arn} has no confirmed subscription${pending ? ` (${pending} pending confirmation)` : ''}: alerts would reach nobody.`, fix: pending ? 'Ask the subscribers to click the link in the "AWS Notification - Subscription Confirmation" e-mail.' : 'Subscribe the responders: breakglass alerting provision --email you@example.com' });
    } catch (e) {
      findings.push({ id: 'alerting.topic.subscription', severity: 'error', message: `Topic ${arn} could not be checked: ${translateAwsError(e, { operation: 'sns:GetTopicAttributes' }).message}` });
    }
  }
  return findings;
}
