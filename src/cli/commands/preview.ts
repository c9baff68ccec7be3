// `breakglass preview`: what a session policy takes away from (and would add to) a role, offline. Computes the role's
// effective permissions (identity ∩ boundary) and the session's (identity ∩ boundary ∩ session) over the whole action
// catalog, and prints the difference by access level, the risky actions first, then per service.
import { parseArgs } from '../args';
import { UsageError, type CliIO, type Subcommand } from '../io';
import { loadCatalog, ACCESS_LEVELS } from '../../core/policy/catalog';
import { diffPermissions, type ActionChange, type PermissionDiff } from '../../core/policy/diff';
import { effectivePermissions, explainEffective, type EffectiveResult } from '../../core/policy/effective';
import { loadPolicySource, loadRoleTemplate } from '../../core/policy/sources';
import { ROLE_TEMPLATES } from '../../core/templates';
import type { NamedPolicy } from '../../core/policy/types';

const USAGE = `usage: breakglass preview --identity <file|managed-ARN|template>… [--boundary <file|managed-ARN>]
                          --session <file|managed-ARN|playbook>… [--json] [--limit <n>]

Shows what a session policy changes about a role's permissions, offline, over every IAM action:
counts by access level (before, after, lost, gained), the risky actions first, then a per-service summary.

  --identity  the role's identity policies (repeatable): a JSON policy file, an AWS managed policy ARN
              (arn:aws:iam::aws:policy/...), or a role template name (security_investigator, incident_responder,
              forensics_analyst, break_glass_admin) — a role template also supplies its permissions boundary
              unless --boundary is given
  --boundary  the role's permissions boundary (file or managed policy ARN)
  --session   the session policy (repeatable): a file, a managed policy ARN or a playbook name
              (read_only_investigation, containment_actions, forensics_collection, emergency_admin)
  --json      machine-readable output
  --limit     how many actions / services to list per section (default 15)

Example: breakglass preview --identity arn:aws:iam::aws:policy/PowerUserAccess --session containment_actions
`;

async function resolveAll(refs: string[], cwd: string): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const r of refs) out.push(...(await loadPolicySource(r, cwd)));
  return out;
}

export const previewCommand: Subcommand = {
  name: 'preview',
  summary: 'show what a session policy removes from (or adds to) a role, offline',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseArgs(argv, {
      identity: { type: 'list' }, boundary: { type: 'string' }, session: { type: 'list' }, json: { type: 'boolean' },
      limit: { type: 'string' },
    });
    if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const identityRefs = (p.options.identity as string[] | undefined) ?? [];
    const sessionRefs = (p.options.session as string[] | undefined) ?? [];
    if (!identityRefs.length) throw new UsageError('--identity is required');
    if (!sessionRefs.length) throw new UsageError('--session is required');
    const limit = p.options.limit === undefined ? 15 : Number(p.options.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit must be a whole number');

    const identity = await resolveAll(identityRefs, io.cwd);
    let boundary: NamedPolicy | null = null;
    let boundaryNote = '';
    if (typeof p.options.boundary === 'string') {
      const b = await loadPolicySource(p.options.boundary, io.cwd);
      if (b.length !== 1) throw new UsageError('--boundary must name exactly one policy');
      boundary = b[0];
    } else {
      const template = identityRefs.find((r) => ROLE_TEMPLATES[r]);
      if (template) {
        boundary = loadRoleTemplate(template).boundary;
        if (boundary) boundaryNote = ` (from role template ${template})`;
      }
    }
    const session = await resolveAll(sessionRefs, io.cwd);

    const before = effectivePermissions({ identity, boundary });
    const after = effectivePermissions({ identity, boundary, session });
    const diff = diffPermissions(before, after);

    if (p.options.json) {
      io.stdout.write(JSON.stringify(toJson(identity, boundary, session, before, after, diff), null, 2) + '\n');
      return 0;
    }
    io.stdout.write(render(identity, boundary, boundaryNote, session, after, diff, limit));
    return 0;
  },
};

function toJson(identity: NamedPolicy[], boundary: NamedPolicy | null, session: NamedPolicy[], before: EffectiveResult,
  after: EffectiveResult, diff: PermissionDiff): unknown {
  const c = loadCatalog();
  const change = (x: ActionChange) => ({ action: x.action, accessLevel: x.accessLevel, before: x.before, after: x.after, risks: x.risks });
  return {
    identity: identity.map((x) => x.name),
    boundary: boundary?.name ?? null,
    session: session.map((x) => x.name),
    catalog: { ...c.source, actions: c.actions.length, services: c.services.length },
    before: before.counts,
    after: after.counts,
    byLevel: diff.byLevel,
    total: diff.total,
    risks: diff.risks,
    gained: diff.gained.map(change),
    lost: diff.lost.map(change),
    kept: after.actions.filter((e) => e.status === 'allowed' || e.status === 'conditional')
      .map((e) => ({ action: e.action, accessLevel: e.accessLevel, status: e.status, explanation: explainEffective(e) })),
    services: diff.services.map((s) => ({ service: s.service, name: s.name, before: s.before, after: s.after, lost: s.lost, gained: s.gained, kept: s.kept })),
  };
}

