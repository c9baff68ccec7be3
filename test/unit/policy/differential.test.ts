// Differential test: our evaluator against an independent open-source IAM simulator, @cloud-copilot/iam-simulate
// (https://github.com/cloud-copilot/iam-simulate, AGPL-3.0, a test-only dev dependency), on generated cases
// (policies × requests: identity policies, permissions boundaries, session policies, SCP levels, RCP levels, resource
// policies, same- and cross-account). Every case must agree, except the documented classes below, each of which
// follows an AWS page where the two differ:
//
// - kms-key-policy-not-given: a KMS request without a key policy. AWS always has one and "no AWS principal, including
//   the account root user, has any permissions on a KMS key unless the key policy allows it"
//   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). The other simulator assumes it
//   denies; we decide by the IAM policies and report the request as uncertain (asserted).
// - principal-star-same-account: a same-account resource policy whose Allow names Principal "*" (or uses
//   NotPrincipal), with a permissions boundary or session policy that does not allow. AWS documents direct grants to
//   a user or role-session ARN as not limited by them, and grants to a role ARN as limited
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html); it does not say which "*" is.
//   We take the limiting reading (never "allowed" where AWS may deny) and report it as uncertain (asserted); the
//   other simulator takes the granting one.
// - rcp-unsupported-service: an RCP Deny on an action of a service that does not support RCPs (IAM, EC2,
//   Organizations …: "RCPs apply to … the following AWS services",
//   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html): we ignore it, the other
//   simulator applies it. Asserted: without the RCPs it agrees with us.
// - session-arn-grant-with-session-policy: a same-account resource policy that names the role-session ARN, with a
//   session policy that does not allow. "A resource-based policy can specify the ARN of the session as a principal. In
//   that case, the permissions from the resource-based policy are added after the session is created. The
//   resource-based policy permissions are not limited by the session policy"
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session; also STS
//   GetFederationToken: "These permissions are granted in addition to the permissions that are granted by the session
//   policies", https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html). We allow; the other
//   simulator limits the grant by the session policy.
import * as assert from 'assert';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { rcpApplies } from '../../../src/core/policy/guardrails';
import { simulateRequest } from '../../../src/core/policy/simulate';
import { ACCOUNT, generateCases, type GeneratedCase } from './generate';

type Verdict = 'Allowed' | 'ExplicitDeny' | 'ImplicitDeny' | 'error';

const full = (p: unknown) => JSON.stringify(p) === JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });

function toSimulation(c: GeneratedCase): Simulation {
  const org = (levels: unknown[][] | null, prefix: string, skip: (p: unknown) => boolean) =>
    (levels ?? []).map((level, i) => ({ orgIdentifier: `${prefix}-${i}`, policies: level.filter((p) => !skip(p)).map((p, j) => ({ name: `${prefix}${i}-${j}`, policy: p })) }));
  const sim: Simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount ?? ACCOUNT },
      // The other simulator does not derive aws:PrincipalArn from the principal yet: give it to both.
      contextVariables: { ...c.context, 'aws:PrincipalArn': c.roleArn },
    },
    identityPolicies: c.identityPolicies.map((p, i) => ({ name: `identity${i}`, policy: p })),
    serviceControlPolicies: org(c.serviceControlPolicies, 'scp', () => false),
    // It applies RCPFullAWSAccess implicitly, as AWS does, and refuses it as an input.
    resourceControlPolicies: org(c.resourceControlPolicies, 'rcp', full),
  };
  if (c.resourcePolicy) sim.resourcePolicy = c.resourcePolicy;
  if (c.permissionsBoundary) sim.permissionBoundaryPolicies = [{ name: 'boundary', policy: c.permissionsBoundary }];
  if (c.sessionPolicy) sim.sessionPolicy = c.sessionPolicy;
  return sim;
}

