// Activation as a responder pays for it: a fresh Node process evaluates dist/extension.js and runs its real
// activate() — services built, tree view, status bar, commands and the preview serializer registered — until the
// API's `ready` (persisted sessions restored) resolves. The `vscode` module is bench/vscode-shim.js, a minimal host
// stand-in: real EventEmitter/Disposable/Uri, configuration defaults from package.json, in-memory SecretStorage and
// Memento; UI calls are inert. Why a shim rather than timing inside VS Code: the host's own activation bookkeeping
// (extension scanning, IPC to the renderer) is not ours, varies by an order of magnitude with load, and needs the
// whole code-server start per sample; the shim isolates exactly the code we ship, in fresh processes, many times.
//
// No ratio: a baseline that loads less (an SDK client, an empty extension) would say nothing about ours.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Benchmark } from './index';

const RUNS = 9;

interface Sample { load: number; activate: number; ready: number; commands: number }

function sample(bundle: string, shim: string): Sample {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-activate-'));
  const script = `
    const Module = require('module');
    const shim = require(${JSON.stringify(shim)});
    const load = Module._load;
    Module._load = function (req, ...rest) { return req === 'vscode' ? shim : load.call(this, req, ...rest); };
    const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
    const t0 = process.hrtime.bigint();
    const ext = require(${JSON.stringify(bundle)});
    const loaded = ms(t0);
    const context = shim.benchContext(${JSON.stringify(storage)});
    const api = ext.activate(context);
    const activated = ms(t0);
    Promise.resolve(api.ready).then(() => {
      const ready = ms(t0);
      process.stdout.write(JSON.stringify({ load: loaded, activate: activated, ready, commands: context.subscriptions.length }));
      for (const d of context.subscriptions) try { d.dispose(); } catch {}
    });`;
  try {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.dirname(bundle), timeout: 60_000 });
    if (r.status !== 0 || !r.stdout) throw new Error(`activating ${bundle} under the shim failed: ${r.stderr || r.error}`);
    return JSON.parse(r.stdout) as Sample;
  } finally {
    fs.rmSync(storage, { recursive: true, force: true });
  }
}

export const activationBenchmarks: Benchmark[] = [{
  name: 'activation',
  description: 'dist/extension.js evaluated and its real activate() run until sessions are restored, fresh process, minimal vscode host shim',
  async run(report) {
    const root = path.resolve(__dirname, '../..');
    const bundle = path.join(root, 'dist', 'extension.js');
    if (!fs.existsSync(bundle)) throw new Error('dist/extension.js is missing: npm run bench builds it first');
    const shim = path.join(root, 'bench', 'vscode-shim.js');
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(sample(bundle, shim));
    const ready = report.stats(samples.map((s) => s.ready));
    const load = report.stats(samples.map((s) => s.load));
    const act = report.stats(samples.map((s) => s.activate - s.load));
    report.figure({ name: `require + activate() + ready, median of ${RUNS}`, value: ready.median, unit: 'ms' });
    report.note(`of which evaluating the ${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB bundle ${load.median.toFixed(1)} ms, activate() itself ${act.median.toFixed(1)} ms; ` +
      `p95 ${ready.p95.toFixed(1)} ms; ${samples[0].commands} disposables registered`);
  },
}];
