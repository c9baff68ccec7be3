// A least-privilege playbook draft from what a past session actually did (the approach of IAM Access Analyzer policy
// generation, done locally): CloudTrail LookupEvents for the session — by access key id (LookupAttributes AccessKeyId)
// or by SourceIdentity (the window's events, filtered on userIdentity.sessionContext.sourceIdentity, since
// LookupEvents has no SourceIdentity attribute) — then the actions and resources used, as a session policy with the
// reference's high-risk Deny, opened for review.
//
// LookupEvents (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html): one lookup
// attribute at most; up to 50 events per page with NextToken; management events of the last 90 days. Each event's
// CloudTrailEvent is the JSON record (eventSource, eventName, errorCode, resources[].ARN, userIdentity…).
//
// The AWS call is a port shaped like the SDK's LookupEventsCommand, so the client comes from src/core/aws/clients.ts.
import { loadCatalog } from '../policy/catalog';
import type { PolicyDocument, Statement } from '../policy/types';
import { highRiskDenyStatement } from '../playbookFormat';

export interface TrailEvent {
  EventId?: string;
  EventName?: string;
  EventSource?: string;
  EventTime?: Date;
  AccessKeyId?: string;
  Resources?: Array<{ ResourceType?: string; ResourceName?: string }>;
  CloudTrailEvent?: string;
}

export interface LookupEventsInput {
  LookupAttributes?: Array<{ AttributeKey: 'AccessKeyId'; AttributeValue: string }>;
  StartTime: Date;
  EndTime: Date;
  MaxResults?: number;
  NextToken?: string;
}

export type LookupEvents = (input: LookupEventsInput) => Promise<{ Events?: TrailEvent[]; NextToken?: string }>;

export interface SessionFilter {
  accessKeyId?: string;
  sourceIdentity?: string;
  start: Date;
  end: Date;
}

/** Problems with a filter, all at once. */
export function validateSessionFilter(f: SessionFilter, now = Date.now()): string[] {
  const p: string[] = [];
  if (!f.accessKeyId && !f.sourceIdentity) p.push('give the session\'s access key id (ASIA…) or its SourceIdentity');
  if (f.accessKeyId && !/^(ASIA|AKIA)[A-Z0-9]{12,124}$/.test(f.accessKeyId)) p.push(`'${f.accessKeyId}' is not an access key id (ASIA… for a session)`);
  if (Number.isNaN(f.start.getTime()) || Number.isNaN(f.end.getTime())) p.push('the time window needs a valid start and end');
  else {
    if (f.end <= f.start) p.push('the time window ends before it starts');
    if (now - f.start.getTime() > 90 * 86_400_000) p.push('LookupEvents only holds the last 90 days of management events');
  }
  return p;
}

/** Every event of the session in the window (all pages, at most `maxPages`). */
export async function lookupSessionEvents(lookup: LookupEvents, f: SessionFilter, maxPages = 200): Promise<{ events: TrailEvent[]; truncated: boolean }> {
  const problems = validateSessionFilter(f);
  if (problems.length) throw new Error(`Cannot look up the session: ${problems.join('; ')}.`);
  const events: TrailEvent[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const input: LookupEventsInput = { StartTime: f.start, EndTime: f.end, MaxResults: 50 };
    if (f.accessKeyId) input.LookupAttributes = [{ AttributeKey: 'AccessKeyId', AttributeValue: f.accessKeyId }];
    if (token) input.NextToken = token;
    const page = await lookup(input);
    for (const e of page.Events ?? []) if (belongs(e, f)) events.push(e);
    token = page.NextToken;
  } while (token && ++pages < maxPages);
  return { events, truncated: !!token };
}

interface Record_ {
  eventSource?: string;
  eventName?: string;
  errorCode?: string;
  resources?: Array<{ ARN?: string }>;
  userIdentity?: { accessKeyId?: string; sessionContext?: { sourceIdentity?: string } };
}

function record(e: TrailEvent): Record_ {
  try {
    return e.CloudTrailEvent ? (JSON.parse(e.CloudTrailEvent) as Record_) : {};
  } catch {
    return {};
  }
}

function belongs(e: TrailEvent, f: SessionFilter): boolean {
  const r = record(e);
  if (f.sourceIdentity && r.userIdentity?.sessionContext?.sourceIdentity !== f.sourceIdentity) return false;
  if (f.accessKeyId && (r.userIdentity?.accessKeyId ?? e.AccessKeyId) !== f.accessKeyId) return false;
  return true;
}

/** Event sources whose IAM service prefix is not the host's first label. */
const SOURCE_PREFIX: Record<string, string> = {
  'monitoring.amazonaws.com': 'cloudwatch', 'email.amazonaws.com': 'ses', 'tagging.amazonaws.com': 'tag',
  'elasticmapreduce.amazonaws.com': 'elasticmapreduce', 'es.amazonaws.com': 'es', 'signin.amazonaws.com': 'signin',
  'sso.amazonaws.com': 'sso', 'access-analyzer.amazonaws.com': 'access-analyzer', 'ssm.amazonaws.com': 'ssm',
};

