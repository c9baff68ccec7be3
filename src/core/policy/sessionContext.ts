// The request context a Break Glass session will really carry, and what it decides about conditioned statements.
//
// An elevation is one sts:AssumeRole with MFA, three session tags (IncidentId, SessionPolicyType, Requester) and a
// SourceIdentity (see planElevation in ../session/elevate.ts). Every request the responder then makes carries, per
// "AWS global condition context keys" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
//   aws:PrincipalArn      the role's ARN (with its path) — not the assumed-role session ARN;
//   aws:PrincipalAccount  the role's account; aws:PrincipalType "AssumedRole"; aws:userid "<role id>:<session name>";
//   aws:PrincipalTag/<k>  the session tags (which override role tags of the same key) and the role's own tags
//                         ("Passing session tags in AWS STS", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html);
//   aws:SourceIdentity    the sanitised requester ("Monitor and control actions taken with assumed roles",
//                         https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html);
//   aws:MultiFactorAuthPresent "true" and aws:MultiFactorAuthAge = seconds since the MFA sign-in (when MFA was used;
//                         without MFA the age is absent and the flag "false");
//   aws:TokenIssueTime    the issue instant; aws:CurrentTime / aws:EpochTime somewhere in [issue, expiry];
//   aws:RequestedRegion   one of the regions the responder works in (the account's configured regions);
//   aws:PrincipalIsAWSService "false"; aws:username and aws:FederatedProvider absent (a role session).
// Everything else (resource tags, aws:SourceIp, aws:SecureTransport, aws:ViaAWSService, request tags, service keys,
// the resource itself) depends on the individual request.
//
// sessionVerdict() uses that knowledge three-valued: a condition group is true or false for EVERY request of the
// session, or "maybe". Keys that vary within the session are enumerated exactly: RequestedRegion over the account's
// regions, the time keys over the session window (sampled at its ends and around every policy value, where the
// truth of a numeric/date comparison can change). It never says "true" for something a request could make false.
import { compileConditionBlock } from './conditions';
import type { ContextLookup } from './variables';
import { sanitizeSessionName } from '../session/elevate';

/** What an elevation is made of, as far as it is known when the preview is built. */
export interface SessionContextInput {
  /** The role's ARN (arn:aws:iam::111122223333:role/path/NAME); unknown offline for a bare template. */
  roleArn?: string;
  /** The playbook name: the SessionPolicyType tag. */
  playbook: string;
  /** The requester: the Requester tag and (sanitised) SourceIdentity. */
  requester?: string;
  /** The incident: the IncidentId tag; unknown until it is entered. */
  incidentId?: string;
  /** Epoch ms; the session's issue instant is now unless issuedAt says otherwise. */
  clock: { now(): number };
  /** The regions the responder works in (the account's regions); empty/undefined: not known. */
  regions?: readonly string[];
  /** Session length in seconds (the playbook's maximum); default 3600. */
  durationSeconds?: number;
  /** MFA is used to elevate (Break Glass roles require it); undefined: not known. */
  mfa?: boolean;
  /** The role's unique id (AROA…), for aws:userid; unknown offline unless discovered. */
  roleId?: string;
  /** The role's own tags when known (principal tags unless a session tag of the same key overrides them). */
  roleTags?: Record<string, string>;
  /** For a live session: when it was issued and when it expires (epoch ms). */
  issuedAt?: number;
  expiresAt?: number;
  /** The RoleSessionName; derived from incident and requester like planElevation when absent. */
  roleSessionName?: string;
}

export interface SessionContext {
  /** Keys with one known value for every request of the session (lower-case key). */
  fixed: Map<string, string>;
  /** Keys known to be absent from every request of the session. */
  absent: Set<string>;
  /** aws:RequestedRegion: one of these (empty: not known). */
  regions: string[];
  /** The session window (epoch ms) and whether the time keys are known (MFA age only with MFA). */
  window: { start: number; end: number };
  mfa?: boolean;
  /** Session-determined keys whose value is not known here (e.g. IncidentId before it is entered). */
  unknown: Set<string>;
  /** Principal tag keys known in full (role tags known): any other aws:PrincipalTag/<k> is absent. */
  principalTagsComplete: boolean;
  /** For display: key → value as the page/CLI shows it. */
  shown: Array<{ key: string; value: string }>;
}

