import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { blankJsonComments, builtinPlaybookText, playbookAllowsRole, HIGH_RISK_DENY_ACTIONS, lintPlaybook, parsePlaybookText, PLAYBOOK_KEYS, PLAYBOOK_PHASES, playbookPolicyFile, readPlaybook } from '../../../src/core/playbookFormat';
import { SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';

const root = path.resolve(__dirname, '../../..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'media/schemas/playbook.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const slice = (text: string, f: { position?: { offset: number; length: number } }) => text.slice(f.position!.offset, f.position!.offset + f.position!.length);

const PLAYBOOK = `// Contain a compromised host.
{
  "name": "isolate-host",
  "description": "Stop and quarantine one instance",
  "phase": "containment",
  "maxDurationSeconds": 3600, /* one hour */
  "requireJustification": true,
  "requiresApproval": false,
  "roles": ["arn:aws:iam::111122223333:role/BREAK-GLASS-*"],
  "sessionPolicy": {
    "Version": "2012-10-17",
    "Statement": [
      { "Effect": "Allow", "Action": ["ec2:StopInstance", "ec2:DescribeInstances"], "Resource": "*" }
    ]
  }
}
`;

describe('playbook format', () => {
  it('blanks comments without moving any offset, and leaves // inside strings alone', () => {
    const t = '{"a": "http://x", // c\n /* d\n e */ "b": 1}';
    const b = blankJsonComments(t);
    assert.strictEqual(b.length, t.length);
    assert.strictEqual(b.split('\n').length, t.split('\n').length);
    assert.deepStrictEqual(JSON.parse(b), { a: 'http://x', b: 1 });
  });

  it('reads the playbook shape with comments: every field', () => {
    const p = parsePlaybookText(PLAYBOOK);
    assert.strictEqual(p.shape, 'playbook');
    assert.deepStrictEqual(p.problems, []);
    assert.strictEqual(p.playbook.name, 'isolate-host');
    assert.strictEqual(p.playbook.phase, 'containment');
    assert.strictEqual(p.playbook.maxDurationSeconds, 3600);
    assert.strictEqual(p.playbook.requireJustification, true);
    assert.strictEqual(p.playbook.requiresApproval, false);
    assert.deepStrictEqual(p.playbook.roles, ['arn:aws:iam::111122223333:role/BREAK-GLASS-*']);
    assert.strictEqual(p.playbook.sessionPolicy?.Version, '2012-10-17');
  });

  it('keeps old files valid: a bare session policy document is a playbook', () => {
    const old = JSON.stringify(SESSION_POLICY_TEMPLATES.containment_actions.policy, null, 2);
    const p = parsePlaybookText(old);
    assert.strictEqual(p.shape, 'policy');
    assert.deepStrictEqual(lintPlaybook(old).filter((f) => f.severity === 'error'), []);
    assert.deepStrictEqual(playbookPolicyFile(old, 'old.json').document, SESSION_POLICY_TEMPLATES.containment_actions.policy);
    assert.ok(validate(JSON.parse(old)), JSON.stringify(validate.errors));
  });

  it('lints the session policy in place: positions are those of the file, across comments', () => {
    const f = lintPlaybook(PLAYBOOK).find((x) => x.code === 'unknown-action')!;
    assert.ok(f, 'unknown-action found');
    assert.strictEqual(slice(PLAYBOOK, f), '"ec2:StopInstance"');
    assert.strictEqual(f.position!.line, 12);
    assert.strictEqual(f.position!.column, PLAYBOOK.split('\n')[12].indexOf('"ec2:StopInstance"'));
    assert.strictEqual(f.path, 'sessionPolicy.Statement[0].Action[0]');
    // Comments are allowed in playbook files: no grammar finding for them.
    assert.ok(!lintPlaybook(PLAYBOOK).some((x) => /comment/.test(x.message)));
  });

  it('reports wrong playbook fields at their value, all at once', () => {
    const text = '{\n  "name": "",\n  "phase": "eradication",\n  "maxDurationSeconds": 60,\n  "policyArns": ["ReadOnlyAccess"],\n  "roles": ["admin"],\n  "requiresApproval": "yes",\n  "sesionPolicy": {}\n}';
    const f = lintPlaybook(text).filter((x) => x.code === 'playbook-format');
    const at = (p: string) => f.find((x) => x.path === p);
    assert.strictEqual(slice(text, at('name')!), '""');
    assert.match(at('phase')!.message, /investigation, containment, recovery, forensics/);
    assert.strictEqual(slice(text, at('phase')!), '"eradication"');
    assert.match(at('maxDurationSeconds')!.message, /900.*43200/);
    assert.strictEqual(slice(text, at('policyArns[0]')!), '"ReadOnlyAccess"');
    assert.strictEqual(slice(text, at('roles[0]')!), '"admin"');
    assert.match(at('requiresApproval')!.message, /true or false/);
    assert.match(at('sesionPolicy')!.message, /did you mean 'sessionPolicy'/);
    assert.strictEqual(slice(text, at('sesionPolicy')!), '"sesionPolicy"');
  });

  it('roles: the ARN patterns a playbook may be used with (any role when absent)', () => {
    const pb = parsePlaybookText(PLAYBOOK).playbook;
    assert.ok(playbookAllowsRole(pb, 'arn:aws:iam::111122223333:role/BREAK-GLASS-INCIDENT_RESPONDER'));
    assert.ok(!playbookAllowsRole(pb, 'arn:aws:iam::111122223333:role/Admin'));
    assert.ok(!playbookAllowsRole(pb, 'arn:aws:iam::444455556666:role/BREAK-GLASS-X'));
    assert.ok(!playbookAllowsRole({ roles: ['arn:aws:iam::111122223333:role/a.b'] }, 'arn:aws:iam::111122223333:role/aXb'), 'a dot is literal');
    assert.ok(playbookAllowsRole({ roles: [] }, 'arn:aws:iam::111122223333:role/Admin'));
  });

  it('package.json validates playbook files with the playbook schema and opens them as JSON with comments', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const v = pkg.contributes.jsonValidation.find((j: { fileMatch: string }) => j.fileMatch === '**/.breakglass/playbooks/*.json');
    assert.strictEqual(v.url, './media/schemas/playbook.schema.json');
    assert.ok(fs.existsSync(path.join(root, v.url)));
    assert.deepStrictEqual(pkg.contributes.languages.find((l: { id: string }) => l.id === 'jsonc').filenamePatterns, ['**/.breakglass/playbooks/*.json']);
  });

  it('refuses a playbook with neither sessionPolicy nor policyArns (it would mean full permissions)', () => {
    const f = lintPlaybook('{"name": "x", "phase": "recovery"}');
    assert.ok(f.some((x) => x.severity === 'error' && /full permissions/.test(x.message)));
    assert.throws(() => readPlaybook('{"name": "x"}', 'x.json'), /x\.json:1:1.*full permissions/s);
  });

  it('reports JSON slips outside the session policy, and not the wrapper as a bad policy', () => {
    const text = '{\n  "name": "x",,\n  "sessionPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}\n}';
    const f = lintPlaybook(text);
    assert.ok(f.some((x) => x.code === 'grammar' && x.position?.line === 1), JSON.stringify(f));
    assert.ok(!f.some((x) => /unknown policy element/.test(x.message)));
  });

  it('an invalid playbook is an error, never a policy (readPlaybook throws with file:line:col)', () => {
    const text = PLAYBOOK.replace('"Allow"', '"Alow"');
    assert.throws(() => readPlaybook(text, 'isolate.json'), /isolate\.json:13:\d+: .*Effect must be "Allow" or "Deny"/);
  });

  it('strict reading (review gate, elevation confirmation) also refuses lint errors such as an oversized policy', () => {
    const resources = Array.from({ length: 60 }, (_, i) => `arn:aws:s3:::incident-evidence-bucket-${i}/*`);
    const big = JSON.stringify({ name: 'big', sessionPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }] } });
    assert.ok(lintPlaybook(big).some((f) => f.code === 'session-size' && f.severity === 'error'));
    assert.doesNotThrow(() => readPlaybook(big, 'big.json'));
    assert.throws(() => readPlaybook(big, 'big.json', { strict: true }), /session policy plaintext is \d+ characters/);
  });

  it('the schema accepts the playbook shape and rejects what the parser rejects', () => {
    assert.ok(validate(JSON.parse(blankJsonComments(PLAYBOOK))), JSON.stringify(validate.errors));
    for (const bad of [{ name: 'x', phase: 'eradication', sessionPolicy: SESSION_POLICY_TEMPLATES.read_only_investigation.policy },
      { name: 'x', maxDurationSeconds: 60, sessionPolicy: SESSION_POLICY_TEMPLATES.read_only_investigation.policy },
      { name: 'x', sesionPolicy: {} }, { name: 'x' }]) {
      assert.strictEqual(validate(bad), false, JSON.stringify(bad));
      assert.ok(lintPlaybook(JSON.stringify(bad)).some((f) => f.severity === 'error'), JSON.stringify(bad));
    }
    assert.deepStrictEqual(Object.keys(schema.definitions.playbook.properties).sort(), [...PLAYBOOK_KEYS].sort());
    assert.deepStrictEqual(schema.definitions.playbook.properties.phase.enum, [...PLAYBOOK_PHASES]);
  });

  it('every built-in playbook, in the file format, is valid against the parser and the schema', () => {
    for (const t of Object.values(SESSION_POLICY_TEMPLATES)) {
      const text = builtinPlaybookText(t);
      const { playbook, policy } = readPlaybook(text, t.name);
      assert.strictEqual(playbook.name, t.name);
      assert.strictEqual(playbook.maxDurationSeconds, t.maxDuration);
      assert.deepStrictEqual(policy?.document, t.policy);
      assert.ok(validate(JSON.parse(blankJsonComments(text))), `${t.name}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it('flags a missing high-risk Deny (info) and a duplicate action (warning), at their text', () => {
    const text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "S3:getobject"], "Resource": "*"}]}';
    const f = lintPlaybook(text);
    const dup = f.find((x) => x.code === 'duplicate-action')!;
    assert.strictEqual(slice(text, dup), '"S3:getobject"');
    const deny = f.find((x) => x.code === 'missing-high-risk-deny')!;
    assert.strictEqual(deny.severity, 'info');
    assert.ok(slice(text, deny).startsWith('[{"Effect"'));
    const addStatement = (st: string) => `${text.slice(0, -2)}, ${st}]}`;
    const withDeny = addStatement(`{"Effect": "Deny", "Action": ${JSON.stringify(HIGH_RISK_DENY_ACTIONS)}, "Resource": "*"}`);
    assert.ok(lintPlaybook(withDeny).every((x) => x.severity !== 'error'));
    assert.ok(!lintPlaybook(withDeny).some((x) => x.code === 'missing-high-risk-deny'));
    // A wildcard Deny covers them too.
    const wild = addStatement('{"Effect": "Deny", "Action": ["iam:Create*", "iam:Delete*", "organizations:CloseAccount", "account:*"], "Resource": "*"}');
    assert.ok(lintPlaybook(wild).every((x) => x.severity !== 'error'));
    // A conditional Deny does not count: it may not apply.
    const conditional = addStatement(`{"Effect": "Deny", "Action": ${JSON.stringify(HIGH_RISK_DENY_ACTIONS)}, "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "false"}}}`);
    assert.ok(lintPlaybook(conditional).some((x) => x.code === 'missing-high-risk-deny'));
    assert.ok(!lintPlaybook(wild).some((x) => x.code === 'missing-high-risk-deny'));
  });

  it('docs/lint-rules.md has an anchor for every code the playbook lint can report', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/lint-rules.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/^## ([a-z-]+)$/gm)].map((m) => m[1]));
    const header = fs.readFileSync(path.join(root, 'src/core/policy/lint.ts'), 'utf8').split('import ')[0];
    const codes = new Set([...header.matchAll(/\b([a-z]+(?:-[a-z]+)+|grammar)\b(?=[^\n]*\()/g)].map((m) => m[1]));
    for (const c of ['playbook-format', 'duplicate-action', 'missing-high-risk-deny', 'grammar', 'unknown-action', 'version-missing']) codes.add(c);
    for (const c of codes) assert.ok(anchors.has(c), `docs/lint-rules.md lacks ## ${c}`);
  });
});
