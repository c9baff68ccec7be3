// Playbook files (`.breakglass/playbooks/*.json`: session policies a team keeps with its runbooks, comments allowed)
// are linted as they are typed — the playbook fields, grammar errors with their JSON position, the 2,048-character
// session-policy limit, unknown actions with "did you mean", wildcard grants, privilege-escalation risks, MFA
// anti-patterns — as ordinary editor diagnostics, each linked to its rule's explanation (docs/lint-rules.md#<code>).
// Debounced while typing; cleared when the document closes.
import * as vscode from 'vscode';
import { DocumentDiagnostics } from './documentDiagnostics';
import type { LintSeverity } from '../core/policy/lint';
import { lintPlaybook } from '../core/playbookFormat';
import { PLAYBOOK_FILE_GLOB_ANYWHERE } from '../core/playbooks';

/** The one playbook file glob (src/core/playbooks.ts). */
const PLAYBOOK_GLOB = PLAYBOOK_FILE_GLOB_ANYWHERE;

function severity(s: LintSeverity): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

function isPlaybook(doc: vscode.TextDocument): boolean {
  return vscode.languages.match({ pattern: PLAYBOOK_GLOB }, doc) > 0;
}

/**
 * The findings of one playbook text as diagnostics. With `doc`, ranges are exact (offset → position, across lines);
 * `rulesDoc` is the explanation page each code links to.
 */
export function playbookDiagnostics(text: string, doc?: vscode.TextDocument, rulesDoc?: vscode.Uri): vscode.Diagnostic[] {
  return lintPlaybook(text).map((f) => {
    const p = f.position;
    const range = p && doc ? new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + Math.max(1, p.length)))
      : p ? new vscode.Range(p.line, p.column, p.line, p.column + Math.max(1, Math.min(p.length, 500))) : new vscode.Range(0, 0, 0, 1);
    const d = new vscode.Diagnostic(range, f.message, severity(f.severity));
    d.source = 'Break Glass';
    d.code = rulesDoc ? { value: f.code, target: rulesDoc.with({ fragment: f.code }) } : f.code;
    return d;
  });
}

/** The lint code of a diagnostic (plain or linked). */
export function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : c === undefined ? undefined : String(c);
}

/** Lint as you type for playbook files. @param rulesDoc the page explaining each lint rule (an anchor per code). */
export class PlaybookDiagnostics extends DocumentDiagnostics {
  constructor(rulesDoc?: vscode.Uri) {
    super('breakglass-playbooks', isPlaybook, (doc) => playbookDiagnostics(doc.getText(), doc, rulesDoc));
  }
}
