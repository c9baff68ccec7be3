// Completion and hover for playbook files, from the bundled catalog (no network): action names in Action/NotAction
// (service prefix first, then the service's actions with their access level and resource types), condition keys valid
// for the statement's actions (the services' keys plus the global aws: keys), condition operators; hover on an action
// or a wildcard says what it expands to, how many actions, and which of them are risky (risk.ts).
import { loadCatalog, readDataFile, type CatalogAction } from '../policy/catalog';
import { CONDITION_OPERATORS } from '../policy/conditions';
import { actionRiskReasons } from '../policy/risk';
import { blankJsonComments } from '../playbookFormat';
import { contextAt, samePrefix, scanStrings, statementPathOf, type JsonContext, type PathSegment } from './jsonContext';

export type CompletionKind = 'service' | 'action' | 'conditionKey' | 'operator';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** The text that replaces the string's content. */
  insertText: string;
  /** One line, e.g. "Write · instance". */
  detail: string;
  /** Markdown. */
  documentation?: string;
  /** The content range (offsets) the insert replaces. */
  replace: { start: number; end: number };
  /** Ask for completion again after inserting (service prefix → its actions). */
  retrigger?: boolean;
}

/** Whether a context is an entry of a statement's Action/NotAction. */
function actionElement(ctx: JsonContext): 'Action' | 'NotAction' | undefined {
  if (ctx.token.isKey) return undefined;
  const st = statementPathOf(ctx.token.path);
  if (!st) return undefined;
  const rest = ctx.token.path.slice(st.length);
  if ((rest.length === 1 || (rest.length === 2 && typeof rest[1] === 'number')) && (rest[0] === 'Action' || rest[0] === 'NotAction')) return rest[0];
  return undefined;
}

let globalKeys: Array<{ key: string; type: string }> | undefined;
/** The global condition keys (aws:…) of the bundled catalog. */
function globalConditionKeys(): Array<{ key: string; type: string }> {
  if (!globalKeys) {
    const raw = readDataFile<{ keyTypes: string[]; globalKeys: Array<[string, number]> }>('catalog.json').data;
    globalKeys = raw.globalKeys.map(([key, t]) => ({ key, type: raw.keyTypes[t] }));
  }
  return globalKeys;
}

function actionDoc(a: CatalogAction, serviceName: string): string {
  const lines = [`\`${a.id}\` — ${serviceName}`, '', `Access level: ${a.accessLevel}`,
    a.resourceTypes.length ? `Resource types: ${a.resourceTypes.join(', ')}` : 'Resource: only "*" (no resource-level permissions)'];
  const risks = actionRiskReasons(a.id, a.accessLevel, 'allowed');
  if (risks.length) lines.push('', ...risks.map((r) => `- $(warning) ${r.severity} ${r.category}: ${r.reason}`));
  return lines.join('\n');
}

/** Completion entries at an offset of a playbook's text (comments allowed). Empty when nothing applies there. */
export function completionsAt(text: string, offset: number): CompletionEntry[] {
  const json = blankJsonComments(text);
  const ctx = contextAt(json, offset);
  if (!ctx) return [];
  const replace = { start: ctx.contentStart, end: ctx.contentEnd };
  const catalog = loadCatalog();
  const el = actionElement(ctx);
  if (el) {
    const colon = ctx.prefix.indexOf(':');
    if (colon < 0) {
      return catalog.services.map((s) => ({
        label: s.prefix, kind: 'service' as const, insertText: `${s.prefix}:`, detail: `${s.name} · ${s.actions.length} actions`,
        replace, retrigger: true,
      }));
    }
    const svc = catalog.service(ctx.prefix.slice(0, colon));
    if (!svc) return [];
    return svc.actions.map((a) => ({
      label: a.id, kind: 'action' as const, insertText: a.id,
      detail: `${a.accessLevel}${a.resourceTypes.length ? ` · ${a.resourceTypes.join(', ')}` : ' · Resource "*" only'}`,
      documentation: actionDoc(a, svc.name), replace,
    }));
  }
  if (ctx.token.isKey) {
    const path = ctx.token.path;
    if (path[path.length - 1] === 'Condition' && statementPathOf(path)) {
      const out: CompletionEntry[] = [];
      for (const o of CONDITION_OPERATORS) {
        const names = o.family === 'Null' ? [o.name] : [o.name, `${o.name}IfExists`];
        if (o.family !== 'Null') names.push(`ForAnyValue:${o.name}`, `ForAllValues:${o.name}`);
        for (const name of names) {
          out.push({ label: name, kind: 'operator', insertText: name, detail: `${o.family} operator${o.negated ? ' (negated)' : ''}`, replace });
        }
      }
      return out;
    }
    if (path[path.length - 2] === 'Condition') {
      const st = statementPathOf(path);
      if (!st) return [];
      const services = statementServices(json, st);
      const out: CompletionEntry[] = [];
      const seen = new Set<string>();
      for (const prefix of services) {
        const s = catalog.service(prefix);
        if (!s) continue;
        for (const { key, type } of s.conditionKeys.values()) {
          if (seen.has(key.toLowerCase())) continue;
          seen.add(key.toLowerCase());
          out.push({ label: key, kind: 'conditionKey', insertText: key, detail: `${type} · ${s.name}`, replace });
        }
      }
      for (const { key, type } of globalConditionKeys()) {
        if (seen.has(key.toLowerCase())) continue;
        seen.add(key.toLowerCase());
        out.push({ label: key, kind: 'conditionKey', insertText: key, detail: `${type} · global condition key`, replace });
      }
      return out;
    }
  }
  return [];
}

