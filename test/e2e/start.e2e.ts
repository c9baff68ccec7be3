// `npm start` as a newcomer meets it: the README's first command, run as it is (npm → scripts/start.sh →
// scripts/vscode-host.sh serve), in its own serve folder and HOME, on the code-server cache this run already filled.
// Checks what the user sees (quiet output, the URL last, the Break Glass view in the browser), that a restart keeps
// the port and the user's settings, that the user's ~/.aws and AWS_* environment reach the served VS Code, that a
// taken port is reported with the fix, and that SIGTERM to the npm process stops code-server and every child.
import * as assert from 'assert';
import { spawn, execFileSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { SHOTS } from './workbench';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { launch } = require('../harness/browser');

const ROOT = path.resolve(__dirname, '../..');

interface Started { child: ChildProcess; output: () => string; exited: Promise<number | null> }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function npmStart(env: NodeJS.ProcessEnv): Started {
  let out = '';
  const child = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Resolves when `pred(output)` holds; rejects with the output if the process exits first. */
async function waitForOutput(s: Started, pred: (out: string) => boolean, what: string): Promise<void> {
  let exited = false;
  void s.exited.then(() => { exited = true; });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (pred(s.output())) return resolve();
      if (exited) return reject(new Error(`npm start exited before ${what}:\n${s.output()}`));
      setTimeout(check, 100);
    };
    check();
  });
}

/** PIDs of processes whose command line mentions `needle` (this test's own serve folder). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const env = fs.readFileSync(`/proc/${d}/environ`, 'utf8');
      if (cmd.includes(needle) || env.includes(needle)) pids.push(Number(d));
    } catch { /* gone meanwhile */ }
  }
  return pids.filter((p) => p !== process.pid);
}

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

async function stopAndWait(s: Started, serveDir: string): Promise<number> {
  const t0 = Date.now();
  s.child.kill('SIGTERM');
  await s.exited;
  // Everything that ran in our serve folder (vscode-host.sh, code-server, its extension and pty hosts) goes away.
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      const left = processesMentioning(serveDir);
      if (left.length === 0) return resolve();
      if (Date.now() - t0 > 15000) return reject(new Error(`still running 15 s after SIGTERM: ${left.join(', ')}`));
      setTimeout(check, 100);
    };
    check();
  });
  return Date.now() - t0;
}

describe('npm start (the README quick start) on its embedded demo', function () {
  this.timeout(240000);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-start-'));
  const serveDir = path.join(base, 'serve');
  const home = path.join(base, 'home');
  let port = 0;
  let env: NodeJS.ProcessEnv;
  let running: Started | undefined;

  before(async () => {
    port = await freePort();
    fs.mkdirSync(path.join(home, '.aws'), { recursive: true });
    fs.writeFileSync(path.join(home, '.aws', 'config'), '[profile responder]\nregion = eu-west-3\n');
    fs.writeFileSync(path.join(home, '.aws', 'credentials'), '[responder]\naws_access_key_id = AKIASTARTTEST0000001\naws_secret_access_key = notARealSecretForTheStartTest000000000000\n');
    const { BREAKGLASS_E2E_URL: _u, BREAKGLASS_E2E_WS: _w, BREAKGLASS_E2E_RUN: _r, ...rest } = process.env;
    env = {
      ...rest,
      HOME: home,
      BREAKGLASS_CACHE: process.env.BREAKGLASS_CACHE || path.join(os.homedir(), '.cache', 'breakglass'),
      BREAKGLASS_SERVE_DIR: serveDir,
      BREAKGLASS_PORT: String(port),
      AWS_PROFILE: 'responder',
    };
  });
  after(async () => {
    if (running && running.child.exitCode === null) await stopAndWait(running, serveDir).catch(() => undefined);
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('builds quietly, prints the URL last, and serves the Break Glass view with the demo accounts', async () => {
    running = npmStart(env);
    await waitForOutput(running, (o) => /Ctrl-C stops it\.\n\s*└─+\n/.test(o), 'printing the URL');
    const out = running.output();
    const url = `http://127.0.0.1:${port}/?folder=${serveDir}/ws`;
    assert.ok(out.includes(url), `the URL is printed:\n${out}`);
    const lastLines = out.trimEnd().split('\n').slice(-8).join('\n');
    assert.ok(lastLines.includes(url), `the URL is among the last lines:\n${lastLines}`);
    assert.doesNotMatch(out, /dist\/extension\.js\s+[\d.]+ KiB/, 'no bundle list without --verbose');
    assert.doesNotMatch(out, /├─|└─ extension\//, 'no .vsix file tree without --verbose');
    assert.match(out, /packaged breakglass-[\d.]+\.vsix/);

    const { page, close } = await launch();
    try {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90000 });
      await page.locator('.activitybar [aria-label^="Break Glass"]').first().click({ timeout: 30000 });
      await page.locator('.monaco-list-row', { hasText: 'Production' }).first().waitFor({ timeout: 30000 });
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'e2e-npm-start.png') });
    } finally {
      await close();
    }
  });

  it('hands the user\'s ~/.aws files and AWS_* environment to the served VS Code', () => {
    const server = processesMentioning(serveDir).map((pid) => ({ pid, env: environOf(pid) }))
      .find((p) => fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('--bind-addr'));
    assert.ok(server, 'the code-server process is found');
    assert.strictEqual(server.env.AWS_CONFIG_FILE, path.join(home, '.aws', 'config'));
    assert.strictEqual(server.env.AWS_SHARED_CREDENTIALS_FILE, path.join(home, '.aws', 'credentials'));
    assert.strictEqual(server.env.AWS_PROFILE, 'responder');
  });

  it('reports a taken port with the fix, without touching the running server', async () => {
    const second = npmStart(env);
    const code = await second.exited;
    assert.notStrictEqual(code, 0);
    assert.match(second.output(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*BREAKGLASS_PORT=${port + 1} npm start`));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.strictEqual(health.status, 200, 'the first server still answers');
  });

  it('stops code-server and every child on SIGTERM to npm, then restarts on the same port with the user\'s settings', async () => {
    const settings = path.join(serveDir, 'ud', 'User', 'settings.json');
    const edited = { ...JSON.parse(fs.readFileSync(settings, 'utf8')), 'breakglass.expiryWarningMinutes': [15, 5] };
    fs.writeFileSync(settings, JSON.stringify(edited, null, 2));
    const ms = await stopAndWait(running!, serveDir);
    assert.ok(ms < 10000, `stopped in ${ms} ms`);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'nothing serves the port any more');

    running = npmStart(env);
    await waitForOutput(running, (o) => /Ctrl-C stops it\./.test(o), 'printing the URL again');
    assert.ok(running.output().includes(`http://127.0.0.1:${port}/`), 'same port after a restart');
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(settings, 'utf8'))['breakglass.expiryWarningMinutes'], [15, 5]);
    await stopAndWait(running, serveDir);
    assert.deepStrictEqual(execFileSync('git', ['status', '--porcelain', 'demo'], { cwd: ROOT, encoding: 'utf8' }), '', 'the demo source is untouched');
  });
});
