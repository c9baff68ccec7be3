// A side-by-side line diff for the policy preview: the longest common subsequence of lines (after trimming the common
// prefix and suffix), turned into display rows. A run of removed lines followed by a run of added lines is paired row
// by row as "changed", so the page shows a line and its replacement next to each other.
//
// The dynamic-programming table is (n+1)·(m+1) cells over the lines that differ; policies are tens to a few hundred
// lines, so that is small. Past MAX_CELLS the diff falls back to listing both texts side by side (`approximate`).
import type { DiffRow } from './types';

/** Largest LCS table (cells) computed exactly: 4 M cells of Uint32 = 16 MB, a few tens of milliseconds. */
export const MAX_CELLS = 4_000_000;

type Op = { kind: 'same'; a: number; b: number } | { kind: 'removed'; a: number } | { kind: 'added'; b: number };

/** Splits text into lines; a trailing newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script turning `a` into `b` (indexes into each), via LCS. */
function editScript(a: string[], b: string[]): Op[] | undefined {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const n = endA - start;
  const m = endB - start;
  if ((n + 1) * (m + 1) > MAX_CELLS) return undefined;

  // lcs[i][j] = LCS length of a[start+i..endA) and b[start+j..endB), stored row-major.
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = a[start + i] === b[start + j] ? lcs[(i + 1) * w + j + 1] + 1
        : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < start; k++) ops.push({ kind: 'same', a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      ops.push({ kind: 'same', a: start + i, b: start + j });
      i++; j++;
    } else if (j < m && (i === n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) {
      ops.push({ kind: 'added', b: start + j });
      j++;
    } else {
      ops.push({ kind: 'removed', a: start + i });
      i++;
    }
  }
  for (let k = 0; k < a.length - endA; k++) ops.push({ kind: 'same', a: endA + k, b: endB + k });
  return ops;
}

/**
 * Side-by-side rows for two texts. Unchanged lines are one row with both sides; a block of removed lines next to a
 * block of added lines becomes "changed" rows pairing them in order (the longer block's rest stays removed/added).
 */
export function sideBySide(left: string, right: string): { rows: DiffRow[]; approximate: boolean } {
  const a = splitLines(left);
  const b = splitLines(right);
  const ops = editScript(a, b);
  const L = (i: number) => ({ line: i + 1, text: a[i] });
  const R = (j: number) => ({ line: j + 1, text: b[j] });
  if (!ops) {
    const rows: DiffRow[] = [];
    for (let k = 0; k < Math.max(a.length, b.length); k++) {
      const row: DiffRow = { kind: k < a.length && k < b.length ? (a[k] === b[k] ? 'same' : 'changed') : k < a.length ? 'removed' : 'added' };
      if (k < a.length) row.left = L(k);
      if (k < b.length) row.right = R(k);
      rows.push(row);
    }
    return { rows, approximate: true };
  }
  const rows: DiffRow[] = [];
  for (let k = 0; k < ops.length;) {
    const op = ops[k];
    if (op.kind === 'same') {
      rows.push({ kind: 'same', left: L(op.a), right: R(op.b) });
      k++;
      continue;
    }
    // Collect one block of changes: removed and added lines up to the next unchanged line.
    const removed: number[] = [];
    const added: number[] = [];
    for (; k < ops.length && ops[k].kind !== 'same'; k++) {
      const o = ops[k];
      if (o.kind === 'removed') removed.push(o.a);
      else if (o.kind === 'added') added.push(o.b);
    }
    for (let p = 0; p < Math.max(removed.length, added.length); p++) {
      if (p < removed.length && p < added.length) rows.push({ kind: 'changed', left: L(removed[p]), right: R(added[p]) });
      else if (p < removed.length) rows.push({ kind: 'removed', left: L(removed[p]) });
      else rows.push({ kind: 'added', right: R(added[p]) });
    }
  }
  return { rows, approximate: false };
}
