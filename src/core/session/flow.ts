// The elevation flow both front ends use, so the extension and the CLI produce the same checks and the same audit
// trail: audit 'requested' → one sts:AssumeRole → register the session → audit 'granted' (or 'failed' with the
// translated reason). Also: mirror store lifecycle events (warning/expired/revoked) into the audit log.
import type { STSClient } from '@aws-sdk/client-sts';
import type { AuditLog, AuditInput } from '../audit/log';
import { BreakGlassError, translateAwsError } from '../aws/errors';
import { elevate, type Elevation, type ElevationPlan } from './elevate';
import type { SessionStore } from './store';
import type { Clock, Session } from './types';
import type { Disposable } from './emitter';
import type { ElevationGate, GateReservation } from '../approvals/gate';

export interface FlowDeps {
  sts: STSClient | (() => STSClient);
  store?: SessionStore;
  audit?: AuditLog;
  clock?: Clock;
  abortSignal?: AbortSignal;
  newId?: () => string;
  /** Two-person approval (issue 12): reserve before AssumeRole, commit after, release on failure. */
  gate?: ElevationGate;
}

/** Audit fields of a session: metadata only. */
export function sessionAuditFields(s: Session): Omit<AuditInput, 'event'> {
  return {
    sessionId: s.id, incidentId: s.incidentId, roleArn: s.roleArn, accountId: s.accountId, playbook: s.playbook,
    requester: s.requester, tokenHash: s.tokenHash, accessKeyId: s.accessKeyId, expiresAt: s.expiresAt,
  };
}

/** An elevation whose bookkeeping may still be settling. */
export interface RecordedElevation extends Elevation {
  /**
   * Resolves when the 'granted' audit record is written and fsynced and the session is persisted to the SecretStore
   * (both started before elevateAndRecord returns; typically done within a millisecond). Await it before exiting, and
   * report a rejection: the session is valid but its 'granted' line may be missing from the audit log.
   */
  durable: Promise<void>;
}

function auditFailure(e: unknown): BreakGlassError {
  return new BreakGlassError({
    code: 'Unknown', title: 'Audit log unavailable', retryable: false,
    message: `The audit log could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}), so no session was started. Fix the audit log path or its permissions and elevate again.`,
  });
}

/** The 'requested' audit record of a plan. The MFA code is not part of it, so it can be written before it is typed. */
function requestedRecord(plan: ElevationPlan): AuditInput {
  return {
    event: 'requested', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
    requester: plan.requester, justification: plan.justification, durationSeconds: plan.input.DurationSeconds,
    details: { mfa: Boolean(plan.input.SerialNumber), policySize: plan.policySize },
  };
}

/** A 'requested' record written ahead of the MFA code. */
export interface PendingRequest {
  /** Resolves when the record is on disk. */
  durable: Promise<void>;
  /** The responder went back or cancelled at the MFA prompt: records that nothing was requested from AWS. */
  abandon(): Promise<void>;
}

/**
 * Writes the 'requested' record when the MFA prompt opens (the plan may carry a placeholder code: it is not
 * recorded). Pass the result to elevateAndRecord as `requested`; call abandon() if the prompt is left.
 */
export function recordRequest(audit: AuditLog, plan: ElevationPlan): PendingRequest {
  const durable = audit.appendNow(requestedRecord(plan)).durable;
  durable.catch(() => undefined); // reported by elevateAndRecord, which awaits it
  return {
    durable,
    abandon: async () => {
      await durable.catch(() => undefined);
      await audit.append({
        event: 'failed', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
        requester: plan.requester, reason: { code: 'Aborted', message: 'Abandoned at the MFA prompt; nothing was sent to AWS.' },
      }).catch(() => undefined);
    },
  };
}

export async function elevateAndRecord(plan: ElevationPlan, deps: FlowDeps & { requested?: PendingRequest }): Promise<RecordedElevation> {
  const base = {
    incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
    requester: plan.requester,
  };
  // 'requested' is durable before credentials are handed out (fail closed: a session that could not be audited is
  // not started). A front end that asks for the MFA code writes it while the prompt is open (recordRequest), so the
  // fsync is done while the responder types; otherwise it is written here and its fsync overlaps the STS round trip.
  if (deps.requested) {
    // Written while the code was typed: normally durable already. If it failed, nothing is sent to AWS.
    try {
      await deps.requested.durable;
    } catch (e) {
      throw auditFailure(e);
    }
  }
  const requested = deps.requested?.durable ?? deps.audit?.appendNow(requestedRecord(plan)).durable;
  requested?.catch(() => undefined); // handled below; avoid an unhandled rejection while STS answers
  let result: Elevation;
  let reservation: GateReservation | undefined;
  try {
    if (deps.gate) reservation = await deps.gate.reserve(plan); // approvals (issue 12): refuses without a usable approval
    result = await elevate(plan, deps);
  } catch (e) {
    const tr = e instanceof BreakGlassError ? e.translated : translateAwsError(e);
    await reservation?.release(e);
    await requested?.catch(() => undefined);
    await deps.audit?.append({ event: 'failed', ...base, reason: { code: tr.code, message: tr.message } }).catch(() => undefined);
    throw e instanceof BreakGlassError ? e : new BreakGlassError(tr);
  }
  try {
    await requested;
  } catch (e) {
    // The credentials just obtained are dropped here, unused.
    await reservation?.release(e);
    throw auditFailure(e);
  }
  const persisted = deps.store?.add(result.session, result.credentials);
  const committed = reservation?.commit(result.session); // never throws; part of `durable`
  // Like the SecretStore write, the 'granted' record is serialised and queued on the next macrotask: the responder
  // gets the credentials first, and `durable` covers both writes.
  const audit = deps.audit;
  const granted = audit && new Promise<void>((resolve) => setImmediate(resolve)).then(() => audit.appendNow({
    event: 'granted', ...sessionAuditFields(result.session), durationSeconds: plan.input.DurationSeconds,
    ...(result.packedPolicySize !== undefined ? { details: { packedPolicySize: result.packedPolicySize } } : {}),
  }).durable);
  return { ...result, durable: Promise.all([granted, persisted, committed]).then(() => undefined) };
}

/** Writes warning / expired / revoked_local records for store events. Dispose to stop. */
export function auditStoreEvents(store: SessionStore, audit: Pick<AuditLog, 'append'>, onError?: (e: unknown) => void): Disposable {
  return store.onDidChange((e) => {
    let p: Promise<unknown> | undefined;
    if (e.kind === 'warning') {
      p = audit.append({ event: 'warning', ...sessionAuditFields(e.session), details: { remainingSeconds: Math.round(e.remainingMs / 1000) } });
    } else if (e.kind === 'expired') {
      p = audit.append({ event: 'expired', ...sessionAuditFields(e.session) });
    } else if (e.kind === 'revoked') {
      p = audit.append({ event: 'revoked_local', ...sessionAuditFields(e.session) });
    }
    p?.catch((err) => onError?.(err));
  });
}
