// `breakglass simulate`: would this request be allowed? Offline IAM policy evaluation (identity policies, permissions
// boundary, session policies), one request from flags or many from JSON Lines.
import * as fs from 'fs';
import * as path from 'path';
import type { Readable } from 'stream';
import { parseArgs, requireString } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { evaluate, type DecidingStatement, type Evaluation, type RequestContext } from '../../core/policy/evaluate';
import { simulateBatch } from '../../core/policy/simulate';
import { loadPolicySource } from '../../core/policy/sources';
import type { NamedPolicy } from '../../core/policy/types';
import { SESSION_SPEC, SESSION_USAGE, runSessionSimulation } from './simulateSession';

const USAGE = `usage: breakglass simulate --action <service:Action> --resource <arn|*> --identity <policy>... [options]
       breakglass simulate --batch <file|->

Evaluates IAM policies offline, the way AWS decides a request in one account: an explicit Deny anywhere wins;
otherwise the request is allowed only if the identity policies allow it AND the permissions boundary (if given)
allows it AND the session policies (if given) allow it.

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
  --json                print the evaluation as JSON

Batch (JSON Lines, one request per line, answers in the same order):
  --batch <file|->      read requests from a file, or '-' for standard input. Each line:
      {"id":"c1","principal":"arn:…","action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key",
       "context":{"aws:MultiFactorAuthPresent":"true"},"identityPolicies":[{…}],
       "permissionsBoundary":{…}|null,"sessionPolicy":{…}|null}
    Each answer: {"id":"c1","decision":"Allowed"|"ExplicitDeny"|"ImplicitDeny"}, or {"id":…,"error":"…"} for a
    malformed line (processing continues).

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

async function loadAll(refs: string[], cwd: string): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const ref of refs) out.push(...(await loadPolicySource(ref, cwd)));
  return out;
}

function describe(d: DecidingStatement): string {
  return `${d.layer.padEnd(8)}  ${d.policy}  statement ${d.statementIndex}${d.sid ? ` (${d.sid})` : ''}  ${d.effect}`;
}

/** Human-readable rendering of an evaluation. */
export function formatEvaluation(request: RequestContext, e: Evaluation): string {
  const lines = [`${e.decision}: ${request.action} on ${request.resource}`];
  if (e.decision === 'ExplicitDeny') {
    lines.push('Denied explicitly by:', ...e.deciding.map((d) => `  ${describe(d)}`));
  } else if (e.decision === 'Allowed') {
    lines.push('Allowed by:', ...e.deciding.map((d) => `  ${describe(d)}`));
  } else {
    lines.push(`No applicable Allow in: ${e.missingAllow.join(', ')} (every layer given must allow the request).`);
    if (e.deciding.length) lines.push('Allows that did apply:', ...e.deciding.map((d) => `  ${describe(d)}`));
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
    if (!/^[^:\s]+:[^:\s]+$/.test(action) && action !== '*') throw new UsageError(`--action must look like service:Action, got '${action}'`);
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
    const principal = typeof p.options.principal === 'string' ? p.options.principal : undefined;
    const request: RequestContext = { principal, action, resource, context };
    const result = evaluate(request, { identity, boundary, session });
    if (p.options.json) {
      io.stdout.write(JSON.stringify({ request, ...result }, null, 2) + '\n');
    } else {
      io.stdout.write(formatEvaluation(request, result));
    }
    return 0;
  },
};
