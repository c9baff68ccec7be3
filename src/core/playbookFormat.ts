// The playbook file format: `.breakglass/playbooks/*.json`, comments allowed (JSON with comments, as VS Code's jsonc).
//
// Two shapes are accepted, so every existing playbook stays valid:
//   1. a bare IAM session policy document: {"Version": "2012-10-17", "Statement": [...]} (the format until now);
//   2. a playbook: {"name", "description", "phase", "maxDurationSeconds", "sessionPolicy", "policyArns", "roles",
//      "requireJustification", "requiresApproval"} where sessionPolicy is that document.
// The schema for editors is media/schemas/playbook.schema.json. Lint findings of the session policy keep their exact
// position in the file (the policy is linted in place: comments are blanked, offsets are unchanged).
import { closestMatches } from './policy/catalog';
import { lintPolicy, type LintFinding } from './policy/lint';
import { MAX_POLICY_ARNS } from './policy/limits';
import { wildcardMatch } from './policy/match';
import { parsePolicyText, type SourcePosition } from './policy/parse';
import type { NamedPolicy, PolicyDocument, Statement } from './policy/types';
import { SESSION_POLICY_TEMPLATES, type SessionPolicyTemplate } from './templates';

export const PLAYBOOK_PHASES = ['investigation', 'containment', 'recovery', 'forensics'] as const;
export type PlaybookPhase = (typeof PLAYBOOK_PHASES)[number];

/** STS AssumeRole DurationSeconds bounds (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html). */
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;

/**
 * The high-risk actions the reference `create_scoped_session_policy` (SEC10-BP05) always denies explicitly in a
 * scoped session policy.
 */
export const HIGH_RISK_DENY_ACTIONS: readonly string[] = [
  'iam:CreateUser', 'iam:DeleteUser', 'iam:CreateRole', 'iam:DeleteRole', 'organizations:CloseAccount', 'account:CloseAccount',
];

/** The Deny statement the reference adds (with a Sid so it is recognisable). */
export function highRiskDenyStatement(): Statement {
  return { Sid: 'DenyHighRiskActions', Effect: 'Deny', Action: [...HIGH_RISK_DENY_ACTIONS], Resource: '*' };
}

export interface PlaybookDefinition {
  name?: string;
  description?: string;
  phase?: PlaybookPhase;
  maxDurationSeconds?: number;
  sessionPolicy?: PolicyDocument;
  policyArns: string[];
  /** ARN patterns (wildcards * and ?) of the roles the playbook may be used with; empty = any role. */
  roles: string[];
  requireJustification?: boolean;
  requiresApproval?: boolean;
}

export interface ParsedPlaybook {
  /** 'policy' = a bare session policy document; 'playbook' = the wrapper; 'invalid' = not a JSON object. */
  shape: 'policy' | 'playbook' | 'invalid';
  playbook: PlaybookDefinition;
  /** The text with comments blanked out (same length, same offsets). */
  json: string;
  /** Where the session policy document is in the text (undefined when there is none). */
  policyAt?: { offset: number; length: number };
  /** Problems of the playbook fields (the policy's own findings come from lintPlaybook). */
  problems: LintFinding[];
}

export const PLAYBOOK_KEYS = ['name', 'description', 'phase', 'maxDurationSeconds', 'sessionPolicy', 'policyArns', 'roles', 'requireJustification', 'requiresApproval'] as const;
const PLAYBOOK_KEY_SET = new Set<string>(PLAYBOOK_KEYS);
const POLICY_KEYS = new Set(['Version', 'Id', 'Statement']);
const MANAGED_ARN = /^arn:aws(-cn|-us-gov|-iso[a-z-]*)?:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*|\*):iam::(\d{12}|\*|\?+):role\/[\w+=,.@/*?-]+$/;

/** Blanks `//` and `/* *\/` comments (outside strings) with spaces, keeping line breaks: offsets stay valid. */
export function blankJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let run = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      out += text.slice(run, i);
      const end = text[i + 1] === '/' ? (text.indexOf('\n', i) < 0 ? n : text.indexOf('\n', i)) : (text.indexOf('*/', i + 2) < 0 ? n : text.indexOf('*/', i + 2) + 2);
      out += text.slice(i, end).replace(/[^\r\n]/g, ' ');
      i = run = end;
    } else i++;
  }
  return out + text.slice(run);
}

