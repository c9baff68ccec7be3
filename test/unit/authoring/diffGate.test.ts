// The review gate on crafted git histories in a temporary repository (real git, real files).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { diffPlaybooksInRepo, diffPlaybookTexts } from '../../../src/core/authoring/diffGate';
import { formatElevationSummary, playbookElevationSummary } from '../../../src/core/authoring/elevationSummary';
import { memoryIO } from '../helpers/io';

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
const allow = (actions: string | string[], extra: object = {}) => ({ Effect: 'Allow', Action: actions, Resource: '*', ...extra });

describe('breakglass diff: no new access over the whole catalog', function () {
  this.timeout(60_000);
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' }).toString();
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.join(repo, '.breakglass', 'playbooks'), { recursive: true });
    fs.writeFileSync(path.join(repo, '.breakglass', 'playbooks', name), text);
  };
  const commit = (msg: string) => { git('add', '-A'); git('commit', '-q', '-m', msg); };

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diff-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.invalid');
    git('config', 'user.name', 'Test');
    git('config', 'commit.gpgsign', 'false');
    write('read.json', policy([allow(['ec2:DescribeInstances', 'logs:FilterLogEvents'])]));
    write('contain.json', `// comments allowed\n{"name": "contain", "phase": "containment", "sessionPolicy": ${policy([allow('ec2:StopInstances', { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } })])}}`);
    commit('base');
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('no change → no new access, exit 0', async () => {
    const r = await diffPlaybooksInRepo(repo, 'HEAD');
    assert.strictEqual(r.failed, false);
    assert.deepStrictEqual(r.playbooks.map((p) => [p.file, p.status, p.newAccess.length]), [
      ['.breakglass/playbooks/contain.json', 'unchanged', 0], ['.breakglass/playbooks/read.json', 'unchanged', 0]]);
    const m = memoryIO();
    assert.strictEqual(await runCli(['diff', '--base', 'HEAD'], { ...m, cwd: repo }), 0);
    assert.match(m.out(), /read\.json \(unchanged\): no new access/);
  });

  it('a widened playbook: the newly allowed actions by service and access level, risky first, exit 1', async () => {
    write('read.json', policy([allow(['ec2:DescribeInstances', 'logs:FilterLogEvents', 'iam:PassRole', 's3:Get*'])]));
    commit('widen');
    const r = await diffPlaybooksInRepo(repo, 'HEAD~1');
    assert.strictEqual(r.failed, true);
    const p = r.playbooks.find((x) => x.file.endsWith('read.json'))!;
    assert.strictEqual(p.status, 'modified');
    assert.strictEqual(p.newAccess[0].action, 'iam:PassRole', 'risky first');
    assert.ok(p.newAccess.some((c) => c.action === 's3:GetObject' && c.kind === 'gained'));
    assert.ok(!p.newAccess.some((c) => c.action === 'ec2:DescribeInstances'));
    const s3 = p.services.find((s) => s.service === 's3')!;
    assert.ok(s3.byLevel.Read!.includes('s3:GetObject'));
    assert.strictEqual(p.services.find((s) => s.service === 'iam')!.byLevel['Write']![0], 'iam:PassRole');
    assert.ok(p.riskyCount >= 2, 'PassRole and GetObject on * are risky');
    assert.strictEqual(r.playbooks.find((x) => x.file.endsWith('contain.json'))!.newAccess.length, 0);

    const m = memoryIO();
    assert.strictEqual(await runCli(['diff', '--base', 'HEAD~1'], { ...m, cwd: repo }), 1);
    assert.match(m.out(), /read\.json \(modified\): NEW ACCESS: \d+ action\(s\), \d+ risky/);
    assert.match(m.out(), /! iam:PassRole/);
    const j = memoryIO();
    assert.strictEqual(await runCli(['diff', '--base', 'HEAD~1', '--json'], { ...j, cwd: path.join(repo, '.breakglass') }), 1);
    const json = JSON.parse(j.out());
    assert.strictEqual(json.failed, true);
    assert.strictEqual(json.base, 'HEAD~1');
  });

  it('narrowing is not new access; dropping a condition (conditional → allowed) is', async () => {
    write('read.json', policy([allow('ec2:DescribeInstances')]));
    write('contain.json', `{"name": "contain", "sessionPolicy": ${policy([allow('ec2:StopInstances')])}}`);
    commit('narrow read, unconditional contain');
    const r = await diffPlaybooksInRepo(repo, 'HEAD~1');
    const read = r.playbooks.find((x) => x.file.endsWith('read.json'))!;
    assert.strictEqual(read.newAccess.length, 0);
    assert.strictEqual(read.removedCount, 1);
    const contain = r.playbooks.find((x) => x.file.endsWith('contain.json'))!;
    assert.deepStrictEqual(contain.newAccess.map((c) => [c.action, c.kind, c.before, c.after]), [['ec2:StopInstances', 'widened', 'conditional', 'allowed']]);
    assert.strictEqual(r.failed, true);
  });

  it('a changed condition (still conditional) is reported as possible new access, never as none', async () => {
    write('contain.json', `{"name": "contain", "sessionPolicy": ${policy([allow('ec2:StopInstances', { Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } })])}}`);
    const r = await diffPlaybooksInRepo(repo, 'HEAD');
    const c = r.playbooks.find((x) => x.file.endsWith('contain.json'))!;
    assert.deepStrictEqual(c.newAccess.map((x) => [x.action, x.kind]), [['ec2:StopInstances', 'rescoped']]);
    assert.strictEqual(r.failed, true);
  });

  it('a new playbook is all new access; a deleted one is none; an invalid one is an error (exit 1)', async () => {
    write('new.json', policy([allow('sts:AssumeRole')]));
    fs.rmSync(path.join(repo, '.breakglass', 'playbooks', 'read.json'));
    write('contain.json', '{"name": "contain", "sessionPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "*", "Resource": "*"}]}}');
    const r = await diffPlaybooksInRepo(repo, 'HEAD');
    const by = Object.fromEntries(r.playbooks.map((p) => [path.basename(p.file), p]));
    assert.strictEqual(by['new.json'].status, 'added');
    assert.deepStrictEqual(by['new.json'].newAccess.map((c) => c.action), ['sts:AssumeRole']);
    assert.strictEqual(by['read.json'].status, 'removed');
    assert.strictEqual(by['contain.json'].status, 'error');
    assert.match(by['contain.json'].error!, /Effect must be "Allow" or "Deny"/);
    const m = memoryIO();
    assert.strictEqual(await runCli(['diff', '--base', 'HEAD'], { ...m, cwd: repo }), 1);
    assert.match(m.out(), /contain\.json \(error\): ERROR/);
  });

  it('an unknown ref or an option-looking ref is refused with exit 2 and a hint; --base is required', async () => {
    const m = memoryIO();
    assert.strictEqual(await runCli(['diff', '--base', 'origin/nope'], { ...m, cwd: repo }), 2);
    assert.match(m.err(), /cannot find the commit 'origin\/nope'.*fetch-depth: 0/);
    const o = memoryIO();
    assert.strictEqual(await runCli(['diff', '--base=--output=/tmp/x'], { ...o, cwd: repo }), 2);
    assert.match(o.err(), /is not a git ref/);
    const u = memoryIO();
    assert.notStrictEqual(await runCli(['diff'], { ...u, cwd: repo }), 0);
    assert.match(u.err(), /--base/);
  });

  it('the elevation summary: effective permissions, risks, and what changed since HEAD (uncommitted edits)', async () => {
    const file = path.join(repo, '.breakglass', 'playbooks', 'read.json');
    const clean = await playbookElevationSummary(file);
    // Its two actions, and sts:GetCallerIdentity, which AWS allows outside policy evaluation.
    assert.strictEqual(clean.summary.counts.allowed, 3);
    assert.strictEqual(clean.uncommitted, false);
    assert.strictEqual(clean.sinceBase!.newAccess.length, 0);
    assert.match(formatElevationSummary(clean), /No new access since HEAD/);
    write('read.json', policy([allow(['ec2:DescribeInstances', 'logs:FilterLogEvents', 'iam:AttachRolePolicy'])]));
    const dirty = await playbookElevationSummary(file);
    assert.strictEqual(dirty.uncommitted, true);
    assert.deepStrictEqual(dirty.sinceBase!.newAccess.map((c) => c.action), ['iam:AttachRolePolicy']);
    assert.ok(dirty.risks.some((r) => r.id === 'privesc:iam:AttachRolePolicy'));
    const text = formatElevationSummary(dirty);
    assert.match(text, /Since HEAD \(uncommitted edits\): 1 newly allowed action\(s\), 1 risky: iam:AttachRolePolicy/);
    assert.match(text, /Risks: iam:AttachRolePolicy can attach/);
  });

  it('outside a repository the summary still shows permissions and says why changes were not checked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-norepo-'));
    try {
      const file = path.join(dir, 'p.json');
      fs.writeFileSync(file, policy([allow('s3:ListBucket')]));
      const s = await playbookElevationSummary(file);
      assert.strictEqual(s.summary.counts.allowed, 2, 's3:ListBucket and sts:GetCallerIdentity (allowed outside policy evaluation)');
      assert.strictEqual(s.sinceBase, undefined);
      assert.match(s.gitNote!, /not inside a git repository/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid base version granted nothing: everything permitted now is new', () => {
    const d = diffPlaybookTexts('x.json', '{"Statement": "broken"', policy([allow('s3:ListBucket')]));
    assert.deepStrictEqual(d.newAccess.map((c) => c.action), ['s3:ListBucket']);
    assert.match(d.note!, /not a valid playbook/);
  });
});
