// The batch contract of `simulate --batch` (and simulateRequest): the same grammar checks as single-request mode and
// `lint` (an invalid document or resource ARN is an error for that request, never a decision), the new members
// (SCP/RCP levels, resource policy, resource account, role ARN), the limits (nesting depth, line size, linear
// reading), and agreement between batch and single-request mode on generated inputs.
//
// AWS pages: the grammar ("IAM JSON policy grammar", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html);
// "Valid values for Effect are Allow and Deny. The Effect value is case sensitive"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html); condition operator value
// types (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html) —
// AWS refuses such a document (MalformedPolicyDocument), so no decision can be given for it; ARN format
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). Sizes: the largest policies AWS stores are
// tens of KB (IAM and STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), so an
// 8 MiB request line is far beyond any real request.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough, Readable } from 'stream';
import { runCli } from '../../../src/cli/main';
import { lintPolicy } from '../../../src/core/policy/lint';
import { MAX_JSON_DEPTH, parsePolicyText } from '../../../src/core/policy/parse';
import { MAX_LINE_CHARS, simulateBatch, simulateRequest } from '../../../src/core/policy/simulate';
import { memoryIO } from '../helpers/io';
import { generateCases, type GeneratedCase } from './generate';

const V = '2012-10-17';
const allowAll = { Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const withDeny = (deny: Record<string, unknown>) => ({ Version: V, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*', ...deny }] });
const base = { principal: 'arn:aws:sts::111122223333:assumed-role/IR/INC-1', action: 's3:GetObject', resource: 'arn:aws:s3:::evidence/disk.img' };

async function batch(input: string | Buffer[]): Promise<Array<Record<string, unknown>>> {
  const output = new PassThrough();
  let out = '';
  output.on('data', (d) => (out += d));
  await simulateBatch(Readable.from(typeof input === 'string' ? [input] : input), output);
  return out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('policy/simulate batch contract', () => {
  describe('grammar checks: an invalid document is an error for its request, never a decision', () => {
    // Each of these Denies was silently ignored, so the answer became Allowed.
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a bad IP range', { Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }, /"identityPolicies\[0\]" Statement\[1\]\.Condition\.NotIpAddress\.aws:SourceIp: '10\.0\.0\.0\/33' is not an IPv4\/IPv6 address/],
      ['a bad date', { Condition: { DateLessThan: { 'aws:CurrentTime': '2026-13-45' } } }, /Statement\[1\]\.Condition\.DateLessThan\.aws:CurrentTime: '2026-13-45' is not an ISO 8601 date/],
      ['an unknown operator', { Condition: { StringEqualz: { 'aws:RequestedRegion': 'us-east-1' } } }, /Statement\[1\]\.Condition\.StringEqualz: unknown condition operator/],
    ];
    for (const [what, deny, message] of cases) {
      it(`a Deny with ${what}`, async () => {
        const [r] = await batch(JSON.stringify({ id: 'x', ...base, identityPolicies: [withDeny(deny)] }));
        assert.strictEqual(r.id, 'x');
        assert.strictEqual(r.decision, undefined);
        assert.match(String(r.error), message);
        assert.match(String(r.error), /the request is not evaluated/);
      });
    }

    it('"Effect": "deny" (lower case), in any layer', async () => {
      const bad = { Version: V, Statement: [{ Effect: 'deny', Action: '*', Resource: '*' }] };
      const got = await batch([
        JSON.stringify({ id: 'i', ...base, identityPolicies: [allowAll, bad] }),
        JSON.stringify({ id: 'b', ...base, identityPolicies: [allowAll], permissionsBoundary: bad }),
        JSON.stringify({ id: 's', ...base, identityPolicies: [allowAll], sessionPolicy: bad }),
        JSON.stringify({ id: 'scp', ...base, identityPolicies: [allowAll], serviceControlPolicies: [[allowAll], [bad]] }),
      ].join('\n'));
      assert.deepStrictEqual(got.map((g) => g.id), ['i', 'b', 's', 'scp']);
      assert.match(String(got[0].error), /^"identityPolicies\[1\]" Statement\[0\]\.Effect: Effect must be "Allow" or "Deny"/);
      assert.match(String(got[1].error), /^"permissionsBoundary" Statement\[0\]\.Effect/);
      assert.match(String(got[2].error), /^"sessionPolicy" Statement\[0\]\.Effect/);
      assert.match(String(got[3].error), /^"serviceControlPolicies\[1\]\[0\]" Statement\[0\]\.Effect/);
      for (const g of got) assert.strictEqual(g.decision, undefined);
    });

    it('the same documents get the same verdict from lint (an error there too)', () => {
      for (const deny of [cases[0][1], cases[1][1], cases[2][1]]) {
        assert.ok(lintPolicy(JSON.stringify(withDeny(deny))).some((f) => f.severity === 'error'));
      }
    });

    it('an invalid resource ARN, action or principal is an error; "*" and real ARNs are fine', async () => {
      const got = await batch([
        JSON.stringify({ id: 1, ...base, resource: 'evidence/disk.img', identityPolicies: [allowAll] }),
        JSON.stringify({ id: 2, ...base, resource: 'arn:aws:s3:::', identityPolicies: [allowAll] }),
        JSON.stringify({ id: 3, ...base, resource: 'arn:aws:s3', identityPolicies: [allowAll] }),
        JSON.stringify({ id: 4, ...base, action: 'GetObject', identityPolicies: [allowAll] }),
        JSON.stringify({ id: 5, ...base, principal: 'alice', identityPolicies: [allowAll] }),
        JSON.stringify({ id: 6, ...base, resource: '*', identityPolicies: [allowAll] }),
      ].join('\n'));
      assert.match(String(got[0].error), /"resource" must be "\*" or an ARN/);
      assert.deepStrictEqual(got[1], { id: 2, decision: 'Allowed' }); // six parts, an empty resource part
      assert.match(String(got[2].error), /"resource" must be "\*" or an ARN/);
      assert.match(String(got[3].error), /"action" must look like service:Action/);
      assert.match(String(got[4].error), /"principal" must be an ARN/);
      assert.deepStrictEqual(got[5], { id: 6, decision: 'Allowed' });
    });

    it('an id that is not a string or number is an error (with "id": null), never a decision', async () => {
      const got = await batch([true, { a: 1 }, [1], null, 'ok', 7].map((id) => JSON.stringify({ id, ...base, identityPolicies: [allowAll] })).join('\n'));
      assert.match(String(got[0].error), /"id" must be a string \(or a number\), not a boolean/);
      assert.match(String(got[1].error), /not an object/);
      assert.match(String(got[2].error), /not an array/);
      assert.match(String(got[3].error), /not null/);
      for (const g of got.slice(0, 4)) assert.deepStrictEqual([g.id, g.decision], [null, undefined]);
      assert.deepStrictEqual(got.slice(4), [{ id: 'ok', decision: 'Allowed' }, { id: 7, decision: 'Allowed' }]);
    });
  });

  describe('new members', () => {
    const scpDenyLeave = { Version: V, Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] };
    it('serviceControlPolicies / resourceControlPolicies levels, resourcePolicy, resourceAccount, roleArn', async () => {
      const bucket = { Version: V, Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/incident-response/IR' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::evidence/*' }] };
      const rcpDenyDelete = { Version: V, Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::evidence/*' }] };
      const got = await batch([
        JSON.stringify({ id: 'leave', ...base, action: 'organizations:LeaveOrganization', resource: '*', identityPolicies: [allowAll], serviceControlPolicies: [[allowAll], [allowAll, scpDenyLeave]] }),
        JSON.stringify({ id: 'null-scp', ...base, action: 'organizations:LeaveOrganization', resource: '*', identityPolicies: [allowAll], serviceControlPolicies: null, resourceControlPolicies: null, resourcePolicy: null }),
        JSON.stringify({ id: 'rcp', ...base, action: 's3:DeleteObject', identityPolicies: [allowAll], resourceControlPolicies: [[rcpDenyDelete]] }),
        JSON.stringify({ id: 'role-path', ...base, roleArn: 'arn:aws:iam::111122223333:role/incident-response/IR', identityPolicies: [], resourcePolicy: bucket }),
        JSON.stringify({ id: 'no-path', ...base, identityPolicies: [], resourcePolicy: bucket }),
        JSON.stringify({ id: 'cross', ...base, resourceAccount: '444455556666', identityPolicies: [allowAll] }),
        JSON.stringify({ id: 'protected', ...base, action: 'iam:DeletePolicy', resource: 'arn:aws:iam::aws:policy/ReadOnlyAccess', identityPolicies: [allowAll] }),
        JSON.stringify({ id: 'whoami', ...base, action: 'sts:GetCallerIdentity', resource: '*', identityPolicies: [withDeny({})] }),
      ].join('\n'));
      assert.deepStrictEqual(got.map((g) => [g.id, g.decision]), [
        ['leave', 'ExplicitDeny'], ['null-scp', 'Allowed'], ['rcp', 'ExplicitDeny'], ['role-path', 'Allowed'], ['no-path', 'ImplicitDeny'],
        ['cross', 'ImplicitDeny'], ['protected', 'AwsProtected'], ['whoami', 'Allowed'],
      ]);
      assert.match(String(got[6].reason), /^AWS-protected resource: AWS managed policies cannot be changed .*https:\/\/docs\.aws\.amazon\.com\//);
    });

    it('mistyped members are errors naming the member', async () => {
      const got = await batch([
        JSON.stringify({ id: 1, ...base, identityPolicies: [allowAll], serviceControlPolicies: [allowAll] }),
        JSON.stringify({ id: 2, ...base, identityPolicies: [allowAll], serviceControlPolicies: allowAll }),
        JSON.stringify({ id: 3, ...base, identityPolicies: [allowAll], resourcePolicy: allowAll }),
        JSON.stringify({ id: 4, ...base, identityPolicies: [allowAll], resourceAccount: '12345' }),
        JSON.stringify({ id: 5, action: 's3:GetObject', resource: '*', identityPolicies: [allowAll], resourceAccount: '444455556666' }),
        JSON.stringify({ id: 6, ...base, identityPolicies: [allowAll], roleArn: 'arn:aws:iam::111122223333:user/alice' }),
        JSON.stringify({ id: 7, ...base, identityPolicies: [allowAll], resourceControlPolicies: [[allowAll]] }),
        JSON.stringify({ id: 8, ...base, identityPolicies: [allowAll], serviceControlPolicies: [[bucketWithPrincipal()]] }),
      ].join('\n'));
      assert.match(String(got[0].error), /"serviceControlPolicies\[0\]" is not an array/);
      assert.match(String(got[1].error), /"serviceControlPolicies" must be an array of levels/);
      assert.match(String(got[2].error), /^"resourcePolicy" Statement\[0\]: a resource-based policy statement must name a Principal/);
      assert.match(String(got[3].error), /"resourceAccount" must be a 12-digit AWS account ID/);
      assert.match(String(got[4].error), /"resourceAccount" needs "principal"/);
      assert.match(String(got[5].error), /"roleArn" must be an IAM role ARN/);
      assert.match(String(got[6].error), /"resourceControlPolicies\[0\]\[0\]" Statement\[0\]: a resource control policy statement must have "Principal": "\*"/);
      assert.match(String(got[7].error), /"serviceControlPolicies\[0\]\[0\]" Statement\[0\]\.Principal: Principal is not allowed in a service control policy/);
    });

    it('lines that do not use the new members answer as before, and uncertain statements are reported', async () => {
      const tagKeys = { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:TagKeys': 'Incident' } } }] };
      const got = await batch(JSON.stringify({ id: 'u', ...base, identityPolicies: [tagKeys], context: { 'aws:TagKeys': ['Incident', 'Owner'] } }));
      assert.strictEqual(got[0].decision, 'Allowed');
      assert.match(String((got[0].uncertain as string[])[0]), /identityPolicies\[0\] statement 0: StringEquals without ForAllValues\/ForAnyValue on the multivalued key aws:TagKeys/);
    });
  });

  describe('limits', () => {
    it(`JSON nested ${3000} levels deep: a clear error in parse, lint, batch and single mode — no stack overflow`, async () => {
      const deep = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":' + '['.repeat(3000) + ']'.repeat(3000) + '}]}';
      const parsed = parsePolicyText(deep);
      assert.strictEqual(parsed.document, undefined);
      assert.match(parsed.problems[0].message, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`));
      assert.ok(lintPolicy(deep).some((f) => f.severity === 'error' && /nested deeper/.test(f.message)));
      const [r] = await batch(`{"id":"deep",${JSON.stringify(base).slice(1, -1)},"identityPolicies":[${deep}]}`);
      assert.deepStrictEqual(Object.keys(r), ['id', 'error']);
      assert.strictEqual(r.id, 'deep');
      assert.match(String(r.error), /nests JSON deeper than 64 levels/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-deep-'));
      try {
        fs.writeFileSync(path.join(dir, 'deep.json'), deep);
        const io = Object.assign(memoryIO(), { cwd: dir });
        assert.strictEqual(await runCli(['simulate', '--action', 's3:GetObject', '--resource', '*', '--identity', 'deep.json'], io), 1);
        assert.match(io.err(), /nested deeper than 64 levels/);
        // preview and lint read policy files through the same parser (elevate too: resolvePlaybook → loadPolicySource).
        const pv = Object.assign(memoryIO(), { cwd: dir });
        assert.notStrictEqual(await runCli(['preview', '--identity', 'deep.json', '--session', 'containment_actions'], pv), 0);
        assert.match(pv.err(), /nested deeper than 64 levels/);
        const li = Object.assign(memoryIO(), { cwd: dir });
        assert.notStrictEqual(await runCli(['lint', 'deep.json'], li), 0);
        assert.match(li.out() + li.err(), /nested deeper than 64 levels/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a 50 MB line arriving in 64 KB chunks is refused with the size limit, and the lines around it are answered', async () => {
      const before = JSON.stringify({ id: 'before', ...base, identityPolicies: [allowAll] });
      const after = JSON.stringify({ id: 'after', ...base, identityPolicies: [allowAll] });
      const filler = 'x'.repeat(50 * 1024 * 1024);
      const huge = `{"id":"huge","action":"s3:GetObject","resource":"*","identityPolicies":[],"pad":"${filler}"}`;
      const text = Buffer.from(`${before}\n${huge}\n${after}\n`);
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += 65536) chunks.push(text.subarray(i, i + 65536));
      const got = await batch(chunks);
      assert.deepStrictEqual(got.map((g) => g.id), ['before', 'huge', 'after']);
      assert.deepStrictEqual([got[0].decision, got[2].decision], ['Allowed', 'Allowed']);
      assert.match(String(got[1].error), new RegExp(`the request line is ${huge.length} characters; the limit is ${MAX_LINE_CHARS}`));
    });

    it('a long line under the limit, in many small chunks, is evaluated', async () => {
      const many = { Version: V, Statement: Array.from({ length: 6000 }, (_, i) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${i}/*` })) };
      const line = JSON.stringify({ id: 'long', ...base, resource: 'arn:aws:s3:::bucket-5999/k', identityPolicies: [many] });
      assert.ok(line.length > 400_000 && line.length < MAX_LINE_CHARS);
      const buf = Buffer.from(line);
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += 4096) chunks.push(buf.subarray(i, i + 4096));
      assert.deepStrictEqual(await batch(chunks), [{ id: 'long', decision: 'Allowed' }]);
    });
  });

  describe('batch and single-request mode agree on every input', function () {
    this.timeout(60_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-agree-'))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs a generated case through the CLI's single-request mode (policies as files); returns its decision or 'error'. */
    async function single(c: GeneratedCase, n: number): Promise<string> {
      const file = (name: string, doc: unknown) => {
        const f = `${n}-${name}.json`;
        fs.writeFileSync(path.join(dir, f), JSON.stringify(doc));
        return f;
      };
      const argv = ['simulate', '--action', c.action, '--resource', c.resource, '--principal', c.principal, '--role-arn', c.roleArn, '--json'];
      c.identityPolicies.forEach((p, i) => argv.push('--identity', file(`id${i}`, p)));
      if (!c.identityPolicies.length) argv.push('--identity', file('empty', { Version: V, Statement: [] }));
      if (c.permissionsBoundary) argv.push('--boundary', file('boundary', c.permissionsBoundary));
      if (c.sessionPolicy) argv.push('--session', file('session', c.sessionPolicy));
      c.serviceControlPolicies?.forEach((level, i) => argv.push('--scp', level.map((p, j) => file(`scp${i}-${j}`, p)).join(',')));
      c.resourceControlPolicies?.forEach((level, i) => argv.push('--rcp', level.map((p, j) => file(`rcp${i}-${j}`, p)).join(',')));
      if (c.resourcePolicy) argv.push('--resource-policy', file('resource', c.resourcePolicy));
      if (c.resourceAccount) argv.push('--resource-account', c.resourceAccount);
      for (const [k, v] of Object.entries(c.context)) for (const x of Array.isArray(v) ? v : [v]) argv.push('--context', `${k}=${x}`);
      const io = Object.assign(memoryIO(), { cwd: dir });
      const code = await runCli(argv, io);
      return code === 0 ? String((JSON.parse(io.out()) as { decision: string }).decision) : 'error';
    }

    it('on 300 generated cases, plus invalid ones (bad Effect, bad ARN, bad condition value)', async () => {
      const cases = generateCases(300, 4242);
      // Break some: each must be an error in both modes.
      cases[0].identityPolicies = [{ Version: V, Statement: [{ Effect: 'deny', Action: '*', Resource: '*' }] }];
      cases[1].resource = 'not-an-arn';
      cases[2].sessionPolicy = { Version: V, Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1' } } }] };
      cases[3].serviceControlPolicies = [[{ Version: V, Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }]];
      cases[4].action = 'sts:GetCallerIdentity';
      cases[5].action = 'iam:DeletePolicy';
      cases[5].resource = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
      const disagreements: string[] = [];
      const seen = new Set<string>();
      for (const [n, c] of cases.entries()) {
        // Single mode has no empty identity list: give both modes the same (empty) policy.
        const b = simulateRequest(c.identityPolicies.length ? c : { ...c, identityPolicies: [{ Version: V, Statement: [] }] });
        const batchAnswer = b.error ? 'error' : String(b.decision);
        const singleAnswer = await single(c, n);
        seen.add(batchAnswer);
        if (batchAnswer !== singleAnswer) disagreements.push(`${c.id}: batch ${JSON.stringify(b)} single ${singleAnswer}`);
      }
      assert.deepStrictEqual(disagreements, []);
      for (const d of ['Allowed', 'ExplicitDeny', 'ImplicitDeny', 'AwsProtected', 'error']) assert.ok(seen.has(d), `no ${d} case`);
    });
  });
});

function bucketWithPrincipal() {
  return { Version: V, Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
}