/** Line/column of an offset in `text` (0-based, UTF-16 columns). */
export function positionAt(text: string, offset: number, length: number): SourcePosition {
  let line = 0;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) { line++; lineStart = k + 1; }
  }
  return { offset, length, line, column: offset - lineStart };
}

/** Messages of the JSON parser itself (not of the IAM grammar). */
const JSON_SYNTAX = /comma|use double quotes|in double quotes|^duplicate key|escape sequence|control character|after the end of the JSON|unterminated|^expected (a |':'|',')/;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Parses a playbook file's text (either shape). Never throws. */
export function parsePlaybookText(text: string): ParsedPlaybook {
  const json = blankJsonComments(text);
  const parsed = parsePolicyText(json);
  const root = parsed.document as unknown;
  const problems: LintFinding[] = [];
  const add = (severity: LintFinding['severity'], code: string, path: string, message: string, key = false): void => {
    const position = (key ? parsed.locateKey(path) : undefined) ?? parsed.locate(path) ?? parsed.locate('');
    problems.push(position ? { severity, code, message, path, position } : { severity, code, message, path });
  };
  const empty: PlaybookDefinition = { policyArns: [], roles: [] };
  if (!isObject(root)) return { shape: 'invalid', playbook: empty, json, problems };
  const keys = Object.keys(root);
  const isWrapper = keys.some((k) => PLAYBOOK_KEY_SET.has(k)) || (keys.length > 0 && !keys.some((k) => POLICY_KEYS.has(k)));
  if (!isWrapper) {
    const whole = parsed.locate('');
    return {
      shape: 'policy', json, problems,
      playbook: { ...empty, sessionPolicy: root as unknown as PolicyDocument },
      policyAt: whole && { offset: whole.offset, length: whole.length },
    };
  }

  const pb: PlaybookDefinition = { policyArns: [], roles: [] };
  // JSON slips outside the session policy (those inside are reported by its lint); not the policy grammar of the root.
  const inner = parsed.locate('sessionPolicy');
  for (const q of parsed.problems) {
    if (!q.position || !JSON_SYNTAX.test(q.message)) continue;
    if (inner && q.position.offset >= inner.offset && q.position.offset < inner.offset + inner.length) continue;
    problems.push({ severity: q.severity, code: 'grammar', message: q.message, path: q.path, position: q.position });
  }
  for (const k of keys) {
    if (PLAYBOOK_KEY_SET.has(k)) continue;
    const hint = POLICY_KEYS.has(k) ? `; a playbook keeps its policy under "sessionPolicy"` : closestMatches(k, PLAYBOOK_KEYS, 1).map((s) => `; did you mean '${s}'?`)[0] ?? '';
    add('error', 'playbook-format', k, `unknown playbook property '${k}'${hint} (known: ${PLAYBOOK_KEYS.join(', ')})`, true);
  }
  const str = (k: 'name' | 'description'): void => {
    if (root[k] === undefined) return;
    if (typeof root[k] !== 'string' || !(root[k] as string).trim()) add('error', 'playbook-format', k, `${k} must be a non-empty string`);
    else pb[k] = root[k] as string;
  };
  str('name');
  str('description');
  if (root.phase !== undefined) {
    if (typeof root.phase === 'string' && (PLAYBOOK_PHASES as readonly string[]).includes(root.phase)) pb.phase = root.phase as PlaybookPhase;
    else add('error', 'playbook-format', 'phase', `phase must be one of ${PLAYBOOK_PHASES.join(', ')}, not ${JSON.stringify(root.phase)}`);
  }
  if (root.maxDurationSeconds !== undefined) {
    const d = root.maxDurationSeconds;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < MIN_DURATION_SECONDS || d > MAX_DURATION_SECONDS) {
      add('error', 'playbook-format', 'maxDurationSeconds', `maxDurationSeconds must be a whole number of seconds from ${MIN_DURATION_SECONDS} (15 min) to ${MAX_DURATION_SECONDS} (12 h), not ${JSON.stringify(d)}`);
    } else pb.maxDurationSeconds = d;
  }
  for (const k of ['requireJustification', 'requiresApproval'] as const) {
    if (root[k] === undefined) continue;
    if (typeof root[k] !== 'boolean') add('error', 'playbook-format', k, `${k} must be true or false, not ${JSON.stringify(root[k])}`);
    else pb[k] = root[k] as boolean;
  }
  const list = (k: 'policyArns' | 'roles', re: RegExp, what: string): string[] => {
    const v = root[k];
    if (v === undefined) return [];
    if (!Array.isArray(v)) { add('error', 'playbook-format', k, `${k} must be an array of ${what}`); return []; }
    const out: string[] = [];
    v.forEach((x, i) => {
      if (typeof x !== 'string' || !re.test(x)) add('error', 'playbook-format', `${k}[${i}]`, `${JSON.stringify(x)} is not ${what}`);
      else out.push(x);
    });
    return out;
  };
  pb.policyArns = list('policyArns', MANAGED_ARN, 'a managed policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::111122223333:policy/NAME)');
  if (pb.policyArns.length > MAX_POLICY_ARNS) add('error', 'session-arn-count', 'policyArns', `${pb.policyArns.length} managed session policy ARNs: AssumeRole accepts at most ${MAX_POLICY_ARNS}`);
  pb.roles = list('roles', ROLE_ARN_PATTERN, 'a role ARN pattern (arn:aws:iam::111122223333:role/NAME, wildcards * and ? allowed)');

  let policyAt: ParsedPlaybook['policyAt'];
  if (root.sessionPolicy !== undefined) {
    if (!isObject(root.sessionPolicy)) add('error', 'playbook-format', 'sessionPolicy', 'sessionPolicy must be an IAM policy document {"Version": "2012-10-17", "Statement": [...]}');
    else {
      pb.sessionPolicy = root.sessionPolicy as unknown as PolicyDocument;
      const at = parsed.locate('sessionPolicy');
      if (at) policyAt = { offset: at.offset, length: at.length };
    }
  }
  if (root.sessionPolicy === undefined && root.policyArns === undefined) {
    add('error', 'playbook-format', '', 'the playbook has neither "sessionPolicy" nor "policyArns": it would give the role\'s full permissions. Add a session policy');
  }
  return { shape: 'playbook', playbook: pb, json, policyAt, problems };
}

