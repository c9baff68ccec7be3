// Elevation overhead, on the same local endpoint (in its own process), runs interleaved so drift affects both sides:
//
// 1. In process: runElevation from the moment the MFA code is submitted (the prompt port returns it) until the
//    responder has credentials — the 'requested' record (its fsync overlapping the STS call), the single AssumeRole, the
//    checks of what came back, the session registered and the 'granted' record queued — against a bare SDK AssumeRole
//    with the same input. The pre-flight (GetCallerIdentity, GetRole, audit log opened) ran while the prompt was open.
// 2. As a process: `breakglass elevate … --token-code … --json` (dist/cli.js: pre-flight calls, plan, AssumeRole, fsynced
//    audit records) against a one-shot SDK AssumeRole process (out/bench/oneshot-assume-role.js) printing the same
//    JSON; and `breakglass --version` against bare node.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Benchmark } from './index';
import { AwsClients } from '../src/core/aws/clients';
import { AuditLog } from '../src/core/audit/log';
import { resolvePlaybook } from '../src/core/playbooks';
import { planElevation } from '../src/core/session/elevate';
import { runElevation, type ElevationRequest } from '../src/core/session/run';
import { SessionStore } from '../src/core/session/store';
import { MemorySecretStore } from '../src/core/session/types';

/** The local endpoint in its own process (out/bench/fake-aws.js): its work must not run on the loop being measured. */
async function startEndpointProcess(): Promise<{ url: string; close(): Promise<void> }> {
  const script = path.join(__dirname, 'fake-aws.js');
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, FAKE_AWS_OPTIONS: JSON.stringify({ singleUseCodes: false }) }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the local endpoint exited (${code}) before listening`)));
  });
  return { url, close: async () => { child.kill(); } };
}

const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const RUNS = Number(process.env.BREAKGLASS_BENCH_RUNS) || 150;
const PROCESS_RUNS = Number(process.env.BREAKGLASS_BENCH_PROCESS_RUNS) || 21;
const WARMUP = 5;
const ROLE = 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER';
const SERIAL = 'arn:aws:iam::111122223333:mfa/bench';
const REQUEST: ElevationRequest = {
  roleArn: ROLE, playbook: { kind: 'builtin', name: 'containment_actions' }, incidentId: 'INC-2024-001', justification: 'Benchmark',
  requester: 'bench@example.com', mfaSerial: SERIAL, region: 'us-east-1',
};

export async function benchElevation(opts: { runs?: number } = {}): Promise<{ ours: number[]; bare: number[]; settled: number[]; whole: number[] }> {
  const runs = opts.runs ?? RUNS;
  const fake = await startEndpointProcess();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-bench-'));
  const clients = new AwsClients({ endpointUrl: fake.url, region: 'us-east-1', credentials: CREDS, env: {} });
  const bareClient = new STSClient({ endpoint: fake.url, region: 'us-east-1', credentials: CREDS });
  const store = new SessionStore({ secrets: new MemorySecretStore() });
  const audit = new AuditLog(path.join(dir, 'audit.jsonl'));
  // The bare side sends exactly what Break Glass sends.
  const fixed = planElevation({ ...REQUEST, requester: 'bench@example.com', playbook: await resolvePlaybook(REQUEST.playbook, async () => ''), tokenCode: '123456', sessionSuffix: 'bench01' });
  if (!fixed.ok) throw new Error(fixed.problems.map((p) => p.message).join('; '));
  const ours: number[] = [];
  const settled: number[] = [];
  const whole: number[] = [];
  const bare: number[] = [];
  /** One elevation; returns [code submitted → credentials, → durable, whole use-case] in ms. */
  const oursOnce = async (): Promise<[number, number, number]> => {
    let submitted = 0n;
    const t0 = process.hrtime.bigint();
    const o = await runElevation(REQUEST, {
      clients, audit, store, readPlaybookFile: async () => '',
      promptMfaCode: async () => { submitted = process.hrtime.bigint(); return '123456'; },
    });
    const t1 = process.hrtime.bigint();
    if (o.status !== 'granted') throw new Error(`elevation ${o.status}: ${JSON.stringify(o)}`);
    await o.durable;
    const t2 = process.hrtime.bigint();
    return [Number(t1 - submitted) / 1e6, Number(t2 - submitted) / 1e6, Number(t1 - t0) / 1e6];
  };
  const bareOnce = async () => {
    const t0 = process.hrtime.bigint();
    await bareClient.send(new AssumeRoleCommand(fixed.plan.input));
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  try {
    for (let i = 0; i < WARMUP; i++) { await oursOnce(); await bareOnce(); }
    for (let i = 0; i < runs; i++) {
      const record = async () => { const [a, b, c] = await oursOnce(); ours.push(a); settled.push(b); whole.push(c); };
      if (i % 2) { await record(); bare.push(await bareOnce()); } else { bare.push(await bareOnce()); await record(); }
    }
  } finally {
    store.dispose();
    clients.destroy();
    bareClient.destroy();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { ours, bare, settled, whole };
}

/** Wall-clock milliseconds of one process run; throws when it fails. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.resume();
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${args.join(' ')} exited ${code}: ${err}`))));
  });
}

