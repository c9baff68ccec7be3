// Where policies come from, by one string a responder can type: a JSON policy file, an AWS managed policy ARN, a
// built-in session-policy template (playbook) name or a built-in role template name. Used by the CLI (`--identity`,
// `--boundary`, `--session`) and the editor views.
import { promises as fsp } from 'fs';
import * as path from 'path';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../templates';
import { closestMatches } from './catalog';
import { getManagedPolicy, isManagedPolicyArn, listManagedPolicies, suggestManagedPolicies } from './managed';
import { parsePolicyText, type PolicyProblem } from './parse';
import type { NamedPolicy, PolicyKind } from './types';

/** A role template's policies in the shape the evaluator wants. */
export interface RoleTemplatePolicies {
  /** The managed policies (by ARN) and the inline policies (named "<template>/<PolicyName>"). */
  identity: NamedPolicy[];
  /** The permissions boundary, or null when the template has none. */
  boundary: NamedPolicy | null;
  /** Seconds. */
  maxSessionDuration: number;
}

/** The role template's identity policies, boundary and MaxSessionDuration. Throws for an unknown name. */
export function loadRoleTemplate(name: string): RoleTemplatePolicies {
  const t = ROLE_TEMPLATES[name];
  if (!t) {
    throw new Error(`'${name}' is not a role template (known: ${Object.keys(ROLE_TEMPLATES).join(', ')})` +
      didYouMean(closestMatches(name, Object.keys(ROLE_TEMPLATES))));
  }
  const identity: NamedPolicy[] = t.managedPolicies.map((arn) => managedOrThrow(arn, `role template ${name}`));
  for (const [policyName, document] of Object.entries(t.inlinePolicies)) {
    identity.push({ name: `${name}/${policyName}`, document });
  }
  const boundary = t.permissionsBoundary ? managedOrThrow(t.permissionsBoundary, `role template ${name}`) : null;
  return { identity, boundary, maxSessionDuration: t.maxSessionDuration };
}

function managedOrThrow(arn: string, where: string): NamedPolicy {
  const p = getManagedPolicy(arn);
  if (!p) throw new Error(`${where} refers to ${arn}, which is not in the bundled AWS managed policy data. Rebuild the data.`);
  return p;
}

/**
 * Resolves a policy reference to the policies it stands for:
 * - `arn:aws:iam::aws:policy/...` (also aws-cn / aws-us-gov): that AWS managed policy's default version;
 * - a session-policy template name (read_only_investigation, containment_actions, ...): that one policy;
 * - a role template name (incident_responder, ...): its managed and inline policies (use loadRoleTemplate for the
 *   boundary too);
 * - otherwise a path to a JSON policy document, relative to `cwd`.
 * Errors name what was tried and suggest the closest known names.
 */
export async function loadPolicySource(ref: string, cwd: string, kind: PolicyKind = 'identity'): Promise<NamedPolicy[]> {
  const loaded = await loadPolicySourceAs(ref, cwd, kind);
  return kind === 'identity' ? loaded : loaded.map((p) => (p.kind === kind ? p : { ...p, kind }));
}

async function loadPolicySourceAs(ref: string, cwd: string, kind: PolicyKind): Promise<NamedPolicy[]> {
  const r = ref.trim();
  if (!r) throw new Error('Empty policy reference: give a policy file, an AWS managed policy ARN or a template name.');
  if (r.startsWith('arn:')) {
    if (!isManagedPolicyArn(r)) {
      throw new Error(`${r} is not an AWS managed policy ARN (arn:aws:iam::aws:policy/NAME). Customer managed policies ` +
        'are not available offline: save the policy document to a JSON file and pass the file.');
    }
    const p = getManagedPolicy(r);
    if (!p) {
      throw new Error(`${r} is not an AWS managed policy known to this build (${listManagedPolicies().length} are)` +
        didYouMean(suggestManagedPolicies(r)));
    }
    return [p];
  }
  const session = SESSION_POLICY_TEMPLATES[r];
  if (session) return [{ name: session.name, document: session.policy }];
  if (ROLE_TEMPLATES[r]) return loadRoleTemplate(r).identity;

  const file = path.resolve(cwd, r);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new Error(`Cannot read policy file ${r}: ${(e as Error).message}`);
    throw new Error(unknownRefMessage(r, file));
  }
  return [parsePolicyFile(text, r, kind)];
}

/** Parses a policy file's text; throws an actionable error (file, JSON path, line:column, how to fix) on errors. */
export function parsePolicyFile(text: string, name: string, kind: PolicyKind = 'identity'): NamedPolicy {
  const parsed = parsePolicyText(text, kind);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length || !parsed.document) {
    const lines = errors.length ? errors.slice(0, 5).map((p) => `  ${formatProblem(name, p)}`) : [`  ${name}: no policy document`];
    if (errors.length > 5) lines.push(`  … and ${errors.length - 5} more`);
    throw new Error(`${name} is not a valid IAM policy document:\n${lines.join('\n')}\n` +
      'Fix the JSON at the positions shown (an IAM policy is {"Version": "2012-10-17", "Statement": [...]}), then retry.');
  }
  return kind === 'identity' ? { name, document: parsed.document } : { name, kind, document: parsed.document };
}

function formatProblem(file: string, p: PolicyProblem): string {
  const at = p.position ? `${file}:${p.position.line + 1}:${p.position.column + 1}` : file;
  return `${at}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

function didYouMean(candidates: string[]): string {
  return candidates.length ? `. Did you mean ${candidates.map((c) => `'${c}'`).join(' or ')}?` : '.';
}

function unknownRefMessage(ref: string, file: string): string {
  const templates = [...Object.keys(SESSION_POLICY_TEMPLATES), ...Object.keys(ROLE_TEMPLATES)];
  const suggestions = closestMatches(ref, templates, 2);
  const bareName = path.basename(ref).replace(/\.json$/i, '');
  if (!/[\\/]/.test(ref)) suggestions.push(...suggestManagedPolicies(bareName, 2));
  return `Cannot resolve policy '${ref}': it is not a file (${file} does not exist), not an AWS managed policy ARN ` +
    `and not a built-in template (session: ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')}; role: ` +
    `${Object.keys(ROLE_TEMPLATES).join(', ')})` + didYouMean([...new Set(suggestions)].slice(0, 3));
}
