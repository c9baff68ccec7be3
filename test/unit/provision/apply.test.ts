// The core provisioning use-case without the CLI: the password goes to the showPassword port once and into nothing
// the use-case returns; the plan notes a weak password policy; a strong random password each time.
import * as assert from 'assert';
import { parseWorkspaceConfig } from '../../../src/core/config';
import { accountClientsFactory } from '../../../src/core/provision/access';
import { generatePassword } from '../../../src/core/provision/apply';
import { desiredState } from '../../../src/core/provision/desired';
import { applyProvisioning, planProvisioning, renderPlan, renderResults } from '../../../src/core/provision/provision';
import { ROLE_TEMPLATES } from '../../../src/core/templates';
import { useFakeAws } from '../helpers/aws';
import { CONFIG, SEC, fakeOptions } from './fixture';

describe('provision/apply (core use-case, local endpoint)', () => {
  const aws = useFakeAws({ ...fakeOptions(), passwordPolicies: { [SEC]: { minimumPasswordLength: 8 } } });
  const desired = desiredState(parseWorkspaceConfig(JSON.stringify(CONFIG)).config, ROLE_TEMPLATES);

  it('hands the password to showPassword once and keeps it out of the plan, the results and their renderings', async () => {
    const access = accountClientsFactory(aws.clients, 'OrganizationAccountAccessRole');
    try {
      const plan = await planProvisioning(desired, { clientsFor: access.clientsFor });
      assert.ok(plan.notes.some((n) => /Security \(111122223333\): The account password policy is weaker than recommended: minimum length 8/.test(n)), plan.notes.join('\n'));
      const shown: string[] = [];
      const results = await applyProvisioning(plan, { clientsFor: access.clientsFor }, { allowBroadening: false, showPassword: (_u, pw) => void shown.push(pw) });
      assert.strictEqual(shown.length, 1);
      const pw = shown[0];
      assert.strictEqual(aws.fake.users.get('alice-BREAK-GLASS')!.loginProfile!.password, pw, 'IAM got the password that was shown');
      for (const text of [JSON.stringify(plan), JSON.stringify(results), renderPlan(plan, desired), renderResults(results)]) assert.ok(!text.includes(pw));
    } finally {
      access.dispose();
    }
  });

  it('generates strong, different passwords', () => {
    const a = generatePassword();
    const b = generatePassword();
    assert.notStrictEqual(a, b);
    for (const p of [a, b]) assert.ok(p.length === 24 && /[A-Z]/.test(p) && /[a-z]/.test(p) && /[2-9]/.test(p) && /[^A-Za-z0-9]/.test(p), p.replace(/./g, '*'));
  });
});