/** Whether a statement denies every high-risk action of the reference unconditionally. */
export function deniesHighRisk(doc: PolicyDocument | undefined): boolean {
  if (!doc) return false;
  const sts = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const denied = new Set<string>();
  for (const s of sts) {
    if (!isObject(s) || s.Effect !== 'Deny' || s.Condition !== undefined || s.NotAction !== undefined) continue;
    const r = s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    if (!r.includes('*')) continue;
    const acts = s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action];
    for (const want of HIGH_RISK_DENY_ACTIONS) {
      if (acts.some((a) => typeof a === 'string' && wildcardMatch(a, want, true))) denied.add(want);
    }
  }
  return HIGH_RISK_DENY_ACTIONS.every((a) => denied.has(a));
}

/**
 * Every finding of a playbook file at its exact position: the playbook fields, then the core lint of the session
 * policy (as a session policy, with the playbook's managed policy ARNs counted), plus two authoring checks:
 *   duplicate-action (warning)          the same action twice in one Action/NotAction list
 *   missing-high-risk-deny (info)       an Allow-ing policy without the reference's explicit Deny of high-risk actions
 * Sorted by position.
 */
export function lintPlaybook(text: string): LintFinding[] {
  const p = parsePlaybookText(text);
  const findings: LintFinding[] = [...p.problems];
  if (p.shape === 'invalid') {
    // Not an object (or broken JSON): the policy lint reports the syntax errors with positions.
    findings.push(...lintPolicy(p.json, { kind: 'session' }));
  } else if (p.policyAt) {
    const base = p.policyAt.offset;
    const slice = p.json.slice(base, base + p.policyAt.length);
    const prefix = p.shape === 'playbook' ? 'sessionPolicy' : '';
    for (const f of lintPolicy(slice, { kind: 'session', managedPolicyArns: p.playbook.policyArns })) {
      const shifted: LintFinding = { ...f, path: prefix && f.path ? `${prefix}.${f.path}` : prefix || f.path };
      if (f.position) shifted.position = positionAt(text, base + f.position.offset, f.position.length);
      findings.push(shifted);
    }
    findings.push(...authoringChecks(p, text));
  }
  return findings.sort((a, b) => (a.position?.offset ?? -1) - (b.position?.offset ?? -1));
}

