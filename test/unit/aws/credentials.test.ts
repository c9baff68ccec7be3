import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chooseBaseCredentials, parseIni, profilesFromText, readProfile, sharedFilePaths } from '../../../src/core/aws/credentials';

const CONFIG = `
[default]
region = us-east-1

[profile breakglass]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/jump
mfa_serial = arn:aws:iam::111122223333:mfa/alice
duration_seconds = 3600
region = eu-west-1 ; trailing comment is part of value in AWS files? no: kept out below

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Responder
region = us-west-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile nested]
s3 =
  max_concurrent_requests = 20
`;
const CREDENTIALS = `
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[temp]
aws_access_key_id = ASIAEXAMPLE
aws_secret_access_key = x
aws_session_token = y
`;

describe('aws/credentials profile metadata', () => {
  it('parses INI with sections, comments and nested properties', () => {
    const ini = parseIni('# c\n[a]\nk = v\n; c\n[b]\ns3 =\n  x = 1\n');
    assert.deepStrictEqual(ini, { a: { k: 'v' }, b: { s3: '', 's3.x': '1' } });
  });

  it('derives MFA device, region and role-session status per profile', () => {
    const p = profilesFromText(CONFIG, CREDENTIALS);
    const bg = p.get('breakglass');
    assert.ok(bg);
    assert.strictEqual(bg.mfaSerial, 'arn:aws:iam::111122223333:mfa/alice');
    assert.strictEqual(bg.roleArn, 'arn:aws:iam::111122223333:role/jump');
    assert.strictEqual(bg.durationSeconds, 3600);
    assert.strictEqual(bg.kind, 'role');
    assert.strictEqual(bg.isRoleSession, true, 'role_arn profiles are role sessions → role chaining');
    assert.strictEqual(p.get('sso-dev')?.isRoleSession, true, 'SSO credentials are an AWSReservedSSO role');
    assert.strictEqual(p.get('default')?.kind, 'static');
    assert.strictEqual(p.get('default')?.isRoleSession, false);
    assert.strictEqual(p.get('default')?.region, 'us-east-1');
    assert.strictEqual(p.get('temp')?.isRoleSession, undefined, 'temporary keys of unknown origin');
    assert.ok(!p.has('sso-session corp') && !p.has('corp'));
  });

  it('honours AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-ini-'));
    fs.writeFileSync(path.join(dir, 'cfg'), CONFIG);
    fs.writeFileSync(path.join(dir, 'creds'), CREDENTIALS);
    const env = { AWS_CONFIG_FILE: path.join(dir, 'cfg'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'creds'), HOME: '/nonexistent' };
    assert.deepStrictEqual(sharedFilePaths(env), { config: env.AWS_CONFIG_FILE, credentials: env.AWS_SHARED_CREDENTIALS_FILE });
    assert.strictEqual((await readProfile('breakglass', env))?.mfaSerial, 'arn:aws:iam::111122223333:mfa/alice');
    assert.strictEqual(await readProfile('missing', env), undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('aws/credentials chooseBaseCredentials (the one rule for both front ends)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-base-'));
    fs.writeFileSync(path.join(dir, 'config'), '[profile jump]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::111122223333:mfa/alice\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = s\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HOME: dir, AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'), ...extra });

  it('an explicit profile first, then environment keys, then AWS_PROFILE, then the default chain', async () => {
    const keys = { AWS_ACCESS_KEY_ID: 'AKIAENVKEY0000000001', AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 'tok' };
    const explicit = await chooseBaseCredentials({ profile: 'jump', env: env(keys) });
    assert.strictEqual(explicit.description, 'profile jump');
    assert.strictEqual(explicit.profile?.mfaSerial, 'arn:aws:iam::111122223333:mfa/alice');
    const fromEnv = await chooseBaseCredentials({ env: env({ ...keys, AWS_PROFILE: 'jump' }) });
    assert.strictEqual(fromEnv.description, 'environment variables');
    assert.deepStrictEqual(fromEnv.credentials, { accessKeyId: 'AKIAENVKEY0000000001', secretAccessKey: 'x', sessionToken: 'tok' });
    assert.strictEqual((await chooseBaseCredentials({ env: env({ AWS_PROFILE: 'jump' }) })).description, 'profile jump (AWS_PROFILE)');
    assert.strictEqual((await chooseBaseCredentials({ env: env() })).description, 'default credential chain');
    await assert.rejects(chooseBaseCredentials({ profile: 'nope', env: env() }), /The AWS profile 'nope' is not defined in .*config/);
  });
});
