// Comparing policies: a canonical text (so key order and single-vs-array do not count as drift), a unified line
// diff for plans and reports, and whether a change broadens access. "Broadens" errs on the side of yes: a change
// counts as narrowing only when every Allow statement after it is covered by one before it and every Deny before it
// is still covered after it.
import { sideBySide } from '../preview/lineDiff';
import { wildcardMatch } from './trust';

const arr = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
type Stmt = Record<string, unknown>;

/** Sorted keys, single values and one-element arrays unified, statements as an array: equal meaning → equal text. */
export function canonicalPolicy(doc: unknown): string {
  const norm = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) {
      const items = v.map((x) => norm(x));
      if (key === 'Statement') return items;
      if (items.length === 1) return items[0];
      return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
    }
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o).sort()) out[k] = norm(k === 'Statement' && !Array.isArray(o[k]) ? [o[k]] : o[k], k);
      return out;
    }
    return typeof v === 'boolean' || typeof v === 'number' ? String(v) : v;
  };
  return JSON.stringify(norm(doc), null, 2);
}

export function samePolicy(a: unknown, b: unknown): boolean {
  return canonicalPolicy(a) === canonicalPolicy(b);
}

/** A unified diff (`-` before, `+` after, two-space context) of two texts. */
export function unifiedDiff(before: string, after: string): string {
  const out: string[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    out.push(...removed.map((t) => `- ${t}`), ...added.map((t) => `+ ${t}`));
    removed = [];
    added = [];
  };
  for (const r of sideBySide(before, after).rows) {
    if (r.kind === 'same') {
      flush();
      out.push(`  ${r.left!.text}`);
    } else {
      if (r.left) removed.push(r.left.text);
      if (r.right) added.push(r.right.text);
    }
  }
  flush();
  return out.join('\n');
}

function statements(doc: unknown): Stmt[] {
  const s = (doc as { Statement?: unknown } | undefined)?.Statement;
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]) as Stmt[];
}

function patternsCover(outer: string[], inner: string[], caseInsensitive: boolean): boolean {
  if (!inner.length) return !outer.length;
  return inner.every((i) => outer.some((o) => o === i || wildcardMatch(o, i, caseInsensitive)));
}

function principals(p: unknown): string[] {
  if (p === undefined) return [];
  if (p === '*') return ['AWS:*'];
  return Object.entries(p as Record<string, unknown>).flatMap(([k, v]) => arr(v).map((x) => `${k}:${x}`));
}

/** Whether `narrow` allows (or denies) nothing that `wide` does not: same effect, ⊆ actions/resources/principals, ⊇ conditions. */
export function statementCovered(narrow: Stmt, wide: Stmt): boolean {
  if (narrow.Effect !== wide.Effect) return false;
  for (const k of ['NotAction', 'NotResource', 'NotPrincipal']) if (narrow[k] !== undefined || wide[k] !== undefined) return canonicalPolicy(narrow) === canonicalPolicy(wide);
  if (!patternsCover(arr(wide.Action), arr(narrow.Action), true)) return false;
  if (!patternsCover(arr(wide.Resource), arr(narrow.Resource), false)) return false;
  const wp = principals(wide.Principal);
  const np = principals(narrow.Principal);
  if (!(wp.includes('AWS:*') || np.every((x) => wp.includes(x))) || (np.length === 0) !== (wp.length === 0)) return false;
  // Every condition of `wide` must be at least as strict in `narrow`.
  const wc = (wide.Condition ?? {}) as Record<string, Record<string, unknown>>;
  const nc = (narrow.Condition ?? {}) as Record<string, Record<string, unknown>>;
  for (const [op, block] of Object.entries(wc)) {
    for (const [key, v] of Object.entries(block ?? {})) {
      const mine = Object.entries(nc[op] ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      if (mine === undefined) return false;
      const wv = arr(v);
      const nv = arr(mine);
      if (/^NumericLessThan/.test(op)) {
        if (!(Math.max(...nv.map(Number)) <= Math.min(...wv.map(Number)))) return false;
      } else if (/^NumericGreaterThan/.test(op)) {
        if (!(Math.min(...nv.map(Number)) >= Math.max(...wv.map(Number)))) return false;
      } else if (!nv.every((x) => wv.includes(x))) return false;
    }
  }
  return true;
}

/** Whether replacing `before` with `after` may allow something new. Absent `before` (a new policy): true. */
export function broadens(before: unknown, after: unknown): boolean {
  if (before === undefined) return true;
  const b = statements(before);
  const a = statements(after);
  const allowsCovered = a.filter((s) => s.Effect === 'Allow').every((s) => b.some((o) => o.Effect === 'Allow' && statementCovered(s, o)));
  const deniesKept = b.filter((s) => s.Effect === 'Deny').every((d) => a.some((o) => o.Effect === 'Deny' && statementCovered(d, o)));
  return !(allowsCovered && deniesKept);
}
