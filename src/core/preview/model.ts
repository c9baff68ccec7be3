// The policy preview's computation, host-free: from a role's policies (identity ∩ boundary) and a session policy, the
// three-way picture the "Break Glass: Policy preview" webview shows — counts per access level for the role, the session
// policy alone and the effective session; per service the actions kept and removed (risky first, with the reason); a
// side-by-side diff of the policy texts; lint findings of the session policy. Also the session list the page may see
// (metadata only: no credential ever reaches the webview).
//
// Everything returned is plain JSON (see types.ts). The numbers are those of effectivePermissions(): "permitted" means
// allowed or conditional, as in diffPermissions() and summarizeEffective().
import { ACCESS_LEVELS, loadCatalog, type AccessLevel } from '../policy/catalog';
import {
  effectivePermissions, isPermitted, type EffectiveAction, type EffectiveResult, type EffectiveStatus, type ScopeLimit, type SessionOutcome,
} from '../policy/effective';
import type { SessionContext } from '../policy/sessionContext';
import { lintPolicy } from '../policy/lint';
import { actionRiskReasons, type RiskSeverity } from '../policy/risk';
import { loadRoleTemplate } from '../policy/sources';
import type { NamedPolicy } from '../policy/types';
import type { Session } from '../session/types';
import { ROLE_TEMPLATES, SESSION_POLICY_TEMPLATES } from '../templates';
import { sideBySide } from './lineDiff';
import type { ActionView, CountsView, LintView, PreviewModel, RiskReason, ServiceView, SessionView } from './types';

export interface PreviewInput {
  roleName: string;
  identity: NamedPolicy[];
  boundary: NamedPolicy | null;
  /** The session policies; null when the session is granted without one (it then gets the role's permissions). */
  session: NamedPolicy[] | null;
  playbookName: string;
  /** The session policy as the responder wrote it (a playbook file), for lint positions; else the documents are used. */
  sessionPolicyText?: string;
  /** Notes to show with the picture (e.g. how the role's policies were chosen). */
  notes?: string[];
  /** The context the real session will carry (buildSessionContext): splits conditional actions three ways. */
  sessionContext?: SessionContext | null;
}

const SEVERITY_RANK: Record<RiskSeverity, number> = { high: 0, medium: 1, low: 2 };

function zeroCounts(): CountsView {
  const byLevel = Object.fromEntries(ACCESS_LEVELS.map((l) => [l, { permitted: 0, conditional: 0 }])) as CountsView['byLevel'];
  return { byLevel, total: { permitted: 0, conditional: 0 } };
}

/** Permitted (allowed + conditional) actions per access level of one effectivePermissions() result. */
export function countsOf(result: EffectiveResult): CountsView {
  const c = zeroCounts();
  const split = !!result.inSession;
  if (split) {
    for (const l of [...Object.values(c.byLevel), c.total]) l.inSession = { allowed: 0, denied: 0, depends: 0 };
  }
  for (const e of result.actions) {
    if (!isPermitted(e.status)) continue;
    const l = c.byLevel[e.accessLevel];
    l.permitted++;
    c.total.permitted++;
    if (e.status === 'conditional') {
      l.conditional++;
      c.total.conditional++;
      if (split && e.inSession) {
        (l.inSession as Record<SessionOutcome, number>)[e.inSession.outcome]++;
        (c.total.inSession as Record<SessionOutcome, number>)[e.inSession.outcome]++;
      }
    }
  }
  return c;
}

// Risk reasons depend only on (action, access level, status): computed once per catalog action and status, then
// shared by every rebuild (a live preview rebuilds on each edit; the role's ~20k actions do not change).
let riskCatalog: ReturnType<typeof loadCatalog> | undefined;
const riskCache = new Map<EffectiveStatus, Array<RiskReason[] | null | undefined>>();

/** The risk table of one status, indexed by catalog action (entries filled on first use). */
function riskTable(status: EffectiveStatus): Array<RiskReason[] | null | undefined> {
  const catalog = loadCatalog();
  if (riskCatalog !== catalog) {
    riskCache.clear();
    riskCatalog = catalog;
  }
  let byIndex = riskCache.get(status);
  if (!byIndex) riskCache.set(status, (byIndex = new Array(catalog.actions.length)));
  return byIndex;
}