function authoringChecks(p: ParsedPlaybook, text: string): LintFinding[] {
  const out: LintFinding[] = [];
  const doc = p.playbook.sessionPolicy;
  if (!doc || !p.policyAt) return out;
  const parsed = parsePolicyText(p.json.slice(p.policyAt.offset, p.policyAt.offset + p.policyAt.length));
  const prefix = p.shape === 'playbook' ? 'sessionPolicy.' : '';
  const at = (path: string): SourcePosition | undefined => {
    const pos = parsed.locate(path);
    return pos && positionAt(text, p.policyAt!.offset + pos.offset, pos.length);
  };
  const sts = Array.isArray(doc.Statement) ? doc.Statement.map((s, i) => [`Statement[${i}]`, s] as const) : [['Statement', doc.Statement] as const];
  let allows = false;
  for (const [stPath, st] of sts) {
    if (!isObject(st)) continue;
    if (st.Effect === 'Allow') allows = true;
    for (const el of ['Action', 'NotAction'] as const) {
      const v = st[el];
      if (!Array.isArray(v)) continue;
      const seen = new Map<string, number>();
      v.forEach((a, i) => {
        if (typeof a !== 'string') return;
        const k = a.toLowerCase();
        const first = seen.get(k);
        if (first === undefined) { seen.set(k, i); return; }
        const path = `${stPath}.${el}[${i}]`;
        const position = at(path);
        const f: LintFinding = { severity: 'warning', code: 'duplicate-action', path: prefix + path, message: `'${a}' is listed twice in this ${el} (also entry ${first + 1}); remove the duplicate` };
        if (position) f.position = position;
        out.push(f);
      });
    }
  }
  if (allows && !deniesHighRisk(doc)) {
    const position = at('Statement');
    const f: LintFinding = {
      severity: 'info', code: 'missing-high-risk-deny', path: `${prefix}Statement`,
      message: `no explicit Deny of the high-risk actions (${HIGH_RISK_DENY_ACTIONS.join(', ')}) that SEC10-BP05's scoped session policy always adds`,
    };
    if (position) f.position = position;
    out.push(f);
  }
  return out;
}

/**
 * Whether a playbook may be used with a role: its `roles` ARN patterns (wildcards * and ?, case-sensitive as IAM
 * role ARNs are compared), or any role when it lists none. For the elevation pre-flight.
 */
export function playbookAllowsRole(playbook: Pick<PlaybookDefinition, 'roles'>, roleArn: string): boolean {
  if (!playbook.roles.length) return true;
  return playbook.roles.some((p) => wildcardMatch(p, roleArn));
}

/** Thrown for a playbook that cannot be used (its message names the file, the position and the fix). */
export class PlaybookFormatError extends Error {}

