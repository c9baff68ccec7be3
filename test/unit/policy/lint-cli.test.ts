import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIO } from '../helpers/io';

describe('cli: breakglass lint', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-lint-'));
    fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] }, null, 2));
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', Condition: { NumericLessThan: { 'aws:SourceIp': '1' } } }] }, null, 2));
    fs.writeFileSync(path.join(dir, 'warn.json'), JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }] }, null, 2));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const io = () => ({ ...memoryIO(), cwd: dir });

  it('exits 0 for a clean file', async () => {
    const m = memoryIO();
    assert.strictEqual(await runCli(['lint', 'ok.json'], { ...m, cwd: dir }), 0);
    assert.strictEqual(m.out(), '');
    assert.match(m.err(), /1 file checked: 0 error\(s\), 0 warning\(s\)/);
  });

  it('prints file:line:col severity code message and exits 1 on errors', async () => {
    const m = memoryIO();
    assert.strictEqual(await runCli(['lint', 'warn.json', 'bad.json'], { ...m, cwd: dir }), 1);
    const lines = m.out().trim().split('\n');
    assert.ok(lines.some((l) => /^warn\.json:1:1 warning version-missing no Version/.test(l)), m.out());
    assert.ok(lines.some((l) => /^warn\.json:5:17 warning unknown-action 's3:GetObjekt' is not a known action; did you mean 's3:GetObject'/.test(l)), m.out());
    assert.ok(lines.some((l) => /^bad\.json:10:11 error condition-type NumericLessThan/.test(l)), m.out());
  });

  it('warnings alone exit 0; --json and --session', async () => {
    const w = memoryIO();
    assert.strictEqual(await runCli(['lint', 'warn.json'], { ...w, cwd: dir }), 0);
    const j = memoryIO();
    assert.strictEqual(await runCli(['lint', '--json', '--session', 'ok.json', 'missing.json'], { ...j, cwd: dir }), 1);
    const out = JSON.parse(j.out());
    assert.deepStrictEqual(out[0], { file: 'ok.json', findings: [] });
    assert.strictEqual(out[1].findings[0].code, 'io');
    const usage = io();
    assert.strictEqual(await runCli(['lint'], usage), 2);
    const kind = memoryIO();
    assert.strictEqual(await runCli(['lint', '--kind', 'trust', 'ok.json'], { ...kind, cwd: dir }), 2);
  });
});
