// Before/after comparison of two effective-permission results, e.g. what a role can do (identity ∩ boundary) versus
// what the session can do once a session policy is passed: actions gained and lost, grouped by service and access
// level, with counts and risk flags. Also per-level summaries of one result for the webview and the CLI.
//
// "Permitted" means allowed or conditional (the action can be performed at least on some resources / under some
// conditions). Lost: permitted before, not after. Gained: the reverse. Narrowed: allowed before, conditional after.
// Widened: conditional before, allowed after.
import { ACCESS_LEVELS, loadCatalog, type AccessLevel } from './catalog';
import { isPermitted, type EffectiveAction, type EffectiveResult, type EffectiveStatus } from './effective';
import { actionRiskReasons, assessRisks, type RiskCategory, type RiskFlag, type RiskSeverity } from './risk';

export interface LevelCounts {
  /** Permitted before. */
  before: number;
  /** Permitted after. */
  after: number;
  gained: number;
  lost: number;
  /** Permitted both before and after. */
  kept: number;
  narrowed: number;
  widened: number;
}

export interface ActionChange {
  action: string;
  service: string;
  accessLevel: AccessLevel;
  before: EffectiveStatus;
  after: EffectiveStatus;
  /** Why this action is risky on its own (empty for most). */
  risks: Array<{ category: RiskCategory; severity: RiskSeverity; reason: string }>;
}

export interface ServiceDiff {
  service: string;
  /** Display name, e.g. "Amazon EC2". */
  name: string;
  before: number;
  after: number;
  gained: number;
  lost: number;
  kept: number;
  /** Per access level, the actions (canonical names) gained and lost. */
  byLevel: Partial<Record<AccessLevel, { gained: string[]; lost: string[] }>>;
}

export interface PermissionDiff {
  byLevel: Record<AccessLevel, LevelCounts>;
  total: LevelCounts;
  gained: ActionChange[];
  lost: ActionChange[];
  narrowed: ActionChange[];
  widened: ActionChange[];
  /** Services with any change, most changes first. */
  services: ServiceDiff[];
  risks: {
    /** Risks that involve an action the "after" side newly grants. */
    gained: RiskFlag[];
    /** Risks of the "before" side that involve an action the "after" side no longer grants. */
    lost: RiskFlag[];
    /** Every risk still present after. */
    remaining: RiskFlag[];
  };
}

const zeroCounts = (): LevelCounts => ({ before: 0, after: 0, gained: 0, lost: 0, kept: 0, narrowed: 0, widened: 0 });

function change(b: EffectiveAction, a: EffectiveAction, riskStatus: EffectiveStatus): ActionChange {
  return {
    action: a.action, service: a.service, accessLevel: a.accessLevel, before: b.status, after: a.status,
    risks: actionRiskReasons(a.action, a.accessLevel, riskStatus),
  };
}

/**
 * Compares two results of effectivePermissions() (computed against the same catalog). Risky actions sort first within
 * gained and lost.
 */
