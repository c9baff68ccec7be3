// The extension's one LogOutputChannel, behind the core Logger interface so every line passes the core's redaction.
import * as vscode from 'vscode';
import { createLogger, type Logger, type LogLevel } from '../core/log';

export interface ExtensionLog extends Logger {
  readonly channel: vscode.LogOutputChannel;
}

export function createExtensionLog(): ExtensionLog {
  const channel = vscode.window.createOutputChannel('Break Glass', { log: true });
  const methods: Record<LogLevel, (line: string) => void> = {
    trace: (l) => channel.trace(l),
    debug: (l) => channel.debug(l),
    info: (l) => channel.info(l),
    warn: (l) => channel.warn(l),
    error: (l) => channel.error(l),
  };
  const logger = createLogger({ write: (level, line) => methods[level](line) });
  return { ...logger, channel };
}
