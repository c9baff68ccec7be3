// `breakglass diff --base <git-ref> [--json]`: the review gate "no new access". Every playbook under
// .breakglass/playbooks/ is compared with its version at the base ref over the whole action catalog; per playbook the
// actions it newly allows (by service and access level, risky first). Exit 1 if any playbook newly allows an action
// or cannot be evaluated, 0 otherwise.
import { parseArgs } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { diffPlaybooksInRepo, GitError, type PlaybookDiff } from '../../core/authoring/diffGate';

const USAGE = `usage: breakglass diff --base <git-ref> [--json]

Compares every playbook (.breakglass/playbooks/*.json) with its version at <git-ref> and lists the
actions each one newly allows, by service and access level, risky first — IAM Access Analyzer's
CheckNoNewAccess question, answered offline over the whole action catalog.
Exits 1 when any playbook newly allows an action (or cannot be evaluated), 0 otherwise.

  --base   the git ref to compare with, e.g. origin/main or HEAD
  --json   machine-readable output: { base, failed, playbooks: [...] }
`;

const MAX_LISTED = 20;

function describe(p: PlaybookDiff): string[] {
  const lines: string[] = [];
  const head = p.status === 'error' ? 'ERROR' : p.newAccess.length ? `NEW ACCESS: ${p.newAccess.length} action(s)${p.riskyCount ? `, ${p.riskyCount} risky` : ''}` : 'no new access';
  lines.push(`${p.file} (${p.status}): ${head}${p.removedCount ? `; ${p.removedCount} action(s) no longer allowed` : ''}`);
  if (p.error) lines.push(...p.error.split('\n').map((l) => `  ${l}`));
  if (p.note) lines.push(`  note: ${p.note}`);
  const risky = p.newAccess.filter((c) => c.risks.some((r) => r.severity !== 'low'));
  for (const c of risky.slice(0, MAX_LISTED)) {
    const r = c.risks.find((x) => x.severity !== 'low')!;
    lines.push(`  ! ${c.action} (${c.accessLevel}; ${c.before} → ${c.after}): ${r.severity} ${r.category}: ${r.reason}`);
  }
  if (risky.length > MAX_LISTED) lines.push(`  ! … and ${risky.length - MAX_LISTED} more risky`);
  for (const s of p.services) {
    const levels = Object.entries(s.byLevel).map(([l, acts]) => {
      const shown = acts.slice(0, 6).join(', ');
      return `${l} ${acts.length}: ${shown}${acts.length > 6 ? ', …' : ''}`;
    });
    lines.push(`  ${s.service} (${s.name}) +${s.count} — ${levels.join('; ')}`);
  }
  return lines;
}

export const diffCommand: Subcommand = {
  name: 'diff',
  summary: 'review gate: what each playbook newly allows compared with a git ref (exit 1 if anything)',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseArgs(argv, { base: { type: 'string' }, json: { type: 'boolean' } });
    const base = p.options.base as string | undefined;
    if (!base) throw new UsageError('give --base <git-ref>, e.g. --base origin/main');
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    let result;
    try {
      result = await diffPlaybooksInRepo(io.cwd, base);
    } catch (e) {
      if (e instanceof GitError) { io.stderr.write(`breakglass diff: ${e.message}\n`); return 2; }
      throw e;
    }
    if (p.options.json) {
      io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    } else {
      for (const pb of result.playbooks) io.stdout.write(describe(pb).join('\n') + '\n');
      const widened = result.playbooks.filter((x) => x.newAccess.length).length;
      const errors = result.playbooks.filter((x) => x.status === 'error').length;
      io.stderr.write(`${result.playbooks.length} playbook(s) compared with ${base}: ${widened} newly allow actions, ${errors} could not be evaluated\n`);
    }
    return result.failed ? 1 : 0;
  },
};
