// What the elevation confirmation shows for a workspace playbook, so a malicious or careless change in a repository
// cannot widen someone's access unseen: its effective-permission summary, the risks of what it grants, and what it
// newly allows compared with the last commit (or any base ref), including uncommitted edits.
import { promises as fsp } from 'fs';
import * as path from 'path';
import { summarizeEffective, type EffectiveSummary } from '../policy/diff';
import { isPermitted, type EffectiveConfig } from '../policy/effective';
import { assessRisks, type RiskFlag } from '../policy/risk';
import { effectivePermissions } from '../policy/effective';
import { readPlaybook, type PlaybookDefinition } from '../playbookFormat';
import { diffPlaybookTexts, gitPort, playbookEffective, repoRoot, resolveRef, type PlaybookDiff } from './diffGate';

export interface PlaybookElevationSummary {
  file: string;
  playbook: PlaybookDefinition;
  /** What the playbook lets through (on a role that allows everything; with `role`, on that role). */
  summary: EffectiveSummary;
  /** Risks of what it grants, high severity first. */
  risks: RiskFlag[];
  /** Compared with `gitBase`; undefined when the file is not in a git repository (then `gitNote` says why). */
  sinceBase?: PlaybookDiff & { ref: string };
  gitNote?: string;
  /** The file differs from its committed version (uncommitted edits). */
  uncommitted?: boolean;
}

/**
 * The confirmation summary of a playbook file. Throws PlaybookFormatError for an invalid playbook (never elevate
 * with it). `gitBase` defaults to HEAD; `role` (the role's policies) makes the summary the session's real reach.
 */
export async function playbookElevationSummary(file: string, gitBase = 'HEAD', role?: Pick<EffectiveConfig, 'identity' | 'boundary'>, readText?: (file: string) => Promise<string>): Promise<PlaybookElevationSummary> {
  const text = readText ? await readText(file) : await fsp.readFile(file, 'utf8');
  const name = path.basename(file);
  const { playbook, policy } = readPlaybook(text, name, { strict: true });
  const result = role ? effectivePermissions({ identity: role.identity, boundary: role.boundary ?? null, session: policy ? [policy] : [] }) : playbookEffective(text, name);
  const summary = summarizeEffective(result);
  const risks = assessRisks(result.actions.filter((a) => isPermitted(a.status)));
  const out: PlaybookElevationSummary = { file, playbook, summary, risks };
  try {
    const root = await repoRoot(path.dirname(file));
    const commit = await resolveRef(root, gitBase);
    const rel = path.relative(root, file).split(path.sep).join('/');
    const baseText = await gitPort(root).show(commit, rel);
    out.sinceBase = { ...diffPlaybookTexts(rel, baseText, text), ref: gitBase };
    out.uncommitted = baseText !== text;
  } catch (e) {
    out.gitNote = (e as Error).message;
  }
  return out;
}

/** The summary as a few lines for a modal confirmation. */
export function formatElevationSummary(s: PlaybookElevationSummary): string {
  const c = s.summary.counts;
  const lines = [`${s.playbook.name ?? path.basename(s.file)}: ${c.allowed} action(s) allowed, ${c.conditional} conditional, across ${s.summary.services.length} service(s).`];
  const high = s.risks.filter((r) => r.severity !== 'low');
  if (high.length) lines.push(`Risks: ${high.slice(0, 3).map((r) => r.reason).join('; ')}${high.length > 3 ? `; and ${high.length - 3} more` : ''}.`);
  if (s.sinceBase) {
    const d = s.sinceBase;
    if (d.status === 'added') lines.push(`Not in ${d.ref}: the whole playbook is new (${d.newAccess.length} action(s)).`);
    else if (d.newAccess.length) lines.push(`Since ${d.ref}${s.uncommitted ? ' (uncommitted edits)' : ''}: ${d.newAccess.length} newly allowed action(s)${d.riskyCount ? `, ${d.riskyCount} risky` : ''}: ${d.newAccess.slice(0, 5).map((x) => x.action).join(', ')}${d.newAccess.length > 5 ? ', …' : ''}.`);
    else lines.push(`No new access since ${d.ref}${s.uncommitted ? ' (uncommitted edits only narrow it)' : ''}.`);
  } else if (s.gitNote) lines.push(`Changes could not be checked: ${s.gitNote}.`);
  return lines.join('\n');
}
