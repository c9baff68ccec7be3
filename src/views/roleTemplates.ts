// Role template files (`.breakglass/roles/*.json`): read for provisioning and the readiness check (trusted
// workspaces only — an untrusted repository must not shape the roles it would have provisioned), and validated as
// they are typed, as editor diagnostics on the JSON they name (like playbooks).
import * as vscode from 'vscode';
import { DocumentDiagnostics } from './documentDiagnostics';
import { parsePolicyText } from '../core/policy/parse';
import { parseRoleTemplate, ROLE_TEMPLATE_GLOB } from '../core/provision/roleTemplates';


/** The text of every role template file in the workspace; none in an untrusted workspace. */
export async function readRoleTemplateFiles(): Promise<Array<{ file: string; text: string }>> {
  if (!vscode.workspace.isTrusted) return [];
  const uris = await vscode.workspace.findFiles(ROLE_TEMPLATE_GLOB, '**/node_modules/**', 200);
  return Promise.all(uris.map(async (u) => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === u.toString());
    return { file: vscode.workspace.asRelativePath(u), text: open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(u)) };
  }));
}

export function isRoleTemplate(doc: vscode.TextDocument): boolean {
  return vscode.languages.match({ pattern: ROLE_TEMPLATE_GLOB }, doc) > 0;
}

/** The problems of one role template text as diagnostics, each on the JSON value it names. */
export function roleTemplateDiagnostics(text: string, file: string): vscode.Diagnostic[] {
  const { problems } = parseRoleTemplate(text, file);
  if (!problems.length) return [];
  const located = parsePolicyText(text);
  return problems.map((p) => {
    const at = p.path ? located.locate(p.path) ?? located.locateKey(p.path) : undefined;
    const range = at ? new vscode.Range(at.line, at.column, at.line, at.column + Math.max(1, Math.min(at.length, 200))) : new vscode.Range(0, 0, 0, 1);
    const d = new vscode.Diagnostic(range, p.path ? `${p.path}: ${p.message}` : p.message, vscode.DiagnosticSeverity.Error);
    d.source = 'Break Glass';
    d.code = 'role-template';
    return d;
  });
}

/** Lint as you type for `.breakglass/roles/*.json`. */
export class RoleTemplateDiagnostics extends DocumentDiagnostics {
  constructor() {
    super('breakglass-role-templates', isRoleTemplate, (doc) => roleTemplateDiagnostics(doc.getText(), doc.uri.path));
  }
}
