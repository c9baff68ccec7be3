// The extension's one LogOutputChannel, behind the core Logger interface so every line passes the core's redaction.
// The last lines are also kept in memory (already redacted) for "copy diagnostics" and for tests that prove no
// secret reaches the log.
import * as vscode from 'vscode';
import { createLogger, type Logger, type LogLevel } from '../core/log';

export interface ExtensionLog extends Logger {
  readonly channel: vscode.LogOutputChannel;
  /** The most recent lines as written to the channel (redacted), oldest first. */
  recent(): readonly string[];
}

const KEEP = 1000;

export function createExtensionLog(): ExtensionLog {
  const channel = vscode.window.createOutputChannel('Break Glass', { log: true });
  const lines: string[] = [];
  const methods: Record<LogLevel, (line: string) => void> = {
    trace: (l) => channel.trace(l),
    debug: (l) => channel.debug(l),
    info: (l) => channel.info(l),
    warn: (l) => channel.warn(l),
    error: (l) => channel.error(l),
  };
  const logger = createLogger({
    write: (level, line) => {
      lines.push(`[${level}] ${line}`);
      if (lines.length > KEEP) lines.splice(0, lines.length - KEEP);
      methods[level](line);
    },
  });
  return { ...logger, channel, recent: () => lines };
}