/** The service prefixes a statement's Action list names (a wildcard service part names every matching service). */
export function statementServices(json: string, statementPath: PathSegment[]): string[] {
  const catalog = loadCatalog();
  const out = new Set<string>();
  for (const t of scanStrings(json)) {
    if (t.isKey || !samePrefix(t.path, statementPath)) continue;
    const rest = t.path.slice(statementPath.length);
    if (rest[0] !== 'Action') continue;
    const colon = t.value.indexOf(':');
    if (t.value === '*') continue;
    if (colon <= 0) continue;
    for (const a of catalog.expand(t.value)) out.add(a.service);
    const direct = catalog.service(t.value.slice(0, colon));
    if (direct) out.add(direct.prefix);
  }
  return [...out];
}

const RANK = { high: 0, medium: 1, low: 2 } as const;

export interface HoverInfo {
  /** Markdown. */
  markdown: string;
  /** The hovered string's range (offsets, including the quotes). */
  range: { start: number; end: number };
}

/** Hover on an action or a wildcard in Action/NotAction: what it expands to, how many, which are risky. */
export function hoverAt(text: string, offset: number): HoverInfo | undefined {
  const json = blankJsonComments(text);
  const ctx = contextAt(json, offset);
  if (!ctx) return undefined;
  const el = actionElement(ctx);
  if (!el) return undefined;
  const pattern = ctx.token.value;
  const catalog = loadCatalog();
  const hits = catalog.expand(pattern);
  const range = { start: ctx.token.start, end: ctx.token.end };
  if (!hits.length) {
    return { range, markdown: `\`${pattern}\` matches no action in the IAM catalog (${catalog.source.package} ${catalog.source.version}).` };
  }
  const levels = new Map<string, number>();
  for (const a of hits) levels.set(a.accessLevel, (levels.get(a.accessLevel) ?? 0) + 1);
  const risky = hits.map((a) => ({ a, r: actionRiskReasons(a.id, a.accessLevel, 'allowed').filter((x) => x.severity !== 'low').sort((x, y) => RANK[x.severity] - RANK[y.severity]) })).filter((x) => x.r.length)
    .sort((x, y) => RANK[x.r[0].severity] - RANK[y.r[0].severity] || (x.a.id < y.a.id ? -1 : 1));
  const wildcard = /[*?]/.test(pattern);
  const lines: string[] = [];
  if (wildcard) lines.push(`\`${pattern}\` expands to **${hits.length}** action${hits.length === 1 ? '' : 's'}${el === 'NotAction' ? ' (excluded: NotAction)' : ''}`);
  else {
    const a = hits[0];
    lines.push(actionDoc(a, catalog.service(a.service)?.name ?? a.service));
  }
  if (wildcard) {
    lines.push('', [...levels].map(([l, n]) => `${l}: ${n}`).join(' · '));
    if (risky.length) {
      lines.push('', `**${risky.length} risky:**`);
      for (const { a, r } of risky.slice(0, 20)) lines.push(`- ${a.id} — ${r[0].severity} ${r[0].category}: ${r[0].reason}`);
      if (risky.length > 20) lines.push(`- … and ${risky.length - 20} more`);
    } else lines.push('', 'None of them is risky (no privilege escalation, role passing, permissions management or bulk data read).');
    const shown = hits.slice(0, 25).map((a) => a.id).join(', ');
    lines.push('', `${shown}${hits.length > 25 ? `, … (${hits.length - 25} more)` : ''}`);
  }
  return { range, markdown: lines.join('\n') };
}