const TIME_KEYS = new Set(['aws:currenttime', 'aws:epochtime', 'aws:multifactorauthage']);

/** Builds the context an elevation with these inputs will carry (see the header for the keys and their sources). */
export function buildSessionContext(input: SessionContextInput): SessionContext {
  const fixed = new Map<string, string>();
  const absent = new Set<string>();
  const unknown = new Set<string>();
  const shown: SessionContext['shown'] = [];
  const put = (key: string, value: string | undefined, display = value) => {
    const k = key.toLowerCase();
    const at = shown.findIndex((x) => x.key.toLowerCase() === k);
    if (at >= 0) shown.splice(at, 1);
    if (value === undefined) {
      fixed.delete(k); // e.g. a role tag that the (not yet known) session tag of the same key will override
      unknown.add(k);
      shown.push({ key, value: 'not known before elevation' });
    } else {
      unknown.delete(k);
      fixed.set(k, value);
      shown.push({ key, value: display ?? value });
    }
  };
  const m = input.roleArn ? /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role(\/(?:.*\/)?)?([^/]+)$/.exec(input.roleArn) : null;
  const requester = input.requester?.trim() || undefined;
  const incident = input.incidentId?.trim() || undefined;
  const sessionName = input.roleSessionName ?? (incident && requester ? sanitizeSessionName(`${incident}-${requester}`) : undefined);
  if (m) {
    const [, partition, account, , name] = m;
    put('aws:PrincipalArn', input.roleArn);
    put('aws:PrincipalAccount', account);
    put('aws:userid', input.roleId && sessionName ? `${input.roleId}:${sessionName}` : undefined);
    if (sessionName) shown.push({ key: 'principal', value: `arn:${partition}:sts::${account}:assumed-role/${name}/${sessionName}` });
  } else {
    for (const k of ['aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:userid']) put(k, undefined);
  }
  put('aws:PrincipalType', 'AssumedRole');
  put('aws:PrincipalIsAWSService', 'false');
  absent.add('aws:username');
  absent.add('aws:federatedprovider');
  put('aws:SourceIdentity', requester && sanitizeSessionName(requester, '_'));
  // Session tags are principal tags; they override role tags of the same key.
  const tags: Record<string, string | undefined> = { ...(input.roleTags ?? {}), IncidentId: incident, SessionPolicyType: input.playbook, Requester: requester };
  for (const [k, v] of Object.entries(tags)) put(`aws:PrincipalTag/${k}`, v);

  const start = input.issuedAt ?? input.clock.now();
  const end = input.expiresAt ?? start + (input.durationSeconds ?? 3600) * 1000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  put('aws:TokenIssueTime', iso(start));
  shown.push({ key: 'aws:CurrentTime', value: `${iso(start)} … ${iso(end)}` });
  if (input.mfa === true) {
    put('aws:MultiFactorAuthPresent', 'true');
    shown.push({ key: 'aws:MultiFactorAuthAge', value: `0 … ${Math.round((end - start) / 1000)} s` });
  } else if (input.mfa === false) {
    put('aws:MultiFactorAuthPresent', 'false');
    absent.add('aws:multifactorauthage');
  } else {
    put('aws:MultiFactorAuthPresent', undefined);
    unknown.add('aws:multifactorauthage');
  }
  const regions = [...new Set(input.regions ?? [])];
  if (regions.length) shown.push({ key: 'aws:RequestedRegion', value: regions.join(', ') });
  else {
    unknown.add('aws:requestedregion');
    shown.push({ key: 'aws:RequestedRegion', value: 'not known (no regions configured for the account)' });
  }
  return { fixed, absent, regions, window: { start, end }, mfa: input.mfa, unknown, principalTagsComplete: input.roleTags !== undefined, shown };
}

// ---------------------------------------------------------------------------------------------------------------
// Three-valued evaluation

export type Tri = 'true' | 'false' | 'maybe';

/** A condition as the effective-permissions analysis records it. */
export interface SessionCondition {
  operator: string;
  key: string;
  values: string[];
}

/** Whether a key is decided by the session (true) or by the individual request (false). */
function sessionKnows(ctx: SessionContext, lower: string): boolean {
  if (ctx.fixed.has(lower) || ctx.absent.has(lower)) return true;
  if (lower === 'aws:requestedregion') return ctx.regions.length > 0;
  if (TIME_KEYS.has(lower)) return !ctx.unknown.has(lower);
  if (lower.startsWith('aws:principaltag/')) return ctx.principalTagsComplete && !ctx.unknown.has(lower);
  return false;
}

