// Diagnostics that follow a kind of document as it is typed: computed when it opens, debounced while it is edited,
// cleared when it closes. Playbook files and role-template files both use it.
import * as vscode from 'vscode';

const DEBOUNCE_MS = 150;

export class DocumentDiagnostics implements vscode.Disposable {
  readonly collection: vscode.DiagnosticCollection;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[];

  constructor(name: string, private readonly applies: (doc: vscode.TextDocument) => boolean,
    private readonly compute: (doc: vscode.TextDocument) => vscode.Diagnostic[]) {
    this.collection = vscode.languages.createDiagnosticCollection(name);
    this.disposables = [this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cancel(d.uri);
        this.collection.delete(d.uri);
      }),
    ];
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!this.applies(doc)) return;
    this.cancel(doc.uri);
    this.timers.set(doc.uri.toString(), setTimeout(() => {
      this.timers.delete(doc.uri.toString());
      this.collection.set(doc.uri, this.compute(doc));
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
