// The approval errors and the description of a request's state, without the AWS SDK: front ends import these at
// activation (instanceof checks), while the store that talks to DynamoDB is loaded on first use.
import { BreakGlassError } from '../aws/errors';
import type { ApprovalRequest } from './types';

/** The store is unreachable, the table missing, or access denied: fail closed. */
export class ApprovalStoreError extends BreakGlassError {}

/** A transition lost to another writer or found the request in another state. `current` is a consistent re-read. */
export class ApprovalConflict extends BreakGlassError {
  constructor(message: string, readonly current: ApprovalRequest | undefined) {
    super({ code: 'Unknown', title: 'Request changed', message, retryable: false });
  }
}

/** A rule refused the action (self-approval, not an approver, policy mismatch…). */
export class ApprovalRefused extends BreakGlassError {
  constructor(title: string, message: string) {
    super({ code: 'AccessDenied', title, message, retryable: false });
  }
}

/** Who did what to a request, for a conflict message. */
export function describeState(r: ApprovalRequest): string {
  const by = r.decidedByArn ? ` by ${r.decidedByArn}${r.decidedAt ? ` at ${r.decidedAt}` : ''}` : '';
  switch (r.status) {
    case 'approved': return `already approved${by}`;
    case 'denied': return `already denied${by}${r.note ? ` ("${r.note}")` : ''}`;
    case 'expired': return `expired at ${r.expiresAt}`;
    case 'used': return r.breakGlass ? `used without approval (break glass) at ${r.usedAt}` : `already used by an elevation at ${r.usedAt}${r.accessKeyId ? ` (key ${r.accessKeyId})` : ''}`;
    default: return r.approvals.length ? `pending, approved so far by ${r.approvals.map((a) => a.arn).join(', ')}` : 'pending';
  }
}

