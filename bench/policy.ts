// Policy engine benchmarks: lazy data loading, full-catalog effective permissions for the canonical configuration, and
// batch simulation throughput — each against a baseline measured in the same run.
//
// Canonical configuration: identity = PowerUserAccess + incident_responder's inline IncidentResponsePolicy;
// boundary = PowerUserAccess; session = containment_actions.
import * as fs from 'fs';
import * as path from 'path';
import { Readable, Writable } from 'stream';
import type { Benchmark } from './index';
import { dataLoadStats, loadCatalog, locateDataDir } from '../src/core/policy/catalog';
import { clearEffectiveCache, effectivePermissions, type EffectiveConfig } from '../src/core/policy/effective';
import { evaluate } from '../src/core/policy/evaluate';
import { getManagedPolicy, listManagedPolicies } from '../src/core/policy/managed';
import { simulateBatch } from '../src/core/policy/simulate';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../src/core/templates';
import type { NamedPolicy, PolicyDocument } from '../src/core/policy/types';

const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';

function canonicalConfig(): EffectiveConfig {
  const pu = getManagedPolicy(POWER_USER);
  if (!pu) throw new Error(`${POWER_USER} missing from the managed policy data`);
  const inline: NamedPolicy = {
    name: 'incident_responder/IncidentResponsePolicy',
    document: ROLE_TEMPLATES.incident_responder.inlinePolicies.IncidentResponsePolicy,
  };
  const session: NamedPolicy = { name: 'containment_actions', document: SESSION_POLICY_TEMPLATES.containment_actions.policy };
  return { identity: [pu, inline], boundary: pu, session: [session] };
}

const dataLoad: Benchmark = {
  name: 'data-load',
  description: 'lazy load of the offline data on first use (catalog index + managed policies)',
  async run(report) {
    const dir = locateDataDir();
    loadCatalog();
    getManagedPolicy(POWER_USER);
    const s = dataLoadStats();
    // Baseline: reading and JSON.parse-ing the same files, with no indexing.
    const raw = (name: string): number => {
      const t0 = performance.now();
      JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      return performance.now() - t0;
    };
    const rawCatalog = raw('catalog.json');
    const rawManaged = raw('managed-policies.json');
    if (s.generated) report.note(`data generated in this run in ${s.generateMs?.toFixed(0)} ms (no dist/data yet)`);
    if (s.catalog) {
      // No ratio: a bare read+parse builds no index, so it does less than the product; it is shown for scale only.
      report.figure({ name: `catalog load (${s.catalog.actions} actions, ${(s.catalog.bytes / 1024).toFixed(0)} KiB)`, value: s.catalog.ms, unit: 'ms' });
      report.note(`of which first read+parse ${s.catalog.parseMs.toFixed(1)} ms, building the indexes ${(s.catalog.ms - s.catalog.parseMs).toFixed(1)} ms (for scale: a second bare read+JSON.parse of the file ${rawCatalog.toFixed(1)} ms)`);
    }
    if (s.managed) {
      report.figure({ name: `managed policies load (${s.managed.policies} policies, ${(s.managed.bytes / 1024).toFixed(0)} KiB)`, value: s.managed.ms, unit: 'ms' });
      report.note(`for scale: a second bare read+JSON.parse of the managed policies file ${rawManaged.toFixed(1)} ms`);
    }
  },
};

const effective: Benchmark = {
  name: 'effective',
  description: 'effectivePermissions over the full catalog, canonical configuration',
  async run(report) {
    const config = canonicalConfig();
    const n = loadCatalog().actions.length;
    effectivePermissions(config); // warm-up (JIT)
    const runs = 40;
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      clearEffectiveCache();
      const t0 = performance.now();
      effectivePermissions(config);
      cold.push(performance.now() - t0);
    }
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      effectivePermissions(config);
      warm.push(performance.now() - t0);
    }
    // Baseline: the naive approach — one evaluate() per catalog action (resource "*", empty context).
    const policies = { identity: config.identity, boundary: config.boundary ?? null, session: config.session ?? null };
    const naive: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      for (const a of loadCatalog().actions) evaluate({ action: a.id, resource: '*', context: {} }, policies);
      naive.push(performance.now() - t0);
    }
    const c = report.stats(cold);
    const w = report.stats(warm);
    const b = report.stats(naive);
    const baseline = { name: `naive evaluate() per action (median of ${b.runs})`, value: b.median };
    report.figure({ name: `full catalog (${n} actions), statement analysis uncached, median of ${c.runs}`, value: c.median, unit: 'ms', baseline, target: { max: 30 } });
    report.figure({ name: 'full catalog, statement analysis uncached, p95', value: c.p95, unit: 'ms', baseline });
    report.figure({ name: `full catalog, policies cached, median of ${w.runs}`, value: w.median, unit: 'ms', baseline });
    report.figure({ name: 'full catalog, policies cached, p95', value: w.p95, unit: 'ms', baseline });
  },
};

