// `breakglass simulate --role <arn> --session <playbook> …`: the session an elevation of that role with that playbook
// would get, with the context it really carries (principal, session tags, SourceIdentity, MFA, token issue time, the
// regions, the time). With --action: one request decided in that context. Without: every action of the catalog, the
// conditional ones split into allowed in this session / denied in this session / depends on the request, with the
// deciding condition keys.
import * as os from 'os';
import type { Parsed } from '../args';
import { UsageError, type CliIO } from '../io';
import { parseRoleArn } from '../../core/aws/partition';
import { effectivePermissions, type EffectiveAction, type SessionOutcome } from '../../core/policy/effective';
import { evaluate, type RequestContext } from '../../core/policy/evaluate';
import { buildSessionContext, type SessionContext } from '../../core/policy/sessionContext';
import { loadPolicySource, loadRoleTemplate } from '../../core/policy/sources';
import type { NamedPolicy } from '../../core/policy/types';
import { roleTemplateFor } from '../../core/preview/model';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../../core/templates';

/** Options of the session mode, merged into simulate's SPEC. */
export const SESSION_SPEC = {
  role: { type: 'string' },
  requester: { type: 'string' },
  incident: { type: 'string' },
  region: { type: 'list' },
  duration: { type: 'string' },
  'no-mfa': { type: 'boolean' },
  limit: { type: 'string' },
} as const;

export const SESSION_USAGE = `
The real session (--role): the session an elevation of that role with that playbook gets, with the context it
carries — aws:PrincipalArn/Account/Type, the session tags (IncidentId, SessionPolicyType, Requester) as
aws:PrincipalTag/*, aws:SourceIdentity, aws:MultiFactorAuthPresent/Age, aws:TokenIssueTime, aws:CurrentTime over
the session, aws:RequestedRegion over the regions:
  breakglass simulate --role <role-arn> --session <playbook|file> [--identity <policy>…] [--boundary <policy>]
                      [--requester <name>] [--incident <id>] [--region <r>…] [--duration <s>] [--no-mfa]
                      [--action <a> --resource <arn>] [--context k=v…] [--json] [--limit <n>]
  --role <arn>          the role (its policies: --identity, else the role template its name stands for)
  --session <playbook>  the playbook (its name is the SessionPolicyType tag); repeat for managed session policies
  --requester <name>    the Requester tag and SourceIdentity (default: your OS user name)
  --incident <id>       the IncidentId tag (unknown when absent: conditions on it depend on the request)
  --region <r>          a region the responder works in; repeat for several
  --duration <s>        session length in seconds (default: the playbook's maximum, else 3600)
  --no-mfa              the elevation does not use MFA
  With --action/--resource: that request decided now, in the first region (or --context aws:RequestedRegion=…).
  Without: conditional actions split into allowed in this session / denied in this session / depends on the request.
`;

const OUTCOME_TITLE: Record<SessionOutcome, string> = {
  allowed: 'Allowed in this session',
  denied: 'Denied in this session',
  depends: 'Depends on the request',
};

async function loadAll(refs: string[], cwd: string): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const ref of refs) out.push(...(await loadPolicySource(ref, cwd)));
  return out;
}

/** The concrete context of one request made now in the session (the first region unless the request names one). */
function requestContext(ctx: SessionContext, now: number, explicit: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of ctx.fixed) out[k] = v;
  if (ctx.regions.length) out['aws:requestedregion'] = ctx.regions[0];
  out['aws:currenttime'] = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  out['aws:epochtime'] = String(Math.floor(now / 1000));
  if (ctx.mfa) out['aws:multifactorauthage'] = String(Math.max(0, Math.floor((now - ctx.window.start) / 1000)));
  for (const [k, v] of Object.entries(explicit)) out[k.toLowerCase()] = v;
  return out;
}

