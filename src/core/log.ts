// The one logging interface the core writes to. The extension backs it with a LogOutputChannel, the CLI with stderr.
// Redaction happens here, at the logger, not at each call site: anything that looks like an AWS secret access key,
// session token (every shape STS and emulators issue), bearer token, signature, or a six-digit MFA code next to a word
// naming it is masked before any sink sees it — and free text such as `authorization=CAB-1234` is left alone.

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

// Keys whose VALUE is always a secret, in JSON ("SessionToken":"…"), INI/env (aws_session_token = …) or query form
// (X-Amz-Security-Token=…). Not `authorization` alone: a justification such as `authorization=CAB-1234` (a change
// ticket) is free text and stays readable; the secret shapes an Authorization header carries are masked below.
const SECRET_KEYS = [
  'secret_?access_?key', 'session_?token', 'security_?token', 'x-amz-security-token', 'token_?code',
  'aws_secret_access_key', 'aws_session_token', 'authorization_?token', 'signin_?token', 'password', 'client_?secret',
];

/**
 * STS session-token prefixes, oldest to newest (the base64 of the token's first bytes): `AQoDYXdzE` (2011–2015,
 * "aws"), `FQoDYXdzE` / `FQoGZXIvYXdzE` (2015–2019; moto and LocalStack still issue `FQoGZXIvYXdzEBYaD…`),
 * `FwoGZXIvYXdzE` (regional, 2019–), `IQoJb3JpZ2lu` / `AgoJb3JpZ2lu` ("origin", 2020–). Any other long base64 run is
 * caught by the generic rule below.
 */
const TOKEN_PREFIXES = ['AQoDYXdzE', 'FQoDYXdzE', 'FQoGZXIvYXdzE', 'FwoGZXIvYXdzE', 'IQoJb3JpZ2lu', 'AgoJb3JpZ2lu'];

const REDACTIONS: Array<[RegExp, string]> = [
  [new RegExp(`((?:${SECRET_KEYS.join('|')})["']?\\s*[:=]\\s*["']?)[^"'\\s,}&]+`, 'gi'), '$1***'],
  // Authorization header values: bearer tokens (our loopback credential endpoint) and SigV4 signatures.
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1***'],
  [/\b(Signature=)[0-9a-f]{64}\b/g, '$1***'],
  // A six-digit MFA code next to a word that names it ("MFA code 123456", "--token-code 123456", "otp: 123456").
  [/\b((?:mfa(?:[ _-]?code)?|otp|token[ _-]?code)["']?\s*[:= ]\s*["']?)\d{6}\b/gi, '$1***'],
  [new RegExp(`(?:${TOKEN_PREFIXES.join('|')})[A-Za-z0-9+/=_-]{12,}`, 'g'), '***token***'],
  // Any other session token, sign-in token or credential blob: a base64 run of 100+ characters with upper case,
  // lower case and digits (STS tokens are hundreds of characters; hashes, ARNs and ids are shorter or not base64).
  [/(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]{0,199}[a-z])(?=[A-Za-z0-9+/_-]{0,199}[A-Z])(?=[A-Za-z0-9+/_-]{0,199}[0-9])[A-Za-z0-9+/_-]{100,}={0,2}/g, '***token***'],
  // 40-character secret access keys (base64 alphabet with upper case, lower case and digits).
  [/(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, '***secret***'],
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
