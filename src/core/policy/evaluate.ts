// The decision for one request, in AWS's documented order ("Policy evaluation logic",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html, and "How AWS enforcement
// code logic evaluates requests to allow or deny access",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
// 1. an explicit Deny in any statement of any applicable policy (SCPs, RCPs, resource-based policy, identity-based
//    policies, permissions boundary, session policies) wins;
// 2. SCPs (the principal's account): every level from the organisation root down to the account must allow
//    ("Service control policies": "For a permission to be allowed for a specific account, there must be an explicit
//    Allow statement at every level from the root through each OU in the direct path to the account" —
//    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html);
// 3. RCPs (the resource's account), for the services that support RCPs (guardrails.ts): "The RCPFullAWSAccess policy
//    … is automatically attached to the organization root, every OU, and every account … You cannot detach this
//    policy", and "any RCP from the root through each OU in the direct path to the account … can deny"
//    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html): every
//    level implicitly allows, so RCPs only ever deny;
// 4. the resource-based policy: within one account, a statement naming the caller's user ARN or role-session ARN
//    allows the request by itself, one naming the role's ARN still needs the permissions boundary and session policies
//    (if any) to allow, and one naming the account delegates to the identity-based policies ("Permissions boundaries
//    for IAM entities", https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html, and "Session
//    policies", https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session); across
//    accounts both sides must allow ("Cross-account policy evaluation logic",
//    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html);
// 5. otherwise the identity-based policies AND the permissions boundary (when there is one) AND the session policies
//    (when there are any) must allow — the intersection;
// 6. otherwise it is implicitly denied.
// Session policies passed together (an inline policy plus managed PolicyArns) form one layer: any of them allowing
// counts as the session layer allowing.
//
// Outside policy evaluation: sts:GetCallerIdentity needs no permission and works even under an explicit Deny ("No
// permissions are required to perform this operation. If an administrator attaches a policy to your identity that
// explicitly denies access to the sts:GetCallerIdentity action, you can still perform this operation" —
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html); and some resources are protected
// by AWS whatever the policies say (protections.ts): the decision is then 'AwsProtected', a reason of its own.
//
// KMS keys: "Every KMS key must have exactly one key policy … no AWS principal, including the account root user, has
// any permissions on a KMS key unless the key policy allows it"; identity-based policies count only where the key
// policy allows the account principal ("Default key policy", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
// With a key policy given (resourcePolicy on a key ARN) that is enforced; without one the decision is reported as
// uncertain (the key policy decides).
//
// Not modelled (documented gaps): role trust policies; VPC endpoint policies; SCPs not applying to the management
// account and to service-linked roles.
import { compilePolicy, type CompiledPolicy, type PrincipalMatch } from './compile';
import { rcpApplies } from './guardrails';
import { awsProtection, type AwsProtection } from './protections';
import type { NamedPolicy } from './types';

export type Decision = 'Allowed' | 'ExplicitDeny' | 'ImplicitDeny' | 'AwsProtected';

export interface RequestContext {
  /** The calling principal's ARN (user, assumed-role session, ...). Also supplies aws:PrincipalArn/aws:username. */
  principal?: string;
  /**
   * For a role-session principal: the role's ARN with its path (arn:aws:iam::111122223333:role/incident-response/NAME),
   * from the configuration or IAM. It is aws:PrincipalArn, and what a role ARN in a resource policy is compared with.
   */
  roleArn?: string;
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** The resource ARN, or `*` for actions without resource types. */
  resource: string;
  /** The 12-digit account that owns the resource; default: the principal's account. */
  resourceAccount?: string;
  /** Condition context keys (names case-insensitive) → a value or a list of values. */
  context: Record<string, string | string[]>;
}

export interface PolicySet {
  identity: NamedPolicy[];
  boundary?: NamedPolicy | null;
  /** Inline session policy and/or resolved managed PolicyArns; null/undefined (or empty) = no session policy. */
  session?: NamedPolicy[] | null;
  /** SCP levels from the organisation root down to the principal's account; null/undefined = no SCPs. */
  serviceControlPolicies?: NamedPolicy[][] | null;
  /** RCP levels from the organisation root down to the resource's account; null/undefined = no RCPs. */
  resourceControlPolicies?: NamedPolicy[][] | null;
  /** The resource-based policy attached to the resource (bucket, key, queue policy …); null/undefined = none. */
  resourcePolicy?: NamedPolicy | null;
}

