// Revocation, local and in AWS.
//
// Local: the session's credentials are wiped (memory and SecretStore), its state becomes 'revoked', its loopback
// credential endpoint answers 410, and the extension closes its terminals on the store's 'revoked' event.
//
// AWS: temporary credentials cannot be deleted, so — exactly like the IAM console's "Revoke active sessions" — an inline
// policy named AWSRevokeOlderSessions is put on the role, denying everything to any session whose token was issued
// before a given instant:
//   { "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
//     "Condition": { "DateLessThan": { "aws:TokenIssueTime": "2024-05-01T12:00:00Z" } } }
// If the policy exists it is updated (GetRolePolicy, then PutRolePolicy) to a single statement with the newest date,
// so repeated revocations never widen or multiply statements. This affects EVERY session of the role issued before
// that instant, including other responders'; they must elevate again.
import { GetRolePolicyCommand, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { BreakGlassError, translateAwsError, type TranslatedError } from '../aws/errors';
import { parseRoleArn } from '../aws/partition';
import { systemClock, type Clock, type Session } from './types';
import type { SessionStore } from './store';

export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

/** UTC ISO 8601 with seconds precision, the form the console writes: 2024-05-01T12:00:00Z. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function revokePolicyDocument(issuedBefore: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Deny',
      Action: ['*'],
      Resource: ['*'],
      Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
    }],
  });
}

/** The newest aws:TokenIssueTime found in an existing revoke policy, if any. */
export function existingRevokeDate(doc: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(doc.includes('%') ? decodeURIComponent(doc) : doc);
  } catch {
    return undefined;
  }
  const statements = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  let newest: string | undefined;
  for (const s of list as Array<{ Condition?: Record<string, Record<string, unknown>> }>) {
    const v = s.Condition?.DateLessThan?.['aws:TokenIssueTime'];
    for (const d of Array.isArray(v) ? v : [v]) {
      if (typeof d === 'string' && !Number.isNaN(Date.parse(d)) && (!newest || Date.parse(d) > Date.parse(newest))) newest = d;
    }
  }
  return newest;
}

export interface AwsRevocation {
  roleArn: string;
  roleName: string;
  policyName: string;
  /** Sessions issued before this instant are denied. */
  issuedBefore: string;
  /** Whether an existing AWSRevokeOlderSessions policy was found (and updated). */
  updated: boolean;
}

/** Puts or updates AWSRevokeOlderSessions on the role. Throws BreakGlassError (translated) on failure. */
export async function revokeInAws(
  iam: IAMClient,
  roleArn: string,
  opts: { before?: Date | string; clock?: Clock; abortSignal?: AbortSignal } = {},
): Promise<AwsRevocation> {
  const role = parseRoleArn(roleArn);
  if (!role) {
    throw new BreakGlassError({ code: 'Unknown', title: 'Not a role ARN', retryable: false, message: `"${roleArn}" is not an IAM role ARN; use arn:aws:iam::111122223333:role/NAME.` });
  }
  const clock = opts.clock ?? systemClock;
  const beforeMs = opts.before === undefined ? clock.now() : new Date(opts.before).getTime();
  if (Number.isNaN(beforeMs)) {
    throw new BreakGlassError({ code: 'Unknown', title: 'Bad instant', retryable: false, message: `"${String(opts.before)}" is not an ISO 8601 instant (e.g. 2024-05-01T12:00:00Z).` });
  }
  // Round UP to the next whole second so a session issued in the current second is also denied.
  let issuedBefore = isoSeconds(beforeMs % 1000 ? beforeMs + 1000 : beforeMs);
  const ctx = { roleArn, operation: 'iam:PutRolePolicy' };
  let updated = false;
  try {
    const existing = await iam.send(new GetRolePolicyCommand({ RoleName: role.roleName, PolicyName: REVOKE_POLICY_NAME }), { abortSignal: opts.abortSignal });
    updated = true;
    const prior = existing.PolicyDocument ? existingRevokeDate(existing.PolicyDocument) : undefined;
    if (prior && Date.parse(prior) > Date.parse(issuedBefore)) issuedBefore = isoSeconds(Date.parse(prior));
  } catch (e) {
    const tr = translateAwsError(e, { roleArn, operation: 'iam:GetRolePolicy' });
    // NoSuchEntity: no policy yet. AccessDenied on the read: still try the write (it is what matters).
    if (tr.code !== 'NoSuchEntity' && tr.code !== 'AccessDenied') throw new BreakGlassError(tr);
  }
  try {
    await iam.send(new PutRolePolicyCommand({
      RoleName: role.roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokePolicyDocument(issuedBefore),
    }), { abortSignal: opts.abortSignal });
  } catch (e) {
    const tr = translateAwsError(e, ctx);
    if (tr.code === 'AccessDenied') {
      throw new BreakGlassError({
        ...tr,
        title: 'Cannot revoke in AWS',
        message: `You lack iam:PutRolePolicy on ${role.roleName}, so the sessions could not be revoked in AWS. Ask an IAM administrator to use "Revoke active sessions" on the role in the IAM console now.`,
      });
    }
    throw new BreakGlassError(tr);
  }
  return { roleArn, roleName: role.roleName, policyName: REVOKE_POLICY_NAME, issuedBefore, updated };
}

export interface RevokeResult {
  session?: Session;
  aws?: { ok: true; revocation: AwsRevocation } | { ok: false; error: TranslatedError };
}

/**
 * Revokes a session: locally first (always, immediately), then — when `iam` is given — in AWS. A failed AWS
 * revocation is reported, never thrown, and never undoes the local one.
 */
export async function revokeSession(
  sessionId: string,
  deps: { store: SessionStore; iam?: IAMClient; endpoints?: { unregister(id: string): void }; clock?: Clock },
): Promise<RevokeResult> {
  deps.endpoints?.unregister(sessionId);
  const session = await deps.store.markRevoked(sessionId);
  if (!deps.iam || !session) return { session };
  try {
    const revocation = await revokeInAws(deps.iam, session.roleArn, { clock: deps.clock });
    return { session, aws: { ok: true, revocation } };
  } catch (e) {
    return { session, aws: { ok: false, error: translateAwsError(e, { roleArn: session.roleArn }) } };
  }
}
