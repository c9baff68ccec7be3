// The provisioning use-case, shared by `breakglass provision` and "Break Glass: Provision…": plan every account
// (reading IAM, writing nothing), show the plan, then apply it. An account that cannot be reached or read is
// reported and the others go on.
import type { AwsClients } from '../aws/clients';
import { translateAwsError } from '../aws/errors';
import type { Partition } from '../config';
import { applyAccountPlan, type AccountResult, type ApplyPorts } from './apply';
import type { DesiredState } from './desired';
import { observeAccount } from './observe';
import { planAccount, type AccountPlan } from './plan';
import { evaluatePasswordPolicy } from '../readiness/drill';

export interface ProvisionDeps {
  /** Clients whose credentials belong to the given account (see access.ts). */
  clientsFor(accountId: string, partition: Partition): Promise<AwsClients>;
}

export interface ProvisionPlan {
  accounts: Array<AccountPlan & { partition: Partition; error?: string }>;
  notes: string[];
}

const reason = (e: unknown) => {
  const t = translateAwsError(e);
  return `${t.title}: ${t.message}`;
};

export async function planProvisioning(desired: DesiredState, deps: ProvisionDeps): Promise<ProvisionPlan> {
  const notes = [...desired.notes];
  const accounts = await Promise.all(desired.accounts.map(async (d) => {
    try {
      const clients = await deps.clientsFor(d.accountId, d.partition);
      const observed = await observeAccount(clients.iam(), d);
      if (observed.passwordPolicy !== undefined) {
        // The break-glass users' passwords live under the security account's password policy.
        const pp = evaluatePasswordPolicy(observed.passwordPolicy);
        if (pp.status !== 'pass') notes.push(`${d.name} (${d.accountId}): ${pp.reason} Fix: ${pp.fix}`);
      }
      return { ...planAccount(d, observed), partition: d.partition };
    } catch (e) {
      return { accountId: d.accountId, name: d.name, partition: d.partition, changes: [], error: reason(e) };
    }
  }));
  return { accounts, notes };
}

export async function applyProvisioning(plan: ProvisionPlan, deps: ProvisionDeps, ports: ApplyPorts): Promise<AccountResult[]> {
  return Promise.all(plan.accounts.map(async (a): Promise<AccountResult> => {
    if (a.error) return { accountId: a.accountId, name: a.name, results: [], error: a.error };
    if (!a.changes.length) return { accountId: a.accountId, name: a.name, results: [] };
    try {
      const clients = await deps.clientsFor(a.accountId, a.partition);
      return await applyAccountPlan(clients.iam(), a, ports);
    } catch (e) {
      return { accountId: a.accountId, name: a.name, results: [], error: reason(e) };
    }
  }));
}

export function planCounts(plan: ProvisionPlan): { changes: number; broadening: number; unreachable: number } {
  const all = plan.accounts.flatMap((a) => a.changes);
  return { changes: all.length, broadening: all.filter((c) => c.broadening).length, unreachable: plan.accounts.filter((a) => a.error).length };
}

/** The plan as text: per account, each change with `!` for broadening and its diff indented. */
export function renderPlan(plan: ProvisionPlan, desired: DesiredState): string {
  const out: string[] = [];
  const p = desired.provisioning;
  out.push(`Trusted principals: ${p.trustedPrincipalArns.join(', ')} (security account ${p.securityAccountId}); MFA younger than ${p.mfaMaxAgeSeconds} s.`);
  for (const a of plan.accounts) {
    out.push('', `Account ${a.name} (${a.accountId}):`);
    if (a.error) out.push(`  unreachable — ${a.error}`);
    else if (!a.changes.length) out.push('  up to date, nothing to change');
    for (const c of a.changes) {
      out.push(`  ${c.broadening ? '!' : '+'} ${c.resource}: ${c.summary}${c.broadening ? '  [broadens access: needs --allow-broadening]' : ''}`);
      if (c.diff && c.kind !== 'createRole') out.push(...c.diff.split('\n').map((l) => `      ${l}`));
    }
  }
  for (const n of plan.notes) out.push('', `note: ${n}`);
  const n = planCounts(plan);
  out.push('', `${n.changes} change(s) in ${plan.accounts.filter((a) => a.changes.length).length} account(s)${n.broadening ? `, ${n.broadening} broadening` : ''}${n.unreachable ? `, ${n.unreachable} account(s) unreachable` : ''}.`);
  return out.join('\n') + '\n';
}

export function renderResults(results: AccountResult[]): string {
  const out: string[] = [];
  for (const a of results) {
    const done = a.results.filter((r) => r.status === 'done').length;
    const failed = a.results.filter((r) => r.status === 'failed').length;
    const skipped = a.results.filter((r) => r.status === 'skipped').length;
    out.push(`Account ${a.name} (${a.accountId}): ${a.error ? `not changed — ${a.error}` : `${done} done, ${failed} failed, ${skipped} skipped`}`);
    for (const r of a.results.filter((x) => x.status !== 'done')) out.push(`  ${r.status}: ${r.change.resource}: ${r.change.summary} — ${r.message}`);
  }
  return out.join('\n') + '\n';
}