/** The IAM action of an event, or undefined when the catalog has no such action. */
export function eventAction(source: string | undefined, name: string | undefined): string | undefined {
  if (!source || !name) return undefined;
  const prefix = SOURCE_PREFIX[source] ?? source.replace(/\.amazonaws\.com$/, '').split('.')[0];
  const catalog = loadCatalog();
  for (const n of [name, name.replace(/\d{8}(v\d+)?$/, '')]) {
    const a = catalog.action(`${prefix}:${n}`);
    if (a) return a.id;
  }
  return undefined;
}

export interface PlaybookDraft {
  policy: PolicyDocument;
  /** Actions used, with how many successful calls and the resources seen ("*" when an event named none). */
  used: Array<{ action: string; calls: number; resources: string[] }>;
  /** Calls AWS refused (errorCode): the session lacked them; not granted by the draft. */
  refused: Array<{ action: string; errorCode: string; calls: number }>;
  /** Events whose action the catalog does not know (reported, not granted). */
  unmapped: string[];
}

/** The draft policy from a session's events (pure). */
export function draftFromEvents(events: TrailEvent[]): PlaybookDraft {
  const used = new Map<string, { calls: number; arns: Set<string>; any: boolean }>();
  const refused = new Map<string, { errorCode: string; calls: number }>();
  const unmapped = new Set<string>();
  for (const e of events) {
    const r = record(e);
    const source = r.eventSource ?? e.EventSource;
    const name = r.eventName ?? e.EventName;
    const action = eventAction(source, name);
    if (!action) { unmapped.add(`${source ?? '?'} ${name ?? '?'}`); continue; }
    if (action === 'sts:GetCallerIdentity') continue; // needs no permission
    if (r.errorCode) {
      const k = `${action}|${r.errorCode}`;
      const x = refused.get(k) ?? { errorCode: r.errorCode, calls: 0 };
      x.calls++;
      refused.set(k, x);
      continue;
    }
    const u = used.get(action) ?? { calls: 0, arns: new Set<string>(), any: false };
    u.calls++;
    const arns = [...(r.resources ?? []).map((x) => x.ARN), ...(e.Resources ?? []).map((x) => x.ResourceName)].filter((x): x is string => !!x && x.startsWith('arn:'));
    const wildcardOnly = loadCatalog().action(action)?.wildcardOnly;
    if (!arns.length || wildcardOnly) u.any = true;
    else for (const a of arns) u.arns.add(a);
    used.set(action, u);
  }
  const list = [...used].map(([action, u]) => ({ action, calls: u.calls, resources: u.any ? ['*'] : [...u.arns].sort() })).sort((a, b) => (a.action < b.action ? -1 : 1));
  // One Allow per distinct resource list.
  const groups = new Map<string, string[]>();
  for (const u of list) {
    const k = JSON.stringify(u.resources);
    groups.set(k, [...(groups.get(k) ?? []), u.action]);
  }
  const statements: Statement[] = [...groups].map(([k, actions]) => {
    const res = JSON.parse(k) as string[];
    return { Effect: 'Allow', Action: actions, Resource: res.length === 1 ? res[0] : res };
  });
  statements.push(highRiskDenyStatement());
  return {
    policy: { Version: '2012-10-17', Statement: statements },
    used: list,
    refused: [...refused].map(([k, v]) => ({ action: k.split('|')[0], ...v })),
    unmapped: [...unmapped].sort(),
  };
}

/** The draft as a playbook file (JSON with comments: what was seen, refused and left out). */
export function draftPlaybookText(d: PlaybookDraft, opts: { name: string; filter: SessionFilter; truncated?: boolean }): string {
  const who = opts.filter.accessKeyId ? `access key ${opts.filter.accessKeyId}` : `SourceIdentity ${opts.filter.sourceIdentity}`;
  const lines = [
    `// Draft generated from CloudTrail for ${who}, ${opts.filter.start.toISOString()} – ${opts.filter.end.toISOString()}.`,
    `// ${d.used.reduce((n, u) => n + u.calls, 0)} successful call(s) of ${d.used.length} action(s). Review before use: narrow the resources, add conditions.`,
  ];
  if (opts.truncated) lines.push('// The lookup stopped at its page limit: later events are not included.');
  for (const r of d.refused) lines.push(`// Refused by AWS (${r.errorCode}, ${r.calls}×), not granted: ${r.action}`);
  for (const u of d.unmapped) lines.push(`// Not an IAM action in the catalog, not granted: ${u}`);
  const body = {
    name: opts.name,
    description: `Least privilege from what ${who} did`,
    requireJustification: true,
    sessionPolicy: d.policy,
  };
  return `${lines.join('\n')}\n${JSON.stringify(body, null, 2)}\n`;
}
