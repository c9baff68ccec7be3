// media/schemas/config.schema.json (registered in package.json jsonValidation for .breakglass/config.json): the configs
// we ship validate, every config the parser accepts without problems validates, and an unknown key or an unknown role
// template is flagged, with the built-in templates offered as the enum (completion).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { configTemplate, parseWorkspaceConfig } from '../../src/core/config';
import { ROLE_TEMPLATES } from '../../src/core/templates';

const root = path.resolve(__dirname, '../..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'media/schemas/config.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const read = (p: string) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));

const full = {
  version: 1,
  accounts: [{
    id: '111122223333', name: 'Production', partition: 'aws', regions: ['us-east-1'],
    roles: [
      'BREAK-GLASS-READ_ONLY',
      'arn:aws:iam::111122223333:role/BREAK-GLASS-OTHER',
      { name: 'BREAK-GLASS-INCIDENT_RESPONDER', template: 'incident_responder', maxSessionDuration: 28800, mfaRequired: true,
        permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess', tags: { Purpose: 'IncidentResponse' }, playbook: 'containment_actions',
        path: '/incident-response/', requiresApproval: true, description: 'Responders' },
      { arn: 'arn:aws:iam::111122223333:role/incident-response/BREAK-GLASS-ADMIN' },
    ],
  }],
  provisioning: { securityAccountId: '999988887777', trustedPrincipalArns: ['arn:aws:iam::999988887777:user/incident-response/*-BREAK-GLASS'],
    mfaMaxAgeSeconds: 3600, provisioningRoleName: 'OrganizationAccountAccessRole', users: [{ responder: 'alice', email: 'a@example.com', emergencyContact: '+1 555' }] },
  approvals: { table: 'breakglass-approvals', region: 'us-east-1', topicArn: 'arn:aws:sns:us-east-1:999988887777:breakglass-approvals',
    approvers: { principals: ['arn:aws:iam::999988887777:user/*'], groups: ['IncidentApprovers'] }, required: 2, expiresInMinutes: 60,
    retentionDays: 90, allowBreakGlassAnyway: false, requestUrl: 'https://example.com/approve/{id}' },
  playbooks: { incident_responder: { requiresApproval: true } },
};

describe('config.json schema', () => {
  for (const file of ['demo/workspace/.breakglass/config.json', 'test/fixtures/workspace/.breakglass/config.json']) {
    it(`validates ${file}`, () => {
      assert.ok(validate(read(file)), JSON.stringify(validate.errors));
    });
  }

  it('validates the first-run template and a config using every key the parser reads', () => {
    assert.ok(validate(JSON.parse(configTemplate())), JSON.stringify(validate.errors));
    assert.deepStrictEqual(parseWorkspaceConfig(JSON.stringify(full)).problems, [], 'the parser accepts it');
    assert.ok(validate(full), JSON.stringify(validate.errors));
  });

  it('flags an unknown key, naming it', () => {
    const cfg = read('demo/workspace/.breakglass/config.json');
    cfg.accounts[0].roles[0].maxSesionDuration = 3600;
    assert.strictEqual(validate(cfg), false);
    assert.ok(validate.errors!.some((e) => e.keyword === 'additionalProperties' && (e.params as { additionalProperty: string }).additionalProperty === 'maxSesionDuration'), JSON.stringify(validate.errors));
    assert.strictEqual(validate({ ...read('demo/workspace/.breakglass/config.json'), acounts: [] }), false);
  });

  it('flags an unknown template and offers exactly the built-in role templates', () => {
    const cfg = read('demo/workspace/.breakglass/config.json');
    cfg.accounts[0].roles[0].template = 'incident_responders';
    assert.strictEqual(validate(cfg), false);
    assert.ok(validate.errors!.some((e) => e.keyword === 'enum' && e.instancePath.endsWith('/template')), JSON.stringify(validate.errors));
    assert.deepStrictEqual([...schema.definitions.role.properties.template.enum].sort(), Object.keys(ROLE_TEMPLATES).sort());
  });
});
