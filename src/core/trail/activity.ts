// "Show break-glass activity": CloudTrail LookupEvents for AssumeRole of BREAK-GLASS-* roles and ConsoleLogin of
// *-BREAK-GLASS users over the last N days, correlated with the audit log — which sessions came through Break Glass
// and which did not (an AssumeRole of a break-glass role with no matching audit record is flagged; a console sign-in
// of a break-glass user never goes through Break Glass and is always flagged).
//
// LookupEvents allows ONE lookup attribute per call and two calls per second per account and Region
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html): calls are spaced 550 ms
// apart (2 per second with a margin for network jitter), a ThrottlingException is retried with exponential backoff,
// pages are followed with NextToken (50 events each), and an AbortSignal stops between pages and during waits.
import { LookupEventsCommand, type CloudTrailClient, type Event as CloudTrailEvent } from '@aws-sdk/client-cloudtrail';
import type { AuditRecord } from '../audit/log';

export interface ActivityItem {
  kind: 'AssumeRole' | 'ConsoleLogin';
  eventId: string;
  time: string;
  roleArn?: string;
  userName?: string;
  /** Who called (userIdentity.arn). */
  principal?: string;
  sessionName?: string;
  sourceIdentity?: string;
  /** Of the issued credentials (AssumeRole). */
  accessKeyId?: string;
  sourceIp?: string;
  errorCode?: string;
  /** The audit record this event corresponds to, and how it was matched. */
  matched?: { by: 'accessKeyId' | 'sessionName' | 'sourceIdentity'; sessionId?: string; incidentId?: string; requester?: string };
  flagged: boolean;
  reason?: string;
}

export interface ActivityResult {
  items: ActivityItem[];
  requests: number;
  throttled: number;
  since: string;
}

export interface ActivityOptions {
  days?: number;
  now?: () => number;
  abortSignal?: AbortSignal;
  /** Minimum spacing between LookupEvents calls; default 550 ms (2 per second, with a margin for network jitter). */
  minIntervalMs?: number;
  maxThrottleRetries?: number;
  baseBackoffMs?: number;
}