function risksOf(e: EffectiveAction, index: number, table = riskTable(e.status)): RiskReason[] | undefined {
  const byIndex = table;
  let r = byIndex[index];
  if (r === undefined) {
    const found = actionRiskReasons(e.action, e.accessLevel, e.status);
    r = found.length ? found.sort((x, y) => SEVERITY_RANK[x.severity] - SEVERITY_RANK[y.severity]) : null;
    byIndex[index] = r;
  }
  return r ?? undefined;
}

/** A short description of what limits a conditional action, e.g. "if StringEquals aws:RequestedRegion = us-east-1". */
export function scopeText(e: EffectiveAction): string | undefined {
  if (e.status !== 'conditional') return undefined;
  const list = (v: string[]) => (v.length > 3 ? `${v.slice(0, 3).join(', ')} …(+${v.length - 3})` : v.join(', '));
  const one = (l: ScopeLimit): string => {
    const parts: string[] = [];
    if (l.resources) parts.push(`on ${list(l.resources)}`);
    if (l.notResources) parts.push(`except on ${list(l.notResources)}`);
    if (l.conditions) parts.push(`if ${l.conditions.map((c) => `${c.operator} ${c.key} = ${list(c.values)}`).join(' and ')}`);
    return parts.join(' ');
  };
  const parts = [...new Set((e.limits ?? []).map(one))];
  parts.push(...new Set((e.conditionalDenies ?? []).map((l) => `denied ${one(l)}`)));
  return parts.join('; ') || undefined;
}

function actionView(e: EffectiveAction, index: number, withScope: boolean): ActionView {
  const v: ActionView = { action: e.action, level: e.accessLevel, status: e.status };
  const risks = risksOf(e, index);
  if (risks) v.risks = risks;
  if (withScope) {
    const s = scopeText(e);
    if (s) v.scope = s;
    if (e.inSession) {
      v.inSession = e.inSession.outcome;
      if (e.inSession.keys.length) v.keys = e.inSession.keys;
    }
  }
  return v;
}

const worst = (a: ActionView): number => (a.risks ? SEVERITY_RANK[a.risks[0].severity] : 3);
const riskyFirst = (x: ActionView, y: ActionView): number => worst(x) - worst(y) || (x.action < y.action ? -1 : x.action > y.action ? 1 : 0);

/** Pretty JSON of named policies grouped by layer, the two sides of the side-by-side diff. */
function policiesText(groups: Array<[string, NamedPolicy[]]>): string {
  const obj: Record<string, Record<string, unknown>> = {};
  for (const [layer, policies] of groups) {
    if (!policies.length) continue;
    obj[layer] = Object.fromEntries(policies.map((p) => [p.name, p.document]));
  }
  return JSON.stringify(obj, null, 2);
}

function lintSession(input: PreviewInput): LintView[] {
  const session = input.session ?? [];
  const out: LintView[] = [];
  session.forEach((p, i) => {
    const text = i === 0 && input.sessionPolicyText !== undefined ? input.sessionPolicyText : JSON.stringify(p.document, null, 2);
    for (const f of lintPolicy(text, { kind: 'session' })) {
      const v: LintView = { severity: f.severity, code: f.code, message: session.length > 1 ? `${p.name}: ${f.message}` : f.message, path: f.path };
      if (f.position) v.line = f.position.line + 1;
      out.push(v);
    }
  });
  const order = { error: 0, warning: 1, info: 2 };
  return out.sort((a, b) => order[a.severity] - order[b.severity] || (a.line ?? 0) - (b.line ?? 0));
}

// The role's side (identity ∩ boundary) does not change while a playbook is edited: the last one is kept, keyed by
// the policy names and document objects (the bundled role templates and managed policies are shared objects).
interface RoleTotals {
  /** Per service with any permitted action, in catalog order: its name, permitted actions and risky ones among them. */
  services: Array<{ service: string; name: string; permitted: number; risky: number }>;
  /** Permitted actions per access level. */
  byLevel: Record<AccessLevel, number>;
}

interface RoleSide { role: EffectiveResult; roleCounts: CountsView; totals: RoleTotals }
let lastRole: (RoleSide & { key: unknown[]; catalog: unknown }) | undefined;

