import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough, Readable } from 'stream';
import { runCli } from '../../../src/cli/main';
import { simulate } from '../../../src/cli/commands/simulate';
import { simulateBatch } from '../../../src/core/policy/simulate';
import { SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';
import { memoryIO } from '../helpers/io';

const containment = SESSION_POLICY_TEMPLATES.containment_actions.policy;
const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const evidence = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::evidence/*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }],
};
const principal = 'arn:aws:sts::111122223333:assumed-role/IR/INC-1';

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

async function runBatch(input: string): Promise<{ out: string; result: { count: number; errors: number } }> {
  const output = new PassThrough();
  let out = '';
  output.on('data', (d) => (out += d));
  const result = await simulateBatch(Readable.from([input]), output);
  return { out, result };
}

describe('policy/simulate', () => {
  describe('simulateBatch', () => {
    it('answers each line in order, reports malformed lines and carries on, skips blank lines', async () => {
      const input = [
        line({ id: 'c1', principal, action: 's3:GetObject', resource: 'arn:aws:s3:::evidence/disk.img', context: { 'aws:MultiFactorAuthPresent': 'true' }, identityPolicies: [evidence], permissionsBoundary: null, sessionPolicy: null }),
        line({ id: 'c2', principal, action: 's3:GetObject', resource: 'arn:aws:s3:::evidence/disk.img', context: {}, identityPolicies: [evidence] }),
        '',
        '{"id":"c3","action": "s3:GetObject", oops}',
        line({ id: 'c4', action: 'organizations:LeaveOrganization', resource: '*', identityPolicies: [allowAll], sessionPolicy: containment }),
        '   ',
        line({ id: 5, action: 'ec2:StopInstances', resource: '*', context: { 'aws:RequestedRegion': 'us-west-2' }, identityPolicies: [allowAll], permissionsBoundary: allowAll, sessionPolicy: containment }),
        line({ id: 'c6', resource: '*', identityPolicies: [allowAll] }),
        line({ id: 'c7', action: 's3:GetObject', resource: '*', identityPolicies: 'nope' }),
        line({ id: 'c8', action: 's3:GetObject', resource: '*', identityPolicies: [allowAll], context: { 'aws:TagKeys': ['a', 1] } }),
        '[1,2]',
        line({ id: 'c10', action: 'ec2:StopInstances', resource: '*', context: { 'aws:RequestedRegion': ['eu-west-1'] }, identityPolicies: [containment] }),
      ].join('\n');
      const { out, result } = await runBatch(input);
      const got = lines(out);
      assert.deepStrictEqual(result, { count: 10, errors: 5 });
      assert.deepStrictEqual(got.slice(0, 2), [{ id: 'c1', decision: 'Allowed' }, { id: 'c2', decision: 'ImplicitDeny' }]);
      assert.strictEqual(got[2].id, 'c3');
      assert.match(String(got[2].error), /invalid JSON/);
      assert.deepStrictEqual(got[3], { id: 'c4', decision: 'ExplicitDeny' });
      assert.deepStrictEqual(got[4], { id: 5, decision: 'Allowed' });
      assert.deepStrictEqual(got[5], { id: 'c6', error: 'missing "action" (a string)' });
      assert.match(String(got[6].error), /"identityPolicies" must be an array/);
      assert.match(String(got[7].error), /context key "aws:TagKeys" must be a string or an array of strings/);
      assert.deepStrictEqual(got[8], { id: null, error: 'each line must be a JSON object describing one request' });
      assert.deepStrictEqual(got[9], { id: 'c10', decision: 'ImplicitDeny' });
    });

    it('handles CRLF line endings, a last line without newline, and lines split across chunks', async () => {
      const l1 = line({ id: 'a', action: 's3:GetObject', resource: '*', identityPolicies: [allowAll] });
      const l2 = line({ id: 'b', action: 'iam:CreateUser', resource: '*', identityPolicies: [allowAll], sessionPolicy: containment });
      const text = `${l1}\r\n${l2}`;
      const output = new PassThrough();
      let out = '';
      output.on('data', (d) => (out += d));
      // Feed byte chunks of 7 bytes, splitting lines (and any multi-byte characters) anywhere.
      const bytes = Buffer.from(text + '\n' + line({ id: 'ü€', action: 's3:GetObject', resource: '*', identityPolicies: [allowAll] }));
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
      await simulateBatch(Readable.from(chunks), output);
      assert.deepStrictEqual(lines(out), [{ id: 'a', decision: 'Allowed' }, { id: 'b', decision: 'ExplicitDeny' }, { id: 'ü€', decision: 'Allowed' }]);
    });

    it('keeps results correct when lines repeat or vary the same policies (compile cache by JSON text)', async () => {
      const reqs: string[] = [];
      const expected: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const region = ['us-east-1', 'eu-west-1', 'us-west-2'][i % 3];
        const session = i % 2 ? containment : { ...containment, Id: `v${i % 5}` };
        reqs.push(line({ id: `r${i}`, action: i % 4 ? 'ec2:StopInstances' : 'organizations:ListRoots', resource: '*', context: { 'aws:RequestedRegion': region }, identityPolicies: [allowAll], permissionsBoundary: null, sessionPolicy: session }));
        expected.push(i % 4 === 0 ? 'ExplicitDeny' : region === 'eu-west-1' ? 'ImplicitDeny' : 'Allowed');
      }
      const { out, result } = await runBatch(reqs.join('\n') + '\n');
      assert.deepStrictEqual(result, { count: 3000, errors: 0 });
      const got = lines(out);
      assert.deepStrictEqual(got.map((g) => g.id), reqs.map((_, i) => `r${i}`));
      assert.deepStrictEqual(got.map((g) => g.decision), expected);
    });

    it('honours back-pressure on a slow output', async () => {
      const reqs = Array.from({ length: 4000 }, (_, i) => line({ id: i, action: 's3:GetObject', resource: '*', identityPolicies: [allowAll] }));
      const output = new PassThrough({ highWaterMark: 1024 });
      const received: string[] = [];
      const done = simulateBatch(Readable.from([reqs.join('\n')]), output);
      // Read slowly.
      let buf = '';
      const reader = (async () => {
        for await (const chunk of output) {
          buf += chunk;
          await new Promise((r) => setImmediate(r));
          if (buf.split('\n').length > 4000) break;
        }
      })();
      const result = await done;
      output.end();
      await reader;
      received.push(...buf.trim().split('\n'));
      assert.strictEqual(result.count, 4000);
      assert.strictEqual(received.length, 4000);
      assert.deepStrictEqual(JSON.parse(received[3999]), { id: 3999, decision: 'Allowed' });
    });
  });

  describe('breakglass simulate', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-simulate-'));
      fs.writeFileSync(path.join(dir, 'evidence.json'), JSON.stringify(evidence, null, 2));
      fs.writeFileSync(path.join(dir, 'all.json'), JSON.stringify(allowAll));
      fs.writeFileSync(path.join(dir, 'broken.json'), '{"Version": "2012-10-17", "Statement": [');
      fs.writeFileSync(path.join(dir, 'batch.jsonl'), [
        line({ id: 'x1', action: 's3:GetObject', resource: '*', identityPolicies: [allowAll] }),
        'not json',
        line({ id: 'x3', action: 'iam:DeleteRole', resource: '*', identityPolicies: [allowAll], sessionPolicy: containment }),
      ].join('\n') + '\n');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const io = (input = '') => Object.assign(memoryIO(input), { cwd: dir });

    it('is registered as a subcommand', async () => {
      const i = io();
      assert.strictEqual(await runCli(['--help'], i), 0);
      assert.match(i.out(), /simulate\s+evaluate IAM policies offline/);
      const h = io();
      assert.strictEqual(await runCli(['simulate', '--help'], h), 0);
      assert.match(h.out(), /--batch <file\|->/);
    });

    it('--batch <file> answers each line in order, with an error line for the malformed one', async () => {
      const i = io();
      assert.strictEqual(await runCli(['simulate', '--batch', 'batch.jsonl'], i), 0);
      const got = lines(i.out());
      assert.deepStrictEqual(got.map((g) => g.id), ['x1', null, 'x3']);
      assert.deepStrictEqual([got[0].decision, got[2].decision], ['Allowed', 'ExplicitDeny']);
      assert.match(String(got[1].error), /invalid JSON/);
    });

    it('--batch - reads standard input', async () => {
      const i = io(line({ id: 's1', action: 'ec2:StopInstances', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' }, identityPolicies: [containment] }) + '\n');
      assert.strictEqual(await runCli(['simulate', '--batch', '-'], i), 0);
      assert.deepStrictEqual(lines(i.out()), [{ id: 's1', decision: 'Allowed' }]);
    });

    it('single request: prints the decision and the deciding statements', async () => {
      let i = io();
      assert.strictEqual(await runCli(['simulate', '--action', 's3:GetObject', '--resource', 'arn:aws:s3:::evidence/disk.img',
        '--identity', 'evidence.json', '--context', 'aws:MultiFactorAuthPresent=true', '--principal', principal], i), 0);
      assert.match(i.out(), /^Allowed: s3:GetObject on arn:aws:s3:::evidence\/disk.img/);
      assert.match(i.out(), /identity\s+evidence.json\s+statement 0\s+Allow/);
      i = io();
      assert.strictEqual(await runCli(['simulate', '--action', 's3:GetObject', '--resource', 'arn:aws:s3:::evidence/disk.img', '--identity', 'evidence.json'], i), 0);
      assert.match(i.out(), /^ImplicitDeny/);
      assert.match(i.out(), /No applicable Allow in: identity/);
    });

    it('single request: accepts built-in template names and repeated --session / --context', async () => {
      const i = io();
      assert.strictEqual(await runCli(['simulate', '--action', 'organizations:CloseAccount', '--resource', '*', '--identity', 'all.json',
        '--session', 'containment_actions', '--session', 'read_only_investigation', '--json'], i), 0);
      const r = JSON.parse(i.out());
      assert.strictEqual(r.decision, 'ExplicitDeny');
      assert.deepStrictEqual(r.deciding, [{ policy: 'containment_actions', statementIndex: 1, effect: 'Deny', layer: 'session' }]);
      const j = io();
      assert.strictEqual(await runCli(['simulate', '--action', 's3:GetObject', '--resource', '*', '--identity', 'all.json', '--boundary', 'read_only_investigation',
        '--context', 'aws:TagKeys=a', '--context', 'aws:TagKeys=b', '--json'], j), 0);
      const k = JSON.parse(j.out());
      assert.deepStrictEqual(k.request.context, { 'aws:TagKeys': ['a', 'b'] });
      assert.deepStrictEqual([k.decision, k.missingAllow], ['ImplicitDeny', ['boundary']]);
    });

    it('usage errors exit 2; an unloadable policy exits 1 with the reason', async () => {
      for (const argv of [
        ['simulate', '--resource', '*', '--identity', 'all.json'],
        ['simulate', '--action', 's3:GetObject', '--identity', 'all.json'],
        ['simulate', '--action', 's3:GetObject', '--resource', '*'],
        ['simulate', '--action', 'GetObject', '--resource', '*', '--identity', 'all.json'],
        ['simulate', '--action', 's3:GetObject', '--resource', '*', '--identity', 'all.json', '--context', 'novalue'],
        ['simulate', '--batch', '-', '--action', 's3:GetObject'],
        ['simulate', 'stray'],
      ]) {
        const i = io();
        assert.strictEqual(await runCli(argv, i), 2, argv.join(' '));
        assert.match(i.err(), /breakglass simulate --help/);
      }
      const i = io();
      assert.strictEqual(await runCli(['simulate', '--action', 's3:GetObject', '--resource', '*', '--identity', 'broken.json'], i), 1);
      assert.match(i.err(), /broken.json/);
      const m = io();
      assert.strictEqual(await runCli(['simulate', '--batch', 'missing.jsonl'], m), 1);
      assert.match(m.err(), /cannot read batch file missing.jsonl/);
      assert.strictEqual(simulate.name, 'simulate');
    });
  });
});
