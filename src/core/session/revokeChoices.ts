// What the Revoke Session confirmation offers: a local revocation leaves the STS credentials valid on AWS until they
// expire (only the local copy is wiped), so the label says so; revoking on AWS denies every session of the role issued
// before now, colleagues' included — the default only when nobody else here holds a live session of that role.
import type { Session } from './types';

export interface RevokeChoices {
  /** Wipes the local copy only; the label names when the AWS session stops being valid. */
  local: string;
  /** Also denies the role's older sessions on AWS. */
  aws: string;
  /** Which of the two is the primary (first) action. */
  defaultChoice: 'local' | 'aws';
  /** Other live sessions of the same role in the store (they would be cut off by the AWS revocation). */
  otherLiveSessions: number;
}

/** `HH:MM UTC` when the expiry is today (relative to `now`), else `YYYY-MM-DD HH:MM UTC`. */
function formatExpiry(iso: string, now: number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'it expires';
  const s = d.toISOString();
  const sameDay = s.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${s.slice(0, 10)} `}${s.slice(11, 16)} UTC`;
}

export function revokeChoices(session: Session, liveSessions: readonly Session[], now: number = Date.now()): RevokeChoices {
  const others = liveSessions.filter((s) => s.id !== session.id && s.roleArn === session.roleArn
    && (s.state === 'active' || s.state === 'expiring')).length;
  return {
    local: `Revoke Locally (AWS session stays valid until ${formatExpiry(session.expiresAt, now)})`,
    aws: 'Revoke Locally and in AWS',
    defaultChoice: others === 0 ? 'aws' : 'local',
    otherLiveSessions: others,
  };
}
