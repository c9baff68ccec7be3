// The decision for one request against identity-based policies, an optional permissions boundary and optional
// session policies, in a single account.
//
// Per "Policy evaluation logic" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
// and "How AWS enforcement code logic evaluates requests to allow or deny access"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
// 1. an explicit Deny in any statement of any applicable policy wins;
// 2. otherwise the request is allowed only if the identity-based policies allow it AND the permissions boundary (when
//    there is one) allows it AND the session policies (when there are any) allow it — the effective permissions are
//    the intersection of the layers;
// 3. otherwise it is implicitly denied.
// Session policies passed together (an inline policy plus managed PolicyArns) form one layer: any of them allowing
// counts as the session layer allowing. Resource-based policies, SCPs and RCPs are out of scope.
import { compilePolicy, type CompiledPolicy } from './compile';
import type { NamedPolicy } from './types';

export type Decision = 'Allowed' | 'ExplicitDeny' | 'ImplicitDeny';

export interface RequestContext {
  /** The calling principal's ARN (user, assumed-role session, ...). Also supplies aws:PrincipalArn/aws:username. */
  principal?: string;
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** The resource ARN, or `*` for actions without resource types. */
  resource: string;
  /** Condition context keys (names case-insensitive) → a value or a list of values. */
  context: Record<string, string | string[]>;
}

export interface PolicySet {
  identity: NamedPolicy[];
  boundary?: NamedPolicy | null;
  /** Inline session policy and/or resolved managed PolicyArns; null/undefined (or empty) = no session policy. */
  session?: NamedPolicy[] | null;
}

export type PolicyLayer = 'identity' | 'boundary' | 'session';

export interface DecidingStatement {
  policy: string;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  layer: PolicyLayer;
}

export interface Evaluation {
  decision: Decision;
  /**
   * ExplicitDeny: every Deny statement that applies. Allowed: every Allow statement that applies, in every layer.
   * ImplicitDeny: the Allow statements that did apply (in the layers that allowed), if any.
   */
  deciding: DecidingStatement[];
  /** For ImplicitDeny: which layer(s) had no applicable Allow. Empty otherwise. */
  missingAllow: PolicyLayer[];
}

/** Scans one policy, pushing applicable statements; returns whether any Allow applied. */
function scan(
  compiled: CompiledPolicy, layer: PolicyLayer, request: RequestContext,
  denies: DecidingStatement[], allows: DecidingStatement[],
): boolean {
  let allowed = false;
  const statements = compiled.statements;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    // Cheapest test first; appliesTo repeats it, but the action miss is by far the common case.
    if (!s.matchesAction(request.action) || !s.appliesTo(request)) continue;
    const d: DecidingStatement = { policy: s.policy, statementIndex: s.index, effect: s.effect, layer };
    if (s.sid !== undefined) d.sid = s.sid;
    if (s.effect === 'Deny') denies.push(d);
    else {
      allows.push(d);
      allowed = true;
    }
  }
  return allowed;
}

function scanLayer(
  policies: readonly NamedPolicy[], layer: PolicyLayer, request: RequestContext,
  denies: DecidingStatement[], allows: DecidingStatement[],
): boolean {
  let allowed = false;
  for (const p of policies) if (scan(compilePolicy(p), layer, request, denies, allows)) allowed = true;
  return allowed;
}

/** Evaluates one request. Never throws: malformed statements simply do not apply. */
export function evaluate(request: RequestContext, policies: PolicySet): Evaluation {
  const denies: DecidingStatement[] = [];
  const allows: DecidingStatement[] = [];
  const identity = scanLayer(policies.identity ?? [], 'identity', request, denies, allows);
  const boundary = policies.boundary ? scanLayer([policies.boundary], 'boundary', request, denies, allows) : undefined;
  const sessionPolicies = policies.session ?? [];
  const session = sessionPolicies.length ? scanLayer(sessionPolicies, 'session', request, denies, allows) : undefined;
  if (denies.length) return { decision: 'ExplicitDeny', deciding: denies, missingAllow: [] };
  const missingAllow: PolicyLayer[] = [];
  if (!identity) missingAllow.push('identity');
  if (boundary === false) missingAllow.push('boundary');
  if (session === false) missingAllow.push('session');
  if (missingAllow.length) return { decision: 'ImplicitDeny', deciding: allows, missingAllow };
  return { decision: 'Allowed', deciding: allows, missingAllow };
}

/** Just the decision (no explanation), for hot loops. */
export function decide(request: RequestContext, policies: PolicySet): Decision {
  return evaluate(request, policies).decision;
}