function roleResult(input: PreviewInput): RoleSide {
  const key = [...input.identity.flatMap((p) => [p.name, p.document]), input.boundary?.name, input.boundary?.document];
  const catalog = loadCatalog();
  if (lastRole && lastRole.catalog === catalog && lastRole.key.length === key.length && lastRole.key.every((k, i) => k === key[i])) return lastRole;
  const role = effectivePermissions({ identity: input.identity, boundary: input.boundary });
  const totals: RoleTotals = { services: [], byLevel: Object.fromEntries(ACCESS_LEVELS.map((l) => [l, 0])) as Record<AccessLevel, number> };
  const allowedRisks = riskTable('allowed');
  const conditionalRisks = riskTable('conditional');
  let t: RoleTotals['services'][number] | undefined;
  role.actions.forEach((r, i) => {
    if (!isPermitted(r.status)) return;
    if (!t || t.service !== r.service) {
      t = { service: r.service, name: catalog.service(r.service)?.name ?? r.service, permitted: 0, risky: 0 };
      totals.services.push(t);
    }
    t.permitted++;
    totals.byLevel[r.accessLevel]++;
    if (risksOf(r, i, r.status === 'allowed' ? allowedRisks : conditionalRisks)) t.risky++;
  });
  lastRole = { key, catalog, role, roleCounts: countsOf(role), totals };
  return lastRole;
}

/** A built preview: the model with counts (per-service lists left empty) and the lists on demand. */
export interface PreviewBuild {
  /** Every count, total and section, but each service's kept/removed lists empty (keptCount/removedCount are set). */
  model: PreviewModel;
  /** One service's kept and removed lists (risky first), computed when asked; undefined for an unknown service. */
  lists(service: string): { kept: ActionView[]; removed: ActionView[] } | undefined;
}

/**
 * The page model for one role and one session policy (or none), with the per-service action lists computed only
 * when a service is opened: a rebuild (each edit of a live playbook) costs the effective-permissions passes, one
 * counting pass over the catalog and the lint, not ~20,000 action views nobody has expanded yet.
 */
export function buildPreview(input: PreviewInput): PreviewBuild {
  const catalog = loadCatalog();
  const sessionPolicies = input.session && input.session.length ? input.session : null;
  const context = input.sessionContext ?? null;
  const { role, roleCounts, totals } = roleResult(input);
  const effective = sessionPolicies || context
    ? effectivePermissions({ identity: input.identity, boundary: input.boundary, session: sessionPolicies, context })
    : role;
  const alone = sessionPolicies ? effectivePermissions({ identity: sessionPolicies }) : null;

  // One pass over the catalog: kept = permitted by the role and by the session; removed = permitted by the role only.
  // (A session policy can only narrow: the effective set is a subset of the role's.)
  // kept = permitted by the role and by the session; removed = permitted by the role only (a session policy can only
  // narrow: the effective set is a subset of the role's). The role's per-service totals are computed once with the
  // role, so a rebuild only visits the actions the session keeps: removed = the role's total minus the kept.
  const ra = role.actions;
  const ea = effective.actions;
  const allowedRisks = riskTable('allowed');
  const conditionalRisks = riskTable('conditional');
  const removedByLevel = { ...totals.byLevel };
  const services = new Map<string, ServiceView>();
  for (const t of totals.services) {
    services.set(t.service, { service: t.service, name: t.name, kept: [], removed: [], riskyKept: 0, riskyRemoved: t.risky, keptCount: 0, removedCount: t.permitted });
  }
  let s: ServiceView | undefined;
  for (let i = 0; i < ea.length; i++) {
    const e = ea[i];
    if (e.status !== 'allowed' && e.status !== 'conditional') continue;
    const r = ra[i];
    if (!isPermitted(r.status)) continue; // cannot happen (the session only narrows), but never count what the role lacks
    if (!s || s.service !== e.service) s = services.get(e.service) as ServiceView;
    s.keptCount++;
    s.removedCount--;
    removedByLevel[e.accessLevel]--;
    if (risksOf(e, i, e.status === 'allowed' ? allowedRisks : conditionalRisks)) s.riskyKept++;
    if (risksOf(r, i, r.status === 'allowed' ? allowedRisks : conditionalRisks)) s.riskyRemoved--;
  }
  const serviceList = [...services.values()].sort((x, y) =>
    y.keptCount - x.keptCount || y.removedCount - x.removedCount || (x.service < y.service ? -1 : 1));

  const leftText = policiesText([['identity', input.identity], ['boundary', input.boundary ? [input.boundary] : []]]);
  const rightText = sessionPolicies ? policiesText([['session', sessionPolicies]]) : '';
  const { rows, approximate } = sideBySide(leftText, rightText);

  const notes = [...(input.notes ?? [])];
  if (!sessionPolicies) notes.push('No session policy: the session gets every permission of the role.');

  const model: PreviewModel = {
    roleName: input.roleName,
    playbookName: input.playbookName,
    policies: {
      identity: input.identity.map((p) => p.name),
      boundary: input.boundary?.name ?? null,
      session: sessionPolicies ? sessionPolicies.map((p) => p.name) : null,
    },
    counts: { role: roleCounts, session: alone ? countsOf(alone) : null, effective: countsOf(effective) },
    removedByLevel,
    services: serviceList,
    diff: {
      leftTitle: `Role ${input.roleName}: identity${input.boundary ? ' and permissions boundary' : ''} policies`,
      rightTitle: sessionPolicies ? `Session policy ${input.playbookName}` : 'No session policy',
      rows,
      approximate,
    },
    lint: lintSession(input),
    notes,
    sessionContext: context ? context.shown : null,
  };

  const lists = (service: string): { kept: ActionView[]; removed: ActionView[] } | undefined => {
    const svc = catalog.service(service);
    if (!svc || !services.has(svc.prefix)) return undefined;
    const kept: ActionView[] = [];
    const removed: ActionView[] = [];
    for (let i = svc.start; i < svc.end; i++) {
      if (!isPermitted(ra[i].status)) continue;
      if (isPermitted(ea[i].status)) kept.push(actionView(ea[i], i, true));
      else removed.push(actionView(ra[i], i, false));
    }
    return { kept: kept.sort(riskyFirst), removed: removed.sort(riskyFirst) };
  };
  return { model, lists };
}