/** The playbook-field errors and the policy's JSON/grammar errors (what parsePolicyFile refuses), at file positions. */
function grammarErrors(p: ParsedPlaybook, text: string): LintFinding[] {
  const out = p.problems.filter((f) => f.severity === 'error');
  if (p.shape === 'invalid') return lintPolicy(p.json, { kind: 'session' });
  if (!p.policyAt) return out;
  const parsed = parsePolicyText(p.json.slice(p.policyAt.offset, p.policyAt.offset + p.policyAt.length));
  for (const q of parsed.problems) {
    if (q.severity !== 'error') continue;
    const f: LintFinding = { severity: 'error', code: 'grammar', message: q.message, path: p.shape === 'playbook' ? `sessionPolicy${q.path ? `.${q.path}` : ''}` : q.path };
    if (q.position) f.position = positionAt(text, p.policyAt.offset + q.position.offset, q.position.length);
    out.push(f);
  }
  return out;
}

/**
 * The session policy of a playbook file, as the evaluator and the elevation want it, with the playbook's settings.
 * Throws PlaybookFormatError on an error (an invalid playbook is never used): the playbook fields and the policy's
 * grammar (as parsePolicyFile), or with `strict` every lint error (session size, condition types, unknown services:
 * the review gate and the elevation confirmation). Works for both shapes.
 */
export function readPlaybook(text: string, name: string, opts: { strict?: boolean } = {}): { playbook: PlaybookDefinition; policy?: NamedPolicy } {
  const p = parsePlaybookText(text);
  const errors = (opts.strict ? lintPlaybook(text) : grammarErrors(p, text)).filter((f) => f.severity === 'error');
  if (p.shape === 'invalid' || errors.length) {
    const lines = errors.slice(0, 5).map((f) => `  ${name}${f.position ? `:${f.position.line + 1}:${f.position.column + 1}` : ''}: ${f.path ? `${f.path}: ` : ''}${f.message}`);
    if (errors.length > 5) lines.push(`  … and ${errors.length - 5} more`);
    if (!lines.length) lines.push(`  ${name}: not a JSON object`);
    throw new PlaybookFormatError(`${name} is not a valid playbook:\n${lines.join('\n')}\n` +
      'Fix it at the positions shown (a playbook is a session policy {"Version": "2012-10-17", "Statement": [...]}, or {"name": …, "sessionPolicy": {…}}), then retry.');
  }
  const policy = p.playbook.sessionPolicy ? { name, document: p.playbook.sessionPolicy } : undefined;
  return policy ? { playbook: p.playbook, policy } : { playbook: p.playbook };
}

/** The playbook file's session policy as a NamedPolicy (throws like parsePolicyFile); for the preview. */
export function playbookPolicyFile(text: string, name: string): NamedPolicy {
  const { policy } = readPlaybook(text, name);
  if (!policy) throw new PlaybookFormatError(`${name} has no sessionPolicy (only managed policy ARNs), so there is nothing to preview offline.`);
  return policy;
}

/** A built-in playbook (SEC10-BP05 template) in the playbook file format, as text. */
export function builtinPlaybookText(t: SessionPolicyTemplate): string {
  const phase: PlaybookPhase = /investigation/.test(t.name) ? 'investigation' : /containment/.test(t.name) ? 'containment' : /forensic/.test(t.name) ? 'forensics' : 'recovery';
  const body = {
    name: t.name, description: t.description, phase, maxDurationSeconds: t.maxDuration,
    requireJustification: true, requiresApproval: t.name === 'emergency_admin',
    sessionPolicy: t.policy,
  };
  return `// Built-in Break Glass playbook '${t.name}' (AWS Well-Architected SEC10-BP05).\n` +
    '// Read-only: run "Break Glass: Copy Built-in Playbook to Workspace" to make an editable copy.\n' +
    JSON.stringify(body, null, 2) + '\n';
}

export function builtinPlaybookNames(): string[] {
  return Object.keys(SESSION_POLICY_TEMPLATES);
}