const VARIABLE = /\$\{([^}]*)\}/g;

/** The instants (ms) at which a time-keyed condition group is tested: the window's ends and around each policy value. */
function timeSamples(ctx: SessionContext, conditions: SessionCondition[]): number[] {
  const { start, end } = ctx.window;
  const out = new Set<number>([start, end]);
  for (const c of conditions) {
    for (const v of c.values) {
      const k = c.key.toLowerCase();
      let t: number | undefined;
      if (k === 'aws:currenttime') t = Date.parse(v);
      else if (k === 'aws:epochtime') t = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
      else if (k === 'aws:multifactorauthage') t = Number(v) * 1000 + start;
      if (t === undefined || !Number.isFinite(t)) continue;
      for (const d of [-1000, 0, 1000]) if (t + d > start && t + d < end) out.add(t + d);
    }
  }
  return [...out];
}

/** Decides one group of conditions on the same key (or on the linked time keys) for every request of the session. */
function group(ctx: SessionContext, conditions: SessionCondition[]): Tri {
  const block: Record<string, Record<string, string[]>> = {};
  for (const c of conditions) (block[c.operator] ??= {})[c.key] = c.values;
  const compiled = compileConditionBlock(block, true);
  if (!compiled) return 'false'; // malformed: the statement never applies (as in evaluation)
  const base: ContextLookup = (k) => (ctx.absent.has(k) ? undefined : ctx.fixed.get(k));
  const lower = conditions[0].key.toLowerCase();
  let lookups: ContextLookup[];
  if (lower === 'aws:requestedregion') {
    lookups = ctx.regions.map((r) => (k: string) => (k === 'aws:requestedregion' ? r : base(k)));
  } else if (TIME_KEYS.has(lower)) {
    lookups = timeSamples(ctx, conditions).map((t) => (k: string) => {
      if (k === 'aws:currenttime') return new Date(t).toISOString();
      if (k === 'aws:epochtime') return String(Math.floor(t / 1000));
      if (k === 'aws:multifactorauthage') return ctx.mfa ? String(Math.floor((t - ctx.window.start) / 1000)) : undefined;
      return base(k);
    });
  } else lookups = [base];
  let sawTrue = false;
  let sawFalse = false;
  for (const l of lookups) {
    if (compiled.test(l)) sawTrue = true;
    else sawFalse = true;
  }
  return sawTrue && sawFalse ? 'maybe' : sawTrue ? 'true' : 'false';
}

export interface ConditionsVerdict {
  result: Tri;
  /** The keys that decide it: for true/false the keys evaluated, for maybe the keys the request decides. */
  keys: string[];
}

/**
 * Whether a statement's conditions hold for every request of the session ('true'), for none ('false'), or depend on
 * the request ('maybe'). Conditions on several keys are ANDed: one group false makes the statement false.
 */
export function conditionsInSession(ctx: SessionContext, conditions: readonly SessionCondition[]): ConditionsVerdict {
  const groups = new Map<string, SessionCondition[]>();
  const open: string[] = [];
  for (const c of conditions) {
    const lower = c.key.toLowerCase();
    // A policy variable naming a key the request decides makes the comparison request-dependent too.
    const vars = c.values.flatMap((v) => [...v.matchAll(VARIABLE)].map((x) => x[1].toLowerCase())).filter((v) => !['*', '?', '$'].includes(v));
    if (!sessionKnows(ctx, lower) || vars.some((v) => !sessionKnows(ctx, v) || TIME_KEYS.has(v) || v === 'aws:requestedregion')) {
      open.push(c.key);
      continue;
    }
    const g = TIME_KEYS.has(lower) ? 'time' : lower;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(c);
  }
  const decided: string[] = [];
  const falseKeys: string[] = [];
  for (const list of groups.values()) {
    const r = group(ctx, list);
    const keys = [...new Set(list.map((c) => c.key))];
    if (r === 'false') falseKeys.push(...keys);
    else if (r === 'maybe') open.push(...keys);
    else decided.push(...keys);
  }
  if (falseKeys.length) return { result: 'false', keys: falseKeys };
  if (open.length) return { result: 'maybe', keys: [...new Set(open)] };
  return { result: 'true', keys: [...new Set(decided)] };
}