// ---------------------------------------------------------------------------------------------------------------
// simulateBatch on varied policies. A batch from a real differential run or an access review mixes many policies:
// per line, one of 64 small real AWS managed policies, an inline policy shared by a group of 25 lines (new text every
// group, so it must be parsed and compiled), sometimes a boundary, one of the four playbooks, a variation of one or
// none as session policy, and random catalog actions on matching ARNs with varied contexts.

/** A small deterministic PRNG (mulberry32), so every run measures the same lines. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload { lines: string[]; bytes: number; distinctPolicies: number }

function variedWorkload(count: number): Workload {
  const rnd = prng(20261201);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const managed = listManagedPolicies()
    .map((m) => getManagedPolicy(m.arn)?.document)
    .filter((d): d is NonNullable<typeof d> => !!d && JSON.stringify(d).length < 2500)
    .filter((_, i) => i % 7 === 0)
    .slice(0, 64)
    .map((d) => JSON.stringify(d));
  const playbooks = Object.values(SESSION_POLICY_TEMPLATES).map((t) => JSON.stringify(t.policy));
  const boundaries = [JSON.stringify(getManagedPolicy(POWER_USER)?.document), 'null', 'null'];
  const actions = loadCatalog().actions;
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
  const ops = ['StringEquals', 'StringNotEquals', 'StringLike', 'ArnLike', 'Bool', 'NumericLessThan', 'IpAddress', 'DateGreaterThan'];
  const condition = (): Record<string, Record<string, string>> => {
    const op = pick(ops);
    switch (op) {
      case 'Bool': return { Bool: { 'aws:MultiFactorAuthPresent': rnd() < 0.5 ? 'true' : 'false' } };
      case 'NumericLessThan': return { NumericLessThan: { 'aws:MultiFactorAuthAge': String(Math.floor(rnd() * 7200)) } };
      case 'IpAddress': return { IpAddress: { 'aws:SourceIp': `203.0.${Math.floor(rnd() * 255)}.0/24` } };
      case 'DateGreaterThan': return { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } };
      case 'ArnLike': return { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/BREAK-GLASS-*' } };
      default: return { [op]: { 'aws:RequestedRegion': pick(regions) } };
    }
  };
  const arnFor = (a: typeof actions[number]): string => {
    if (a.wildcardOnly) return '*';
    const svc = a.service;
    return svc === 's3' ? `arn:aws:s3:::bucket-${Math.floor(rnd() * 50)}/key-${Math.floor(rnd() * 1e6)}`
      : `arn:aws:${svc}:${pick(regions)}:111122223333:thing/${Math.floor(rnd() * 1e6)}`;
  };
  let inline = '';
  const lines: string[] = [];
  const distinct = new Set<string>();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    if (i % 25 === 0) {
      const statements = Array.from({ length: 2 + Math.floor(rnd() * 5) }, (_, k) => {
        const a = pick(actions);
        const st: Record<string, unknown> = { Sid: `G${i}S${k}`, Effect: rnd() < 0.25 ? 'Deny' : 'Allow',
          Action: rnd() < 0.3 ? `${a.service}:*` : [a.id, pick(actions).id], Resource: rnd() < 0.6 ? '*' : arnFor(a) };
        if (rnd() < 0.5) st.Condition = condition();
        return st;
      });
      inline = JSON.stringify({ Version: '2012-10-17', Statement: statements });
      distinct.add(inline);
    }
    const a = pick(actions);
    const identity = `[${pick(managed)},${inline}]`;
    const sessionPolicy = rnd() < 0.15 ? 'null' : pick(playbooks);
    const context: Record<string, string> = { 'aws:RequestedRegion': pick(regions), 'aws:MultiFactorAuthPresent': rnd() < 0.9 ? 'true' : 'false',
      'aws:MultiFactorAuthAge': String(Math.floor(rnd() * 7200)), 'aws:SourceIp': `203.0.${Math.floor(rnd() * 255)}.7`, 'aws:CurrentTime': '2026-12-01T12:00:00Z' };
    const line = `{"id":"r${i}","principal":"arn:aws:sts::111122223333:assumed-role/BREAK-GLASS-${pick(['A', 'B'])}/alice","action":"${a.id}",` +
      `"resource":"${arnFor(a)}","context":${JSON.stringify(context)},"identityPolicies":${identity},` +
      `"permissionsBoundary":${pick(boundaries)},"sessionPolicy":${sessionPolicy}}\n`;
    bytes += line.length;
    lines.push(line);
  }
  return { lines, bytes, distinctPolicies: distinct.size + managed.length + playbooks.length + 1 };
}

/** The lines as a stream in ~64 KiB chunks (what a file read stream would hand over). */
function linesStream(lines: readonly string[]): Readable {
  let i = 0;
  return new Readable({
    read() {
      let chunk = '';
      while (i < lines.length && chunk.length < 65536) chunk += lines[i++];
      this.push(chunk || null);
      if (chunk && i >= lines.length) this.push(null);
    },
  });
}

