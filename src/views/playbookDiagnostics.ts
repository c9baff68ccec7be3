// Playbook files (`.breakglass/playbooks/*.json`: session policies a team keeps with its runbooks, comments allowed)
// are linted as they are typed — the playbook fields, grammar errors with their JSON position, the 2,048-character
// session-policy limit, unknown actions with "did you mean", wildcard grants, privilege-escalation risks, MFA
// anti-patterns — as ordinary editor diagnostics, each linked to its rule's explanation (docs/lint-rules.md#<code>).
// Debounced while typing; cleared when the document closes.
import * as vscode from 'vscode';
import type { LintSeverity } from '../core/policy/lint';
import { lintPlaybook } from '../core/playbookFormat';
import { PLAYBOOK_FILE_GLOB_ANYWHERE } from '../core/playbooks';

/** The one playbook file glob (src/core/playbooks.ts). */
const PLAYBOOK_GLOB = PLAYBOOK_FILE_GLOB_ANYWHERE;
const DEBOUNCE_MS = 150;

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

export class PlaybookDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('breakglass-playbooks');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  /** @param rulesDoc the page explaining each lint rule (an anchor per code). */
  constructor(private readonly rulesDoc?: vscode.Uri) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cancel(d.uri);
        this.collection.delete(d.uri);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isPlaybook(doc)) return;
    this.cancel(doc.uri);
    this.timers.set(doc.uri.toString(), setTimeout(() => {
      this.timers.delete(doc.uri.toString());
      this.collection.set(doc.uri, playbookDiagnostics(doc.getText(), doc, this.rulesDoc));
    }, delay));
  }

  private cancel(uri: vscode.Uri): void {
    const t = this.timers.get(uri.toString());
    if (t) clearTimeout(t);
    this.timers.delete(uri.toString());
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
