// A two-account setup for provisioning and drill tests: the security account 111122223333 (also a workload account)
// and production 444455556666, reached through OrganizationAccountAccessRole; one responder, alice.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FakeAwsOptions } from '../../support/fake-aws';

export const SEC = '111122223333';
export const PROD = '444455556666';
export const ALICE_ARN = `arn:aws:iam::${SEC}:user/incident-response/alice-BREAK-GLASS`;
export const IR_ROLE_ARN = `arn:aws:iam::${SEC}:role/incident-response/BREAK-GLASS-INCIDENT_RESPONDER`;
export const BASE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export const CONFIG = {
  version: 1,
  accounts: [
    {
      id: SEC, name: 'Security', regions: ['us-east-1'],
      roles: [
        { name: 'BREAK-GLASS-INCIDENT_RESPONDER', template: 'incident_responder', path: '/incident-response/' },
        { name: 'BREAK-GLASS-SECURITY_INVESTIGATOR', template: 'security_investigator', path: '/incident-response/' },
      ],
    },
    {
      id: PROD, name: 'Production', regions: ['us-east-1'],
      roles: [{ name: 'BREAK-GLASS-FORENSICS_ANALYST-EC2', template: 'forensics_analyst', playbook: 'ec2', path: '/incident-response/' }],
    },
  ],
  provisioning: {
    securityAccountId: SEC, provisioningRoleName: 'OrganizationAccountAccessRole',
    users: [{ responder: 'alice', email: 'alice@example.com', emergencyContact: '+1-555-0100' }],
  },
};

export const STRONG_POLICY = {
  minimumPasswordLength: 14, requireSymbols: true, requireNumbers: true, requireUppercase: true, requireLowercase: true, allowUsersToChangePassword: true,
};

export function fakeOptions(): FakeAwsOptions {
  return {
    accountId: SEC,
    callerArn: ALICE_ARN,
    mfaSerial: `arn:aws:iam::${SEC}:mfa/alice`,
    roles: [
      { name: 'OrganizationAccountAccessRole', accountId: SEC },
      { name: 'OrganizationAccountAccessRole', accountId: PROD },
    ],
    passwordPolicies: { [SEC]: STRONG_POLICY },
    singleUseCodes: false,
  };
}

/** A temporary workspace with .breakglass/config.json (and optional role template files). */
export function workspace(config: unknown = CONFIG, roleFiles: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-prov-'));
  fs.mkdirSync(path.join(dir, '.breakglass', 'roles'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.breakglass', 'config.json'), JSON.stringify(config, null, 2));
  for (const [n, v] of Object.entries(roleFiles)) fs.writeFileSync(path.join(dir, '.breakglass', 'roles', n), typeof v === 'string' ? v : JSON.stringify(v));
  return dir;
}
