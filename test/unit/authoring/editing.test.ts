import * as assert from 'assert';
import { completionsAt, hoverAt } from '../../../src/core/authoring/completion';
import { contextAt } from '../../../src/core/authoring/jsonContext';
import { applyEdits, quickFixesFor } from '../../../src/core/authoring/quickFixes';
import { HIGH_RISK_DENY_ACTIONS, lintPlaybook, parsePlaybookText } from '../../../src/core/playbookFormat';

const fixOnce = (text: string, code: string, pick = 0): string => {
  const f = lintPlaybook(text).find((x) => x.code === code);
  assert.ok(f, `a ${code} finding in ${text}`);
  const fixes = quickFixesFor(text, f);
  assert.ok(fixes[pick], `a fix for ${code}`);
  return applyEdits(text, fixes[pick].edits);
};
const at = (text: string, marker: string, delta = 0): number => {
  const i = text.indexOf(marker);
  assert.ok(i >= 0, marker);
  return i + delta;
};

describe('playbook quick fixes', () => {
  it('replaces an unknown action with a suggestion (preferred only when there is just one)', () => {
    const text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:FilterLogEvent"], "Resource": "*"}]}';
    const f = lintPlaybook(text).find((x) => x.code === 'unknown-action')!;
    const fixes = quickFixesFor(text, f);
    assert.strictEqual(fixes[0].title, "Replace with 'logs:FilterLogEvents'");
    const fixed = applyEdits(text, fixes[0].edits);
    assert.ok(fixed.includes('["logs:FilterLogEvents"]'));
    assert.ok(!lintPlaybook(fixed).some((x) => x.code === 'unknown-action'));
    assert.strictEqual(fixes.filter((x) => x.preferred).length, fixes.length === 1 ? 1 : 0);
  });

  it('removes a duplicate action with its comma', () => {
    const text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetObject"], "Resource": "*"}]}';
    const fixed = fixOnce(text, 'duplicate-action');
    assert.ok(fixed.includes('"Action": ["s3:GetObject", "s3:ListBucket"]'), fixed);
    assert.doesNotThrow(() => JSON.parse(fixed));
  });

  it('adds the missing Version as the first property, with the file\'s indentation', () => {
    const text = '// c\n{\n  "name": "x",\n  "sessionPolicy": {\n    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]\n  }\n}';
    const fixed = fixOnce(text, 'version-missing');
    assert.ok(fixed.includes('"sessionPolicy": {\n    "Version": "2012-10-17",\n    "Statement"'), fixed);
    assert.ok(!lintPlaybook(fixed).some((x) => x.code === 'version-missing'));
    const bare = fixOnce('{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}', 'version-missing');
    assert.strictEqual(JSON.parse(bare).Version, '2012-10-17');
  });

  it('adds the reference\'s explicit Deny of high-risk actions, multi-line, single-line or to a lone statement', () => {
    const multi = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*"}\n  ]\n}\n';
    const fixed = fixOnce(multi, 'missing-high-risk-deny');
    const doc = JSON.parse(fixed);
    assert.strictEqual(doc.Statement.length, 2);
    assert.deepStrictEqual(doc.Statement[1], { Sid: 'DenyHighRiskActions', Effect: 'Deny', Action: [...HIGH_RISK_DENY_ACTIONS], Resource: '*' });
    assert.match(fixed, /\n {4}\{ "Sid": "DenyHighRiskActions"/);
    assert.ok(!lintPlaybook(fixed).some((x) => x.code === 'missing-high-risk-deny' || x.severity === 'error'));
    const one = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*"}]}';
    assert.strictEqual(JSON.parse(fixOnce(one, 'missing-high-risk-deny')).Statement.length, 2);
    const lone = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*"}}';
    const l = JSON.parse(fixOnce(lone, 'missing-high-risk-deny'));
    assert.strictEqual(l.Statement[1].Effect, 'Deny');
  });

  it('applying every fix of a sloppy playbook leaves no fixable finding and valid JSON with comments', () => {
    let t = '// playbook\n{\n  "name": "x",\n  "sessionPolicy": {\n    "Statement": [\n      {"Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:DescribeInstances"], "Resource": "*"}\n    ]\n  }\n}\n';
    for (const code of ['duplicate-action', 'version-missing', 'missing-high-risk-deny']) t = fixOnce(t, code);
    assert.deepStrictEqual(lintPlaybook(t).map((f) => f.code), []);
    assert.strictEqual(parsePlaybookText(t).shape, 'playbook');
  });
});

describe('playbook completion and hover', () => {
  const base = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:StopInstances", "EC"], "Resource": "*", "Condition": {"StringEquals": {"ec2:": "x"}, "Str": {}}}]}';

  it('finds the string under the cursor and its JSON path, even half-typed', () => {
    const c = contextAt('{"Statement": [{"Action": ["ec2:Sto', 33)!;
    assert.deepStrictEqual(c.token.path, ['Statement', 0, 'Action', 0]);
    assert.strictEqual(c.prefix, 'ec2:S');
  });

  it('completes service prefixes, then the service\'s actions with access level and resource types', () => {
    const services = completionsAt(base, at(base, '"EC"', 2));
    const ec2 = services.find((s) => s.label === 'ec2')!;
    assert.strictEqual(ec2.kind, 'service');
    assert.strictEqual(ec2.insertText, 'ec2:');
    assert.ok(ec2.retrigger);
    const text = base.replace('"EC"', '"ec2:"');
    const actions = completionsAt(text, at(text, '"ec2:"', 5));
    const stop = actions.find((a) => a.label === 'ec2:StopInstances')!;
    assert.strictEqual(stop.kind, 'action');
    assert.match(stop.detail, /^Write · instance/);
    assert.ok(actions.every((a) => a.label.startsWith('ec2:')));
    assert.ok(actions.length > 500, `${actions.length} ec2 actions`);
    // The whole string content is replaced.
    assert.strictEqual(text.slice(stop.replace.start, stop.replace.end), 'ec2:');
    const passRole = completionsAt(text.replace('"ec2:"', '"iam:"'), at(text, '"ec2:"', 5)).find((a) => a.label === 'iam:PassRole')!;
    assert.match(passRole.documentation!, /pass-role/);
  });

  it('completes condition operators in Condition and keys valid for the statement\'s actions', () => {
    const ops = completionsAt(base, at(base, '"Str"', 2)).map((o) => o.label);
    for (const o of ['StringEquals', 'StringLikeIfExists', 'ForAnyValue:StringEquals', 'DateLessThan', 'IpAddress', 'Null']) assert.ok(ops.includes(o), o);
    const keys = completionsAt(base, at(base, '"ec2:"', 3));
    const labels = keys.map((k) => k.label);
    assert.ok(labels.includes('ec2:Region'), 'an ec2 key');
    assert.ok(labels.includes('aws:SourceIp'), 'a global key');
    assert.ok(!labels.some((l) => l.startsWith('s3:')), 'no key of a service the statement does not use');
    assert.strictEqual(keys.find((k) => k.label === 'aws:SourceIp')!.detail, 'IPAddress · global condition key');
    // Nothing to offer in a Resource or an Effect.
    assert.deepStrictEqual(completionsAt(base, at(base, '"Allow"', 2)), []);
  });

  it('hover on a wildcard: how many actions, by access level, which are risky', () => {
    const text = '{"Statement": [{"Effect": "Allow", "Action": ["iam:*", "ec2:Describe*", "s3:GetObject", "nope:x"], "Resource": "*"}]}';
    const iam = hoverAt(text, at(text, '"iam:*"', 2))!;
    assert.match(iam.markdown, /`iam:\*` expands to \*\*\d{3}\*\* actions/);
    assert.match(iam.markdown, /risky/);
    assert.match(iam.markdown, /iam:PassRole/);
    assert.strictEqual(text.slice(iam.range.start, iam.range.end), '"iam:*"');
    const describe = hoverAt(text, at(text, '"ec2:Describe*"', 3))!;
    assert.match(describe.markdown, /None of them is risky/);
    assert.match(describe.markdown, /List: \d+|Read: \d+/);
    const one = hoverAt(text, at(text, '"s3:GetObject"', 3))!;
    assert.match(one.markdown, /Access level: Read/);
    assert.match(hoverAt(text, at(text, '"nope:x"', 2))!.markdown, /matches no action/);
    assert.strictEqual(hoverAt(text, at(text, '"Allow"', 2)), undefined);
  });
});
