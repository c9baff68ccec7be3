import * as vscode from 'vscode';
import { BreakGlassError, translateAwsError } from '../core/aws/errors';
import type { ActivityResult } from '../core/trail/activity';
import { ActivityPanel } from '../views/activityPanel';
import type { CommandContext } from './context';

const PERIODS = [
  { label: 'Last 24 hours', days: 1 },
  { label: 'Last 7 days', days: 7 },
  { label: 'Last 30 days', days: 30 },
  { label: 'Last 90 days (all of CloudTrail event history)', days: 90 },
];

/**
 * Break Glass: Show Break-glass Activity — CloudTrail AssumeRole / ConsoleLogin of break-glass roles and users,
 * correlated with the audit log, in a webview list. Cancellable; `args` skip the question (tests).
 */
export async function showActivity(ctx: CommandContext, args?: { days?: number }): Promise<ActivityResult | undefined> {
  let days = args?.days;
  if (days === undefined) {
    const p = await vscode.window.showQuickPick(PERIODS, { placeHolder: 'Look up break-glass activity in CloudTrail for which period?' });
    if (!p) return undefined;
    days = p.days;
  }
  const [clients, { records }] = await Promise.all([ctx.aws.clients(), ctx.audit().read()]);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Break Glass: reading CloudTrail (2 requests per second)…', cancellable: true },
    async (_progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      try {
        // Loaded on first use: the CloudTrail SDK stays off the activation path.
        const { lookupBreakGlassActivity } = await import('../core/trail/activity');
        return await lookupBreakGlassActivity(clients.cloudTrail(), records, { days, abortSignal: ac.signal });
      } catch (e) {
        if ((e as Error).name === 'AbortError') return undefined;
        throw e instanceof BreakGlassError ? e : new BreakGlassError(translateAwsError(e, { operation: 'cloudtrail:LookupEvents' }));
      } finally {
        sub.dispose();
      }
    });
  if (!result) return undefined;
  ActivityPanel.show(result);
  const flagged = result.items.filter((i) => i.flagged).length;
  ctx.log.info(`activity: ${result.items.length} break-glass event(s) since ${result.since}, ${flagged} flagged, ${result.requests} LookupEvents call(s)`);
  if (flagged) void vscode.window.showWarningMessage(`Break Glass: ${flagged} break-glass event(s) in CloudTrail have no matching audit record or are console sign-ins — review them.`);
  return result;
}

/** Break Glass: Set Up Break-glass Alerts — EventBridge rules → SNS topic with e-mail subscriptions. */
export async function provisionAlertingCommand(ctx: CommandContext, args?: { emails?: string[] }): Promise<unknown> {
  let emails = args?.emails;
  if (!emails) {
    const v = await vscode.window.showInputBox({
      title: 'Break-glass alerts', prompt: 'E-mail addresses to alert (comma-separated); each must confirm the subscription', placeHolder: 'oncall@example.com, security@example.com',
      ignoreFocusOut: true, validateInput: (s) => s.split(',').map((x) => x.trim()).filter(Boolean).every((x) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(x)) ? undefined : 'Enter e-mail addresses separated by commas',
    });
    if (v === undefined) return undefined;
    emails = v.split(',').map((x) => x.trim()).filter(Boolean);
  }
  const { provisionAlerting } = await import('../core/trail/alerting');
  const clients = await ctx.aws.clients();
  const r = await provisionAlerting({ events: clients.eventBridge(), sns: clients.sns() }, { emails }).catch((e: unknown) => {
    throw e instanceof BreakGlassError ? e : new BreakGlassError(translateAwsError(e, { operation: 'events:PutRule' }));
  });
  ctx.log.info(`alerting: rules ${r.ruleArns.join(', ')} → ${r.topicArn}`);
  void vscode.window.showInformationMessage(`Break Glass: alerts set up (${r.ruleArns.length} EventBridge rules → ${r.topicArn}).${r.pendingConfirmations.length ? ` Confirm the subscription e-mail sent to ${r.pendingConfirmations.join(', ')}.` : ''}`);
  return r;
}
