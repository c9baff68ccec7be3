// `breakglass simulate`: would this request be allowed? Offline IAM policy evaluation (SCPs, RCPs, resource policy,
// identity policies, permissions boundary, session policies), one request from flags or many from JSON Lines. Both
// modes apply the same checks (core/policy/simulate.ts) and the same evaluation, so they agree on every input.
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { parseArgs, requireString } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { evaluate, type DecidingStatement, type Evaluation, type RequestContext } from '../../core/policy/evaluate';
import { decisionReasons } from '../../core/policy/guardrails';
import { checkAccount, checkPrincipal, checkRequestAction, checkRequestResource, checkRoleArn, RequestError, simulateBatch } from '../../core/policy/simulate';
import { loadPolicySource } from '../../core/policy/sources';
import type { NamedPolicy } from '../../core/policy/types';
import { SESSION_SPEC, SESSION_USAGE, runSessionSimulation } from './simulateSession';

const USAGE = `usage: breakglass simulate --action <service:Action> --resource <arn|*> --identity <policy>... [options]
       breakglass simulate --batch <file|->

Evaluates IAM policies offline in AWS's documented order: an explicit Deny anywhere wins; then every SCP level (if
given) must allow, then every RCP level (if given, for services that support RCPs); then a resource policy that
names the caller's session or user ARN allows by itself (its role ARN: still limited by the boundary and session
policies); otherwise the identity policies AND the permissions boundary (if given) AND the session policies (if
given) must allow. Across accounts (--resource-account differs from the principal's) both sides must allow.
sts:GetCallerIdentity is always allowed; AWS-protected resources (AWS managed policies, IAM Identity Center roles,
alias/aws/ KMS aliases) are reported as AwsProtected.

A <policy> is a JSON policy file, an AWS managed policy ARN (arn:aws:iam::aws:policy/ReadOnlyAccess), or a built-in
template name (session templates such as containment_actions; role templates such as incident_responder).

Single request:
  --action <a>          the action, e.g. s3:GetObject (required)
  --resource <arn>      the resource ARN, or * (required)
  --identity <policy>   an identity-based policy; repeat for several (at least one)
  --boundary <policy>   the permissions boundary
  --session <policy>    a session policy (inline or managed); repeat for several — any of them allowing suffices
  --context <key=value> a condition context key; repeat a key for a multivalued key (aws:TagKeys=a --context aws:TagKeys=b)
  --principal <arn>     the calling principal (supplies aws:PrincipalArn, aws:username, ...)
  --role-arn <arn>      for a role-session principal: the role's ARN with its path (aws:PrincipalArn)
  --scp <p>[,<p>...]    the SCPs of one level; repeat per level, organisation root first, the account last
  --rcp <p>[,<p>...]    the RCPs of one level of the resource's account; repeat per level, root first
  --resource-policy <f> the resource-based policy (bucket, key, queue policy) attached to the resource
  --resource-account <id> the 12-digit account owning the resource (default: the principal's)
  --json                print the evaluation as JSON

Batch (JSON Lines, one request per line, answers in the same order):
  --batch <file|->      read requests from a file, or '-' for standard input. Each line:
      {"id":"c1","principal":"arn:…","action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key",
       "context":{"aws:MultiFactorAuthPresent":"true"},"identityPolicies":[{…}],
       "permissionsBoundary":{…}|null,"sessionPolicy":{…}|null,
       "serviceControlPolicies":[[{…}],[{…}]]|null,"resourceControlPolicies":[[{…}]]|null,
       "resourcePolicy":{…}|null,"resourceAccount":"111122223333","roleArn":"arn:aws:iam::…:role/path/NAME"}
    Each answer: {"id":"c1","decision":"Allowed"|"ExplicitDeny"|"ImplicitDeny"|"AwsProtected"} (with "reason" for
    AwsProtected and "uncertain" when a statement's meaning is not settled), or {"id":…,"error":"…"} for a request
    that cannot be evaluated — invalid JSON, a policy with grammar errors (named by member and JSON path), a
    malformed action or resource ARN, an id that is not a string or number (processing continues).

Exit codes: 0 evaluated (whatever the decision), 1 a policy could not be loaded, 2 usage error.
` + SESSION_USAGE;

const SPEC = {
  batch: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  identity: { type: 'list' },
  boundary: { type: 'string' },
  session: { type: 'list' },
  context: { type: 'list' },
  principal: { type: 'string' },
  'role-arn': { type: 'string' },
  scp: { type: 'list' },
  rcp: { type: 'list' },
  'resource-policy': { type: 'string' },
  'resource-account': { type: 'string' },
  json: { type: 'boolean' },
  ...SESSION_SPEC,
} as const;

/** `key=value` pairs → context; a repeated key becomes a multivalued key. */
export function parseContextArgs(pairs: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--context expects key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

async function loadAll(refs: string[], cwd: string, kind: 'identity' | 'scp' | 'rcp' = 'identity'): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const ref of refs) out.push(...(await loadPolicySource(ref, cwd, kind)));
  return out;
}

/** `--scp a.json,b.json --scp c.json` → levels [[a, b], [c]]. */
async function loadLevels(levels: string[], cwd: string, kind: 'scp' | 'rcp'): Promise<NamedPolicy[][] | null> {
  if (!levels.length) return null;
  const out: NamedPolicy[][] = [];
  for (const level of levels) {
    const refs = level.split(',').map((r) => r.trim()).filter(Boolean);
    if (!refs.length) throw new UsageError(`--${kind} expects one or more policies separated by commas`);
    out.push(await loadAll(refs, cwd, kind));
  }
  return out;
}