/** The whole page model, every service's lists filled in (the CLI, tests; the panel uses buildPreview). */
export function buildPreviewModel(input: PreviewInput): PreviewModel {
  const built = buildPreview(input);
  const services = built.model.services.map((s) => ({ ...s, ...built.lists(s.service) }));
  return { ...built.model, services };
}

/**
 * The sessions as the webview may see them. Built field by field from Session metadata (never by spreading), so a
 * field added to Session later does not leak into the page by accident; the access key id and token hash stay out too.
 */
export function sessionsModel(sessions: readonly Session[]): SessionView[] {
  return sessions.map((s) => ({
    id: s.id,
    incidentId: s.incidentId,
    roleName: s.roleName,
    roleArn: s.roleArn,
    accountId: s.accountId,
    playbook: s.playbook,
    region: s.region,
    issuedAt: s.issuedAt,
    expiresAt: s.expiresAt,
    state: s.state,
  })).sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
}

/**
 * The built-in role template a role stands for: its configured `template`, else a template whose name the role name
 * carries (BREAK-GLASS-INCIDENT_RESPONDER → incident_responder). Undefined when neither applies.
 */
export function roleTemplateFor(role: { name: string; template?: string }): string | undefined {
  if (role.template && ROLE_TEMPLATES[role.template]) return role.template;
  const lower = role.name.toLowerCase().replace(/-/g, '_');
  return Object.keys(ROLE_TEMPLATES).find((t) => lower === t || lower.endsWith(`_${t}`));
}

/** The preview input for a built-in role template and a built-in playbook (session-policy template). */
export function templateInput(roleTemplate: string, playbook: string, roleName = roleTemplate): PreviewInput {
  const role = loadRoleTemplate(roleTemplate);
  const t = SESSION_POLICY_TEMPLATES[playbook];
  if (!t) throw new Error(`'${playbook}' is not a built-in playbook (known: ${Object.keys(SESSION_POLICY_TEMPLATES).join(', ')})`);
  return {
    roleName,
    identity: role.identity,
    boundary: role.boundary,
    session: [{ name: t.name, document: t.policy }],
    playbookName: t.name,
  };
}

/**
 * The model without the per-service action lists (counts and risk totals stay): what the page gets first, so a
 * full-catalog diff is a small message and a live preview stays quick. The page asks for one service's lists when it
 * is expanded (serviceLists). Nothing is lost: the host keeps the full model.
 */
export function slimModel(model: PreviewModel): PreviewModel {
  return { ...model, services: model.services.map((s) => ({ ...s, kept: [], removed: [] })) };
}

/** One service's kept and removed lists from a full model, or undefined for an unknown service. */
export function serviceLists(model: PreviewModel, service: string): { kept: ServiceView['kept']; removed: ServiceView['removed'] } | undefined {
  const s = model.services.find((x) => x.service === service);
  return s && { kept: s.kept, removed: s.removed };
}
