// Audit summary, like the SEC10-BP05 seed's audit_jit_sessions: sessions in a period (optionally one incident),
// counts by playbook (session policy type), requester and incident, and totals active / revoked / expired — plus
// failed requests, which matter as much in a review. Rendered as Markdown and as JSON.
import type { AuditRecord } from './log';
import type { VerifyResult } from './chain';

export interface AuditQuery {
  /** ISO instant or Date; records before it are ignored. */
  since?: string | Date;
  until?: string | Date;
  incident?: string;
  /** "Now", for deciding whether a granted session has expired. */
  now?: number;
}

export type SessionStatus = 'active' | 'revoked' | 'expired';

export interface AuditSessionRow {
  sessionId: string;
  incidentId: string;
  roleArn: string;
  playbook: string;
  requester: string;
  grantedAt: string;
  expiresAt: string;
  tokenHash?: string;
  status: SessionStatus;
}

export interface AuditSummary {
  period: { since?: string; until?: string };
  incident?: string;
  totalSessions: number;
  activeSessions: number;
  revokedSessions: number;
  expiredSessions: number;
  failedRequests: number;
  sessionTypes: Record<string, number>;
  requesters: Record<string, number>;
  incidents: Record<string, number>;
  sessions: AuditSessionRow[];
  failures: Array<{ ts: string; incidentId?: string; roleArn?: string; requester?: string; code: string; message: string }>;
  /** AWS-side revocations (AWSRevokeOlderSessions) that failed: the role's older sessions may still work. */
  failedRevocations: Array<{ ts: string; roleArn?: string; code: string; message: string }>;
  /** 'requested' records never followed by 'granted' or 'failed': the call was interrupted (crash, killed, closed). */
  interrupted: Array<{ ts: string; incidentId?: string; roleArn?: string; requester?: string; playbook?: string }>;
  /** Session ids grouped by incident, requester and playbook. */
  sessionsBy: { incident: Record<string, string[]>; requester: Record<string, string[]>; playbook: Record<string, string[]> };
  /** Every record read, and lines that could not be read: the totals above never hide them. */
  records: number;
  unreadableLines: number;
  /** The hash chain, when verified. */
  integrity?: { ok: boolean; verified: number; legacy: number; torn: number; firstBreak?: VerifyResult['firstBreak'] };
}

export interface SummaryExtras {
  /** Lines of the log that did not parse. */
  unreadableLines?: number;
  integrity?: VerifyResult;
}

function ms(v: string | Date | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`"${String(v)}" is not an ISO 8601 date or instant (e.g. 2024-01-31 or 2024-01-31T12:00:00Z).`);
  return t;
}

const bump = (m: Record<string, number>, k: string | undefined) => { const key = k || '(unknown)'; m[key] = (m[key] ?? 0) + 1; };