function describe(d: DecidingStatement): string {
  const layer = d.level !== undefined ? `${d.layer}[${d.level}]` : d.layer;
  return `${layer.padEnd(8)}  ${d.policy}  statement ${d.statementIndex}${d.sid ? ` (${d.sid})` : ''}  ${d.effect}`;
}

/** Human-readable rendering of an evaluation. */
export function formatEvaluation(request: RequestContext, e: Evaluation): string {
  const lines = [`${e.decision}: ${request.action} on ${request.resource}`];
  if (e.note) lines.push(e.note);
  if (e.decision === 'AwsProtected') {
    lines.push(`(the policies alone: ${e.policyDecision})`);
  } else if (e.decision === 'ExplicitDeny') {
    lines.push('Denied explicitly by:', ...e.deciding.map((d) => `  ${describe(d)}`));
  } else if (e.decision === 'Allowed') {
    lines.push('Allowed by:', ...e.deciding.map((d) => `  ${describe(d)}`));
  } else {
    lines.push(`No applicable Allow in: ${e.missingAllow.join(', ')} (every layer given must allow the request).`);
    for (const r of decisionReasons({ ...e, uncertain: [] })) lines.push(`  ${r}`);
    if (e.deciding.length) lines.push('Allows that did apply:', ...e.deciding.map((d) => `  ${describe(d)}`));
  }
  if (e.uncertain.length) {
    lines.push('Uncertain (AWS documentation does not settle these for this request):',
      ...e.uncertain.map((u) => `  ${describe(u)}: ${u.reason}`));
  }
  return lines.join('\n') + '\n';
}

async function runBatch(file: string, io: CliIO): Promise<number> {
  let input: Readable;
  if (file === '-') input = io.stdin;
  else {
    const p = path.resolve(io.cwd, file);
    try {
      await fs.promises.access(p, fs.constants.R_OK);
    } catch {
      throw new Error(`cannot read batch file ${file} (${p})`);
    }
    input = fs.createReadStream(p);
  }
  await simulateBatch(input, io.stdout);
  return 0;
}

export const simulate: Subcommand = {
  name: 'simulate',
  summary: 'evaluate IAM policies offline: would this request be allowed? (single or JSON Lines batch)',
  usage: USAGE,
  async run(argv, io) {
    const p = parseArgs(argv, SPEC);
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const batch = p.options.batch as string | undefined;
    if (batch !== undefined) {
      const other = Object.keys(p.options).filter((k) => k !== 'batch');
      if (other.length) throw new UsageError(`--batch cannot be combined with --${other[0]} (put it in the request lines)`);
      return runBatch(batch, io);
    }
    if (p.options.role !== undefined) return runSessionSimulation(p, io, parseContextArgs((p.options.context as string[] | undefined) ?? []));
    const action = requireString(p, 'action');
    const resource = requireString(p, 'resource');
    const principal = typeof p.options.principal === 'string' ? p.options.principal : undefined;
    const roleArn = typeof p.options['role-arn'] === 'string' ? p.options['role-arn'] : undefined;
    const resourceAccount = typeof p.options['resource-account'] === 'string' ? p.options['resource-account'] : undefined;
    try {
      checkRequestAction(action);
      checkRequestResource(resource);
      if (principal !== undefined) checkPrincipal(principal);
      if (roleArn !== undefined) checkRoleArn(roleArn);
      if (resourceAccount !== undefined) {
        checkAccount(resourceAccount, 'resourceAccount');
        if (!principal) throw new RequestError('--resource-account needs --principal (whose account decides whether the request is cross-account)');
      }
    } catch (e) {
      if (e instanceof RequestError) throw new UsageError(e.message.replace(/^"(\w+)"/, (_, k: string) => `--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`));
      throw e;
    }
    const identityRefs = (p.options.identity as string[] | undefined) ?? [];
    if (!identityRefs.length) throw new UsageError('at least one --identity policy is required');
    const context = parseContextArgs((p.options.context as string[] | undefined) ?? []);
    const identity = await loadAll(identityRefs, io.cwd);
    let boundary: NamedPolicy | null = null;
    if (typeof p.options.boundary === 'string') {
      const b = await loadPolicySource(p.options.boundary, io.cwd);
      if (b.length !== 1) throw new UsageError(`--boundary must be one policy, but '${p.options.boundary}' is ${b.length}`);
      boundary = b[0];
    }
    const sessionRefs = (p.options.session as string[] | undefined) ?? [];
    const session = sessionRefs.length ? await loadAll(sessionRefs, io.cwd) : null;
    const serviceControlPolicies = await loadLevels((p.options.scp as string[] | undefined) ?? [], io.cwd, 'scp');
    const resourceControlPolicies = await loadLevels((p.options.rcp as string[] | undefined) ?? [], io.cwd, 'rcp');
    let resourcePolicy: NamedPolicy | null = null;
    if (typeof p.options['resource-policy'] === 'string') {
      const r = await loadPolicySource(p.options['resource-policy'], io.cwd, 'resource');
      if (r.length !== 1) throw new UsageError(`--resource-policy must be one policy, but '${p.options['resource-policy']}' is ${r.length}`);
      resourcePolicy = r[0];
    }
    const request: RequestContext = { principal, action, resource, context };
    if (roleArn !== undefined) request.roleArn = roleArn;
    if (resourceAccount !== undefined) request.resourceAccount = resourceAccount;
    const result = evaluate(request, { identity, boundary, session, serviceControlPolicies, resourceControlPolicies, resourcePolicy });
    if (p.options.json) {
      io.stdout.write(JSON.stringify({ request, ...result }, null, 2) + '\n');
    } else {
      io.stdout.write(formatEvaluation(request, result));
    }
    return 0;
  },
};
