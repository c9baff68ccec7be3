// `breakglass alerting`: the EventBridge → SNS alerting on break-glass use — provision it, check it (the readiness
// drill's checks), or print it as a CloudFormation template.
import { parseArgs } from '../args';
import { UsageError, type Subcommand } from '../io';
import { alertingCloudFormation, checkAlerting, provisionAlerting } from '../../core/trail/alerting';
import { translateAwsError } from '../../core/aws/errors';
import { cliBase } from './elevate';

const USAGE = `usage: breakglass alerting provision [--email ADDRESS]... [--topic-name NAME] [--cloudtrail-log-group GROUP]
       breakglass alerting check [--topic-name NAME] [--json]
       breakglass alerting template [--email ADDRESS]... [--topic-name NAME] [--cloudtrail-log-group GROUP]
       (plus --profile P --region R --endpoint-url URL for provision and check)

An EventBridge rule on AssumeRole of BREAK-GLASS-* roles and one on ConsoleLogin of *-BREAK-GLASS users, both
publishing to an SNS topic (default breakglass-alerts) with the responders' e-mail subscriptions; with
--cloudtrail-log-group also a CloudWatch Logs metric filter (and, in the template, an alarm). Deploy the rules in the
Region(s) your break-glass STS calls go to and in us-east-1 (console sign-ins); a CloudTrail trail must be logging.

  provision  create or update everything (idempotent); each e-mail address must confirm its subscription
  check      rules enabled, patterns matching documented break-glass CloudTrail events, SNS target, a confirmed
             subscription; exit 1 if any check fails
  template   the CloudFormation template (JSON) with the same resources
`;

export const alertingCommand: Subcommand = {
  name: 'alerting',
  summary: 'provision, check or export (CloudFormation) the EventBridge → SNS alerts on break-glass use',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, {
      email: { type: 'list' }, 'topic-name': { type: 'string' }, 'cloudtrail-log-group': { type: 'string' }, json: { type: 'boolean' },
      profile: { type: 'string' }, region: { type: 'string' }, 'endpoint-url': { type: 'string' },
    });
    const [sub] = p.positionals;
    const opts = { emails: (p.options.email as string[] | undefined) ?? [], topicName: p.options['topic-name'] as string | undefined, cloudTrailLogGroup: p.options['cloudtrail-log-group'] as string | undefined };
    for (const e of opts.emails) if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) throw new UsageError(`--email '${e}' is not an e-mail address`);
    if (sub === 'template') {
      io.stdout.write(JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Description: 'Break Glass: alerts on break-glass use', Resources: alertingCloudFormation(opts) }, null, 2) + '\n');
      return 0;
    }
    if (sub !== 'provision' && sub !== 'check') throw new UsageError(`say what to do: provision, check or template${sub ? ` (not '${sub}')` : ''}`);
    const base = await cliBase(p, io);
    const clients = { events: base.clients.eventBridge(), sns: base.clients.sns(), logs: base.clients.cloudWatchLogs() };
    try {
      if (sub === 'provision') {
        const r = await provisionAlerting(clients, opts);
        io.stdout.write(`Alerting ready: ${r.ruleArns.length} EventBridge rule(s) → ${r.topicArn}${r.metricFilter ? `; metric filter ${r.metricFilter} on ${opts.cloudTrailLogGroup}` : ''}.\n`);
        if (r.pendingConfirmations.length) io.stdout.write(`Waiting for confirmation: ${r.pendingConfirmations.join(', ')} (click the link in the "AWS Notification - Subscription Confirmation" e-mail).\n`);
        return 0;
      }
      const findings = await checkAlerting(clients, { topicName: opts.topicName });
      if (p.options.json) io.stdout.write(JSON.stringify(findings, null, 2) + '\n');
      else for (const f of findings) io.stdout.write(`${f.severity === 'ok' ? 'ok  ' : f.severity === 'warning' ? 'warn' : 'FAIL'}  ${f.message}${f.fix ? `\n      → ${f.fix}` : ''}\n`);
      return findings.some((f) => f.severity === 'error') ? 1 : 0;
    } catch (e) {
      const tr = translateAwsError(e, { operation: sub === 'provision' ? 'events:PutRule' : 'events:DescribeRule' });
      io.stderr.write(`breakglass alerting: ${tr.title}: ${tr.message}\n`);
      return 1;
    } finally {
      base.clients.destroy();
    }
  },
};
