// Role templates: built-ins overridden or extended by .breakglass/roles/*.json, validated with problems per field.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseRoleTemplate, resolveRoleTemplates } from '../../../src/core/provision/roleTemplates';
import { broadens, canonicalPolicy, samePolicy } from '../../../src/core/provision/compare';
import { desiredState, incidentRoleName, breakGlassUserName } from '../../../src/core/provision/desired';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { ROLE_TEMPLATES } from '../../../src/core/templates';

const VALID = {
  description: 'Forensics with our evidence bucket', maxSessionDuration: 7200, managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  inlinePolicies: { Evidence: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::evidence/*' }] } },
  permissionsBoundary: null,
};

describe('provision/role templates', () => {
  it('a file named like a built-in replaces it; another name adds a template', () => {
    const r = resolveRoleTemplates([
      { file: '/w/.breakglass/roles/forensics_analyst.json', text: JSON.stringify(VALID) },
      { file: '/w/.breakglass/roles/db.json', text: JSON.stringify({ ...VALID, name: 'database_responder' }) },
    ]);
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(r.overridden, ['forensics_analyst']);
    assert.strictEqual(r.templates.forensics_analyst.maxSessionDuration, 7200);
    assert.strictEqual(r.templates.database_responder.description, 'Forensics with our evidence bucket');
    assert.strictEqual(r.templates.incident_responder, ROLE_TEMPLATES.incident_responder);
  });

  it('every bad field is a problem with its JSON path; the built-in stays in force', () => {
    const r = resolveRoleTemplates([{
      file: 'forensics_analyst.json',
      text: JSON.stringify({ description: '', maxSessionDuration: 100, managedPolicies: ['ReadOnlyAccess'], inlinePolicies: { P: { Statement: [{ Effect: 'Permit', Action: 's3:GetObject', Resource: '*' }] } }, permissionsBoundary: 'none', extra: 1 }),
    }]);
    assert.deepStrictEqual(r.problems.map((p) => p.path), ['extra', 'description', 'maxSessionDuration', 'managedPolicies[0]', 'inlinePolicies.P.Statement[0].Effect', 'permissionsBoundary']);
    assert.strictEqual(r.templates.forensics_analyst, ROLE_TEMPLATES.forensics_analyst);
    assert.match(parseRoleTemplate('{', 'x.json').problems[0].message, /Not valid JSON/);
  });

  it('the same template name twice is a problem', () => {
    const r = resolveRoleTemplates([{ file: 'a.json', text: JSON.stringify({ ...VALID, name: 'same' }) }, { file: 'b.json', text: JSON.stringify({ ...VALID, name: 'same' }) }]);
    assert.match(r.problems[0].message, /also defined in a\.json/);
  });

  it('the bundled JSON schema describes the same fields', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../media/schemas/role-template.schema.json'), 'utf8'));
    assert.deepStrictEqual(Object.keys(schema.properties).sort(), ['$schema', 'description', 'inlinePolicies', 'managedPolicies', 'maxSessionDuration', 'name', 'permissionsBoundary']);
    assert.deepStrictEqual(schema.required.sort(), ['description', 'inlinePolicies', 'managedPolicies', 'maxSessionDuration', 'permissionsBoundary']);
    assert.strictEqual(schema.properties.maxSessionDuration.minimum, 3600);
    assert.strictEqual(schema.properties.maxSessionDuration.maximum, 43200);
  });

  it('names follow SEC10-BP05: BREAK-GLASS-<TYPE>[-<PLAYBOOK>] and <responder>-BREAK-GLASS', () => {
    assert.strictEqual(incidentRoleName('forensics_analyst', 'ec2'), 'BREAK-GLASS-FORENSICS_ANALYST-EC2');
    assert.strictEqual(breakGlassUserName('Alice Smith'), 'alice.smith-BREAK-GLASS');
  });

  it('configured trust: trustedPrincipalArns and mfaMaxAgeSeconds go into every role\'s trust policy', () => {
    const { config, problems } = parseWorkspaceConfig(JSON.stringify({
      accounts: [{ id: '111122223333', roles: [{ name: 'BREAK-GLASS-X', template: 'incident_responder', path: '/incident-response/' }] }],
      provisioning: { securityAccountId: '999988887777', mfaMaxAgeSeconds: 900, trustedPrincipalArns: ['arn:aws:iam::999988887777:user/incident-response/alice-BREAK-GLASS'] },
    }));
    assert.deepStrictEqual(problems, []);
    const d = desiredState(config, ROLE_TEMPLATES);
    const cond = (d.accounts[0].roles[0].trustPolicy.Statement as Array<{ Condition: Record<string, Record<string, string>> }>)[0].Condition;
    assert.deepStrictEqual(cond.NumericLessThan, { 'aws:MultiFactorAuthAge': '900' });
    assert.deepStrictEqual(cond.ArnLike, { 'aws:PrincipalArn': 'arn:aws:iam::999988887777:user/incident-response/alice-BREAK-GLASS' });
  });

  it('provisioning config problems name the field and the fix', () => {
    const { problems } = parseWorkspaceConfig(JSON.stringify({
      accounts: [], provisioning: { securityAccountId: '999988887777', mfaMaxAgeSeconds: 10, trustedPrincipalArns: ['arn:aws:iam::123456789012:root'], users: [{ responder: 'a b/c' }, 'x'] },
    }));
    assert.deepStrictEqual(problems.map((p) => p.path), ['provisioning.trustedPrincipalArns', 'provisioning.mfaMaxAgeSeconds', 'provisioning.users[0]', 'provisioning.users[1]']);
    assert.match(problems[0].message, /in the security account 999988887777/);
    assert.match(parseWorkspaceConfig('{"accounts":[],"provisioning":{"securityAccountId":"12"}}').problems[0].message, /not a 12-digit AWS account id/);
  });
});

describe('provision/compare', () => {
  const allow = (Action: unknown, Condition?: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*', ...(Condition ? { Condition } : {}) }] });
  it('equal meaning is equal text (key order, single vs array)', () => {
    assert.ok(samePolicy({ Statement: { Resource: '*', Effect: 'Allow', Action: ['s3:GetObject'] }, Version: '2012-10-17' }, allow('s3:GetObject')));
    assert.ok(!samePolicy(allow('s3:GetObject'), allow('s3:PutObject')));
    assert.strictEqual(canonicalPolicy(allow(['b', 'a'])), canonicalPolicy(allow(['a', 'b'])));
  });
  it('broadens: more actions or fewer conditions yes; fewer actions, an added condition or a tighter age bound no', () => {
    assert.strictEqual(broadens(allow('s3:GetObject'), allow(['s3:GetObject', 's3:PutObject'])), true);
    assert.strictEqual(broadens(allow(['s3:GetObject', 's3:PutObject']), allow('s3:GetObject')), false);
    assert.strictEqual(broadens(allow('s3:*'), allow('s3:GetObject')), false);
    const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } };
    assert.strictEqual(broadens(allow('sts:AssumeRole'), allow('sts:AssumeRole', mfa)), false, 'adding MFA narrows');
    assert.strictEqual(broadens(allow('sts:AssumeRole', mfa), allow('sts:AssumeRole')), true, 'removing MFA broadens');
    assert.strictEqual(broadens(allow('sts:AssumeRole', mfa), allow('sts:AssumeRole', { ...mfa, NumericLessThan: { 'aws:MultiFactorAuthAge': '900' } })), false);
    assert.strictEqual(broadens(allow('sts:AssumeRole', mfa), allow('sts:AssumeRole', { ...mfa, NumericLessThan: { 'aws:MultiFactorAuthAge': '43200' } })), true);
    const withDeny = { Statement: [...allow('ec2:*').Statement, { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }] };
    assert.strictEqual(broadens(withDeny, allow('ec2:*')), true, 'dropping a Deny broadens');
    assert.strictEqual(broadens(undefined, allow('ec2:*')), true);
  });
});