export function diffPermissions(before: EffectiveResult, after: EffectiveResult): PermissionDiff {
  if (before.actions.length !== after.actions.length) throw new Error('diffPermissions: results come from different catalogs');
  const catalog = loadCatalog();
  const byLevel = Object.fromEntries(ACCESS_LEVELS.map((l) => [l, zeroCounts()])) as Record<AccessLevel, LevelCounts>;
  const total = zeroCounts();
  const gained: ActionChange[] = [];
  const lost: ActionChange[] = [];
  const narrowed: ActionChange[] = [];
  const widened: ActionChange[] = [];
  const services = new Map<string, ServiceDiff>();
  const svc = (e: EffectiveAction): ServiceDiff => {
    let s = services.get(e.service);
    if (!s) {
      s = { service: e.service, name: catalog.service(e.service)?.name ?? e.service, before: 0, after: 0, gained: 0, lost: 0, kept: 0, byLevel: {} };
      services.set(e.service, s);
    }
    return s;
  };
  const levelOf = (s: ServiceDiff, l: AccessLevel) => (s.byLevel[l] ??= { gained: [], lost: [] });

  for (let i = 0; i < after.actions.length; i++) {
    const b = before.actions[i];
    const a = after.actions[i];
    const pb = isPermitted(b.status);
    const pa = isPermitted(a.status);
    if (!pb && !pa) continue;
    const lc = byLevel[a.accessLevel];
    const s = svc(a);
    if (pb) { lc.before++; total.before++; s.before++; }
    if (pa) { lc.after++; total.after++; s.after++; }
    if (pb && pa) {
      lc.kept++; total.kept++; s.kept++;
      if (b.status === 'allowed' && a.status === 'conditional') { lc.narrowed++; total.narrowed++; narrowed.push(change(b, a, a.status)); }
      if (b.status === 'conditional' && a.status === 'allowed') { lc.widened++; total.widened++; widened.push(change(b, a, a.status)); }
    } else if (pa) {
      lc.gained++; total.gained++; s.gained++;
      gained.push(change(b, a, a.status));
      levelOf(s, a.accessLevel).gained.push(a.action);
    } else {
      lc.lost++; total.lost++; s.lost++;
      lost.push(change(b, a, b.status));
      levelOf(s, a.accessLevel).lost.push(a.action);
    }
  }

  const rank: Record<RiskSeverity, number> = { high: 0, medium: 1, low: 2 };
  const worst = (c: ActionChange): number => Math.min(3, ...c.risks.map((r) => rank[r.severity]));
  const riskyFirst = (x: ActionChange, y: ActionChange): number => worst(x) - worst(y) || (x.action < y.action ? -1 : 1);
  gained.sort(riskyFirst);
  lost.sort(riskyFirst);

  const granted = (r: EffectiveResult) => r.actions.filter((e) => isPermitted(e.status));
  const afterGranted = granted(after);
  return {
    byLevel, total, gained, lost, narrowed, widened,
    services: [...services.values()].filter((s) => s.gained || s.lost)
      .sort((x, y) => y.gained + y.lost - (x.gained + x.lost) || (x.service < y.service ? -1 : 1)),
    risks: {
      gained: gained.length ? assessRisks(afterGranted, { involving: new Set(gained.map((g) => g.action.toLowerCase())) }) : [],
      lost: lost.length ? assessRisks(granted(before), { involving: new Set(lost.map((l) => l.action.toLowerCase())) }) : [],
      remaining: assessRisks(afterGranted),
    },
  };
}

export interface EffectiveSummary {
  total: number;
  counts: Record<EffectiveStatus, number>;
  byLevel: Record<AccessLevel, Record<EffectiveStatus, number>>;
  /** Services with at least one permitted action, most permitted first. */
  services: Array<{ service: string; name: string; allowed: number; conditional: number; denied: number; total: number }>;
}

/** Counts per access level and status (and per service) of one effectivePermissions() result. */
export function summarizeEffective(result: EffectiveResult): EffectiveSummary {
  const catalog = loadCatalog();
  const zero = (): Record<EffectiveStatus, number> => ({ allowed: 0, conditional: 0, denied: 0, notAllowed: 0 });
  const byLevel = Object.fromEntries(ACCESS_LEVELS.map((l) => [l, zero()])) as Record<AccessLevel, Record<EffectiveStatus, number>>;
  const counts = zero();
  const perService = new Map<string, EffectiveSummary['services'][number]>();
  for (const e of result.actions) {
    byLevel[e.accessLevel][e.status]++;
    counts[e.status]++;
    let s = perService.get(e.service);
    if (!s) {
      s = { service: e.service, name: catalog.service(e.service)?.name ?? e.service, allowed: 0, conditional: 0, denied: 0, total: 0 };
      perService.set(e.service, s);
    }
    s.total++;
    if (e.status !== 'notAllowed') s[e.status]++;
  }
  const services = [...perService.values()].filter((s) => s.allowed + s.conditional > 0)
    .sort((x, y) => y.allowed + y.conditional - (x.allowed + x.conditional) || (x.service < y.service ? -1 : 1));
  return { total: result.actions.length, counts, byLevel, services };
}