export function summarizeAudit(records: AuditRecord[], q: AuditQuery = {}, extras: SummaryExtras = {}): AuditSummary {
  const since = ms(q.since);
  const until = ms(q.until);
  const now = q.now ?? Date.now();
  const inRange = (ts: string) => {
    const t = Date.parse(ts);
    return (since === undefined || t >= since) && (until === undefined || t <= until);
  };
  const matches = (r: AuditRecord) => !q.incident || r.incidentId === q.incident;

  // Revocations apply whenever they happened (a session granted in range may be revoked after `until`).
  const revokedIds = new Set<string>();
  const roleRevocations: Array<{ roleArn: string; before: number }> = [];
  const expiredIds = new Set<string>();
  for (const r of records) {
    if (r.event === 'revoked_local' && r.sessionId) revokedIds.add(r.sessionId);
    if (r.event === 'revoked_aws' && !r.reason) {
      if (r.sessionId) revokedIds.add(r.sessionId);
      const before = r.details?.revokedBefore;
      if (r.roleArn && typeof before === 'string') roleRevocations.push({ roleArn: r.roleArn, before: Date.parse(before) });
    }
    if (r.event === 'expired' && r.sessionId) expiredIds.add(r.sessionId);
  }

  const s: AuditSummary = {
    period: { ...(since !== undefined ? { since: new Date(since).toISOString() } : {}), ...(until !== undefined ? { until: new Date(until).toISOString() } : {}) },
    ...(q.incident ? { incident: q.incident } : {}),
    totalSessions: 0, activeSessions: 0, revokedSessions: 0, expiredSessions: 0, failedRequests: 0,
    sessionTypes: {}, requesters: {}, incidents: {}, sessions: [], failures: [], failedRevocations: [], interrupted: [],
    sessionsBy: { incident: {}, requester: {}, playbook: {} },
    records: records.length, unreadableLines: extras.unreadableLines ?? 0,
    ...(extras.integrity ? { integrity: {
      ok: extras.integrity.ok, verified: extras.integrity.verified, legacy: extras.integrity.legacy, torn: extras.integrity.torn.length,
      ...(extras.integrity.firstBreak ? { firstBreak: extras.integrity.firstBreak } : {}),
    } } : {}),
  };
  // A 'requested' is settled by the next 'granted' or 'failed' for the same requester, role and incident.
  const open = new Map<string, AuditRecord[]>();
  const key = (r: AuditRecord) => `${r.requester ?? ''}|${r.roleArn ?? ''}|${r.incidentId ?? ''}`;
  for (const r of records) {
    if (r.event === 'requested') open.set(key(r), [...(open.get(key(r)) ?? []), r]);
    else if (r.event === 'granted' || r.event === 'failed') open.get(key(r))?.shift();
  }
  for (const list of open.values()) {
    for (const r of list) {
      if (inRange(r.ts) && matches(r)) s.interrupted.push({ ts: r.ts, incidentId: r.incidentId, roleArn: r.roleArn, requester: r.requester, playbook: r.playbook });
    }
  }
  s.interrupted.sort((a, b) => a.ts.localeCompare(b.ts));
  const group = (m: Record<string, string[]>, k: string | undefined, id: string) => { const kk = k || '(unknown)'; (m[kk] ??= []).push(id); };
  for (const r of records) {
    if (!inRange(r.ts) || !matches(r)) continue;
    if (r.event === 'failed') {
      s.failedRequests++;
      s.failures.push({ ts: r.ts, incidentId: r.incidentId, roleArn: r.roleArn, requester: r.requester, code: r.reason?.code ?? 'Unknown', message: r.reason?.message ?? '' });
      continue;
    }
    if (r.event === 'revoked_aws' && r.reason) {
      s.failedRevocations.push({ ts: r.ts, roleArn: r.roleArn, code: r.reason.code, message: r.reason.message });
      continue;
    }
    if (r.event !== 'granted' || !r.sessionId) continue;
    const granted = Date.parse(r.ts);
    const revoked = revokedIds.has(r.sessionId) || roleRevocations.some((x) => x.roleArn === r.roleArn && granted < x.before);
    const expired = expiredIds.has(r.sessionId) || (r.expiresAt !== undefined && Date.parse(r.expiresAt) <= now);
    const status: SessionStatus = revoked ? 'revoked' : expired ? 'expired' : 'active';
    s.totalSessions++;
    if (status === 'active') s.activeSessions++;
    else if (status === 'revoked') s.revokedSessions++;
    else s.expiredSessions++;
    bump(s.sessionTypes, r.playbook);
    bump(s.requesters, r.requester);
    bump(s.incidents, r.incidentId);
    group(s.sessionsBy.incident, r.incidentId, r.sessionId);
    group(s.sessionsBy.requester, r.requester, r.sessionId);
    group(s.sessionsBy.playbook, r.playbook, r.sessionId);
    s.sessions.push({
      sessionId: r.sessionId, incidentId: r.incidentId ?? '', roleArn: r.roleArn ?? '', playbook: r.playbook ?? '',
      requester: r.requester ?? '', grantedAt: r.ts, expiresAt: r.expiresAt ?? '', ...(r.tokenHash ? { tokenHash: r.tokenHash } : {}), status,
    });
  }
  return s;
}