export async function runSessionSimulation(p: Parsed, io: CliIO, explicitContext: Record<string, string | string[]>,
  now: () => number = Date.now): Promise<number> {
  const roleArn = p.options.role as string;
  const role = parseRoleArn(roleArn);
  if (!role) throw new UsageError(`--role must be an IAM role ARN (arn:aws:iam::111122223333:role/BREAK-GLASS-NAME), got '${roleArn}'`);
  const sessionRefs = (p.options.session as string[] | undefined) ?? [];
  if (!sessionRefs.length) throw new UsageError('--role needs the playbook: --session <playbook|policy file> (e.g. --session containment_actions)');
  const identityRefs = (p.options.identity as string[] | undefined) ?? [];
  const template = identityRefs.length ? identityRefs.find((r) => ROLE_TEMPLATES[r]) : roleTemplateFor({ name: role.roleName });
  if (!identityRefs.length && !template) {
    throw new UsageError(`the policies of role ${role.roleName} are not known offline: pass them with --identity <policy> (a file, a managed policy ARN or a role template such as incident_responder)`);
  }
  const identity = identityRefs.length ? await loadAll(identityRefs, io.cwd) : loadRoleTemplate(template as string).identity;
  let boundary: NamedPolicy | null = template ? loadRoleTemplate(template).boundary : null;
  if (typeof p.options.boundary === 'string') {
    const b = await loadPolicySource(p.options.boundary, io.cwd);
    if (b.length !== 1) throw new UsageError(`--boundary must be one policy, but '${p.options.boundary}' is ${b.length}`);
    boundary = b[0];
  }
  const session = await loadAll(sessionRefs, io.cwd);
  const playbook = SESSION_POLICY_TEMPLATES[sessionRefs[0]]?.name ?? session[0]?.name ?? sessionRefs[0];
  let durationSeconds = SESSION_POLICY_TEMPLATES[sessionRefs[0]]?.maxDuration;
  if (p.options.duration !== undefined) {
    durationSeconds = Number(p.options.duration);
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) throw new UsageError('--duration must be whole seconds from 900 to 43200');
  }
  const regions = (p.options.region as string[] | undefined) ?? [];
  for (const r of regions) if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(r)) throw new UsageError(`--region '${r}' does not look like an AWS region (e.g. us-east-1)`);
  const limit = p.options.limit === undefined ? 20 : Number(p.options.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit must be a whole number');
  let requester = typeof p.options.requester === 'string' ? p.options.requester : undefined;
  if (requester === undefined) try { requester = os.userInfo().username; } catch { requester = undefined; } // no passwd entry: not known
  const ctx = buildSessionContext({
    roleArn, playbook, requester, incidentId: p.options.incident as string | undefined, clock: { now }, regions,
    durationSeconds, mfa: !p.options['no-mfa'],
  });
  const contextLines = ctx.shown.map((s) => `  ${s.key.padEnd(34)} ${s.value}`);

  if (typeof p.options.action === 'string') {
    if (typeof p.options.resource !== 'string') throw new UsageError('--action needs --resource <arn|*>');
    const principal = ctx.shown.find((s) => s.key === 'principal')?.value;
    const request: RequestContext = { principal, action: p.options.action, resource: p.options.resource, context: requestContext(ctx, now(), explicitContext) };
    const result = evaluate(request, { identity, boundary, session });
    if (p.options.json) io.stdout.write(JSON.stringify({ request, ...result, sessionContext: ctx.shown }, null, 2) + '\n');
    else {
      io.stdout.write(`${result.decision}: ${request.action} on ${request.resource}, in the session of ${role.roleName} with ${playbook}\n`);
      for (const d of result.deciding) io.stdout.write(`  ${d.layer.padEnd(8)}  ${d.policy}  statement ${d.statementIndex}${d.sid ? ` (${d.sid})` : ''}  ${d.effect}\n`);
      if (result.missingAllow.length) io.stdout.write(`  no applicable Allow in: ${result.missingAllow.join(', ')}\n`);
      io.stdout.write(`Session context:\n${contextLines.join('\n')}\n`);
    }
    return 0;
  }

  const r = effectivePermissions({ identity, boundary, session, context: ctx });
  const groups: Record<SessionOutcome, EffectiveAction[]> = { allowed: [], denied: [], depends: [] };
  for (const e of r.actions) if (e.inSession) groups[e.inSession.outcome].push(e);
  if (p.options.json) {
    const view = (e: EffectiveAction) => ({ action: e.action, accessLevel: e.accessLevel, keys: e.inSession?.keys ?? [] });
    io.stdout.write(JSON.stringify({
      role: roleArn, playbook, sessionContext: ctx.shown, counts: r.counts, inSession: r.inSession,
      allowedInSession: groups.allowed.map(view), deniedInSession: groups.denied.map(view), dependsOnRequest: groups.depends.map(view),
    }, null, 2) + '\n');
    return 0;
  }
  const out = [`The session of ${role.roleName} with ${playbook} (offline; AWS evaluation logic over the IAM action catalog)`,
    'Session context:', ...contextLines, '',
    `${r.counts.allowed} allowed on every resource, ${r.counts.conditional} conditional, ${r.counts.denied} explicitly denied.`,
    `Of the conditional: ${r.inSession?.allowed ?? 0} allowed in this session, ${r.inSession?.denied ?? 0} denied in this session, ` +
    `${r.inSession?.depends ?? 0} depend on the request.`];
  for (const outcome of ['allowed', 'denied', 'depends'] as const) {
    const list = groups[outcome];
    if (!list.length) continue;
    out.push('', `${OUTCOME_TITLE[outcome]} (${list.length}):`);
    for (const e of list.slice(0, limit)) out.push(`  ${e.action.padEnd(44)} ${e.inSession?.keys.length ? `decided by ${e.inSession.keys.join(', ')}` : ''}`.trimEnd());
    if (list.length > limit) out.push(`  … and ${list.length - limit} more (use --json for all)`);
  }
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}
