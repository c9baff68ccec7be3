// Activation cost that a responder feels when opening the Break Glass view: evaluating dist/extension.js. Measured in
// fresh Node processes (no module cache), median of several, against the same process loading only the AWS SDK's STS
// client — which the extension used to evaluate at activation and now loads on first use.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Benchmark } from './index';

const RUNS = 9;

/** Milliseconds to require `target` in a fresh process; `vscode` resolves to an inert stand-in (only loading is timed). */
function timeRequire(target: string): number {
  const script = `
    const Module = require('module');
    // Any property, call or construction of the stand-in yields the stand-in: enough for module-level code to load.
    const stub = new Proxy(function () {}, { get: (_t, k) => (k === '__esModule' ? false : stub), apply: () => stub, construct: () => stub });
    const load = Module._load;
    Module._load = function (req, ...rest) {
      if (req === 'vscode') return stub;
      return load.call(this, req, ...rest);
    };
    const t0 = process.hrtime.bigint();
    require(${JSON.stringify(target)});
    process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: path.dirname(target) });
  if (r.status !== 0) throw new Error(`loading ${target} failed: ${r.stderr}`);
  return Number(r.stdout);
}

export const activationBenchmarks: Benchmark[] = [{
  name: 'activation',
  description: 'evaluating the extension bundle at activation (fresh process), vs loading the AWS SDK STS client alone',
  async run(report) {
    const root = path.resolve(__dirname, '../..');
    const bundle = path.join(root, 'dist', 'extension.js');
    if (!fs.existsSync(bundle)) throw new Error('dist/extension.js is missing: npm run bench builds it first');
    const sts = require.resolve('@aws-sdk/client-sts', { paths: [root] });
    const ours: number[] = [];
    const sdk: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(timeRequire(bundle));
      sdk.push(timeRequire(sts));
    }
    const o = report.stats(ours);
    const b = report.stats(sdk);
    report.figure({ name: `dist/extension.js (${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB) evaluation, median of ${RUNS}`, value: o.median, unit: 'ms', baseline: { name: 'require @aws-sdk/client-sts alone', value: b.median } });
  },
}];
