// The policy hash an approval is bound to: SHA-256 of exactly what the plan sends to sts:AssumeRole as session policy
// (the minified inline document and the managed policy ARNs, in order), so an approval for one playbook cannot be
// used for a different policy — even one with the same name.
import { createHash } from 'crypto';
import type { ElevationPlan } from '../session/elevate';

export function policyHashOf(input: Pick<ElevationPlan['input'], 'Policy' | 'PolicyArns'>): string {
  const canonical = JSON.stringify({
    policy: input.Policy ?? null,
    policyArns: (input.PolicyArns ?? []).map((p) => p.arn ?? ''),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export function planPolicyHash(plan: Pick<ElevationPlan, 'input'>): string {
  return policyHashOf(plan.input);
}

/** The name shown for a playbook everywhere: `file:/x/y/name.json` → `name`. */
export function playbookDisplayName(playbook: string): string {
  // Audit names of playbook files (src/core/playbooks.ts): workspace:<name>, file:<name> (older logs: file:/abs/x.json).
  const m = /^(?:file|workspace):(.*)$/.exec(playbook);
  if (!m) return playbook;
  return (m[1].split(/[\\/]/).pop() ?? m[1]).replace(/\.json$/i, '');
}
