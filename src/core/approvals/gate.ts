// The approval gate of an elevation (two-person rule). For a role or playbook marked `requiresApproval` it refuses
// the elevation unless an approved, unexpired, unused request of the same requester (stable user id) exists for the
// same role, policy hash and incident, and it marks that request used with ONE conditional write (approved → used),
// so two elevations on one approval cannot both pass. If STS then fails, release() puts it back to approved with the
// failure noted; commit() records the session's access key id.
//
// Fails closed: no approvals block, an unreachable store, an unknown identity — each refuses with what to do. The one
// exception is "Break glass anyway", only where config allows it: a mandatory justification (asked through a port),
// an audit record written before anything else (no record, no elevation), a request item marked breakGlass, and an
// immediate SNS notification (whose failure is shown, never blocking).
//
// The interface is the one runElevation (src/core/session) calls: reserve() after the pre-flight, before the MFA
// prompt.
import type { AuditInput } from '../audit/log';
import { BreakGlassError, translateAwsError } from '../aws/errors';
import type { WorkspaceConfig } from '../config';
import type { ElevationPlan } from '../session/elevate';
import { planPolicyHash, playbookDisplayName } from './hash';
import { noNotifier, type Notifier } from './notify';
import { ApprovalConflict, ApprovalRefused, ApprovalStoreError, describeState } from './errors';
import type { ApprovalStore } from './store';
import type { ApprovalRequest, ApprovalSubject, CallerIdentity } from './types';

import type { ElevationGate, GateReservation } from '../session/gate';
export type { ElevationGate, GateReservation };

/** Shortest justification accepted for "Break glass anyway". */
export const MIN_OVERRIDE_JUSTIFICATION = 15;

export interface ApprovalGateOptions {
  config: Pick<WorkspaceConfig, 'accounts' | 'approvals' | 'playbooks'>;
  /** The approvals table; undefined when config has no approvals block (then approval-requiring roles are refused). */
  store?: ApprovalStore;
  /** The requester's identity (sts:GetCallerIdentity with the base credentials). */
  identity: () => Promise<CallerIdentity>;
  notifier?: Notifier;
  /** Where the approval records go (the same audit log as the elevation). */
  audit?: { append(r: AuditInput): Promise<unknown> };
  /** Use exactly this request (the tree's "Elevate" on an approved request); otherwise the best match is found. */
  requestId?: string;
  /**
   * "Break glass anyway": asked only when config allows it and no usable approval exists (or the store is down).
   * Resolve with the justification to proceed, undefined to stop. Never called otherwise.
   */
  breakGlassAnyway?: (plan: ElevationPlan, why: string) => Promise<string | undefined>;
  /** Non-blocking problems to show (a notification not sent, a commit not recorded). */
  onWarning?: (message: string) => void;
  now?: () => number;
}

/** Whether the plan's role or playbook is marked requiresApproval. */
export function approvalRequired(config: Pick<WorkspaceConfig, 'accounts' | 'playbooks'>, plan: Pick<ElevationPlan, 'roleArn' | 'playbook'>): boolean {
  const role = config.accounts.flatMap((a) => a.roles).find((r) => r.arn === plan.roleArn);
  if (role?.requiresApproval) return true;
  const playbooks = config.playbooks ?? {};
  return Boolean(playbooks[plan.playbook]?.requiresApproval || playbooks[playbookDisplayName(plan.playbook)]?.requiresApproval);
}

/** What a request must match, from the plan. */
export function subjectOf(plan: ElevationPlan): ApprovalSubject {
  return {
    roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook, policyHash: planPolicyHash(plan),
    incidentId: plan.incidentId, justification: plan.justification, durationSeconds: plan.input.DurationSeconds, requester: plan.requester,
  };
}

function refuse(title: string, message: string): never {
  throw new ApprovalRefused(title, message);
}