export async function benchCliProcess(runs = PROCESS_RUNS): Promise<{ cli: number[]; known: number[]; oneshot: number[]; version: number[]; node: number[] }> {
  const root = path.resolve(__dirname, '../..');
  const cliJs = path.join(root, 'dist', 'cli.js');
  const oneshotJs = path.join(__dirname, 'oneshot-assume-role.js');
  for (const f of [cliJs, oneshotJs]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: npm run bench builds it first`);
  const fake = await startEndpointProcess();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-bench-cli-'));
  const fixed = planElevation({ ...REQUEST, requester: 'bench@example.com', playbook: await resolvePlaybook(REQUEST.playbook, async () => ''), tokenCode: '123456', sessionSuffix: 'bench01' });
  if (!fixed.ok) throw new Error('plan failed');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: dir, AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    AWS_REGION: 'us-east-1', BREAKGLASS_AUDIT_LOG: path.join(dir, 'audit.jsonl'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BENCH_ASSUME_ROLE_INPUT: JSON.stringify(fixed.plan.input),
  };
  const cliArgs = [cliJs, 'elevate', '--role-arn', ROLE, '--playbook', 'containment_actions', '--incident', 'INC-2024-001', '--justification', 'Benchmark',
    '--requester', 'bench@example.com', '--mfa-serial', SERIAL, '--token-code', '123456', '--json'];
  // The same with the role's maximum given (as the extension has it from .breakglass/config.json): no iam:GetRole, so
  // the IAM client is never loaded.
  const knownArgs = [...cliArgs, '--role-max-duration', '28800'];
  const out = { cli: [] as number[], known: [] as number[], oneshot: [] as number[], version: [] as number[], node: [] as number[] };
  try {
    await timeProcess(cliArgs, env);
    await timeProcess([oneshotJs], env);
    for (let i = 0; i < runs; i++) {
      const pair = [async () => out.cli.push(await timeProcess(cliArgs, env)), async () => out.oneshot.push(await timeProcess([oneshotJs], env)),
        async () => out.known.push(await timeProcess(knownArgs, env)),
        async () => out.version.push(await timeProcess([cliJs, '--version'], env)), async () => out.node.push(await timeProcess(['-e', '0'], env))];
      for (const f of i % 2 ? pair.reverse() : pair) await f();
    }
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export const elevationBenchmarks: Benchmark[] = [{
  name: 'elevation',
  description: 'MFA code submitted → one AssumeRole + session registered + granted record queued (runElevation), vs a bare SDK AssumeRole on the same local endpoint',
  async run(report) {
    const { ours, bare, settled, whole } = await benchElevation();
    const o = report.stats(ours);
    const b = report.stats(bare);
    report.figure({
      name: `elevation (median of ${o.runs})`, value: o.median, unit: 'ms',
      baseline: { name: 'bare SDK AssumeRole', value: b.median },
      target: { max: b.median * 1.15 },
    });
    report.note(`overhead ratio ${(o.median / b.median).toFixed(3)}× (target ≤ 1.15×); p95 ${o.p95.toFixed(2)} ms vs ${b.p95.toFixed(2)} ms`);
    const d = report.stats(settled);
    report.note(`until the 'granted' record is fsynced too: median ${d.median.toFixed(2)} ms (${(d.median / b.median).toFixed(2)}× bare; background work, not on the responder's path)`);
    const w = report.stats(whole);
    report.note(`the whole use-case incl. the pre-flight before the prompt (GetCallerIdentity, GetRole, audit log opened): median ${w.median.toFixed(2)} ms (${(w.median / b.median).toFixed(2)}× one bare AssumeRole; three AWS calls)`);
  },
}, {
  name: 'elevation-cli',
  description: '`breakglass elevate … --token-code … --json` as a process, vs a one-shot SDK AssumeRole process printing the same JSON',
  async run(report) {
    const { cli, known, oneshot, version, node } = await benchCliProcess();
    const c = report.stats(cli);
    const s = report.stats(oneshot);
    report.figure({
      name: `breakglass elevate process (median of ${c.runs})`, value: c.median, unit: 'ms',
      baseline: { name: 'one-shot SDK AssumeRole process', value: s.median },
      target: { max: s.median * 1.15 },
    });
    report.note(`CLI process ratio ${(c.median / s.median).toFixed(3)}× (target ≤ 1.15×): GetCallerIdentity + iam:GetRole before the code, then AssumeRole, two fsynced audit records`);
    const k = report.stats(known);
    report.note(`with the role's maximum given (--role-max-duration, no iam:GetRole, IAM client not loaded): median ${k.median.toFixed(1)} ms, ${(k.median / s.median).toFixed(3)}× the one-shot process`);
    const v = report.stats(version);
    const n = report.stats(node);
    report.note(`breakglass --version: median ${v.median.toFixed(1)} ms vs bare node ${n.median.toFixed(1)} ms (+${(v.median - n.median).toFixed(1)} ms)`);
  },
}];

// Standalone only when this file itself is the entry point (bundlers make `require.main === module` true for every
// bundled module, so the file name is checked too).
if (require.main === module && /elevation\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  benchElevation().then(({ ours, bare, settled }) => {
    const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
    process.stdout.write(`elevation median ${med(ours).toFixed(2)} ms, bare ${med(bare).toFixed(2)} ms, ratio ${(med(ours) / med(bare)).toFixed(3)}×; until durable ${med(settled).toFixed(2)} ms\n`);
  });
}