const collect = (): Writable & { text: string } => {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      (w as Writable & { text: string }).text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
};

/**
 * The same answers, the straightforward way: JSON.parse each line, evaluate() with the policies as parsed (compiled
 * afresh for every line), JSON.stringify the answer.
 */
function naiveBatch(lines: readonly string[]): string {
  let out = '';
  for (const l of lines) {
    const o = JSON.parse(l) as { id: string; principal?: string; action: string; resource: string; context: Record<string, string>;
      identityPolicies: PolicyDocument[]; permissionsBoundary: PolicyDocument | null; sessionPolicy: PolicyDocument | null };
    const decision = evaluate({ principal: o.principal, action: o.action, resource: o.resource, context: o.context }, {
      identity: o.identityPolicies.map((document, i) => ({ name: `identityPolicies[${i}]`, document })),
      boundary: o.permissionsBoundary ? { name: 'permissionsBoundary', document: o.permissionsBoundary } : null,
      session: o.sessionPolicy ? [{ name: 'sessionPolicy', document: o.sessionPolicy }] : null,
    }).decision;
    out += JSON.stringify({ id: o.id, decision }) + '\n';
  }
  return out;
}

const simulate: Benchmark = {
  name: 'simulate',
  description: 'simulateBatch throughput over generated JSON Lines with varied policies (managed, per-group inline, playbooks, boundaries)',
  async run(report) {
    const count = Number(process.env.BENCH_SIMULATE_LINES ?? 50_000);
    const w = variedWorkload(count);
    // Same answers as the naive evaluation, line for line (the comparison is only meaningful if they agree).
    const check = w.lines.slice(0, 3000);
    const sample = collect();
    await simulateBatch(linesStream(check), sample);
    if (sample.text !== naiveBatch(check)) throw new Error('simulateBatch and the naive evaluation disagree on the workload');
    const decisions = new Map<string, number>();
    for (const m of sample.text.matchAll(/"decision":"(\w+)"/g)) decisions.set(m[1], (decisions.get(m[1]) ?? 0) + 1);
    let t0 = performance.now();
    const result = await simulateBatch(linesStream(w.lines), collect());
    const ours = performance.now() - t0;
    if (result.errors) report.note(`${result.errors} line(s) answered with an error`);
    t0 = performance.now();
    naiveBatch(w.lines);
    const base = performance.now() - t0;
    report.figure({
      name: `simulateBatch, ${result.count.toLocaleString('en-US')} varied requests`, value: (result.count / ours) * 1000, unit: 'req/s', higherIsBetter: true,
      baseline: { name: 'JSON.parse + evaluate() + JSON.stringify per line (same answers)', value: (count / base) * 1000 }, target: { min: 100_000 },
    });
    report.note(`${(w.bytes / 1048576).toFixed(0)} MiB of requests, ${w.distinctPolicies} distinct policy documents; decisions in the first 3,000: ` +
      [...decisions].map(([k, v]) => `${k} ${v}`).join(', '));
  },
};

export const policyBenchmarks: Benchmark[] = [dataLoad, effective, simulate];
