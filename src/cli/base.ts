// What CLI subcommands that call AWS share: the base identity's clients (the core rule, chooseBaseCredentials, applied
// to the CLI's options and io.env) and reading a secret line (an MFA code) from stdin without echoing it.
import { spawn } from 'child_process';
import * as os from 'os';
import type { Parsed } from './args';
import { UsageError, type CliIO } from './io';
import { AwsClients } from '../core/aws/clients';
import { chooseBaseCredentials, type ProfileInfo } from '../core/aws/credentials';

/** Base credentials and profile facts shared by elevate and revoke. Honours io.env (in-process tests). */
export async function cliBase(p: Parsed, io: CliIO, mfaPrompt?: (serial: string) => Promise<string>, timeoutMs?: number): Promise<{
  clients: AwsClients; profile?: ProfileInfo; region?: string; description: string;
}> {
  const env = io.env;
  const explicit = p.options.profile as string | undefined;
  const endpointUrl = p.options['endpoint-url'] as string | undefined;
  let base;
  try {
    base = await chooseBaseCredentials({ profile: explicit, env, mfaCodeProvider: mfaPrompt, region: p.options.region as string | undefined, endpointUrl });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\.$/, ''));
  }
  const region = (p.options.region as string | undefined) ?? base.profile?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const clients = new AwsClients({ region, credentials: base.credentials, endpointUrl, env, ...(timeoutMs ? { requestTimeoutMs: timeoutMs } : {}) });
  return { clients, region, description: base.description, ...(base.profile ? { profile: base.profile } : {}) };
}

type RawStdin = CliIO['stdin'] & { setRawMode?: (raw: boolean) => unknown; isTTY?: boolean };

/**
 * Reads one line from stdin (an MFA code). On a terminal the characters are not echoed; Ctrl-C (or the signal)
 * resolves undefined. The code is never echoed back or logged by us.
 */
export function readSecretLine(io: CliIO, signal?: AbortSignal): Promise<string | undefined> {
  const stdin = io.stdin as RawStdin;
  const raw = io.isTTY && typeof stdin.setRawMode === 'function';
  return new Promise((resolve, reject) => {
    let buf = '';
    const finish = (v: string | undefined) => { cleanup(); resolve(v); };
    const onData = (d: Buffer | string) => {
      for (const ch of d.toString()) {
        if (ch === '\u0003') return finish(undefined);
        if (ch === '\n' || ch === '\r') return finish(buf);
        if (raw && (ch === '\u007f' || ch === '\b')) buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    const onEnd = () => finish(buf || undefined);
    const onError = (e: Error) => { cleanup(); reject(e); };
    const onAbort = () => finish(undefined);
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (raw) stdin.setRawMode!(false);
      stdin.pause();
      if (raw) io.stderr.write('\n');
    };
    if (signal?.aborted) return resolve(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (raw) stdin.setRawMode!(true);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    stdin.resume();
  });
}

/** Runs a command with an environment, its output to io's streams; resolves its exit code (128 + signal). */
export function runChild(cmd: string[], env: NodeJS.ProcessEnv, io: CliIO): Promise<number> {
  return new Promise((resolve) => {
    const inherit = io.stdout === process.stdout;
    const child = spawn(cmd[0], cmd.slice(1), { env, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'], cwd: io.cwd });
    if (!inherit) {
      child.stdout?.pipe(io.stdout, { end: false });
      child.stderr?.pipe(io.stderr, { end: false });
    }
    child.on('error', (e) => { io.stderr.write(`breakglass elevate: cannot run ${cmd[0]}: ${(e as NodeJS.ErrnoException).code ?? e.message}\n`); resolve(127); });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1)));
  });
}