export type PolicyLayer = 'identity' | 'boundary' | 'session' | 'scp' | 'rcp' | 'resource';

export interface DecidingStatement {
  policy: string;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  layer: PolicyLayer;
  /** SCP/RCP statements: the level, 0 = the organisation root. */
  level?: number;
  /** Resource-policy statements: how the Principal names the caller. */
  principalMatch?: Exclude<PrincipalMatch, 'none'>;
}

export interface UncertainStatement extends DecidingStatement {
  /** Why AWS's documentation does not settle what this statement does for this request. */
  reason: string;
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
  /** For ImplicitDeny by SCPs/RCPs: the levels (0 = root) with no applicable Allow. */
  missingLevels: Array<{ layer: 'scp' | 'rcp'; level: number }>;
  /** Statements that apply (action and resource match) but whose meaning here is not settled; see compile.ts. */
  uncertain: UncertainStatement[];
  /** 'AwsProtected': the protection. */
  protection?: AwsProtection;
  /** 'AwsProtected': what the policies alone would have decided. */
  policyDecision?: Exclude<Decision, 'AwsProtected'>;
  /** Why the decision is not a policy decision (sts:GetCallerIdentity; an AWS protection). */
  note?: string;
}

interface Scan {
  denies: DecidingStatement[];
  allows: DecidingStatement[];
  uncertain: UncertainStatement[];
}

/** Scans one policy, pushing applicable statements; returns the Allow statements that applied. */
function scan(compiled: CompiledPolicy, layer: PolicyLayer, request: RequestContext, out: Scan, level?: number): DecidingStatement[] {
  const allowed: DecidingStatement[] = [];
  const statements = compiled.statements;
  for (let i = 0; i < statements.length; i++) {
    const s = statements[i];
    // Cheapest test first; appliesTo repeats it, but the action miss is by far the common case.
    if (!s.matchesAction(request.action) || !s.matchesResource(request.resource, request)) continue;
    let principalMatch: PrincipalMatch | undefined;
    if (layer === 'resource') {
      principalMatch = s.matchesPrincipal(request);
      if (principalMatch === 'none') continue;
    }
    const d: DecidingStatement = { policy: s.policy, statementIndex: s.index, effect: s.effect, layer };
    if (s.sid !== undefined) d.sid = s.sid;
    if (level !== undefined) d.level = level;
    if (principalMatch !== undefined) d.principalMatch = principalMatch as Exclude<PrincipalMatch, 'none'>;
    const why = s.uncertainty(request);
    if (why) out.uncertain.push({ ...d, reason: why });
    if (!s.conditionsMatch(request)) continue;
    if (s.effect === 'Deny') out.denies.push(d);
    else {
      out.allows.push(d);
      allowed.push(d);
    }
  }
  return allowed;
}

function scanLayer(policies: readonly NamedPolicy[], layer: PolicyLayer, request: RequestContext, out: Scan, level?: number): DecidingStatement[] {
  const allowed: DecidingStatement[] = [];
  for (const p of policies) allowed.push(...scan(compilePolicy(p), layer, request, out, level));
  return allowed;
}

const GET_CALLER_IDENTITY = 'sts:getcalleridentity';
const KMS_KEY = /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:key\//;
const ACCOUNT = /^\d{12}$/;

/** The 12-digit account of an ARN, if it has one. */
export function arnAccount(arn: string | undefined): string | undefined {
  const a = arn?.split(':')[4];
  return a && ACCOUNT.test(a) ? a : undefined;
}

/** Evaluates one request. Never throws: malformed statements do not apply (callers validate documents first). */
export function evaluate(request: RequestContext, policies: PolicySet): Evaluation {
  const base = { missingLevels: [] as Evaluation['missingLevels'] };
  if (request.action.toLowerCase() === GET_CALLER_IDENTITY) {
    return {
      decision: 'Allowed', deciding: [], missingAllow: [], ...base, uncertain: [],
      note: 'sts:GetCallerIdentity needs no permission and works even under an explicit Deny (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)',
    };
  }
  const result = evaluatePolicies(request, policies);
  const protection = awsProtection(request.action, request.resource);
  if (!protection) return result;
  return { ...result, decision: 'AwsProtected', policyDecision: result.decision as Exclude<Decision, 'AwsProtected'>, protection, note: `${protection.reason} (${protection.url})` };
}

