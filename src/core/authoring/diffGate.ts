// The review gate "no new access": every playbook compared with its version at a git ref, over the whole action
// catalog, offline — the question IAM Access Analyzer's CheckNoNewAccess answers ("whether a modified policy grants new
// access compared to a reference policy",
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html).
//
// A playbook can only narrow its role (it is a session policy), so each version is evaluated as the session policy of
// a role that allows everything: what remains is exactly what the playbook lets through. New access is
//   gained      an action not permitted before that is permitted now (allowed or conditional);
//   widened     conditional before, allowed on every resource unconditionally now;
//   rescoped    conditional before and after, with different resources/conditions (cannot be ordered offline, so it
//               is reported as possible new access: the gate never says "no new access" where it cannot tell).
// A playbook that did not exist at the base ref grants only new access. A version that is invalid now is an error
// (never a decision); an invalid base version granted nothing (elevation refuses it). Deleted playbooks remove access.
import { execFile } from 'child_process';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { ACCESS_LEVELS, loadCatalog, type AccessLevel } from '../policy/catalog';
import { diffPermissions, type ActionChange } from '../policy/diff';
import { effectivePermissions, type EffectiveAction, type EffectiveResult, type ScopeLimit } from '../policy/effective';
import { getManagedPolicy } from '../policy/managed';
import { actionRiskReasons } from '../policy/risk';
import type { NamedPolicy } from '../policy/types';
import { readPlaybook } from '../playbookFormat';

export const PLAYBOOK_DIR = '.breakglass/playbooks';

/** The role every playbook version is evaluated against: allows everything, so the playbook alone decides. */
export const ALLOW_EVERYTHING: NamedPolicy = {
  name: '(a role that allows everything)',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

export interface NewAccess extends ActionChange {
  kind: 'gained' | 'widened' | 'rescoped';
}

export interface ServiceNewAccess {
  service: string;
  name: string;
  /** Per access level, the newly allowed actions (risky first). */
  byLevel: Partial<Record<AccessLevel, string[]>>;
  count: number;
}

export interface PlaybookDiff {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  status: 'added' | 'modified' | 'unchanged' | 'removed' | 'error';
  /** Risky first, then by name. */
  newAccess: NewAccess[];
  services: ServiceNewAccess[];
  /** Actions permitted at the base and no longer. */
  removedCount: number;
  /** How many newly allowed actions carry a risk of their own (privilege escalation, data exfiltration, …). */
  riskyCount: number;
  /** Why the file could not be evaluated (status 'error'), or a note on the base version. */
  error?: string;
  note?: string;
}

export interface DiffGateResult {
  base: string;
  playbooks: PlaybookDiff[];
  /** True when any playbook newly allows an action or cannot be evaluated: the gate fails. */
  failed: boolean;
}

/** Reads files at a ref and lists the playbooks there. */
export interface GitPort {
  /** The text of `file` (repository-relative) at `ref`, or undefined when it does not exist there. */
  show(ref: string, file: string): Promise<string | undefined>;
  /** Repository-relative paths of the files directly under `dir` at `ref`. */
  list(ref: string, dir: string): Promise<string[]>;
}

const rank = { high: 0, medium: 1, low: 2 } as const;
const worst = (c: ActionChange): number => Math.min(3, ...c.risks.map((r) => rank[r.severity]));

/** The effective permissions a playbook's text lets through (throws PlaybookFormatError when invalid). */
export function playbookEffective(text: string, name: string): EffectiveResult {
  const { playbook, policy } = readPlaybook(text, name, { strict: true });
  const session: NamedPolicy[] = policy ? [policy] : [];
  for (const arn of playbook.policyArns) {
    const m = getManagedPolicy(arn);
    if (!m) throw new Error(`${name}: ${arn} is not an AWS managed policy known offline, so what it allows cannot be checked; use an inline sessionPolicy`);
    session.push(m);
  }
  return effectivePermissions({ identity: [ALLOW_EVERYTHING], session });
}

const NOTHING: NamedPolicy = { name: '(nothing)', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] } };
let nothingCache: EffectiveResult | undefined;
const grantsNothing = (): EffectiveResult => (nothingCache ??= effectivePermissions({ identity: [ALLOW_EVERYTHING], session: [NOTHING] }));

/** A scope (resources and conditions) without statement references, for comparing two versions. */
function scopeKey(e: EffectiveAction): string {
  const s = (l: ScopeLimit) => JSON.stringify([l.statement.effect, l.resources ?? null, l.notResources ?? null, l.conditions ?? null]);
  return JSON.stringify([(e.limits ?? []).map(s).sort(), (e.conditionalDenies ?? []).map(s).sort()]);
}

/** New access of `after` over `before` (see the header). */
export function newAccessBetween(before: EffectiveResult, after: EffectiveResult): { newAccess: NewAccess[]; removed: number } {
  const d = diffPermissions(before, after);
  const out: NewAccess[] = [...d.gained.map((g) => ({ ...g, kind: 'gained' as const })), ...d.widened.map((g) => ({ ...g, kind: 'widened' as const }))];
  for (let i = 0; i < after.actions.length; i++) {
    const a = after.actions[i];
    const b = before.actions[i];
    if (a.status === 'conditional' && b.status === 'conditional' && scopeKey(a) !== scopeKey(b)) {
      out.push({ action: a.action, service: a.service, accessLevel: a.accessLevel, before: b.status, after: a.status, kind: 'rescoped',
        risks: actionRiskReasons(a.action, a.accessLevel, a.status) });
    }
  }
  out.sort((x, y) => worst(x) - worst(y) || (x.action < y.action ? -1 : 1));
  return { newAccess: out, removed: d.lost.length };
}

