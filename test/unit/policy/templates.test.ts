import * as assert from 'assert';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../../../src/core/templates';
import { lintPolicy, sessionPolicySize } from '../../../src/core/policy/lint';
import { getManagedPolicy } from '../../../src/core/policy/managed';
import { loadPolicySource, loadRoleTemplate } from '../../../src/core/policy/sources';
import { effectivePermissions } from '../../../src/core/policy/effective';

describe('seed templates resolve and lint cleanly', () => {
  for (const t of Object.values(SESSION_POLICY_TEMPLATES)) {
    it(`session template ${t.name}: resolves, fits the session limit, no lint errors`, async () => {
      const [p] = await loadPolicySource(t.name, '.');
      assert.strictEqual(p.document, t.policy);
      assert.ok(sessionPolicySize(t.policy).chars <= 2048);
      const errors = lintPolicy(JSON.stringify(t.policy, null, 2), { kind: 'session' }).filter((f) => f.severity === 'error');
      assert.deepStrictEqual(errors, []);
    });
  }
  for (const t of Object.values(ROLE_TEMPLATES)) {
    it(`role template ${t.name}: managed policies and boundary exist offline, inline policies lint without errors`, () => {
      for (const arn of [...t.managedPolicies, ...(t.permissionsBoundary ? [t.permissionsBoundary] : [])]) assert.ok(getManagedPolicy(arn), arn);
      const r = loadRoleTemplate(t.name);
      assert.strictEqual(r.identity.length, t.managedPolicies.length + Object.keys(t.inlinePolicies).length);
      for (const doc of Object.values(t.inlinePolicies)) {
        assert.deepStrictEqual(lintPolicy(JSON.stringify(doc, null, 2)).filter((f) => f.severity === 'error'), []);
      }
      assert.ok(effectivePermissions(r).counts.allowed > 0);
    });
  }
});
