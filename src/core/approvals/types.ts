// The approval request model (two-person rule, issue 12): one DynamoDB item per request. Metadata only — an item
// never holds a secret (no MFA code, no credentials; the access key id recorded once used is what CloudTrail shows).

/** `pending → approved | denied | expired`, then `approved → used` once. `used` with `breakGlass` is an override. */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'used';

export interface Approver {
  arn: string;
  userId: string;
  at: string;
  note?: string;
}

export interface ApprovalRequest {
  id: string;
  status: ApprovalStatus;
  /** The requester's principal ARN and stable user id (sts:GetCallerIdentity), display name. */
  requesterArn: string;
  requesterUserId: string;
  requester: string;
  roleArn: string;
  accountId: string;
  /** Playbook display name and SHA-256 (hex) of the session policy the plan sends (document + policy ARNs). */
  playbook: string;
  policyHash: string;
  incidentId: string;
  justification: string;
  durationSeconds: number;
  /** ISO 8601 UTC. */
  requestedAt: string;
  expiresAt: string;
  /** Approvals so far (distinct approvers); the decider of a denial is in decidedBy*. */
  approvals: Approver[];
  /** Who moved it to approved/denied, when, and their note. */
  decidedByArn?: string;
  decidedByUserId?: string;
  decidedAt?: string;
  note?: string;
  /** Once used: when, by which reservation, and the session's access key id after STS answered. */
  usedAt?: string;
  accessKeyId?: string;
  sessionId?: string;
  /** The last failed elevation on this approval (the approval went back to `approved`). */
  lastFailure?: string;
  failures: number;
  /** An elevation without approval ("Break glass anyway"): never approved, used at once, justified and notified. */
  breakGlass: boolean;
  /** Optimistic concurrency counter, bumped by every write. */
  version: number;
}

/** The identity of whoever calls (from sts:GetCallerIdentity). `userId` is stable: AIDA… for a user, AROA…:session for a role. */
export interface CallerIdentity {
  arn: string;
  userId: string;
  account: string;
}

/** What a request is for: what an elevation must match to use it. */
export interface ApprovalSubject {
  roleArn: string;
  accountId: string;
  playbook: string;
  policyHash: string;
  incidentId: string;
  justification: string;
  durationSeconds: number;
  requester: string;
}

/** Shown for a state everywhere (tree, CLI, notifications). */
export function statusLabel(r: Pick<ApprovalRequest, 'status' | 'breakGlass' | 'expiresAt'>, nowMs: number): string {
  if (r.breakGlass) return 'BREAK GLASS — used without approval';
  if ((r.status === 'pending' || r.status === 'approved') && Date.parse(r.expiresAt) <= nowMs) return 'expired';
  return r.status;
}
