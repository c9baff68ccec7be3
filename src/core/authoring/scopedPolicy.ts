// A custom scoped session policy, as SEC10-BP05's `create_scoped_session_policy` builds it: one Allow of the picked
// actions on the picked resources under the picked conditions, and always the explicit Deny of high-risk actions.
// Conditions offered: regions (StringEquals aws:RequestedRegion), a time window (DateLessThan aws:CurrentTime — the
// reference's "until"), source IPs (IpAddress aws:SourceIp). Validation returns every problem at once.
import { loadCatalog } from '../policy/catalog';
import { parseCidr } from '../policy/conditions';
import { sessionPolicySize } from '../policy/lint';
import type { PolicyDocument, Statement } from '../policy/types';
import { highRiskDenyStatement, MAX_DURATION_SECONDS, MIN_DURATION_SECONDS, type PlaybookPhase } from '../playbookFormat';

export interface ScopedPolicyRequest {
  actions: string[];
  /** ARNs (wildcards allowed); empty = "*". */
  resources: string[];
  regions?: string[];
  /** ISO 8601 instant after which the Allow no longer applies. */
  notAfter?: string;
  /** IPv4/IPv6 addresses or CIDR ranges. */
  sourceIps?: string[];
}

const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|\*):([a-z0-9-]+|\*):([a-z0-9*?-]*):(\d{12}|\*|aws)?:.+$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** Why an ARN typed by a responder is not usable as a Resource (undefined when it is). */
export function invalidResourceArn(arn: string): string | undefined {
  const a = arn.trim();
  if (a === '*') return undefined;
  if (!a.startsWith('arn:')) return `'${a}' is not an ARN: it must start with arn: (e.g. arn:aws:ec2:us-east-1:111122223333:instance/i-0abc…), or be "*"`;
  const parts = a.split(':');
  if (parts.length < 6) return `'${a}' has ${parts.length} of the 6 colon-separated parts of an ARN (arn:partition:service:region:account:resource)`;
  if (!ARN.test(a)) return `'${a}' is not a valid ARN: the partition is aws, aws-cn or aws-us-gov, the account 12 digits (or empty)`;
  const svc = parts[2];
  if (svc !== '*' && !loadCatalog().services.some((s) => s.arnServices.has(svc.toLowerCase()))) return `'${a}': '${svc}' is not the service part of any AWS ARN`;
  return undefined;
}

/** Problems with a request, all at once (empty = buildable). */
export function validateScopedPolicy(r: ScopedPolicyRequest, now = Date.now()): string[] {
  const problems: string[] = [];
  const catalog = loadCatalog();
  if (!r.actions.length) problems.push('pick at least one action');
  for (const a of r.actions) if (!catalog.expand(a).length) problems.push(`'${a}' matches no action in the catalog`);
  for (const arn of r.resources) { const p = invalidResourceArn(arn); if (p) problems.push(p); }
  for (const g of r.regions ?? []) if (!REGION.test(g)) problems.push(`'${g}' is not an AWS Region code (e.g. us-east-1)`);
  if (r.notAfter !== undefined) {
    const t = Date.parse(r.notAfter);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z$/.test(r.notAfter) || Number.isNaN(t)) problems.push(`'${r.notAfter}' is not a UTC time such as 2026-12-01T18:00:00Z`);
    else if (t <= now) problems.push(`the time window ends at ${r.notAfter}, which has already passed`);
  }
  for (const ip of r.sourceIps ?? []) if (!parseCidr(ip)) problems.push(`'${ip}' is not an IP address or CIDR range (e.g. 203.0.113.0/24)`);
  return problems;
}

/** The session policy (throws with every problem when the request is invalid). */
export function buildScopedSessionPolicy(r: ScopedPolicyRequest, now = Date.now()): PolicyDocument {
  const problems = validateScopedPolicy(r, now);
  if (problems.length) throw new Error(`Cannot build the session policy: ${problems.join('; ')}.`);
  const allow: Statement = { Sid: 'ScopedAccess', Effect: 'Allow', Action: [...new Set(r.actions)], Resource: r.resources.length ? [...new Set(r.resources.map((x) => x.trim()))] : '*' };
  const condition: NonNullable<Statement['Condition']> = {};
  if (r.regions?.length) condition.StringEquals = { 'aws:RequestedRegion': r.regions };
  if (r.notAfter) condition.DateLessThan = { 'aws:CurrentTime': r.notAfter };
  if (r.sourceIps?.length) condition.IpAddress = { 'aws:SourceIp': r.sourceIps };
  if (Object.keys(condition).length) allow.Condition = condition;
  return { Version: '2012-10-17', Statement: [allow, highRiskDenyStatement()] };
}

/** A playbook file's text for a scoped policy (the new format), with the session-policy size AWS will count. */
export function scopedPlaybookText(opts: { name: string; description?: string; phase?: PlaybookPhase; maxDurationSeconds?: number; policy: PolicyDocument }): { text: string; size: number; limit: number } {
  const d = opts.maxDurationSeconds;
  if (d !== undefined && (d < MIN_DURATION_SECONDS || d > MAX_DURATION_SECONDS)) throw new Error(`maxDurationSeconds must be from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`);
  const body: Record<string, unknown> = { name: opts.name };
  if (opts.description) body.description = opts.description;
  if (opts.phase) body.phase = opts.phase;
  if (d !== undefined) body.maxDurationSeconds = d;
  body.requireJustification = true;
  body.sessionPolicy = opts.policy;
  const size = sessionPolicySize(opts.policy);
  return { text: JSON.stringify(body, null, 2) + '\n', size: size.chars, limit: size.limit };
}
