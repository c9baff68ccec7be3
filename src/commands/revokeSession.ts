import * as vscode from 'vscode';
import { sessionAuditFields } from '../core/session/flow';
import { revokeChoices } from '../core/session/revokeChoices';
import type { Session } from '../core/session/types';
import { readSettings } from '../views/settings';
import type { CommandContext } from './context';
import { pickLiveSession } from './openTerminal';

/**
 * Break Glass: Revoke Session — always locally (credentials wiped, terminals closed, endpoint stopped), and on AWS
 * when confirmed or configured: the role gets the inline policy AWSRevokeOlderSessions denying every session issued
 * before now (AWS's clock), exactly as the IAM console's "Revoke active sessions" does; IAM applies it within minutes.
 * `opts.aws` (tests, webview) skips the question.
 */
export async function revokeSessionCommand(ctx: CommandContext, arg?: string | { session?: Session }, opts: { aws?: boolean } = {}): Promise<boolean> {
  const id = typeof arg === 'string' ? arg : arg?.session?.id ?? (await pickLiveSession(ctx, 'Revoke which session?'));
  const session = id ? ctx.sessions.get(id) : undefined;
  if (!session) return false;
  let aws = opts.aws;
  if (aws === undefined) {
    const mode = readSettings().revokeInAws;
    if (mode === 'always' || mode === 'never') aws = mode === 'always';
    else {
      const c = revokeChoices(session, ctx.sessions.live());
      const others = c.otherLiveSessions
        ? `${c.otherLiveSessions} other live session(s) of this role here would be cut off on AWS too.`
        : 'No other live session of this role is held here, so revoking on AWS is the default.';
      // The first action is the primary (default) button of the modal.
      const order = c.defaultChoice === 'aws' ? [c.aws, c.local] : [c.local, c.aws];
      const pick = await vscode.window.showWarningMessage(
        `Revoke session ${session.incidentId} on ${session.roleName}?`,
        { modal: true, detail: 'Locally: credentials are wiped and its terminals closed, but the AWS session itself stays valid ' +
          'until it expires.\n\nIn AWS: the role gets an inline policy denying every session issued before now — including ' +
          `colleagues' sessions of this role. New elevations still work. IAM applies the deny within a few minutes.\n\n${others}` },
        ...order);
      if (!pick) return false;
      aws = pick === c.aws;
    }
  }
  // Loaded on first use: revocation on AWS needs the SDK, which activation does not load.
  const { revokeSession } = await import('../core/session/revoke');
  const result = await revokeSession(session.id, { store: ctx.sessions, iam: aws ? (await ctx.aws.clients()).iam() : undefined });
  if (result.aws?.ok) {
    const r = result.aws.revocation;
    await ctx.audit().append({ event: 'revoked_aws', ...sessionAuditFields(session), details: { revokedBefore: r.issuedBefore, policy: r.policyName, awsTime: r.awsTime, keptStatements: r.keptStatements } });
    ctx.log.info(`revoked on AWS: ${r.policyName} on ${r.roleArn} denies sessions issued before ${r.issuedBefore} (AWS time ${r.awsTime}, ${r.keptStatements} other statement(s) kept)`);
    for (const w of r.warnings) ctx.log.warn(`AWS revocation: ${w}`);
    const warned = r.warnings.length ? ` ${r.warnings.join(' ')}` : '';
    const text = `Break Glass: revoked ${session.incidentId} locally and on AWS: sessions of ${session.roleName} issued before ${r.issuedBefore} are denied. ${r.note}${warned}`;
    void (r.warnings.length ? vscode.window.showWarningMessage(text) : vscode.window.showInformationMessage(text));
  } else if (result.aws && !result.aws.ok) {
    const t = result.aws.error;
    await ctx.audit().append({ event: 'revoked_aws', ...sessionAuditFields(session), reason: { code: t.code, message: t.message } });
    ctx.log.warn(`AWS revocation failed: ${t.code}: ${t.message}`);
    void vscode.window.showWarningMessage(`Break Glass: revoked ${session.incidentId} locally, but not on AWS — ${t.message}`);
  } else {
    void vscode.window.showInformationMessage(`Break Glass: revoked ${session.incidentId} locally; its credentials are wiped and its terminals closed.`);
  }
  return true;
}