const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function countTable(title: string, m: Record<string, number>): string[] {
  const rows = Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!rows.length) return [];
  return [`### ${title}`, '', `| ${title} | Sessions |`, '|---|---:|', ...rows.map(([k, n]) => `| ${cell(k)} | ${n} |`), ''];
}

export function renderAuditMarkdown(s: AuditSummary): string {
  const period = s.period.since || s.period.until ? `${s.period.since ?? '…'} → ${s.period.until ?? '…'}` : 'all records';
  const out = [
    '# Break Glass audit summary',
    '',
    `Period: ${period}${s.incident ? ` · Incident: ${s.incident}` : ''}`,
    '',
    ...integrityLines(s),
    '| Sessions | Active | Revoked | Expired | Failed requests |',
    '|---:|---:|---:|---:|---:|',
    `| ${s.totalSessions} | ${s.activeSessions} | ${s.revokedSessions} | ${s.expiredSessions} | ${s.failedRequests} |`,
    '',
    ...countTable('Playbook', s.sessionTypes),
    ...countTable('Requester', s.requesters),
    ...countTable('Incident', s.incidents),
  ];
  if (s.sessions.length) {
    out.push('### Sessions', '', '| Granted | Incident | Role | Playbook | Requester | Expires | Status | Token hash |', '|---|---|---|---|---|---|---|---|');
    for (const r of s.sessions) {
      out.push(`| ${r.grantedAt} | ${cell(r.incidentId)} | ${cell(r.roleArn)} | ${cell(r.playbook)} | ${cell(r.requester)} | ${r.expiresAt} | ${r.status} | ${r.tokenHash ?? ''} |`);
    }
    out.push('');
  }
  if (s.interrupted.length) {
    out.push('### Requested but never granted (interrupted)', '', '| Time | Incident | Role | Requester | Playbook |', '|---|---|---|---|---|');
    for (const r of s.interrupted) out.push(`| ${r.ts} | ${cell(r.incidentId ?? '')} | ${cell(r.roleArn ?? '')} | ${cell(r.requester ?? '')} | ${cell(r.playbook ?? '')} |`);
    out.push('');
  }
  if (s.failedRevocations.length) {
    out.push('### Failed AWS-side revocations', '', 'Sessions of these roles issued before the attempt may still work: revoke again.', '', '| Time | Role | Reason |', '|---|---|---|');
    for (const r of s.failedRevocations) out.push(`| ${r.ts} | ${cell(r.roleArn ?? '')} | ${r.code}: ${cell(r.message)} |`);
    out.push('');
  }
  if (s.failures.length) {
    out.push('### Failed requests', '', '| Time | Incident | Role | Requester | Reason |', '|---|---|---|---|---|');
    for (const f of s.failures) out.push(`| ${f.ts} | ${cell(f.incidentId ?? '')} | ${cell(f.roleArn ?? '')} | ${cell(f.requester ?? '')} | ${f.code}: ${cell(f.message)} |`);
    out.push('');
  }
  return out.join('\n');
}

function integrityLines(s: AuditSummary): string[] {
  const out: string[] = [];
  const i = s.integrity;
  if (i && !i.ok && i.firstBreak) {
    out.push(`> **Integrity: BROKEN** — first broken link: ${i.firstBreak.kind} at ${i.firstBreak.file} line ${i.firstBreak.line}. ${i.firstBreak.message}`,
      `> The totals below still count all ${s.records} record(s) read; ${i.verified} are verified by the chain.`, '');
  } else if (i) {
    out.push(`Integrity: hash chain verified (${i.verified} record(s)${i.legacy ? `, ${i.legacy} older unchained` : ''}${i.torn ? `, ${i.torn} torn line(s) from crashes` : ''}).`, '');
  }
  if (s.unreadableLines) out.push(`> ${s.unreadableLines} line(s) of the log could not be read and are not in the totals.`, '');
  return out;
}

export function renderAuditJson(s: AuditSummary): string {
  return JSON.stringify(s, null, 2) + '\n';
}
