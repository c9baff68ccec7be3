// The organisation guardrails that apply to an account: its SCPs (or RCPs), level by level from the organisation root
// down to the account, as the evaluator wants them (PolicySet.serviceControlPolicies / resourceControlPolicies).
//
// Calls (AWS Organizations API Reference): ListParents walks from the account up to the root; ListPoliciesForTarget
// (Filter SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY, paginated) lists each level's policies; DescribePolicy
// returns each policy's content. "For a permission to be allowed for a specific account, there must be an explicit
// Allow statement at every level from the root through each OU in the direct path to the account"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
// These calls work only from the management account or a delegated administrator
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html).
//
// Nothing here throws: a responder often cannot read the organisation. Any failure becomes
// { ok: false, note: "guardrails not checked: <why>" } so the preview can say so instead of pretending there are none.
// An account outside any organisation has no SCPs: { ok: true, levels: [] } with a note.
// Results are cached per account and policy type (default 5 minutes), and policy contents per policy ID.
import { DescribePolicyCommand, ListParentsCommand, ListPoliciesForTargetCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { parsePolicyText } from '../policy/parse';
import type { NamedPolicy } from '../policy/types';
import { errorFacts, translateAwsError } from './errors';

export type GuardrailType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

export interface GuardrailLevel {
  /** r-…, ou-… or the account ID. */
  targetId: string;
  type: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';
  policies: NamedPolicy[];
}

export type GuardrailsOutcome =
  | { ok: true; levels: GuardrailLevel[]; note?: string }
  | { ok: false; note: string; code?: string };

export interface GuardrailOptions {
  type?: GuardrailType;
  cache?: GuardrailCache;
  abortSignal?: AbortSignal;
}

/** The levels as PolicySet wants them (root first), or null when there are none to apply. */
export function guardrailPolicies(outcome: GuardrailsOutcome): NamedPolicy[][] | null {
  return outcome.ok && outcome.levels.length ? outcome.levels.map((l) => l.policies) : null;
}

/** A time-bounded cache of outcomes (per account and type) and of policy documents (per policy ID). */
export class GuardrailCache {
  private readonly outcomes = new Map<string, { at: number; value: Promise<GuardrailsOutcome> }>();
  readonly documents = new Map<string, NamedPolicy>();
  constructor(private readonly ttlMs = 5 * 60_000, private readonly now: () => number = Date.now) {}

  get(key: string, load: () => Promise<GuardrailsOutcome>): Promise<GuardrailsOutcome> {
    const hit = this.outcomes.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = load().then((v) => {
      // Failures are not kept: the next preview asks again (a permission may have been granted meanwhile).
      if (!v.ok) this.outcomes.delete(key);
      return v;
    });
    this.outcomes.set(key, { at: this.now(), value });
    return value;
  }

  clear(): void {
    this.outcomes.clear();
    this.documents.clear();
  }
}

const defaultCache = new GuardrailCache();
const MAX_LEVELS = 8; // root + at most five OU levels + the account, with room to spare

function whyNot(err: unknown, type: GuardrailType): { note: string; code?: string } {
  const { code } = errorFacts(err);
  const what = type === 'SERVICE_CONTROL_POLICY' ? 'SCPs' : 'RCPs';
  if (code === 'AccessDeniedException' || code === 'AccessDenied') {
    return {
      code,
      note: `guardrails not checked: no permission to read the organisation's ${what} (organizations:ListParents, ` +
        'ListPoliciesForTarget and DescribePolicy work only from the management account or a delegated administrator)',
    };
  }
  const t = translateAwsError(err, { operation: 'Organizations' });
  return { code: t.awsCode, note: `guardrails not checked: ${t.message}` };
}

/** Fetches the SCPs (default) or RCPs that apply to `accountId`, root first. Never throws. */
export function fetchGuardrails(client: OrganizationsClient, accountId: string, opts: GuardrailOptions = {}): Promise<GuardrailsOutcome> {
  const type = opts.type ?? 'SERVICE_CONTROL_POLICY';
  const cache = opts.cache ?? defaultCache;
  return cache.get(`${type}:${accountId}`, () => load(client, accountId, type, cache, opts.abortSignal));
}

async function load(client: OrganizationsClient, accountId: string, type: GuardrailType, cache: GuardrailCache, abortSignal?: AbortSignal): Promise<GuardrailsOutcome> {
  const send = { abortSignal };
  const kind = type === 'SERVICE_CONTROL_POLICY' ? 'scp' : 'rcp';
  try {
    // Account → … → root.
    const path: Array<{ targetId: string; type: GuardrailLevel['type'] }> = [{ targetId: accountId, type: 'ACCOUNT' }];
    for (let child = accountId; ;) {
      if (path.length > MAX_LEVELS) return { ok: false, note: 'guardrails not checked: the organisation path of the account is deeper than expected' };
      const r = await client.send(new ListParentsCommand({ ChildId: child }), send);
      const parent = r.Parents?.[0];
      if (!parent?.Id || (parent.Type !== 'ROOT' && parent.Type !== 'ORGANIZATIONAL_UNIT')) {
        return { ok: false, note: `guardrails not checked: Organizations returned no parent for ${child}` };
      }
      path.push({ targetId: parent.Id, type: parent.Type });
      if (parent.Type === 'ROOT') break;
      child = parent.Id;
    }
    path.reverse();
    const levels: GuardrailLevel[] = [];
    for (const target of path) {
      const policies: NamedPolicy[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListPoliciesForTargetCommand({ TargetId: target.targetId, Filter: type, NextToken: token }), send);
        for (const summary of page.Policies ?? []) {
          if (!summary.Id) continue;
          let doc = cache.documents.get(summary.Id);
          if (!doc) {
            const d = await client.send(new DescribePolicyCommand({ PolicyId: summary.Id }), send);
            const content = d.Policy?.Content ?? '';
            const name = `${kind}:${d.Policy?.PolicySummary?.Name ?? summary.Name ?? summary.Id} (${summary.Id}) at ${target.targetId}`;
            const parsed = parsePolicyText(content, kind);
            const errors = parsed.problems.filter((p) => p.severity === 'error');
            if (!parsed.document || errors.length) {
              return { ok: false, note: `guardrails not checked: ${summary.Id} is not a policy this engine can read (${errors[0]?.message ?? 'no document'})` };
            }
            doc = { name, kind, document: parsed.document };
            cache.documents.set(summary.Id, doc);
          }
          policies.push(doc);
        }
        token = page.NextToken;
      } while (token);
      levels.push({ ...target, policies });
    }
    return { ok: true, levels };
  } catch (err) {
    const { code } = errorFacts(err);
    if (code === 'AWSOrganizationsNotInUseException') {
      return { ok: true, levels: [], note: 'the account is not in an organisation: no SCPs or RCPs apply' };
    }
    if (code === 'PolicyTypeNotEnabledException') {
      return { ok: true, levels: [], note: `${type === 'SERVICE_CONTROL_POLICY' ? 'SCPs are' : 'RCPs are'} not enabled in the organisation: none apply` };
    }
    return { ok: false, ...whyNot(err, type) };
  }
}