/** Why no request can be used, from the requester's requests for this role and incident. */
export function explainMissing(candidates: ApprovalRequest[], hash: string, nowMs: number, plan: Pick<ElevationPlan, 'roleName' | 'incidentId'>): string {
  const live = candidates.filter((r) => !r.breakGlass);
  const what = `${plan.roleName} for ${plan.incidentId}`;
  if (!live.length) return `Elevating into ${what} needs a request approved by another person, and you have none.`;
  const sameHash = live.filter((r) => r.policyHash === hash);
  if (!sameHash.length) {
    return `Your request for ${what} was for a different session policy (playbook ${live.map((r) => playbookDisplayName(r.playbook)).join(', ')}); an approval covers exactly the policy it was given for. Elevate with that playbook, or request again for this one.`;
  }
  const pick = sameHash[0];
  if ((pick.status === 'pending' || pick.status === 'approved') && Date.parse(pick.expiresAt) <= nowMs) return `Your request ${pick.id} for ${what} expired at ${pick.expiresAt}; request again.`;
  if (pick.status === 'pending') return `Your request ${pick.id} for ${what} is still waiting for approval (${describeState(pick)}).`;
  if (pick.status === 'denied') return `Your request ${pick.id} for ${what} was denied${pick.decidedByArn ? ` by ${pick.decidedByArn}` : ''}${pick.note ? `: "${pick.note}"` : ''}.`;
  if (pick.status === 'used') return `Your approval ${pick.id} for ${what} was already used (at ${pick.usedAt}); an approval is good for one elevation. Request again.`;
  return `No usable approval for ${what} (${describeState(pick)}).`;
}

