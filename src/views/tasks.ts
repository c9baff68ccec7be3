// Tasks with a session: a `breakglass` task type (package.json taskDefinitions) wraps a shell command:
//   { "type": "breakglass", "command": "aws s3 ls", "incident": "INC-2024-001", "label": "list buckets" }
// resolveTask builds a ShellExecution whose env carries the session's credentials at run time only — never in
// tasks.json, never on the command line. A session that is not live: the task prints why and exits 1, and an Elevate
// action is offered.
import * as vscode from 'vscode';
import type { AuditLog } from '../core/audit/log';
import type { Logger } from '../core/log';
import { sessionAuditFields } from '../core/session/flow';
import type { SessionStore } from '../core/session/store';
import type { SessionTerminals } from './terminals';
import { announce, notLive, resolveSessionRef, sessionEnvironment, type SessionRef } from './sessionEnv';

export const TASK_TYPE = 'breakglass';

interface BreakGlassTaskDefinition extends vscode.TaskDefinition {
  command: string;
  incident?: string;
  role?: string;
  session?: string;
  cwd?: string;
}

export class SessionTaskProvider implements vscode.TaskProvider {
  constructor(private readonly sessions: SessionStore, private readonly terminals: SessionTerminals, private readonly audit: () => AuditLog, private readonly log: Logger) {}

  static register(...args: ConstructorParameters<typeof SessionTaskProvider>): vscode.Disposable {
    return vscode.tasks.registerTaskProvider(TASK_TYPE, new SessionTaskProvider(...args));
  }

  provideTasks(): vscode.Task[] {
    return []; // tasks are declared in tasks.json; they are resolved below
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const def = task.definition as BreakGlassTaskDefinition;
    if (typeof def.command !== 'string' || !def.command.trim()) return undefined;
    const ref: SessionRef = def.incident || def.role || def.session ? { incident: def.incident, role: def.role, session: def.session } : true;
    const what = `the task "${task.name}"`;
    const { session, why } = await resolveSessionRef(this.sessions, ref, what);
    const scope = task.scope ?? vscode.TaskScope.Workspace;
    if (!session) {
      notLive(why ?? 'no live session', ref, what);
      return new vscode.Task(def, scope, task.name, TASK_TYPE, new vscode.CustomExecution(async () => failing(`Break Glass: ${why ?? 'no live session'}; elevate, then run the task again.`)));
    }
    const env = await sessionEnvironment(this.sessions, this.terminals, session);
    const set: Record<string, string> = {};
    const unset: string[] = [];
    for (const [k, v] of Object.entries(env)) {
      if (v === null) unset.push(k);
      else set[k] = v;
    }
    // ShellExecution's env can only add; variables that would make an SDK pick other credentials (AWS_PROFILE, …)
    // are unset in the shell. Only names, never values, are on the command line.
    const commandLine = process.platform === 'win32' ? def.command : `unset ${unset.join(' ')}; ${def.command}`;
    await this.audit().append({ event: 'terminal_opened', ...sessionAuditFields(session), details: { delivery: 'task', task: task.name } })
      .catch((e: unknown) => this.log.error(`audit log write failed: ${(e as Error).message}`));
    announce(session, what);
    this.log.info(`task "${task.name}" uses session ${session.id} (${session.incidentId})`);
    const resolved = new vscode.Task(def, scope, task.name, TASK_TYPE, new vscode.ShellExecution(commandLine, { env: set, ...(def.cwd ? { cwd: def.cwd } : {}) }));
    resolved.presentationOptions = { ...task.presentationOptions, echo: false };
    return resolved;
  }
}

function failing(message: string): vscode.Pseudoterminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number>();
  return {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: () => { write.fire(`${message}\r\n`); close.fire(1); },
    close: () => undefined,
  };
}
