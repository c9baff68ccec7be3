// Editor features of playbook files, as thin providers over src/core/authoring: quick fixes for lint findings,
// completion of actions / condition keys / operators, hover on actions and wildcards, and CodeLens (preview, elevate,
// compare with HEAD). Built-in playbooks (read-only documents of the breakglass-builtin scheme) get the same
// completion and hover, and the preview lens.
import * as vscode from 'vscode';
import { completionsAt, hoverAt, type CompletionKind } from '../core/authoring/completion';
import { quickFixesFor } from '../core/authoring/quickFixes';
import { lintPlaybook } from '../core/playbookFormat';
import { BUILTIN_PLAYBOOK_SCHEME } from './builtinPlaybooks';
import { PLAYBOOK_FILE_GLOB_ANYWHERE as PLAYBOOK_GLOB } from '../core/playbooks';
import { diagnosticCode } from './playbookDiagnostics';

export const PLAYBOOK_SELECTOR: vscode.DocumentSelector = [{ pattern: PLAYBOOK_GLOB }, { scheme: BUILTIN_PLAYBOOK_SCHEME }];

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  service: vscode.CompletionItemKind.Module,
  action: vscode.CompletionItemKind.Function,
  conditionKey: vscode.CompletionItemKind.Property,
  operator: vscode.CompletionItemKind.Operator,
};

export class PlaybookCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === 'Break Glass');
    if (!ours.length) return [];
    const text = doc.getText();
    const findings = lintPlaybook(text);
    const out: vscode.CodeAction[] = [];
    for (const d of ours) {
      const code = diagnosticCode(d);
      const at = doc.offsetAt(d.range.start);
      const f = findings.find((x) => x.code === code && x.position?.offset === at);
      if (!f) continue;
      for (const fix of quickFixesFor(text, f)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = fix.preferred;
        action.edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
        out.push(action);
      }
    }
    return out;
  }
}

export class PlaybookCompletions implements vscode.CompletionItemProvider {
  provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionList {
    const entries = completionsAt(doc.getText(), doc.offsetAt(position));
    const items = entries.map((e) => {
      const item = new vscode.CompletionItem({ label: e.label, description: e.detail }, KINDS[e.kind]);
      item.insertText = e.insertText;
      item.filterText = e.insertText;
      item.detail = e.detail;
      if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation, true);
      item.range = new vscode.Range(doc.positionAt(e.replace.start), doc.positionAt(e.replace.end));
      if (e.retrigger) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest actions' };
      return item;
    });
    return new vscode.CompletionList(items, false);
  }
}

export class PlaybookHovers implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const h = hoverAt(doc.getText(), doc.offsetAt(position));
    if (!h) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(h.markdown, true), new vscode.Range(doc.positionAt(h.range.start), doc.positionAt(h.range.end)));
  }
}

export class PlaybookCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly trust = vscode.workspace.onDidGrantWorkspaceTrust(() => this.emitter.fire());

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(top, { title: 'Preview effective permissions', command: 'breakglass.previewPlaybookFile', arguments: [doc.uri] })];
    if (doc.uri.scheme === BUILTIN_PLAYBOOK_SCHEME) {
      lenses.push(new vscode.CodeLens(top, { title: 'Copy to workspace', command: 'breakglass.copyBuiltinPlaybook', arguments: [doc.uri] }));
      return lenses;
    }
    lenses.push(vscode.workspace.isTrusted
      ? new vscode.CodeLens(top, { title: 'Elevate with this playbook', command: 'breakglass.elevateWithPlaybook', arguments: [doc.uri] })
      : new vscode.CodeLens(top, { title: 'Elevate: not in an untrusted workspace (trust it first)', command: 'workbench.trust.manage' }));
    lenses.push(new vscode.CodeLens(top, { title: 'Compare with HEAD', command: 'breakglass.comparePlaybookWithHead', arguments: [doc.uri] }));
    return lenses;
  }

  dispose(): void {
    this.trust.dispose();
    this.emitter.dispose();
  }
}

/** Registers every playbook-language provider; the returned disposables belong to context.subscriptions. */
export function registerPlaybookLanguage(): vscode.Disposable[] {
  const lenses = new PlaybookCodeLenses();
  return [
    lenses,
    vscode.languages.registerCodeActionsProvider(PLAYBOOK_SELECTOR, new PlaybookCodeActions(), { providedCodeActionKinds: PlaybookCodeActions.kinds }),
    vscode.languages.registerCompletionItemProvider(PLAYBOOK_SELECTOR, new PlaybookCompletions(), '"', ':'),
    vscode.languages.registerHoverProvider(PLAYBOOK_SELECTOR, new PlaybookHovers()),
    vscode.languages.registerCodeLensProvider(PLAYBOOK_SELECTOR, lenses),
  ];
}
