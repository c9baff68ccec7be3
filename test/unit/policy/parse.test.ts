import * as assert from 'assert';
import { parsePolicyText, validatePolicy, type PolicyProblem } from '../../../src/core/policy/parse';
import { SESSION_POLICY_TEMPLATES, ROLE_TEMPLATES } from '../../../src/core/templates';

// Grammar: "IAM JSON policy grammar" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
// and "IAM JSON policy element reference" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).

const errors = (ps: PolicyProblem[]) => ps.filter((p) => p.severity === 'error');
const find = (ps: PolicyProblem[], re: RegExp) => ps.find((p) => re.test(p.message));

/** The text at a problem's position. */
const at = (text: string, p: PolicyProblem | undefined) => {
  assert.ok(p?.position, `problem has a position: ${JSON.stringify(p)}`);
  return text.slice(p.position.offset, p.position.offset + p.position.length);
};

describe('policy/parse', () => {
  describe('parsePolicyText', () => {
    it('parses a valid policy with no problems and locates every key and value', () => {
      const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*",\n     "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}\n  ]\n}\n';
      const r = parsePolicyText(text);
      assert.deepStrictEqual(r.problems, []);
      assert.strictEqual(r.document?.Version, '2012-10-17');
      const pos = r.locate('Statement[0].Action[0]');
      assert.deepStrictEqual(pos && { line: pos.line, column: pos.column }, { line: 3, column: 35 });
      assert.strictEqual(text.slice(pos!.offset, pos!.offset + pos!.length), '"s3:GetObject"');
      const cond = r.locate('Statement[0].Condition.StringEquals.aws:RequestedRegion');
      assert.strictEqual(text.slice(cond!.offset, cond!.offset + cond!.length), '"us-east-1"');
      const key = r.locateKey('Statement[0].Condition.StringEquals');
      assert.strictEqual(text.slice(key!.offset, key!.offset + key!.length), '"StringEquals"');
      assert.strictEqual(r.locate(''), r.locate(''));
      assert.strictEqual(r.locate('Nope'), undefined);
    });

    it('every seed template is a valid policy', () => {
      const docs = [
        ...Object.values(SESSION_POLICY_TEMPLATES).map((t) => t.policy),
        ...Object.values(ROLE_TEMPLATES).flatMap((t) => Object.values(t.inlinePolicies)),
      ];
      for (const d of docs) assert.deepStrictEqual(parsePolicyText(JSON.stringify(d, null, 2)).problems, []);
    });

    it('reports a JSON syntax error with its line and column and never throws', () => {
      const text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "*"}\n  ]\n}';
      const r = parsePolicyText(text);
      const p = find(r.problems, /missing ','/);
      assert.ok(p);
      assert.deepStrictEqual([p.position?.line, p.position?.column], [3, 23]);
      // Recovered: the rest of the document was still read and validated.
      assert.ok(find(r.problems, /no Resource/));
    });

    it('reports unterminated input, a bad value and trailing garbage', () => {
      let r = parsePolicyText('{"Version": "2012-10-17", "Statement": [');
      assert.strictEqual(r.document, undefined);
      assert.ok(find(r.problems, /unterminated array/));
      r = parsePolicyText('{"Version": "2012-10-17", "Statement": nope}');
      const bad = find(r.problems, /expected a JSON value/);
      assert.deepStrictEqual([bad?.position?.line, bad?.position?.column], [0, 39]);
      r = parsePolicyText('{"a": "unterminated\n}');
      assert.ok(find(r.problems, /unterminated string/));
      r = parsePolicyText('{"Statement": []} x');
      assert.ok(find(r.problems, /after the end/));
      assert.ok(find(parsePolicyText('').problems, /empty/));
      assert.ok(find(parsePolicyText('   \n ').problems, /empty/));
    });

    it('recovers from trailing commas, comments and single quotes, reporting each', () => {
      const text = "{\n // note\n 'Version': \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",},],\n}";
      const r = parsePolicyText(text);
      assert.ok(r.document);
      assert.strictEqual(at(text, find(r.problems, /comments/)), '// note');
      assert.ok(find(r.problems, /double quotes/));
      assert.strictEqual(r.problems.filter((p) => /trailing comma/.test(p.message)).length, 3);
    });

    it('warns about duplicate keys at the second key', () => {
      const text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Effect": "Deny"}}';
      const r = parsePolicyText(text);
      const p = find(r.problems, /duplicate key 'Effect'/);
      assert.strictEqual(p?.severity, 'warning');
      assert.strictEqual(p?.position?.offset, text.lastIndexOf('"Effect"'));
      assert.strictEqual(r.document && (r.document.Statement as { Effect: string }).Effect, 'Deny');
    });

    it('gives grammar problems the position of the offending key or value', () => {
      const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "A", "Effect": "allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"aws:x": "y"}}}
  ]
}`;
      const r = parsePolicyText(text);
      const effect = find(r.problems, /Effect must be/);
      assert.strictEqual(effect?.path, 'Statement[0].Effect');
      assert.strictEqual(at(text, effect), '"allow"');
      assert.strictEqual(effect?.position?.line, 3);
      const principal = find(r.problems, /Principal is not allowed/);
      assert.strictEqual(principal?.path, 'Statement[1].Principal');
      assert.strictEqual(at(text, principal), '"Principal"');
      const op = find(r.problems, /unknown condition operator/);
      assert.strictEqual(op?.path, 'Statement[2].Condition.StringEqualz');
      assert.strictEqual(at(text, op), '"StringEqualz"');
      assert.strictEqual(op?.position?.line, 5);
    });
  });

  describe('validatePolicy', () => {
    const doc = (statement: unknown, extra: Record<string, unknown> = {}) => ({ Version: '2012-10-17', Statement: statement, ...extra });

    it('accepts Statement as an object or an array, Action/Resource as a string or an array', () => {
      assert.deepStrictEqual(validatePolicy(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })), []);
      assert.deepStrictEqual(validatePolicy(doc([{ Effect: 'Deny', NotAction: ['iam:*'], NotResource: ['arn:aws:iam::*:role/x'] }])), []);
    });

    it('requires Effect, Action or NotAction (not both), Resource or NotResource (not both)', () => {
      const ps = validatePolicy(doc([{ Action: 's3:*' }]));
      assert.ok(find(ps, /no Effect/));
      assert.ok(find(ps, /no Resource or NotResource/));
      assert.strictEqual(find(ps, /no Resource/)?.path, 'Statement[0]');
      assert.ok(find(validatePolicy(doc({ Effect: 'Allow', Resource: '*' })), /no Action or NotAction/));
      assert.ok(find(validatePolicy(doc({ Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' })), /not both/));
      assert.ok(find(validatePolicy(doc({ Effect: 'Allow', Action: '*', Resource: '*', NotResource: '*' })), /not both/));
    });

    it('rejects Principal/NotPrincipal, unknown elements and miscased element names', () => {
      assert.strictEqual(find(validatePolicy(doc({ Effect: 'Allow', Action: '*', Resource: '*', NotPrincipal: { AWS: '*' } })), /NotPrincipal is not allowed/)?.path, 'Statement.NotPrincipal');
      assert.ok(find(validatePolicy(doc({ Effect: 'Allow', Action: '*', Resource: '*', Foo: 1 })), /unknown statement element 'Foo'/));
      assert.ok(find(validatePolicy(doc({ Effect: 'Allow', action: '*', Resource: '*' })), /must be written 'Action'/));
      assert.ok(find(validatePolicy({ Version: '2012-10-17', Statement: [], Extra: 1 }), /unknown policy element 'Extra'/));
    });

    it('checks action names and resource ARNs', () => {
      const ps = validatePolicy(doc({ Effect: 'Allow', Action: ['GetObject', 's3:Get Object', 's3:Get*'], Resource: ['bucket', 'arn:aws:s3', '*'] }));
      assert.strictEqual(find(ps, /prefixed by a service/)?.path, 'Statement.Action[0]');
      assert.strictEqual(find(ps, /not a valid/)?.path, 'Statement.Action[1]');
      assert.strictEqual(find(ps, /must be an ARN/)?.path, 'Statement.Resource[0]');
      assert.strictEqual(find(ps, /six colon-separated/)?.path, 'Statement.Resource[1]');
      assert.strictEqual(errors(ps).length, 4);
      assert.ok(find(validatePolicy(doc({ Effect: 'Allow', Action: [], Resource: '*' })), /empty array/));
      assert.ok(find(validatePolicy(doc({ Effect: 'Allow', Action: 5, Resource: '*' })), /string or an array/));
    });

    it('checks Version, Sid, and Statement shape', () => {
      assert.ok(find(validatePolicy({ Version: '2012-10-18', Statement: [] }), /Version must be/));
      assert.strictEqual(find(validatePolicy({ Statement: [] }), /no Version/)?.severity, 'warning');
      assert.ok(find(validatePolicy({ Version: '2012-10-17' }), /no Statement/));
      assert.ok(find(validatePolicy({ Version: '2012-10-17', Statement: 'x' }), /object or an array/));
      assert.ok(find(validatePolicy(doc([1])), /must be a JSON object/));
      assert.ok(find(validatePolicy('x'), /must be a JSON object/));
      assert.ok(find(validatePolicy(doc({ Sid: 'has space', Effect: 'Allow', Action: '*', Resource: '*' })), /letters and digits/));
      const dup = find(validatePolicy(doc([{ Sid: 'A', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'A', Effect: 'Deny', Action: '*', Resource: '*' }])), /duplicate Sid/);
      assert.strictEqual(dup?.path, 'Statement[1].Sid');
    });

    it('checks Condition operators, keys and value types', () => {
      const base = { Effect: 'Allow', Action: '*', Resource: '*' };
      const ps = (c: unknown) => validatePolicy(doc({ ...base, Condition: c }));
      assert.ok(find(ps({ NumericLessThan: { 's3:max-keys': 'ten' } }), /not a number/));
      assert.ok(find(ps({ DateGreaterThan: { 'aws:CurrentTime': 'soon' } }), /not an ISO 8601/));
      assert.ok(find(ps({ IpAddress: { 'aws:SourceIp': '10.0.0.0/99' } }), /not an IPv4\/IPv6/));
      assert.ok(find(ps({ Null: { 'aws:TokenIssueTime': 'maybe' } }), /true or false/));
      assert.strictEqual(find(ps({ Bool: { 'aws:SecureTransport': 'yes' } }), /true or false/)?.severity, 'warning');
      assert.ok(find(ps({ BinaryEquals: { 'k:b': '%%%' } }), /not base64/));
      assert.ok(find(ps({ StringEquals: { 'aws:x': { nested: 1 } } }), /must be a string, number, boolean/));
      assert.ok(find(ps({ StringEquals: { 'aws:x': [] } }), /empty array/));
      assert.ok(find(ps({ StringEquals: { nocolon: 'x' } }), /prefixed by a service/));
      assert.ok(find(ps({ StringEquals: {} }), /no condition keys/));
      assert.ok(find(ps('x'), /Condition must be an object/));
      assert.strictEqual(find(ps({ stringequals: { 'aws:x': 'y' } }), /write the condition operator as 'StringEquals'/)?.severity, 'warning');
      assert.deepStrictEqual(ps({ 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*'] }, Bool: { 'aws:SecureTransport': true }, NumericEquals: { 'k:n': 3 } }), []);
    });

    it('warns about policy variables that will not be substituted', () => {
      const st = { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' };
      assert.ok(find(validatePolicy({ Version: '2008-10-17', Statement: st }), /only substituted with/));
      assert.ok(!find(validatePolicy(doc(st)), /only substituted/));
      assert.ok(find(validatePolicy(doc({ ...st, Resource: 'arn:aws:s3:::b/${aws:username/*' })), /unterminated policy variable/));
      assert.ok(find(validatePolicy(doc({ ...st, Resource: '*', Condition: { NumericEquals: { 'k:n': '${aws:x}' } } })), /does not support policy variables/));
    });
  });
});
