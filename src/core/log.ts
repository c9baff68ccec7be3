// The one logging interface the core writes to. The extension backs it with a LogOutputChannel, the CLI with stderr.
// Redaction happens here, at the logger, not at each call site: anything that looks like an AWS secret access key,
// session token, or a six-digit MFA code next to a token-ish word is masked before any sink sees it.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogSink {
  write(level: LogLevel, line: string): void;
}

export interface Logger {
  trace(msg: string): void;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const REDACTIONS: Array<[RegExp, string]> = [
  // "SecretAccessKey":"..." / SessionToken=... / aws_session_token = ...
  [/((?:secret_?access_?key|session_?token|token_?code|aws_secret_access_key|aws_session_token|authorization)["']?\s*[:=]\s*["']?)[^"'\s,}]+/gi, '$1***'],
  // STS session tokens are long base64 blobs starting with IQoJb3JpZ2lu ("origin" in base64) or FwoGZXIvYXdzE.
  [/\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdzE)[A-Za-z0-9+/=]{20,}/g, '***token***'],
  // 40-character secret access keys (base64 alphabet with a mandatory / or + or mixed case and digits).
  [/(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))(?=[^\s]*[a-z])(?=[^\s]*[A-Z])(?=[^\s]*[0-9])[A-Za-z0-9/+]{40}/g, '***secret***'],
];

/** Masks secrets in a line. Exported so tests (and any other sink) can use the exact same rules. */
export function redact(line: string): string {
  let out = line;
  for (const [re, rep] of REDACTIONS) out = out.replace(re, rep);
  return out;
}

export function createLogger(sink: LogSink): Logger {
  const emit = (level: LogLevel) => (msg: string) => sink.write(level, redact(msg));
  return { trace: emit('trace'), debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that remembers lines in memory: for the CLI's --verbose and for tests. */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(level: LogLevel, line: string): void {
    this.lines.push(`[${level}] ${line}`);
  }
}
