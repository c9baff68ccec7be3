// What a CLI subcommand may touch: its arguments, standard streams and environment. Passing these in (rather than
// using process.* directly) lets unit tests run subcommands in-process and read exactly what they printed.
import type { Readable, Writable } from 'stream';

export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdin is a terminal (prompts are only shown on a TTY). */
  isTTY: boolean;
}

export interface Subcommand {
  name: string;
  /** One line for `breakglass --help`. */
  summary: string;
  /** Full usage text for `breakglass <name> --help`. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A subcommand whose module is loaded when it runs (the CLI's table; `breakglass --version` loads none). */
export interface LazySubcommand {
  name: string;
  summary: string;
  load(): Promise<Subcommand>;
}

/** A usage error: printed with the subcommand's usage hint, exit code 2. */
export class UsageError extends Error {}

export function processIO(): CliIO {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdin.isTTY),
  };
}
