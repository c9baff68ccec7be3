// SNS notifications on request, decision and "break glass anyway": incident, requester, role, playbook, state and a
// link — never a secret (no credentials, no MFA code, no session token; not even the access key id). A failure to
// notify never blocks the decision: publish() resolves with what went wrong, for the front end to show.
import type { SNSClient } from '@aws-sdk/client-sns';
import { translateAwsError } from '../aws/errors';
import { playbookDisplayName } from './hash';
import type { ApprovalRequest } from './types';

export type NotificationKind = 'requested' | 'approved' | 'denied' | 'partially-approved' | 'break-glass';

export interface NotifyResult {
  ok: boolean;
  /** Why it failed (translated), when it did. */
  message?: string;
  messageId?: string;
}

export interface Notifier {
  publish(kind: NotificationKind, r: ApprovalRequest): Promise<NotifyResult>;
}

/** The text sent. Exposed so tests can prove what it contains. */
export function notificationText(kind: NotificationKind, r: ApprovalRequest, requestUrl?: string): { subject: string; message: string } {
  const role = r.roleArn.split('/').pop() ?? r.roleArn;
  const head: Record<NotificationKind, string> = {
    requested: 'Approval requested',
    approved: 'Request approved',
    'partially-approved': 'Request approved by one of two approvers',
    denied: 'Request denied',
    'break-glass': 'BREAK GLASS ANYWAY — elevation WITHOUT approval',
  };
  // SNS: "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100 characters long"
  // (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html); kept to printable ASCII, as older SNS required.
  const subject = `[Break Glass] ${head[kind]}: ${r.incidentId} ${role}`.replace(/\u2014/g, '-').replace(/[^\x20-\x7e]/g, '?').slice(0, 99);
  const lines = [
    `${head[kind]}.`,
    '',
    `Incident:      ${r.incidentId}`,
    `Requester:     ${r.requester} (${r.requesterArn})`,
    `Role:          ${r.roleArn}`,
    `Playbook:      ${playbookDisplayName(r.playbook)} (policy sha256 ${r.policyHash.slice(0, 16)}…)`,
    `Justification: ${r.justification}`,
    `Request:       ${r.id}${requestUrl ? ` — ${requestUrl.replace('{id}', encodeURIComponent(r.id))}` : ''}`,
    `Expires:       ${r.expiresAt}`,
  ];
  if (kind === 'approved' || kind === 'denied' || kind === 'partially-approved') {
    const who = kind === 'partially-approved' ? r.approvals[r.approvals.length - 1]?.arn : r.decidedByArn;
    lines.push(`Decided by:    ${who ?? 'unknown'}${r.note ? ` — "${r.note}"` : ''}`);
  }
  if (kind === 'break-glass') lines.push('', 'No second person approved this elevation. Review it now: the audit log and CloudTrail carry the incident id.');
  if (kind === 'requested') lines.push('', `Approve: breakglass approve ${r.id} [--note TEXT]    Deny: breakglass deny ${r.id} --note TEXT`);
  return { subject, message: lines.join('\n') };
}

export function snsNotifier(sns: SNSClient | (() => SNSClient), topicArn: string, requestUrl?: string): Notifier {
  return {
    async publish(kind, r) {
      const { subject, message } = notificationText(kind, r, requestUrl);
      try {
        const { PublishCommand } = await import('@aws-sdk/client-sns'); // loaded on first use, not at activation
        const client = typeof sns === 'function' ? sns() : sns;
        const out = await client.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
        return { ok: true, ...(out.MessageId ? { messageId: out.MessageId } : {}) };
      } catch (e) {
        const t = translateAwsError(e, { operation: 'sns:Publish' });
        return { ok: false, message: `The notification to ${topicArn} was not sent: ${t.message}` };
      }
    },
  };
}

/** No topic configured: nothing is sent, and the front end says so. */
export const noNotifier: Notifier = {
  async publish() {
    return { ok: false, message: 'No approvals.topicArn is configured, so nobody was notified; tell an approver yourself.' };
  },
};