export function approvalGate(opts: ApprovalGateOptions): ElevationGate {
  const now = opts.now ?? Date.now;
  const notifier = opts.notifier ?? noNotifier;
  const warn = (m: string) => opts.onWarning?.(m);
  const audit = async (r: AuditInput, mandatory: boolean) => {
    try {
      await opts.audit?.append(r);
    } catch (e) {
      if (mandatory) {
        throw new BreakGlassError({
          code: 'Unknown', title: 'Audit log unavailable', retryable: false,
          message: `The audit log could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); "Break glass anyway" needs its audit record, so nothing was started.`,
        });
      }
      warn(`An approval audit record could not be written: ${(e as Error).message}`);
    }
  };

  const reservationFor = (store: ApprovalStore, request: ApprovalRequest, reservation: string, plan: ElevationPlan): GateReservation => ({
    async commit(session) {
      try {
        await store.commit(request.id, reservation, session);
      } catch (e) {
        // The session is valid and the approval is already `used`: it cannot be reused. Only the key id is missing.
        warn(`The session works, but the approvals table did not record its access key on request ${request.id}: ${(e as Error).message}`);
      }
      await audit({
        event: 'approval_used', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
        requester: plan.requester, sessionId: session.id, accessKeyId: session.accessKeyId,
        details: { requestId: request.id, policyHash: request.policyHash, breakGlass: request.breakGlass },
      }, false);
    },
    async release(error) {
      const t = error instanceof BreakGlassError ? error.translated : translateAwsError(error);
      try {
        await store.release(request.id, reservation, `${t.code}: ${t.message}`);
        await audit({
          event: 'approval_released', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
          requester: plan.requester, reason: { code: t.code, message: t.message }, details: { requestId: request.id },
        }, false);
      } catch (e) {
        warn(`The elevation failed, and approval ${request.id} could not be put back (${(e as Error).message}); it stays used — request again.`);
      }
    },
  });

  const override = async (plan: ElevationPlan, why: string, me: CallerIdentity | undefined): Promise<GateReservation> => {
    const justification = (await opts.breakGlassAnyway!(plan, why))?.trim();
    if (!justification) refuse('Approval required', `${why} Elevation stopped: no "Break glass anyway" justification was given.`);
    if (justification.length < MIN_OVERRIDE_JUSTIFICATION) {
      refuse('Justification too short', `"Break glass anyway" needs a justification of at least ${MIN_OVERRIDE_JUSTIFICATION} characters saying why no approver could be reached.`);
    }
    const subject = subjectOf(plan);
    // The audit record first: no record, no elevation.
    await audit({
      event: 'break_glass_override', incidentId: plan.incidentId, roleArn: plan.roleArn, accountId: plan.accountId, playbook: plan.playbook,
      requester: plan.requester, justification, reason: { code: 'NoApproval', message: why },
      details: { policyHash: subject.policyHash, requesterArn: me?.arn ?? 'unknown' },
    }, true);
    let item: ApprovalRequest | undefined;
    let claimed: { request: ApprovalRequest; reservation: string } | undefined;
    if (opts.store && me) {
      try {
        item = await opts.store.create({ ...subject, justification: `BREAK GLASS ANYWAY: ${justification}` }, me,
          (opts.config.approvals?.expiresInMinutes ?? 60) * 60_000, { breakGlass: true });
        claimed = await opts.store.claim(item);
      } catch (e) {
        warn(`"Break glass anyway" could not be recorded in the approvals table (${(e as Error).message}); the audit log has it.`);
      }
    }
    const notice: ApprovalRequest = claimed?.request ?? item ?? {
      id: 'not-recorded', status: 'used', requesterArn: me?.arn ?? 'unknown', requesterUserId: me?.userId ?? 'unknown', ...subject,
      justification: `BREAK GLASS ANYWAY: ${justification}`, requestedAt: new Date(now()).toISOString(), expiresAt: new Date(now()).toISOString(),
      approvals: [], failures: 0, breakGlass: true, version: 0,
    };
    const sent = await notifier.publish('break-glass', notice);
    if (!sent.ok) warn(`"Break glass anyway" notification not sent: ${sent.message}`);
    if (claimed && opts.store) return reservationFor(opts.store, claimed.request, claimed.reservation, plan);
    return { async commit() { /* nothing recorded to update */ }, async release() { /* nothing reserved */ } };
  };

  return {
    async reserve(plan) {
      if (!approvalRequired(opts.config, plan)) return undefined;
      const allowOverride = Boolean(opts.config.approvals?.allowBreakGlassAnyway && opts.breakGlassAnyway);
      const store = opts.store;
      if (!opts.config.approvals || !store) {
        refuse('Approval required', `${plan.roleName} (playbook ${playbookDisplayName(plan.playbook)}) requires approval, but no approvals table is configured. Add an "approvals" block to .breakglass/config.json.`);
      }
      let me: CallerIdentity | undefined;
      try {
        me = await opts.identity();
      } catch (e) {
        const t = e instanceof BreakGlassError ? e.translated : translateAwsError(e);
        const why = `Your identity could not be established (${t.message.replace(/\.$/, '')}), so the approval cannot be checked.`;
        if (allowOverride) return override(plan, why, undefined);
        refuse('Approval cannot be checked', `${why} ${plan.roleName} requires approval: no elevation until it can.`);
      }
      const hash = planPolicyHash(plan);
      let candidates: ApprovalRequest[];
      try {
        if (opts.requestId) {
          const r = await store.get(opts.requestId);
          if (!r) refuse('Request not found', `Request ${opts.requestId} is not in the approvals table ${store.table} (expired and deleted, or never created).`);
          if (r.requesterUserId !== me.userId) refuse('Not your request', `Request ${r.id} was made by ${r.requesterArn}; an approval is used only by its requester.`);
          if (r.roleArn !== plan.roleArn || r.incidentId !== plan.incidentId) {
            refuse('Request does not match', `Request ${r.id} is for ${r.roleArn} / ${r.incidentId}, not ${plan.roleArn} / ${plan.incidentId}.`);
          }
          if (r.policyHash !== hash) {
            refuse('Policy changed since approval', `Request ${r.id} was approved for a different session policy than this elevation sends (playbook ${playbookDisplayName(r.playbook)}); request again for this one.`);
          }
          candidates = [r];
        } else {
          candidates = await store.list((r) => r.requesterUserId === me.userId && r.roleArn === plan.roleArn && r.incidentId === plan.incidentId);
        }
      } catch (e) {
        if (!(e instanceof ApprovalStoreError)) throw e;
        const why = `${e.message.replace(/\.$/, '')}.`;
        if (allowOverride) return override(plan, why, me);
        throw new ApprovalStoreError({
          ...e.translated,
          message: `${why} ${plan.roleName} requires approval, so the elevation is refused until the store is reachable (fail closed).`,
        });
      }
      const usable = candidates
        .filter((r) => r.status === 'approved' && !r.breakGlass && r.policyHash === hash && Date.parse(r.expiresAt) > now())
        .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
      let lost: ApprovalConflict | undefined;
      for (const r of usable) {
        try {
          const { request, reservation } = await store.reserve(r, me, { roleArn: plan.roleArn, policyHash: hash, incidentId: plan.incidentId });
          return reservationFor(store, request, reservation, plan);
        } catch (e) {
          if (e instanceof ApprovalConflict) { lost = e; continue; }
          if (e instanceof ApprovalStoreError) {
            throw new ApprovalStoreError({ ...e.translated, message: `${e.message} ${plan.roleName} requires approval, so the elevation is refused (fail closed).` });
          }
          throw e;
        }
      }
      const why = lost ? `${lost.message}` : explainMissing(candidates, hash, now(), plan);
      if (allowOverride) return override(plan, why, me);
      const hint = lost || candidates.some((r) => !r.breakGlass && r.policyHash === hash) ? '' : ' Ask for approval with "Break Glass: Request Access…" or `breakglass request`.';
      refuse('Approval required', `${why}${hint}`);
    },
  };
}