function evaluatePolicies(request: RequestContext, policies: PolicySet): Evaluation {
  const out: Scan = { denies: [], allows: [], uncertain: [] };
  const identity = scanLayer(policies.identity ?? [], 'identity', request, out).length > 0;
  const boundary = policies.boundary ? scanLayer([policies.boundary], 'boundary', request, out).length > 0 : undefined;
  const sessionPolicies = policies.session ?? [];
  const session = sessionPolicies.length ? scanLayer(sessionPolicies, 'session', request, out).length > 0 : undefined;
  const missingLevels: Evaluation['missingLevels'] = [];
  const guardrail = (layer: 'scp' | 'rcp', levels: NamedPolicy[][] | null | undefined): boolean => {
    let ok = true;
    (levels ?? []).forEach((level, i) => {
      if (!scanLayer(level, layer, request, out, i).length) {
        ok = false;
        missingLevels.push({ layer, level: i });
      }
    });
    return ok;
  };
  const scpOk = guardrail('scp', policies.serviceControlPolicies);
  // RCP levels only contribute Denies: RCPFullAWSAccess, attached at every level, allows.
  if (rcpApplies(request.action)) (policies.resourceControlPolicies ?? []).forEach((level, i) => scanLayer(level, 'rcp', request, out, i));
  const rcpOk = true;
  const resourceAllows = policies.resourcePolicy ? scanLayer([policies.resourcePolicy], 'resource', request, out) : [];
  const { denies, allows, uncertain } = out;
  if (denies.length) return { decision: 'ExplicitDeny', deciding: denies, missingAllow: [], missingLevels: [], uncertain };

  const missingAllow: PolicyLayer[] = [];
  if (!scpOk) missingAllow.push('scp');
  if (!rcpOk) missingAllow.push('rcp');
  const principalAccount = arnAccount(request.principal);
  const crossAccount = request.resourceAccount !== undefined && principalAccount !== undefined && request.resourceAccount !== principalAccount;
  const sessionSideOk = boundary !== false && session !== false;
  const matches = new Set(resourceAllows.map((d) => d.principalMatch));
  const kmsKey = KMS_KEY.test(request.resource);
  if (kmsKey && !policies.resourcePolicy) {
    out.uncertain.push({ policy: '(key policy)', statementIndex: -1, effect: 'Allow', layer: 'resource', reason: 'the KMS key policy decides whether IAM policies apply to this key, and it was not given' });
  }
  // A KMS key policy that does not allow the account principal leaves the identity-based policies without effect.
  const identityCounts = !(kmsKey && policies.resourcePolicy) || matches.has('account');
  let allowed: boolean;
  if (kmsKey && policies.resourcePolicy && !identityCounts && !matches.size) {
    allowed = false;
    missingAllow.push('resource');
  } else if (crossAccount) {
    // Both sides: the identity side (identity ∩ boundary ∩ session) and the resource policy naming the caller.
    allowed = identity && sessionSideOk && resourceAllows.length > 0;
    if (!identity) missingAllow.push('identity');
    if (boundary === false) missingAllow.push('boundary');
    if (session === false) missingAllow.push('session');
    if (!resourceAllows.length) missingAllow.push('resource');
  } else if (matches.has('session') || matches.has('user')) {
    allowed = true;
  } else if (matches.has('role') || matches.has('any')) {
    allowed = sessionSideOk;
    if (!allowed && !matches.has('role')) {
      const d = resourceAllows.find((x) => x.principalMatch === 'any') as DecidingStatement;
      out.uncertain.push({ ...d, reason: 'grants to Principal "*" (or via NotPrincipal): AWS documents session and user ARNs as not limited by the permissions boundary and session policy, and role ARNs as limited, but not "*"; taken as limited' });
    }
    if (boundary === false) missingAllow.push('boundary');
    if (session === false) missingAllow.push('session');
  } else {
    allowed = identity && identityCounts && sessionSideOk;
    if (!identity) missingAllow.push('identity');
    if (!identityCounts) missingAllow.push('resource');
    if (boundary === false) missingAllow.push('boundary');
    if (session === false) missingAllow.push('session');
  }
  if (!allowed || !scpOk || !rcpOk) {
    return { decision: 'ImplicitDeny', deciding: allows, missingAllow: [...new Set(missingAllow)], missingLevels, uncertain };
  }
  return { decision: 'Allowed', deciding: allows, missingAllow: [], missingLevels: [], uncertain };
}

/** Just the decision (no explanation), for hot loops. */
export function decide(request: RequestContext, policies: PolicySet): Decision {
  return evaluate(request, policies).decision;
}
