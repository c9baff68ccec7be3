// Quick fixes for playbook lint findings, only where the fix is unambiguous:
//   unknown-action            replace the action with a "did you mean" suggestion (preferred when there is one)
//   missing-high-risk-deny    append the reference's explicit Deny of high-risk actions to the Statement list
//   duplicate-action          remove the duplicate entry (and its comma)
//   version-missing           insert "Version": "2012-10-17" as the policy's first property
// Fixes are text edits (offsets into the original text), applied by the editor; pure, so they are unit-tested.
import type { LintFinding } from '../policy/lint';
import { blankJsonComments, highRiskDenyStatement, parsePlaybookText } from '../playbookFormat';

export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  code: string;
  edits: TextEdit[];
  preferred: boolean;
}

/** Applies edits (non-overlapping) to a text: for tests and the CLI. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
  return out;
}

const lineIndent = (text: string, offset: number): string => {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
};

/** The fixes for one finding of lintPlaybook (empty when none is unambiguous). */
export function quickFixesFor(text: string, f: LintFinding): QuickFix[] {
  const pos = f.position;
  if (!pos) return [];
  switch (f.code) {
    case 'unknown-action': {
      const m = /did you mean (.+)\?$/.exec(f.message);
      const suggestions = m ? [...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]) : [];
      if (!suggestions.length || text[pos.offset] !== '"') return [];
      // One fix per suggestion; preferred (applied by "Fix all" / Ctrl+.) only when there is a single one.
      return suggestions.map((s) => ({ title: `Replace with '${s}'`, code: f.code, preferred: suggestions.length === 1, edits: [{ offset: pos.offset, length: pos.length, newText: JSON.stringify(s) }] }));
    }
    case 'duplicate-action': {
      if (text[pos.offset] !== '"') return [];
      const json = blankJsonComments(text);
      // Remove the entry with the comma before it (it is never the first entry).
      let start = pos.offset;
      let k = start - 1;
      while (k >= 0 && /\s/.test(json[k])) k--;
      if (json[k] !== ',') return [];
      start = k;
      return [{ title: 'Remove the duplicate action', code: f.code, preferred: true, edits: [{ offset: start, length: pos.offset + pos.length - start, newText: '' }] }];
    }
    case 'version-missing': {
      if (text[pos.offset] !== '{') return [];
      const json = blankJsonComments(text);
      let k = pos.offset + 1;
      while (k < json.length && /\s/.test(json[k])) k++;
      const empty = json[k] === '}';
      const multiline = /\n/.test(json.slice(pos.offset + 1, k));
      const newText = empty ? '"Version": "2012-10-17"'
        : multiline ? `"Version": "2012-10-17",\n${lineIndent(text, k)}` : '"Version": "2012-10-17", ';
      return [{ title: 'Add "Version": "2012-10-17"', code: f.code, preferred: true, edits: [{ offset: k, length: 0, newText }] }];
    }
    case 'missing-high-risk-deny': {
      const deny = highRiskDenyStatement();
      const p = parsePlaybookText(text);
      const doc = p.playbook.sessionPolicy;
      if (!doc) return [];
      const title = 'Add the explicit Deny of high-risk actions (SEC10-BP05)';
      if (Array.isArray(doc.Statement)) {
        // pos is the Statement array; insert before its closing bracket.
        const close = pos.offset + pos.length - 1;
        if (text[close] !== ']' || text[pos.offset] !== '[') return [];
        const json = blankJsonComments(text);
        let k = close - 1;
        while (k > pos.offset && /\s/.test(json[k])) k--;
        const emptyList = k === pos.offset;
        const multiline = /\n/.test(text.slice(pos.offset, close));
        const closeIndent = lineIndent(text, close);
        const itemIndent = multiline ? (doc.Statement.length ? lineIndentOfItem(text, json, pos.offset) : `${closeIndent}  `) : '';
        const body = JSON.stringify(deny).replace(/^\{/, '{ ').replace(/\}$/, ' }').replace(/","/g, '", "').replace(/":/g, '": ').replace(/,"/g, ', "');
        const newText = multiline ? `${emptyList ? '' : ','}\n${itemIndent}${body}` : `${emptyList ? '' : ', '}${body}`;
        return [{ title, code: f.code, preferred: true, edits: [{ offset: k + 1, length: 0, newText }] }];
      }
      if (text[pos.offset] !== '{') return [];
      const stmt = text.slice(pos.offset, pos.offset + pos.length);
      return [{ title, code: f.code, preferred: true, edits: [{ offset: pos.offset, length: pos.length, newText: `[${stmt}, ${JSON.stringify(deny)}]` }] }];
    }
    default:
      return [];
  }
}

/** The indentation of the first element of the array opening at `open`. */
function lineIndentOfItem(text: string, json: string, open: number): string {
  let k = open + 1;
  while (k < json.length && /\s/.test(json[k])) k++;
  return lineIndent(text, k);
}
