// The `approvals` block and `requiresApproval` flags of .breakglass/config.json, and where the approvals clients go.
import * as assert from 'assert';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { resolveEndpoint } from '../../../src/core/aws/clients';
import { arnMatches, iamUserName } from '../../../src/core/approvals/identity';
import { policyHashOf, playbookDisplayName } from '../../../src/core/approvals/hash';

const account = (roles: unknown[]) => ({ id: '111122223333', name: 'Prod', roles });

describe('approvals config', () => {
  it('parses the approvals block with defaults, and requiresApproval on roles and playbooks', () => {
    const { config, problems } = parseWorkspaceConfig(JSON.stringify({
      accounts: [account([{ name: 'BREAK-GLASS-INCIDENT_RESPONDER', requiresApproval: true }, 'BREAK-GLASS-SECURITY_INVESTIGATOR'])],
      approvals: { table: 'breakglass-approvals', approvers: { groups: ['IncidentApprovers'] } },
      playbooks: { emergency_admin: { requiresApproval: true } },
    }));
    assert.deepStrictEqual(problems, []);
    assert.deepStrictEqual(config.approvals, {
      table: 'breakglass-approvals', approvers: { principals: [], groups: ['IncidentApprovers'] }, required: 1, expiresInMinutes: 60,
      retentionDays: 90, allowBreakGlassAnyway: false,
    });
    assert.strictEqual(config.accounts[0].roles[0].requiresApproval, true);
    assert.strictEqual(config.accounts[0].roles[1].requiresApproval, undefined);
    assert.deepStrictEqual(config.playbooks, { emergency_admin: { requiresApproval: true } });
  });

  it('names each bad approvals field with its path and how to fix it', () => {
    const { problems, config } = parseWorkspaceConfig(JSON.stringify({
      accounts: [account([{ name: 'R', requiresApproval: true }])],
      approvals: { table: 'x', approvers: {} },
    }));
    assert.deepStrictEqual(problems.map((p) => p.path), ['approvals.table', 'approvals']);
    assert.match(problems[0].message, /not a DynamoDB table name/);
    assert.match(problems[1].message, /no "approvals" block.*refused/);
    assert.strictEqual(config.approvals, undefined);

    const second = parseWorkspaceConfig(JSON.stringify({
      accounts: [],
      approvals: { table: 'tbl', required: 3, topicArn: 'arn:aws:sqs:us-east-1:111122223333:q', expiresInMinutes: 1, approvers: { principals: ['alice'], groups: [] } },
    }));
    assert.deepStrictEqual(second.problems.map((p) => p.path), ['approvals.topicArn', 'approvals.approvers.principals[0]', 'approvals.approvers', 'approvals.required', 'approvals.expiresInMinutes']);
    assert.match(second.problems[3].message, /must be 1 or 2/);
  });

  it('the explicit endpoint setting is for STS/IAM; DynamoDB and SNS take their own variables', () => {
    const env = { AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb', AWS_ENDPOINT_URL_SNS: 'http://sns' };
    assert.strictEqual(resolveEndpoint('dynamodb', { env, endpointUrl: 'http://sts-vpce' }), 'http://ddb');
    assert.strictEqual(resolveEndpoint('sns', { env, endpointUrl: 'http://sts-vpce' }), 'http://sns');
    assert.strictEqual(resolveEndpoint('dynamodb', { env: {}, endpointUrl: 'http://sts-vpce' }), undefined);
    assert.strictEqual(resolveEndpoint('sts', { env, endpointUrl: 'http://sts-vpce' }), 'http://sts-vpce');
  });

  it('approver patterns: * and ? wildcards, everything else literal', () => {
    assert.ok(arnMatches('arn:aws:iam::111122223333:user/approvers/bob', 'arn:aws:iam::111122223333:user/approvers/*'));
    assert.ok(!arnMatches('arn:aws:iam::111122223333:user/bob', 'arn:aws:iam::111122223333:user/approvers/*'));
    assert.ok(!arnMatches('arn:aws:iam::111122223333:user/bobby', 'arn:aws:iam::111122223333:user/bob'));
    assert.ok(!arnMatches('arn:aws:iam::111122223333Xuser/bob', 'arn:aws:iam::111122223333.user/bob'), '. is literal');
    assert.ok(arnMatches('arn:aws:sts::111122223333:assumed-role/Approver/carol', 'arn:aws:sts::111122223333:assumed-role/Approver/?arol'));
    assert.strictEqual(iamUserName('arn:aws:iam::111122223333:user/path/to/alice'), 'alice');
    assert.strictEqual(iamUserName('arn:aws:sts::111122223333:assumed-role/R/alice'), undefined);
  });

  it('the policy hash covers the document and the managed policy ARNs, and nothing else', () => {
    const a = policyHashOf({ Policy: '{"Version":"2012-10-17","Statement":[]}' });
    assert.notStrictEqual(a, policyHashOf({ Policy: '{"Version":"2012-10-17","Statement":[]}', PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] }));
    assert.notStrictEqual(a, policyHashOf({}));
    assert.strictEqual(a, policyHashOf({ Policy: '{"Version":"2012-10-17","Statement":[]}' }));
    assert.strictEqual(playbookDisplayName('file:/w/.breakglass/playbooks/dns-fix.json'), 'dns-fix');
    assert.strictEqual(playbookDisplayName('containment_actions'), 'containment_actions');
  });
});