function byService(changes: NewAccess[]): ServiceNewAccess[] {
  const catalog = loadCatalog();
  const m = new Map<string, ServiceNewAccess>();
  for (const c of changes) {
    let s = m.get(c.service);
    if (!s) m.set(c.service, (s = { service: c.service, name: catalog.service(c.service)?.name ?? c.service, byLevel: {}, count: 0 }));
    (s.byLevel[c.accessLevel] ??= []).push(c.action);
    s.count++;
  }
  for (const s of m.values()) {
    s.byLevel = Object.fromEntries(ACCESS_LEVELS.filter((l) => s.byLevel[l]).map((l) => [l, s.byLevel[l]!]));
  }
  return [...m.values()].sort((x, y) => y.count - x.count || (x.service < y.service ? -1 : 1));
}

/** Compares one playbook's current text (undefined: deleted) with its text at the base (undefined: new). */
export function diffPlaybookTexts(file: string, baseText: string | undefined, currentText: string | undefined): PlaybookDiff {
  const blank = { newAccess: [], services: [], removedCount: 0, riskyCount: 0 };
  if (currentText === undefined) return { file, status: 'removed', ...blank };
  let after: EffectiveResult;
  try {
    after = playbookEffective(currentText, file);
  } catch (e) {
    return { file, status: 'error', ...blank, error: (e as Error).message };
  }
  let before = grantsNothing();
  let note: string | undefined;
  if (baseText !== undefined) {
    try {
      before = playbookEffective(baseText, file);
    } catch {
      note = 'the base version is not a valid playbook (it granted nothing): every permitted action counts as new';
    }
  }
  const { newAccess, removed } = newAccessBetween(before, after);
  const status = baseText === undefined ? 'added' : baseText === currentText || (!newAccess.length && !removed) ? 'unchanged' : 'modified';
  const r: PlaybookDiff = {
    file, status, newAccess, services: byService(newAccess), removedCount: removed,
    riskyCount: newAccess.filter((c) => c.risks.some((x) => x.severity !== 'low')).length,
  };
  if (note) r.note = note;
  return r;
}

/** The gate over every playbook of a repository (working tree vs `base`). */
export async function diffPlaybooks(opts: { base: string; git: GitPort; current: (file: string) => Promise<string | undefined>; listCurrent: () => Promise<string[]> }): Promise<DiffGateResult> {
  const baseFiles = (await opts.git.list(opts.base, PLAYBOOK_DIR)).filter((f) => f.endsWith('.json'));
  const nowFiles = (await opts.listCurrent()).filter((f) => f.endsWith('.json'));
  const files = [...new Set([...baseFiles, ...nowFiles])].sort();
  const playbooks: PlaybookDiff[] = [];
  for (const f of files) {
    const [b, c] = await Promise.all([opts.git.show(opts.base, f), nowFiles.includes(f) ? opts.current(f) : Promise.resolve(undefined)]);
    playbooks.push(diffPlaybookTexts(f, b, c));
  }
  return { base: opts.base, playbooks, failed: playbooks.some((p) => p.newAccess.length > 0 || p.status === 'error') };
}

// ---------------------------------------------------------------------------------------------------------------
// git through the command line (fixed arguments; the ref is validated so it cannot be an option)

function run(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : 128) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export class GitError extends Error {}

/** Checks that a ref names a commit (and is not an option such as `--output=…`). */
export async function resolveRef(cwd: string, ref: string): Promise<string> {
  if (!ref || ref.startsWith('-') || /[\s\0]/.test(ref)) throw new GitError(`'${ref}' is not a git ref; give a branch, tag or commit such as origin/main or HEAD`);
  const r = await run(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (r.code !== 0) throw new GitError(`git cannot find the commit '${ref}' here; fetch it first (in CI: actions/checkout with fetch-depth: 0) or name another ref`);
  return r.stdout.trim();
}

/** The repository root containing `cwd`. */
export async function repoRoot(cwd: string): Promise<string> {
  const r = await run(cwd, ['rev-parse', '--show-toplevel']);
  if (r.code !== 0) throw new GitError(`${cwd} is not inside a git repository (git rev-parse: ${r.stderr.trim().split('\n')[0] || 'failed'})`);
  return r.stdout.trim();
}

/** A GitPort over the repository at `root`. */
export function gitPort(root: string): GitPort {
  return {
    async show(ref, file) {
      const r = await run(root, ['show', `${ref}:${file}`]);
      return r.code === 0 ? r.stdout : undefined;
    },
    async list(ref, dir) {
      const r = await run(root, ['ls-tree', '--name-only', '--end-of-options', ref, `${dir}/`]);
      return r.code === 0 ? r.stdout.split('\n').filter(Boolean) : [];
    },
  };
}

/** The whole gate for a directory inside a repository: working tree vs `base`. */
export async function diffPlaybooksInRepo(cwd: string, base: string): Promise<DiffGateResult> {
  const root = await repoRoot(cwd);
  const commit = await resolveRef(root, base);
  const git = gitPort(root);
  const dir = path.join(root, ...PLAYBOOK_DIR.split('/'));
  const read = async (f: string): Promise<string | undefined> => {
    try { return await fsp.readFile(path.join(root, f), 'utf8'); } catch { return undefined; }
  };
  const listCurrent = async (): Promise<string[]> => {
    try { return (await fsp.readdir(dir)).map((n) => `${PLAYBOOK_DIR}/${n}`); } catch { return []; }
  };
  const r = await diffPlaybooks({ base: commit, git, current: read, listCurrent });
  return { ...r, base };
}