async function theirs(c: GeneratedCase): Promise<{ verdict: Verdict; detail?: string }> {
  const r = await runSimulation(toSimulation(c), {});
  if (r.resultType === 'error') return { verdict: 'error', detail: JSON.stringify(r.errors).slice(0, 300) };
  const map: Record<string, Verdict> = { Allowed: 'Allowed', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' };
  return { verdict: map[r.overallResult] ?? 'error', detail: r.overallResult };
}

async function classify(c: GeneratedCase, ours: Record<string, unknown>, oursVerdict: Verdict, other: Verdict): Promise<string | undefined> {
  const uncertain = (ours.uncertain as string[] | undefined) ?? [];
  if (c.action.startsWith('kms:') && !c.resourcePolicy && oursVerdict === 'Allowed' && other === 'ImplicitDeny' &&
    uncertain.some((u) => /key policy decides/.test(u))) return 'kms-key-policy-not-given';
  const statements = ((c.resourcePolicy as { Statement?: Array<Record<string, unknown>> } | null)?.Statement ?? []);
  if (!c.resourceAccount && oursVerdict === 'ImplicitDeny' && other === 'Allowed' && (c.permissionsBoundary || c.sessionPolicy) &&
    statements.some((s) => s.Effect === 'Allow' && (s.Principal === '*' || s.NotPrincipal !== undefined)) &&
    uncertain.some((u) => /Principal "\*"/.test(u))) return 'principal-star-same-account';
  if (!rcpApplies(c.action) && c.resourceControlPolicies && (await theirs({ ...c, resourceControlPolicies: null })).verdict === oursVerdict) {
    return 'rcp-unsupported-service';
  }
  if (!c.resourceAccount && c.sessionPolicy && oursVerdict === 'Allowed' && other === 'ImplicitDeny' &&
    statements.some((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal) === JSON.stringify({ AWS: c.principal }))) return 'session-arn-grant-with-session-policy';
  return undefined;
}

describe('policy/differential (against @cloud-copilot/iam-simulate)', function () {
  this.timeout(60_000);

  it('agrees on 2,000 generated cases except the documented classes', async () => {
    const cases = generateCases(2000);
    const tally: Record<string, number> = {};
    const unexplained: string[] = [];
    // The other simulator reads its service data asynchronously: ask for 500 cases at a time to overlap the reads.
    const answers: Array<{ verdict: Verdict; detail?: string }> = [];
    for (let i = 0; i < cases.length; i += 500) answers.push(...(await Promise.all(cases.slice(i, i + 500).map(theirs))));
    for (const [i, c] of cases.entries()) {
      const ours = simulateRequest(c);
      const mine: Verdict = ours.error ? 'error' : (ours.decision as Verdict);
      const other = answers[i];
      if (mine === other.verdict) {
        tally[`agree:${mine}`] = (tally[`agree:${mine}`] ?? 0) + 1;
        continue;
      }
      const cls = await classify(c, ours, mine, other.verdict);
      if (cls) tally[cls] = (tally[cls] ?? 0) + 1;
      else if (unexplained.length < 5) unexplained.push(`${c.id}: ours ${JSON.stringify(ours)} theirs ${other.verdict} ${other.detail ?? ''}\n${JSON.stringify(c)}`);
      else unexplained.push(c.id);
    }
    assert.deepStrictEqual(unexplained, [], `unexplained disagreements (${JSON.stringify(tally)})`);
    // The generator must exercise every outcome, and the documented classes must stay a small minority.
    for (const v of ['Allowed', 'ExplicitDeny', 'ImplicitDeny']) assert.ok((tally[`agree:${v}`] ?? 0) >= 50, `too few agreeing ${v}: ${JSON.stringify(tally)}`);
    const agreed = Object.entries(tally).filter(([k]) => k.startsWith('agree:')).reduce((n, [, v]) => n + v, 0);
    assert.ok(agreed >= cases.length * 0.95, JSON.stringify(tally));
  });
});
