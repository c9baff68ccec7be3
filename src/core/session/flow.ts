// Audit bookkeeping shared by both front ends: the audit fields of a session, and the store's lifecycle events
// (warning/expired/revoked) mirrored into the audit log. The elevation itself is runElevation (run.ts).
import type { AuditLog, AuditInput } from '../audit/log';
import type { SessionStore } from './store';
import type { Session } from './types';
import type { Disposable } from './emitter';

/** Audit fields of a session: metadata only. */
export function sessionAuditFields(s: Session): Omit<AuditInput, 'event'> {
  return {
    sessionId: s.id, incidentId: s.incidentId, roleArn: s.roleArn, accountId: s.accountId, playbook: s.playbook,
    requester: s.requester, roleSessionName: s.roleSessionName, tokenHash: s.tokenHash, accessKeyId: s.accessKeyId,
    expiresAt: s.expiresAt,
  };
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
