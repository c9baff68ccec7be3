// The request and decision use-cases, shared by the extension and the CLI: request access for a plan, approve or
// deny a request, list requests. Each records an audit line and sends a notification; a notification that fails is
// returned (to be shown) and never undoes or blocks the decision.
import type { AuditInput } from '../audit/log';
import type { ApprovalsConfig } from '../config';
import type { ElevationPlan } from '../session/elevate';
import { subjectOf } from './gate';
import { checkApprover, type GroupMembership } from './identity';
import { noNotifier, type NotifyResult, type Notifier } from './notify';
import { ApprovalRefused, type ApprovalStore } from './store';
import type { ApprovalRequest, CallerIdentity } from './types';

export interface ApprovalPorts {
  store: ApprovalStore;
  approvals: ApprovalsConfig;
  identity: () => Promise<CallerIdentity>;
  groups?: GroupMembership;
  notifier?: Notifier;
  audit?: { append(r: AuditInput): Promise<unknown> };
  now?: () => number;
}

export interface Outcome {
  request: ApprovalRequest;
  notified: NotifyResult;
  /** Audit write failure, if any (the decision stands). */
  auditError?: string;
}

async function record(ports: ApprovalPorts, r: AuditInput): Promise<string | undefined> {
  try {
    await ports.audit?.append(r);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function fields(r: ApprovalRequest): Omit<AuditInput, 'event'> {
  return { incidentId: r.incidentId, roleArn: r.roleArn, accountId: r.accountId, playbook: r.playbook, requester: r.requester };
}

/** Creates a pending request for exactly what `plan` would send. The plan needs no MFA code. */
export async function requestAccess(plan: ElevationPlan, ports: ApprovalPorts): Promise<Outcome> {
  const me = await ports.identity();
  const request = await ports.store.create(subjectOf(plan), me, ports.approvals.expiresInMinutes * 60_000);
  const auditError = await record(ports, {
    event: 'approval_requested', ...fields(request), justification: request.justification, durationSeconds: request.durationSeconds,
    details: { requestId: request.id, policyHash: request.policyHash, requesterArn: me.arn, expiresAt: request.expiresAt },
  });
  const notified = await (ports.notifier ?? noNotifier).publish('requested', request);
  return { request, notified, ...(auditError ? { auditError } : {}) };
}

/** Approves or denies. Refuses non-approvers and the requester; a lost race says who won. */
export async function decideRequest(id: string, decision: 'approve' | 'deny', note: string | undefined, ports: ApprovalPorts): Promise<Outcome> {
  const me = await ports.identity();
  const allowed = await checkApprover(me, ports.approvals, ports.groups);
  if (!allowed.ok) throw new ApprovalRefused('Not an approver', `${allowed.reason} Ask an administrator to add you to approvals.approvers.`);
  const cleanNote = note?.trim() ? note.trim().slice(0, 500) : undefined;
  const request = decision === 'approve'
    ? await ports.store.approve(id, me, ports.approvals.required, cleanNote)
    : await ports.store.deny(id, me, cleanNote);
  const kind = decision === 'deny' ? 'denied' : request.status === 'approved' ? 'approved' : 'partially-approved';
  const auditError = await record(ports, {
    event: 'approval_decided', ...fields(request), details: {
      requestId: id, decision: kind, approverArn: me.arn, ...(cleanNote ? { note: cleanNote } : {}),
      approvals: request.approvals.length, required: ports.approvals.required,
    },
  });
  const notified = await (ports.notifier ?? noNotifier).publish(kind, request);
  return { request, notified, ...(auditError ? { auditError } : {}) };
}

export interface RequestLists {
  me: CallerIdentity;
  /** Pending requests this identity may decide (empty when not an approver). */
  pending: ApprovalRequest[];
  /** This identity's own requests, newest first. */
  mine: ApprovalRequest[];
  isApprover: boolean;
}

/** Lists requests; pending/approved requests past their expiry are moved to `expired` first (conditional writes). */
export async function listRequests(ports: ApprovalPorts): Promise<RequestLists> {
  const me = await ports.identity();
  const now = (ports.now ?? Date.now)();
  let all = await ports.store.list();
  const overdue = all.filter((r) => (r.status === 'pending' || r.status === 'approved') && !r.breakGlass && Date.parse(r.expiresAt) <= now);
  if (overdue.length) {
    const expired = await Promise.all(overdue.map((r) => ports.store.expire(r.id).catch(() => undefined)));
    const byId = new Map(expired.filter((r): r is ApprovalRequest => !!r).map((r) => [r.id, r]));
    all = all.map((r) => byId.get(r.id) ?? r);
  }
  const approver = await checkApprover(me, ports.approvals, ports.groups).catch(() => ({ ok: false, reason: '' }));
  return {
    me,
    isApprover: approver.ok,
    pending: approver.ok ? all.filter((r) => r.status === 'pending' && r.requesterUserId !== me.userId && !r.approvals.some((a) => a.userId === me.userId)) : [],
    mine: all.filter((r) => r.requesterUserId === me.userId),
  };
}