export class AbortedError extends Error {
  constructor() { super('Cancelled.'); this.name = 'AbortError'; }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(new AbortedError()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const isBreakGlassRole = (arn: string | undefined) => !!arn && /^BREAK-GLASS-/i.test(arn.split('/').pop() ?? '');
const isBreakGlassUser = (name: string | undefined) => !!name && /-BREAK-GLASS$/i.test(name);

/** Looks up and correlates. `audit` is the audit log's records (local or central). */
export async function lookupBreakGlassActivity(ct: CloudTrailClient, audit: AuditRecord[], o: ActivityOptions = {}): Promise<ActivityResult> {
  const now = (o.now ?? Date.now)();
  const since = new Date(now - (o.days ?? 7) * 86_400_000);
  const minInterval = o.minIntervalMs ?? 550;
  const res: ActivityResult = { items: [], requests: 0, throttled: 0, since: since.toISOString() };
  let lastCall = 0;
  const call = async (eventName: string, nextToken?: string) => {
    for (let attempt = 0; ; attempt++) {
      if (o.abortSignal?.aborted) throw new AbortedError();
      const wait = lastCall + minInterval - Date.now();
      if (wait > 0) await sleep(wait, o.abortSignal);
      lastCall = Date.now();
      res.requests++;
      try {
        return await ct.send(new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }], StartTime: since, EndTime: new Date(now), MaxResults: 50,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }), { abortSignal: o.abortSignal });
      } catch (e) {
        const name = (e as { name?: string }).name;
        if (name === 'AbortError' || o.abortSignal?.aborted) throw new AbortedError();
        if ((name !== 'ThrottlingException' && name !== 'Throttling') || attempt >= (o.maxThrottleRetries ?? 6)) throw e;
        res.throttled++;
        await sleep((o.baseBackoffMs ?? 500) * 2 ** attempt * (0.5 + Math.random() / 2), o.abortSignal);
      }
    }
  };
  const events: CloudTrailEvent[] = [];
  for (const name of ['AssumeRole', 'ConsoleLogin']) {
    let token: string | undefined;
    do {
      const page = await call(name, token);
      events.push(...(page.Events ?? []));
      token = page.NextToken;
    } while (token);
  }
  const granted = audit.filter((r) => r.event === 'granted');
  const byKey = new Map(granted.filter((r) => r.accessKeyId).map((r) => [r.accessKeyId!, r]));
  for (const e of events) {
    let d: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    try { d = JSON.parse(e.CloudTrailEvent ?? '{}'); } catch { d = {}; }
    const time = (e.EventTime ? new Date(e.EventTime) : new Date(d.eventTime ?? 0)).toISOString();
    if (e.EventName === 'AssumeRole') {
      const roleArn: string | undefined = d.requestParameters?.roleArn;
      if (!isBreakGlassRole(roleArn)) continue;
      const item: ActivityItem = {
        kind: 'AssumeRole', eventId: e.EventId ?? d.eventID ?? '', time, roleArn, principal: d.userIdentity?.arn, sessionName: d.requestParameters?.roleSessionName,
        sourceIdentity: d.requestParameters?.sourceIdentity, accessKeyId: d.responseElements?.credentials?.accessKeyId, sourceIp: d.sourceIPAddress,
        ...(d.errorCode ? { errorCode: d.errorCode } : {}), flagged: false,
      };
      let rec = item.accessKeyId ? byKey.get(item.accessKeyId) : undefined;
      let by: NonNullable<ActivityItem['matched']>['by'] = 'accessKeyId';
      const near = (r: AuditRecord) => r.roleArn === roleArn && Math.abs(Date.parse(r.ts) - Date.parse(time)) <= 10 * 60_000;
      if (!rec && item.sessionName) {
        rec = audit.find((r) => (r.event === 'granted' || r.event === 'failed') && r.details?.roleSessionName === item.sessionName && near(r));
        by = 'sessionName';
      }
      if (!rec && item.sourceIdentity) {
        const si = item.sourceIdentity.toLowerCase();
        rec = audit.find((r) => (r.event === 'granted' || r.event === 'failed') && near(r) && (r.details?.sourceIdentity === item.sourceIdentity || (r.requester ?? '').toLowerCase().replace(/[^\w+=,.@-]/g, '') === si));
        by = 'sourceIdentity';
      }
      if (rec) item.matched = { by, sessionId: rec.sessionId, incidentId: rec.incidentId, requester: rec.requester };
      else { item.flagged = true; item.reason = 'No Break Glass audit record for this AssumeRole: it did not come through Break Glass (or the record is missing).'; }
      res.items.push(item);
    } else if (e.EventName === 'ConsoleLogin') {
      const userName: string | undefined = d.userIdentity?.userName ?? e.Username;
      if (!isBreakGlassUser(userName)) continue;
      res.items.push({
        kind: 'ConsoleLogin', eventId: e.EventId ?? d.eventID ?? '', time, userName, principal: d.userIdentity?.arn, sourceIp: d.sourceIPAddress,
        ...(d.responseElements?.ConsoleLogin === 'Failure' ? { errorCode: d.errorMessage ?? 'Failure' } : {}),
        flagged: true, reason: 'Console sign-in of a break-glass user: it never goes through Break Glass — confirm it was expected.',
      });
    }
  }
  res.items.sort((a, b) => b.time.localeCompare(a.time));
  return res;
}

export function renderActivityMarkdown(r: ActivityResult): string {
  const out = ['# Break-glass activity (CloudTrail)', '', `Since ${r.since} · ${r.items.length} event(s) · ${r.items.filter((i) => i.flagged).length} flagged`, ''];
  if (!r.items.length) return out.concat('No break-glass AssumeRole or ConsoleLogin in CloudTrail for this period.', '').join('\n');
  out.push('| Time | Event | Role / user | Session | Source identity | Access key | Break Glass record | Flag |', '|---|---|---|---|---|---|---|---|');
  for (const i of r.items) {
    out.push(`| ${i.time} | ${i.kind}${i.errorCode ? ` (${i.errorCode})` : ''} | ${i.roleArn ?? i.userName ?? ''} | ${i.sessionName ?? ''} | ${i.sourceIdentity ?? ''} | ${i.accessKeyId ?? ''} | ${i.matched ? `${i.matched.incidentId ?? ''} ${i.matched.requester ?? ''} (by ${i.matched.by})` : ''} | ${i.flagged ? `**${i.reason}**` : ''} |`);
  }
  return out.join('\n') + '\n';
}
