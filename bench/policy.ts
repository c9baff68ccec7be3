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
import { getManagedPolicy } from '../src/core/policy/managed';
import { simulateBatch } from '../src/core/policy/simulate';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../src/core/templates';
import type { NamedPolicy } from '../src/core/policy/types';

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
      report.figure({ name: `catalog load (${s.catalog.actions} actions, ${(s.catalog.bytes / 1024).toFixed(0)} KiB)`, value: s.catalog.ms, unit: 'ms', baseline: { name: 'bare read+JSON.parse', value: rawCatalog } });
      report.note(`of which first read+parse ${s.catalog.parseMs.toFixed(1)} ms, building the indexes ${(s.catalog.ms - s.catalog.parseMs).toFixed(1)} ms`);
    }
    if (s.managed) {
      report.figure({ name: `managed policies load (${s.managed.policies} policies, ${(s.managed.bytes / 1024).toFixed(0)} KiB)`, value: s.managed.ms, unit: 'ms', baseline: { name: 'bare read+JSON.parse', value: rawManaged } });
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

/** JSON Lines requests over the canonical policies, with a mix of actions, resources and contexts. */
function* requestLines(count: number): Generator<string> {
  const config = canonicalConfig();
  const identity = JSON.stringify(config.identity.map((p) => p.document));
  const boundary = JSON.stringify(config.boundary?.document ?? null);
  const session = JSON.stringify(config.session?.[0]?.document ?? null);
  const actions = ['ec2:StopInstances', 'ec2:DescribeInstances', 's3:GetObject', 'iam:CreateUser', 'organizations:ListAccounts',
    'iam:AttachUserPolicy', 'ec2:TerminateInstances', 'kms:Decrypt', 'ec2:RevokeSecurityGroupIngress', 'lambda:InvokeFunction'];
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
  for (let i = 0; i < count; i++) {
    const action = actions[i % actions.length];
    const region = regions[i % regions.length];
    const resource = action.startsWith('s3:') ? `arn:aws:s3:::bucket-${i % 97}/key-${i}` : `arn:aws:ec2:${region}:111122223333:instance/i-${(i % 4096).toString(16).padStart(8, '0')}`;
    yield `{"id":"r${i}","principal":"arn:aws:sts::111122223333:assumed-role/BREAK-GLASS/alice","action":"${action}",` +
      `"resource":"${resource}","context":{"aws:RequestedRegion":"${region}","aws:MultiFactorAuthPresent":"true"},` +
      `"identityPolicies":${identity},"permissionsBoundary":${boundary},"sessionPolicy":${session}}\n`;
  }
}

/** A stream of the generated lines in ~64 KiB chunks (what a file read stream would hand over). */
function linesStream(count: number): Readable {
  const gen = requestLines(count);
  return new Readable({
    read() {
      let chunk = '';
      for (;;) {
        const r = gen.next();
        if (r.done) {
          if (chunk) this.push(chunk);
          this.push(null);
          return;
        }
        chunk += r.value;
        if (chunk.length >= 65536) break;
      }
      this.push(chunk);
    },
  });
}

const discard = (): Writable & { bytes: number } => {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      (w as Writable & { bytes: number }).bytes += chunk.length;
      cb();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
};

const simulate: Benchmark = {
  name: 'simulate',
  description: 'simulateBatch throughput over generated JSON Lines (canonical policies on every line)',
  async run(report) {
    const count = Number(process.env.BENCH_SIMULATE_LINES ?? 200_000);
    await simulateBatch(linesStream(2000), discard()); // warm-up
    let t0 = performance.now();
    const result = await simulateBatch(linesStream(count), discard());
    const ours = performance.now() - t0;
    if (result.errors) report.note(`${result.errors} line(s) answered with an error`);
    // Baseline: the minimum any JSON Lines tool does — split lines, JSON.parse each, JSON.stringify an answer.
    t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const out = discard();
      let rest = '';
      const input = linesStream(count);
      input.setEncoding('utf8');
      input.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        let answer = '';
        for (const l of lines) {
          if (!l) continue;
          const o = JSON.parse(l) as { id: string };
          answer += JSON.stringify({ id: o.id, decision: 'ImplicitDeny' }) + '\n';
        }
        out.write(answer);
      });
      input.on('end', () => resolve());
      input.on('error', reject);
    });
    const base = performance.now() - t0;
    report.figure({
      name: `simulateBatch, ${result.count.toLocaleString('en-US')} requests`, value: (result.count / ours) * 1000, unit: 'req/s', higherIsBetter: true,
      baseline: { name: 'JSON.parse + JSON.stringify per line', value: (count / base) * 1000 }, target: { min: 100_000 },
    });
  },
};

export const policyBenchmarks: Benchmark[] = [dataLoad, effective, simulate];
