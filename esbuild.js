// Build: the extension (dist/extension.js), the CLI (dist/cli.js), the webview page bundles (dist/webview/*.js),
// the offline data artifacts (dist/data/*.json) and, for the test harness, the integration suites and benchmarks
// (out/). `--production` minifies with source maps; `--watch` rebuilds on change; `--bench` builds only benchmarks.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const quiet = args.has('--quiet');
const benchOnly = args.has('--bench');
const root = __dirname;

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
};

function listFiles(dir, pred) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, pred) : pred(p) ? [p] : [];
  });
}

// ---- approvals (issue 12) ----
// The SDK clients only approvals use (DynamoDB, SNS) are their own bundle, dist/aws-approvals.js, which the extension
// requires on first use: the extension bundle is parsed at activation, and ~190 KiB of SDK code cost ~20 ms there.
const lazyApprovalsSdk = {
  name: 'lazy-approvals-sdk',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/client-(dynamodb|sns)$/ }, (a) => ({ path: a.path, namespace: 'lazy-approvals-sdk' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-approvals-sdk' }, (a) => ({
      loader: 'js',
      contents: `module.exports = require(require('path').join(__dirname, 'aws-approvals.js')).${a.path.endsWith('sns') ? 'sns' : 'dynamodb'};`,
    }));
  },
};
// ---- end approvals ----
// The CLI is split: dist/cli.js holds only the entry and the subcommand table; each subcommand that index.ts loads
// with `require('./name')` is its own bundle, dist/cli/<name>.js, required when it runs. `breakglass --version` thus
// parses a few kilobytes instead of the AWS SDK and the policy data.
const CLI_TABLE = path.join(root, 'src', 'cli', 'commands', 'index.ts');
const cliSubcommands = [...new Set([...fs.readFileSync(CLI_TABLE, 'utf8').matchAll(/require\('\.\/([\w-]+)'\)/g)].map((m) => m[1]))];
const splitCliSubcommands = {
  name: 'split-cli-subcommands',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+$/ }, (a) => (a.importer === CLI_TABLE && a.kind === 'require-call'
      ? { path: `./cli/${a.path.slice(2)}.js`, external: true } : undefined));
  },
};

function builds() {
  const product = [
    { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [lazyApprovalsSdk] },
    { ...common, entryPoints: ['src/core/aws/approvalsSdk.ts'], outfile: 'dist/aws-approvals.js' }, // approvals (issue 12)
    {
      ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: ['vscode'],
      banner: { js: '#!/usr/bin/env node' }, plugins: [splitCliSubcommands],
    },
    ...cliSubcommands.map((name) => ({
      ...common, entryPoints: [`src/cli/commands/${name}.ts`], outfile: `dist/cli/${name}.js`, external: ['vscode'],
    })),
  ];
  const pages = listFiles(path.join(root, 'media'), (p) => /[\\/]main\.ts$/.test(p));
  for (const page of pages) {
    const name = path.basename(path.dirname(page));
    product.push({
      ...common, entryPoints: [page], outfile: `dist/webview/${name}.js`, platform: 'browser', format: 'iife',
      target: 'es2022',
    });
  }
  const testSuites = listFiles(path.join(root, 'test', 'integration'), (p) => p.endsWith('.ts'));
  const harness = [];
  if (testSuites.length) {
    harness.push({
      ...common, minify: false, entryPoints: testSuites, outdir: 'out/test/integration', outbase: 'test/integration',
      // dynalite (approvals tests) loads its LevelDB binding at run time, so it stays a require() of node_modules.
      external: ['vscode', 'mocha', 'dynalite'],
    });
  }
  const bench = listFiles(path.join(root, 'bench'), (p) => /[\\/]index\.ts$/.test(p));
  if (bench.length) {
    harness.push({ ...common, minify: false, entryPoints: bench, outdir: 'out/bench', outbase: 'bench', external: ['vscode', 'playwright-core'] });
    // The local STS/IAM endpoint, runnable as its own process, so a benchmark's server work does not share its loop.
    harness.push({ ...common, minify: false, entryPoints: ['test/support/fake-aws.ts'], outdir: 'out/bench', outbase: 'test/support' });
    // The one-shot SDK AssumeRole process the CLI is compared with: bundled and minified as dist/cli.js is.
    harness.push({ ...common, minify: true, entryPoints: ['bench/oneshot-assume-role.ts'], outdir: 'out/bench', outbase: 'bench' });
  }
  return benchOnly ? harness.filter((b) => b.outdir === 'out/bench') : [...product, ...harness];
}

function buildData() {
  // Offline data (the IAM action catalog and the AWS managed policies), extracted from npm packages at build time.
  const gen = path.join(root, 'scripts', 'build-data.js');
  if (!fs.existsSync(gen)) return [];
  return require(gen).buildData(path.join(root, 'dist', 'data'));
}

function report(results) {
  const rows = [];
  for (const r of results) {
    for (const [file, info] of Object.entries(r.metafile.outputs)) {
      if (!file.endsWith('.map')) rows.push([file, info.bytes]);
    }
  }
  for (const [file, bytes] of rows.sort()) console.log(`  ${file.padEnd(48)} ${(bytes / 1024).toFixed(1).padStart(9)} KiB`);
}

async function main() {
  const t0 = Date.now();
  const configs = builds();
  if (watch) {
    for (const c of configs) {
      const ctx = await esbuild.context({
        ...c,
        plugins: [...(c.plugins ?? []), { name: 'log', setup(b) { b.onEnd((r) => console.log(`[watch] ${c.outfile || c.outdir}: ${r.errors.length} error(s)`)); } }],
      });
      await ctx.watch();
    }
    console.log('[watch] watching for changes');
    return;
  }
  if (!benchOnly) for (const d of ['dist', 'out']) fs.rmSync(path.join(root, d), { recursive: true, force: true });
  const results = await Promise.all(configs.map((c) => esbuild.build(c)));
  const data = benchOnly ? [] : buildData();
  if (quiet) {
    // npm start: one line; the per-bundle list is for `--verbose` and the other scripts.
    const outputs = results.flatMap((r) => Object.keys(r.metafile.outputs)).filter((f) => !f.endsWith('.map'));
    console.log(`built in ${Date.now() - t0} ms: ${outputs.filter((f) => f.startsWith('dist/')).length} bundles and ${data.length} data files in dist/`);
    return;
  }
  console.log(`built in ${Date.now() - t0} ms${production ? ' (production)' : ''}:`);
  report(results);
  for (const d of data) console.log(`  ${path.relative(root, d.file).padEnd(48)} ${(d.bytes / 1024).toFixed(1).padStart(9)} KiB`);
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
