import * as assert from 'assert';
import { ACCESS_LEVELS } from '../../../src/core/policy/catalog';
import { diffPermissions, summarizeEffective } from '../../../src/core/policy/diff';
import { effectivePermissions, isPermitted, type EffectiveConfig } from '../../../src/core/policy/effective';
import { getManagedPolicy } from '../../../src/core/policy/managed';
import { loadPolicySource, loadRoleTemplate } from '../../../src/core/policy/sources';
import type { NamedPolicy } from '../../../src/core/policy/types';

describe('policy/diff', () => {
  let role: EffectiveConfig;
  let session: NamedPolicy[];
  before(async () => {
    const t = loadRoleTemplate('incident_responder');
    role = { identity: t.identity, boundary: t.boundary };
    session = await loadPolicySource('containment_actions', '.');
  });

  it('counts gained and lost per access level consistently with the effective results', () => {
    const before = effectivePermissions(role);
    const after = effectivePermissions({ ...role, session });
    const d = diffPermissions(before, after);
    const permitted = (r: typeof before) => r.actions.filter((e) => isPermitted(e.status)).length;
    assert.strictEqual(d.total.before, permitted(before));
    assert.strictEqual(d.total.after, permitted(after));
    assert.strictEqual(d.total.before - d.total.lost + d.total.gained, d.total.after);
    assert.strictEqual(d.total.lost, d.lost.length);
    assert.strictEqual(d.total.gained, 0, 'a session policy can only remove permissions');
    let sum = 0;
    for (const l of ACCESS_LEVELS) {
      const x = d.byLevel[l];
      sum += x.lost;
      assert.strictEqual(x.before, before.actions.filter((e) => e.accessLevel === l && isPermitted(e.status)).length, l);
      assert.strictEqual(x.kept + x.lost, x.before, l);
    }
    assert.strictEqual(sum, d.total.lost);
    assert.strictEqual(d.services.reduce((n, s) => n + s.lost, 0), d.total.lost);
    const ec2 = d.services.find((s) => s.service === 'ec2');
    assert.ok(ec2 && ec2.kept >= 7 && ec2.byLevel.Write?.lost.includes('ec2:RunInstances'));
    // ec2:StopInstances was allowed, now conditional on the region.
    assert.ok(d.narrowed.some((c) => c.action === 'ec2:StopInstances' && c.before === 'allowed' && c.after === 'conditional'));
  });

  it('lists risky lost actions first with reasons, and flags risks per side', () => {
    const before = effectivePermissions(role);
    const after = effectivePermissions({ ...role, session });
    const d = diffPermissions(before, after);
    assert.ok(d.lost[0].risks.some((r) => r.severity === 'high'), d.lost[0].action);
    const assume = d.lost.find((c) => c.action === 'sts:AssumeRole');
    assert.ok(assume?.risks.some((r) => r.category === 'privilege-escalation'));
    assert.ok(d.risks.lost.some((f) => f.id === 'privesc:sts:AssumeRole'));
    assert.deepStrictEqual(d.risks.gained, []);
  });

  it('reports gained actions when the second configuration grants more', () => {
    const readOnly = getManagedPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess') as NamedPolicy;
    const admin = getManagedPolicy('arn:aws:iam::aws:policy/AdministratorAccess') as NamedPolicy;
    const d = diffPermissions(effectivePermissions({ identity: [readOnly] }), effectivePermissions({ identity: [admin] }));
    assert.ok(d.total.gained > 10000);
    assert.strictEqual(d.total.lost, 0);
    assert.ok(d.gained[0].risks.some((r) => r.severity === 'high'));
    assert.ok(d.risks.gained.some((f) => f.id === 'privesc:iam:AttachRolePolicy'));
    assert.ok(d.risks.gained.some((f) => f.category === 'pass-role' && f.severity === 'high'));
  });

  it('summarizes one result per access level and service', () => {
    const r = effectivePermissions({ ...role, session });
    const s = summarizeEffective(r);
    assert.strictEqual(s.total, r.actions.length);
    assert.deepStrictEqual(s.counts, r.counts);
    const sumLevels = ACCESS_LEVELS.reduce((n, l) => n + s.byLevel[l].conditional, 0);
    assert.strictEqual(sumLevels, r.counts.conditional);
    // ec2 from the session policy, sts for sts:GetCallerIdentity, which AWS allows outside policy evaluation.
    assert.deepStrictEqual(s.services.map((x) => x.service), ['ec2', 'sts']);
  });
});
