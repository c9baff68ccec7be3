// The local endpoint's IAM provisioning calls parse with the real SDK exactly as AWS's answers do: results, list
// members, URL-encoded policy documents, and the error codes/statuses IAM uses (EntityAlreadyExists 409,
// NoSuchEntity 404, PasswordPolicyViolation / MalformedPolicyDocument 400).
import * as assert from 'assert';
import {
  CreateLoginProfileCommand, CreateRoleCommand, CreateUserCommand, GetAccountPasswordPolicyCommand, GetLoginProfileCommand, GetRoleCommand,
  GetUserCommand, ListAccessKeysCommand, ListAttachedRolePoliciesCommand, UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { useFakeAws } from '../helpers/aws';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] });

describe('fake AWS: IAM provisioning wire format', () => {
  const aws = useFakeAws({ roles: [], passwordPolicies: { '111122223333': { minimumPasswordLength: 14, requireSymbols: true } } });
  const iam = () => aws.clients.iam();
  const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: { name: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`);

  it('CreateRole → GetRole round-trips trust (URL-encoded), boundary, tags; a second CreateRole is EntityAlreadyExists 409', async () => {
    const created = await iam().send(new CreateRoleCommand({ RoleName: 'R', Path: '/incident-response/', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 7200, PermissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess', Tags: [{ Key: 'Purpose', Value: 'IncidentResponse' }] }));
    assert.strictEqual(created.Role?.Arn, 'arn:aws:iam::111122223333:role/incident-response/R');
    const got = (await iam().send(new GetRoleCommand({ RoleName: 'R' }))).Role!;
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!)), JSON.parse(TRUST));
    assert.deepStrictEqual([got.MaxSessionDuration, got.PermissionsBoundary?.PermissionsBoundaryArn, got.Tags], [7200, 'arn:aws:iam::aws:policy/ReadOnlyAccess', [{ Key: 'Purpose', Value: 'IncidentResponse' }]]);
    assert.strictEqual(await code(iam().send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: TRUST }))), 'EntityAlreadyExistsException 409');
    assert.strictEqual(await code(iam().send(new CreateRoleCommand({ RoleName: 'S', AssumeRolePolicyDocument: '{' }))), 'MalformedPolicyDocumentException 400');
    assert.strictEqual(await code(iam().send(new UpdateRoleCommand({ RoleName: 'R', MaxSessionDuration: 50000 }))), 'ValidationError 400');
    assert.strictEqual(await code(iam().send(new UpdateRoleCommand({ RoleName: 'R', MaxSessionDuration: 3600 }))), 'ok');
    assert.deepStrictEqual((await iam().send(new ListAttachedRolePoliciesCommand({ RoleName: 'R' }))).AttachedPolicies, []);
    assert.strictEqual(await code(iam().send(new GetRoleCommand({ RoleName: 'nope' }))), 'NoSuchEntityException 404');
  });

  it('users, login profiles (password policy enforced), access keys and the account password policy', async () => {
    await iam().send(new CreateUserCommand({ UserName: 'u-BREAK-GLASS', Path: '/incident-response/' }));
    assert.strictEqual(await code(iam().send(new CreateUserCommand({ UserName: 'u-BREAK-GLASS' }))), 'EntityAlreadyExistsException 409');
    assert.strictEqual(await code(iam().send(new GetLoginProfileCommand({ UserName: 'u-BREAK-GLASS' }))), 'NoSuchEntityException 404');
    assert.strictEqual(await code(iam().send(new CreateLoginProfileCommand({ UserName: 'u-BREAK-GLASS', Password: 'short', PasswordResetRequired: true }))), 'PasswordPolicyViolationException 400');
    await iam().send(new CreateLoginProfileCommand({ UserName: 'u-BREAK-GLASS', Password: 'a-long-enough-password!', PasswordResetRequired: true }));
    assert.strictEqual((await iam().send(new GetLoginProfileCommand({ UserName: 'u-BREAK-GLASS' }))).LoginProfile?.PasswordResetRequired, true);
    assert.strictEqual(await code(iam().send(new CreateLoginProfileCommand({ UserName: 'u-BREAK-GLASS', Password: 'a-long-enough-password!' }))), 'EntityAlreadyExistsException 409');
    assert.deepStrictEqual((await iam().send(new ListAccessKeysCommand({ UserName: 'u-BREAK-GLASS' }))).AccessKeyMetadata, []);
    assert.strictEqual((await iam().send(new GetUserCommand({ UserName: 'u-BREAK-GLASS' }))).User?.Arn, 'arn:aws:iam::111122223333:user/incident-response/u-BREAK-GLASS');
    assert.strictEqual((await iam().send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength, 14);
    aws.fake.passwordPolicies.clear();
    assert.strictEqual(await code(iam().send(new GetAccountPasswordPolicyCommand({}))), 'NoSuchEntityException 404');
  });
});
