// Benchmarks: `npm run bench` (esbuild bundles this file to out/bench/index.js, then runs it). `node out/bench/index.js
// <name>…` runs only the named benchmarks.
//
// Project rule: every figure is printed with a ratio against a baseline measured in the same run on the same machine,
// so the numbers mean something on any hardware; targets are printed as PASS/FAIL.
//
// Adding a benchmark: write a module exporting `Benchmark` objects (import the types from here with `import type`,
// so there is no runtime cycle) and append them to BENCHMARKS below.
import { policyBenchmarks } from './policy';
import { elevationBenchmarks } from './elevation';
import { activationBenchmarks } from './activation';
import { previewBenchmarks } from './preview';
import { pageBenchmarks } from './page';

export interface Figure {
  /** What was measured, e.g. "effectivePermissions, full catalog (median)". */
  name: string;
  value: number;
  /** "ms", "req/s", ... */
  unit: string;
  /** For rates (req/s) higher is better; for times lower is. Default: lower is better. */
  higherIsBetter?: boolean;
  /** The same-run baseline this figure is compared to. */
  baseline?: { name: string; value: number };
  /** A target: PASS when value <= max (times) or value >= min (rates). */
  target?: { max?: number; min?: number };
}

export interface Stats {
  runs: number;
  min: number;
  median: number;
  p95: number;
  mean: number;
}

export interface Reporter {
  figure(f: Figure): void;
  note(text: string): void;
  /** Summary statistics of timing samples. */
  stats(samples: number[]): Stats;
}

export interface Benchmark {
  name: string;
  description: string;
  run(report: Reporter): Promise<void>;
}

/** Every benchmark, in run order. Other modules append theirs here. */
export const BENCHMARKS: Benchmark[] = [...activationBenchmarks, ...policyBenchmarks, ...previewBenchmarks, ...pageBenchmarks, ...elevationBenchmarks];

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { runs: s.length, min: s[0], median: q(0.5), p95: q(0.95), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

const fmt = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export async function runBenchmarks(names: string[] = [], out: (line: string) => void = console.log): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  const reporter: Reporter = {
    stats,
    note: (text) => out(`  ${text}`),
    figure(f) {
      let line = `  ${f.name}: ${fmt(f.value)} ${f.unit}`;
      if (f.baseline) {
        const ratio = f.higherIsBetter ? f.value / f.baseline.value : f.baseline.value / f.value;
        line += ` | baseline ${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit} | ${ratio.toFixed(2)}× ${ratio >= 1 ? 'better' : 'worse'} than baseline`;
      }
      if (f.target) {
        const ok = (f.target.max === undefined || f.value <= f.target.max) && (f.target.min === undefined || f.value >= f.target.min);
        line += ` | target ${f.target.max !== undefined ? `≤ ${fmt(f.target.max)}` : `≥ ${fmt(f.target.min ?? 0)}`} ${f.unit}: ${ok ? 'PASS' : 'FAIL'}`;
        if (ok) passed++;
        else failed++;
      }
      out(line);
    },
  };
  out(`Break Glass benchmarks — node ${process.version}, ${process.platform}/${process.arch}`);
  for (const b of BENCHMARKS) {
    if (names.length && !names.includes(b.name)) continue;
    out('');
    out(`${b.name}: ${b.description}`);
    await b.run(reporter);
  }
  out('');
  out(`targets: ${passed} passed, ${failed} failed`);
  return { passed, failed };
}

if (require.main === module) {
  runBenchmarks(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
