// Role templates: the four built-ins (src/core/templates.ts, from SEC10-BP05) overridden or extended by a team's
// `.breakglass/roles/*.json` files. Parsing never throws: a bad file contributes one problem per thing that is wrong
// (with the JSON path, so the editor can put a diagnostic on it) and the built-in of that name stays in force.
import { parsePolicyText } from '../policy/parse';
import type { PolicyDocument } from '../policy/types';
import { ROLE_TEMPLATES, type RoleTemplate } from '../templates';

export const ROLE_TEMPLATE_GLOB = '**/.breakglass/roles/*.json';
export const ROLE_TEMPLATE_DIR = '.breakglass/roles';

export interface RoleTemplateProblem {
  file: string;
  /** JSON path inside the file, e.g. `inlinePolicies.Forensics.Statement[0]`; "" for the whole file. */
  path: string;
  message: string;
}

const NAME = /^[a-z][a-z0-9_]{0,40}$/;
const MANAGED_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const INLINE_NAME = /^[\w+=,.@-]{1,128}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One `.breakglass/roles/<name>.json` file: a template named by its `name` field or, without one, by the file name. */
export function parseRoleTemplate(text: string, file: string): { template?: RoleTemplate; problems: RoleTemplateProblem[] } {
  const problems: RoleTemplateProblem[] = [];
  const add = (path: string, message: string) => problems.push({ file, path, message });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    add('', `Not valid JSON (${(e as Error).message}). Fix the syntax and save.`);
    return { problems };
  }
  if (!isObject(raw)) {
    add('', 'A role template is a JSON object: { "description", "maxSessionDuration", "managedPolicies", "inlinePolicies", "permissionsBoundary" }.');
    return { problems };
  }
  const known = ['$schema', 'name', 'description', 'maxSessionDuration', 'managedPolicies', 'inlinePolicies', 'permissionsBoundary'];
  for (const k of Object.keys(raw)) if (!known.includes(k)) add(k, `Unknown field "${k}"; a role template has ${known.slice(1).join(', ')}.`);
  const fromFile = (file.split(/[\\/]/).pop() ?? file).replace(/\.json$/i, '');
  const name = typeof raw.name === 'string' ? raw.name : fromFile;
  if (!NAME.test(name)) add(raw.name !== undefined ? 'name' : '', `Template name "${name}" must be lower-case letters, digits and _ (it becomes the RoleType tag and BREAK-GLASS-${name.toUpperCase()}).`);
  if (typeof raw.description !== 'string' || !raw.description.trim() || raw.description.length > 1000) {
    add('description', 'Give a "description" (1–1000 characters); it becomes the role description.');
  }
  const d = Number(raw.maxSessionDuration);
  if (!Number.isInteger(d) || d < 3600 || d > 43200) add('maxSessionDuration', `"maxSessionDuration" must be whole seconds from 3600 to 43200 (IAM's range), not ${JSON.stringify(raw.maxSessionDuration)}.`);
  const managed = Array.isArray(raw.managedPolicies) ? raw.managedPolicies : undefined;
  if (!managed) add('managedPolicies', '"managedPolicies" must be a list of managed policy ARNs (it may be empty).');
  managed?.forEach((a, i) => {
    if (typeof a !== 'string' || !MANAGED_ARN.test(a)) add(`managedPolicies[${i}]`, `${JSON.stringify(a)} is not a managed policy ARN (arn:aws:iam::aws:policy/NAME).`);
  });
  if (managed && managed.length > 10) add('managedPolicies', `IAM attaches at most 10 managed policies to a role by default; this lists ${managed.length}.`);
  const inline: Record<string, PolicyDocument> = {};
  if (!isObject(raw.inlinePolicies)) add('inlinePolicies', '"inlinePolicies" must be an object of policy name → policy document (it may be {}).');
  else {
    for (const [pn, doc] of Object.entries(raw.inlinePolicies)) {
      const at = `inlinePolicies${/^[\w]+$/.test(pn) ? `.${pn}` : `[${JSON.stringify(pn)}]`}`;
      if (!INLINE_NAME.test(pn)) add(at, `Inline policy name "${pn}" must be 1–128 of letters, digits and +=,.@_-.`);
      const parsed = parsePolicyText(JSON.stringify(doc ?? null));
      const errors = parsed.problems.filter((p) => p.severity === 'error');
      for (const e of errors) add(e.path ? `${at}.${e.path}` : at, e.message);
      if (!errors.length && parsed.document) inline[pn] = parsed.document;
    }
  }
  const boundary = raw.permissionsBoundary;
  if (boundary !== null && (typeof boundary !== 'string' || !MANAGED_ARN.test(boundary))) {
    add('permissionsBoundary', '"permissionsBoundary" must be a managed policy ARN or null (no boundary).');
  }
  if (problems.length) return { problems };
  return {
    problems,
    template: {
      name, description: (raw.description as string).trim(), maxSessionDuration: d, managedPolicies: managed as string[],
      inlinePolicies: inline, permissionsBoundary: (boundary as string | null),
    },
  };
}

/** Built-ins overlaid by the parsed files (a file named like a built-in replaces it; others add templates). */
export function resolveRoleTemplates(files: Array<{ file: string; text: string }>): { templates: Record<string, RoleTemplate>; problems: RoleTemplateProblem[]; overridden: string[] } {
  const templates: Record<string, RoleTemplate> = { ...ROLE_TEMPLATES };
  const problems: RoleTemplateProblem[] = [];
  const overridden: string[] = [];
  const seen = new Map<string, string>();
  for (const f of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
    const r = parseRoleTemplate(f.text, f.file);
    problems.push(...r.problems);
    if (!r.template) continue;
    const prev = seen.get(r.template.name);
    if (prev) {
      problems.push({ file: f.file, path: 'name', message: `Template "${r.template.name}" is also defined in ${prev}; keep one.` });
      continue;
    }
    seen.set(r.template.name, f.file);
    if (ROLE_TEMPLATES[r.template.name]) overridden.push(r.template.name);
    templates[r.template.name] = r.template;
  }
  return { templates, problems, overridden };
}