const num = (n: number, w = 8): string => String(n).padStart(w);

function render(identity: NamedPolicy[], boundary: NamedPolicy | null, boundaryNote: string, session: NamedPolicy[],
  after: EffectiveResult, diff: PermissionDiff, limit: number): string {
  const c = loadCatalog();
  const out: string[] = [];
  const more = (shown: number, total: number, what: string) => {
    if (total > shown) out.push(`  … and ${total - shown} more ${what} (use --json for all)`);
  };
  out.push('Session policy preview (offline; AWS evaluation logic over the IAM action catalog)');
  out.push(`  identity: ${identity.map((x) => x.name).join(', ')}`);
  out.push(`  boundary: ${boundary ? boundary.name + boundaryNote : '(none)'}`);
  out.push(`  session:  ${session.map((x) => x.name).join(', ')}`);
  out.push(`  catalog:  ${c.actions.length} actions in ${c.services.length} services (${c.source.package} ${c.source.version})`);
  out.push('');
  out.push(`${'Access level'.padEnd(24)}${'Before'.padStart(8)}${'After'.padStart(8)}${'Lost'.padStart(8)}${'Gained'.padStart(8)}`);
  for (const l of ACCESS_LEVELS) {
    const x = diff.byLevel[l];
    out.push(`${l.padEnd(24)}${num(x.before)}${num(x.after)}${num(x.lost)}${num(x.gained)}`);
  }
  const t = diff.total;
  out.push(`${'Total'.padEnd(24)}${num(t.before)}${num(t.after)}${num(t.lost)}${num(t.gained)}`);
  out.push(`After: ${after.counts.allowed} allowed on all resources, ${after.counts.conditional} conditional, ` +
    `${after.counts.denied} explicitly denied.${t.narrowed ? ` ${t.narrowed} kept action(s) became conditional.` : ''}`);

  // Risky actions: high-severity ones one per line with the reason; the numerous medium/low categories
  // (Permissions management, destructive) as one line each with a count and examples.
  const section = (title: string, list: ActionChange[]) => {
    const r = list.filter((x) => x.risks.length);
    if (!r.length) return;
    out.push('', `${title} (${r.length}):`);
    const individual = r.filter((x) => x.risks.some((k) => k.severity === 'high'));
    for (const x of individual.slice(0, limit)) {
      const worst = x.risks.find((k) => k.severity === 'high') ?? x.risks[0];
      out.push(`  ${worst.severity.padEnd(6)} ${x.action.padEnd(40)} ${worst.reason}`);
    }
    more(Math.min(limit, individual.length), individual.length, 'high-risk actions');
    const byCategory = new Map<string, { severity: string; actions: string[] }>();
    for (const x of r) {
      if (individual.includes(x)) continue;
      for (const k of x.risks) {
        const entry = byCategory.get(k.category) ?? { severity: k.severity, actions: [] };
        entry.actions.push(x.action);
        byCategory.set(k.category, entry);
      }
    }
    for (const [category, e] of byCategory) {
      const examples = e.actions.slice(0, 3).join(', ');
      out.push(`  ${e.severity.padEnd(6)} ${`${e.actions.length} ${category}`.padEnd(40)} e.g. ${examples}${e.actions.length > 3 ? ', …' : ''}`);
    }
  };
  if (diff.risks.gained.length) {
    out.push('', `Risks the session policy ADDS (${diff.risks.gained.length}):`);
    for (const f of diff.risks.gained.slice(0, limit)) out.push(`  ${f.severity.padEnd(6)} ${f.reason}`);
  }
  section('Risky actions gained', diff.gained);
  section('Risky actions removed', diff.lost);
  const remaining = diff.risks.remaining.filter((f) => f.severity === 'high');
  if (remaining.length) {
    out.push('', `High risks still present in the session (${remaining.length}):`);
    for (const f of remaining.slice(0, limit)) out.push(`  ${f.reason}`);
  }

  const kept = after.actions.filter((e) => e.status === 'allowed' || e.status === 'conditional');
  out.push('', `Kept (${kept.length}):`);
  for (const e of kept.slice(0, limit)) out.push(`  ${explainEffective(e)}`);
  more(Math.min(limit, kept.length), kept.length, 'actions');

  if (diff.services.length) {
    out.push('', 'Per service (most changed first):');
    out.push(`  ${'service'.padEnd(28)}${'before'.padStart(8)}${'kept'.padStart(8)}${'lost'.padStart(8)}${'gained'.padStart(8)}`);
    for (const s of diff.services.slice(0, limit)) {
      out.push(`  ${s.service.padEnd(28)}${num(s.before)}${num(s.kept)}${num(s.lost)}${num(s.gained)}`);
    }
    more(Math.min(limit, diff.services.length), diff.services.length, 'services');
  }
  return out.join('\n') + '\n';
}
